"""Writes to accounts. Other apps create and change users only through these functions."""

import contextlib
import logging
import uuid
from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm
from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from allauth.account.models import EmailAddress, get_emailconfirmation_model
from allauth.account.utils import url_str_to_user_pk
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.authentication import AUTH_VERSION_CLAIM
from accounts.exceptions import (
    AccountDisabledError,
    InvalidCredentialsError,
    InvalidTokenError,
    SecondFactorRequiredError,
)
from accounts.models import Address, User
from accounts.ratelimits import login_failure_record, login_lockout_check
from accounts.selectors import email_is_taken, user_has_second_factor
from accounts.token_denylist import SESSION_CLAIM, session_deny, token_deny
from marketmate.audit import audit_record, field_changes
from marketmate.emails import email_send
from marketmate.events import event_emit

logger = logging.getLogger(__name__)

AVATAR_FORMATS = ("JPEG", "PNG", "WEBP")
AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_MAX_PIXELS = 25_000_000
PROFILE_FIELDS = ("name", "avatar", "language", "currency")
ADDRESS_FIELDS = (
    "full_name",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
    "is_default_shipping",
    "is_default_billing",
)


# --- Users ----------------------------------------------------------------------------------------
@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    name: str = "",
    role: str = User.Role.BUYER,
    verified: bool = False,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a user with a hashed password (None makes the password unusable) and their
    primary e-mail address, verified when `verified` is true."""
    user = User.objects.create_user(
        email=email,
        password=password,
        name=name,
        role=role,
        verified=verified,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    return user


def user_register(*, request: HttpRequest, email: str, password: str, name: str) -> User | None:
    """Sign up a buyer: check the password is strong, create the user, then send the
    verification and welcome e-mails (after commit, by background jobs).

    An address that already has an account creates nothing: its owner is e-mailed instead
    (someone tried to sign up with it), and the caller answers exactly as for a new address,
    so sign-up never tells whether an address is registered. Returns None then.
    """
    email = email.strip().lower()
    try:
        validate_password(password, user=User(email=email, name=name))
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    if email_is_taken(email=email) or EmailAddress.objects.filter(email__iexact=email).exists():
        get_adapter(request).send_account_already_exists_mail(email)
        return None
    with transaction.atomic():
        user = user_create(email=email, password=password, name=name)
        address = EmailAddress.objects.get(user=user, email=user.email)
        send_verification_email_to_address(request, address, signup=True)
        user_welcome_send(user=user)
    return user


def user_welcome_send(*, user: User) -> None:
    """Welcome a new user by e-mail, once."""
    email_send(
        to=user.email,
        template="account_welcome",
        context={"name": user.get_short_name()},
        language=user.language or None,
        key=f"welcome:{user.pk}",
    )


def user_verified_record(*, user: User) -> User:
    """Audit that `user` has confirmed their e-mail address (when they have). Nothing to
    copy: `User.verified` reads allauth's EmailAddress, the one place verification is kept."""
    if user.verified:
        audit_record(actor=user, action="user.verified", entity=user, changes={})
    return user


def user_authenticate(*, request: HttpRequest, email: str, password: str, code: str = "") -> User:
    """The user with this e-mail and password, or an error: wrong credentials (counted toward
    the account's cool-off), a cooling-off account, or a banned or deactivated account. An
    account with a second factor also needs `code`: a current authenticator-app code or an
    unused recovery code (a wrong one counts as a failed sign-in); staff must have one."""
    login_lockout_check(request=request, email=email)
    user = authenticate(request, email=email, password=password)
    if isinstance(user, User):
        if user.is_staff and not user_has_second_factor(user=user):
            # As in the admin: staff set up their second factor on the site before anything.
            raise SecondFactorRequiredError(
                _("Staff accounts need a second factor: set one up on the site first.")
            )
        if not _second_factor_passes(user=user, code=code):
            if code:
                login_failure_record(request=request, email=email)
            raise SecondFactorRequiredError(
                _("Enter the code from your authenticator app or one of your recovery codes.")
            )
        return user
    inactive = User.objects.filter(email__iexact=email.strip(), is_active=False).first()
    if inactive is not None and inactive.check_password(password):
        raise AccountDisabledError(_("This account has been suspended. Contact support for help."))
    login_failure_record(request=request, email=email)
    raise InvalidCredentialsError(_("The e-mail address or password is not correct."))


def _second_factor_passes(*, user: User, code: str) -> bool:
    # Security keys need a browser ceremony: an API client proves the second factor with a
    # TOTP or recovery code, which every account with a second factor has.
    authenticators = Authenticator.objects.filter(user=user)
    if not authenticators.exists():
        return True
    for authenticator in authenticators.filter(
        type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    ):
        if code and authenticator.wrap().validate_code(code):
            authenticator.record_usage()
            return True
    return False


def user_tokens_issue(*, user: User) -> dict[str, str]:
    """A new JWT pair for `user`, bound to their current sign-in version."""
    refresh = RefreshToken.for_user(user)
    refresh[AUTH_VERSION_CLAIM] = user.auth_version
    # The sign-in's id, copied into every access token minted from this refresh token and its
    # rotations: signing out denies it (accounts.token_denylist).
    refresh[SESSION_CLAIM] = uuid.uuid4().hex
    if settings.SIMPLE_JWT.get("UPDATE_LAST_LOGIN"):
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def user_sign_out_tokens(*, refresh: str, access: str | None = None) -> None:
    """Sign out one sign-in of the API: blacklist its refresh token for good and deny every
    access token minted from it (and `access`, the bearer token of the call, if valid) until
    they expire. Raises TokenError for an invalid, expired or already revoked refresh token."""
    token = RefreshToken(refresh)  # type: ignore[arg-type]
    token.blacklist()
    session_deny(payload=token.payload)
    if access:
        # An expired or forged bearer token authenticates nothing anyway.
        with contextlib.suppress(TokenError):
            token_deny(payload=AccessToken(access).payload)  # type: ignore[arg-type]


def user_tokens_revoke(*, user: User) -> int:
    """Blacklist every outstanding refresh token of `user`; returns how many were revoked."""
    revoked = 0
    outstanding = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now())
    for token in outstanding.exclude(blacklistedtoken__isnull=False):
        BlacklistedToken.objects.get_or_create(token=token)
        revoked += 1
    return revoked


def _auth_version_bump(*, user: User) -> None:
    # Ends every session (the session hash includes it) and every access token (the claim);
    # open WebSockets are closed by the event's subscriber (chat), in every process.
    User.objects.filter(pk=user.pk).update(auth_version=F("auth_version") + 1)
    user.refresh_from_db(fields=["auth_version"])
    event_emit("user.sign_ins_ended", user_id=user.pk)


@transaction.atomic
def user_sign_ins_end(*, user: User) -> None:
    """End every session and token of `user` at once (after a password change or reset).
    The session that made the change can keep going with `update_session_auth_hash`."""
    _auth_version_bump(user=user)
    user_tokens_revoke(user=user)


@transaction.atomic
def user_ban(*, user: User, actor: User | None, reason: str) -> User:
    """Lock `user` out at once: deactivate them, end all their sessions, revoke their refresh
    tokens and make their access tokens fail on the next request. Audited."""
    before = {"is_active": user.is_active, "banned_at": user.banned_at}
    user.is_active = False
    user.banned_at = timezone.now()
    user.save(update_fields=["is_active", "banned_at", "updated"])
    _auth_version_bump(user=user)
    revoked = user_tokens_revoke(user=user)
    audit_record(
        actor=actor,
        action="user.banned",
        entity=user,
        changes=field_changes(before, user, ["is_active", "banned_at"]),
        reason=reason,
    )
    logger.info("User %s banned; %s refresh tokens revoked", user.pk, revoked)
    return user


@transaction.atomic
def user_deactivate(*, user: User, actor: User | None, reason: str = "") -> User:
    """Switch the account off (not a ban: no mark, e.g. at the user's request or by staff in
    the admin) and end its sessions, tokens and open sockets at once. Audited."""
    before = {"is_active": user.is_active}
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active", "updated"])
    user_sign_ins_end(user=user)
    audit_record(
        actor=actor,
        action="user.deactivated",
        entity=user,
        changes=field_changes(before, user, ["is_active"]),
        reason=reason,
    )
    return user


@transaction.atomic
def user_unban(*, user: User, actor: User | None, reason: str = "") -> User:
    """Let a banned user sign in again. Sessions and tokens from before the ban stay ended."""
    before = {"is_active": user.is_active, "banned_at": user.banned_at}
    user.is_active = True
    user.banned_at = None
    user.save(update_fields=["is_active", "banned_at", "updated"])
    audit_record(
        actor=actor,
        action="user.unbanned",
        entity=user,
        changes=field_changes(before, user, ["is_active", "banned_at"]),
        reason=reason,
    )
    return user


@transaction.atomic
def user_role_set(*, user: User, role: str, actor: User | None = None) -> User:
    """Give `user` the marketplace role `role` (buyer, vendor or admin). Audited."""
    if role not in User.Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    if user.role == role:
        return user
    before = {"role": user.role}
    user.role = role
    user.save(update_fields=["role", "updated"])
    audit_record(
        actor=actor, action="user.role_set", entity=user, changes={"role": (before["role"], role)}
    )
    return user


def avatar_validate(avatar: UploadedFile) -> None:
    """Refuse an avatar that is not a JPEG, PNG or WebP image of sensible size (Pillow decides)."""
    if avatar.size is not None and avatar.size > AVATAR_MAX_BYTES:
        raise ValidationError(
            {"avatar": [_("The image is too large; the limit is 2 MB.")]}, code="too_large"
        )
    try:
        avatar.seek(0)
        with Image.open(avatar) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(
            {"avatar": [_("Upload a JPEG, PNG or WebP image.")]}, code="invalid_image"
        ) from error
    finally:
        avatar.seek(0)
    if image_format not in AVATAR_FORMATS:
        raise ValidationError(
            {"avatar": [_("Upload a JPEG, PNG or WebP image.")]}, code="invalid_image"
        )
    if width * height > AVATAR_MAX_PIXELS:
        raise ValidationError({"avatar": [_("The image has too many pixels.")]}, code="too_large")


@transaction.atomic
def user_profile_update(*, user: User, data: dict[str, Any]) -> User:
    """Change the profile fields in `data` (name, avatar, language, currency). An avatar is
    checked by Pillow, then stripped of metadata and resized by a background job."""
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    avatar = data.get("avatar")
    if avatar:
        avatar_validate(avatar)
    before = {field: getattr(user, field) for field in PROFILE_FIELDS}
    for field, value in data.items():
        setattr(user, field, value if value is not None else "")
    user.full_clean(exclude=["password"])
    user.save(update_fields=[*data.keys(), "updated"])
    changes = field_changes(before, user, data.keys())
    if changes:
        audit_record(actor=user, action="user.profile_updated", entity=user, changes=changes)
    if avatar:
        from accounts.tasks import avatar_process_task

        transaction.on_commit(lambda: avatar_process_task.delay(user_id=user.pk))
    return user


def user_language_set(*, user: User, language: str) -> User:
    """Remember the language `user` chose (e.g. in the footer switcher)."""
    if language not in {code for code, _name in settings.LANGUAGES} or user.language == language:
        return user
    user.language = language
    user.save(update_fields=["language", "updated"])
    return user


def user_email_change_request(*, request: HttpRequest, user: User, email: str) -> EmailAddress:
    """Start changing the e-mail address of `user`: the new address receives a verification
    link and replaces the current one only once verified (an address of another account
    receives a notice instead, and never replaces anything)."""
    email = email.strip().lower()
    if email == user.email.lower():
        raise ValidationError({"email": [_("This is already your e-mail address.")]})
    # An address of another account is accepted like any other: it waits for a verification
    # that never comes, because the adapter e-mails its owner a notice instead of the link
    # (accounts.adapter.AccountAdapter.send_confirmation_mail), and the answer does not say
    # it is taken.
    return EmailAddress.objects.add_new_email(request, user, email)


# --- Passwords and verification -------------------------------------------------------------------
def password_reset_request(*, request: HttpRequest, email: str) -> None:
    """E-mail a reset link to the account of `email`. Unknown addresses get a note that there
    is no account, so the answer never tells a caller whether an address is registered."""
    form = ResetPasswordForm(data={"email": email})
    if not form.is_valid():
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]})
    form.save(request)


def password_reset_user(*, uid: str, token: str) -> User:
    """The user a reset link (`uid`, `token`) belongs to, if the link is still valid."""
    invalid = InvalidTokenError(
        _("The password reset link is invalid or has expired."),
        fields={"token": [_("The password reset link is invalid or has expired.")]},
    )
    try:
        user = User.objects.get(pk=url_str_to_user_pk(uid), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError, OverflowError, ValidationError):
        raise invalid from None
    generator = allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR()
    if not generator.check_token(user, token):
        raise invalid
    return user


@transaction.atomic
def user_password_reset(*, uid: str, token: str, password: str) -> User:
    """Set a new password through a reset link; every session and token of the user ends."""
    user = password_reset_user(uid=uid, token=token)
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.save(update_fields=["password", "updated"])
    user_sign_ins_end(user=user)
    # A reset proves the mailbox belongs to the user.
    EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)
    user_verified_record(user=user)
    audit_record(actor=user, action="user.password_reset", entity=user)
    return user


def email_verify(*, request: HttpRequest, key: str) -> EmailAddress:
    """Confirm the e-mail address of a verification `key`."""
    confirmation = get_emailconfirmation_model().from_key(key)
    invalid = InvalidTokenError(
        _("The verification link is invalid or has expired."),
        fields={"key": [_("The verification link is invalid or has expired.")]},
    )
    if confirmation is None or confirmation.key_expired():
        raise invalid
    address = confirmation.confirm(request)
    if address is None:
        if confirmation.email_address.verified:
            return confirmation.email_address
        raise invalid
    return address


# --- Addresses ------------------------------------------------------------------------------------
def _defaults_take_over(*, address: Address) -> None:
    # At most one default of each kind per user: the address saved last takes it.
    others = Address.objects.filter(user_id=address.user_id).exclude(pk=address.pk)
    if address.is_default_shipping:
        others.filter(is_default_shipping=True).update(is_default_shipping=False)
    if address.is_default_billing:
        others.filter(is_default_billing=True).update(is_default_billing=False)


@transaction.atomic
def address_create(*, user: User, data: dict[str, Any]) -> Address:
    """Add an address to the address book of `user`. Their first address becomes the default
    for shipping and billing."""
    fields = {field: value for field, value in data.items() if field in ADDRESS_FIELDS}
    address = Address(user=user, **fields)
    if not Address.objects.filter(user=user).exists():
        address.is_default_shipping = True
        address.is_default_billing = True
    address.full_clean(exclude=["user"])
    User.objects.select_for_update().filter(pk=user.pk).first()
    _defaults_take_over(address=address)
    address.save()
    audit_record(actor=user, action="address.created", entity=address)
    return address


@transaction.atomic
def address_update(*, address: Address, data: dict[str, Any]) -> Address:
    """Change the fields in `data` of `address`."""
    fields = [field for field in data if field in ADDRESS_FIELDS]
    before = {field: getattr(address, field) for field in fields}
    for field in fields:
        setattr(address, field, data[field])
    address.full_clean(exclude=["user"])
    User.objects.select_for_update().filter(pk=address.user_id).first()
    _defaults_take_over(address=address)
    address.save(update_fields=[*fields, "updated"])
    changes = field_changes(before, address, fields)
    if changes:
        audit_record(actor=address.user, action="address.updated", entity=address, changes=changes)
    return address


@transaction.atomic
def address_delete(*, address: Address) -> None:
    """Remove `address` from its owner's address book."""
    audit_record(actor=address.user, action="address.deleted", entity=address)
    address.delete()
