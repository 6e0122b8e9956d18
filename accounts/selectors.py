"""Reads of accounts, scoped to who asks."""

from datetime import UTC, date, datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Trunc
from django.utils.translation import gettext as _

from accounts.models import Address, User
from marketmate.errors import NotFoundError


def user_has_second_factor(*, user: User) -> bool:
    """Whether `user` has set up a second factor (an authenticator app or a security key;
    recovery codes alone do not count: they come with the first)."""
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def address_list_for_user(*, user: User) -> QuerySet[Address]:
    """The address book of `user`, defaults first."""
    return Address.objects.filter(user=user)


def address_get_for_user(*, user: User, address_id: int | str) -> Address:
    """The address `address_id` of `user`; another user's address is not found."""
    try:
        return Address.objects.select_related("user").get(user=user, pk=int(address_id))
    except (Address.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("Address not found.")) from None


def address_default_for_user(*, user: User, kind: str) -> Address | None:
    """The default `shipping` or `billing` address of `user`, if they have one."""
    field = {"shipping": "is_default_shipping", "billing": "is_default_billing"}[kind]
    return Address.objects.filter(user=user, **{field: True}).first()


def address_book_has(*, user: User, address: dict[str, str]) -> bool:
    """Whether `user`'s address book already holds this address (same fields, any case)."""
    fields = ("full_name", "line1", "line2", "city", "region", "postal_code", "country")
    lookup = {f"{name}__iexact": address.get(name, "") for name in fields}
    return Address.objects.filter(user=user, **lookup).exists()


def user_is_verified(*, user: User) -> bool:
    """Whether `user` has confirmed their e-mail address (needed to open a shop or check out)."""
    return bool(user.is_authenticated and user.verified)


def user_signups_by_period(*, start: datetime, end: datetime, period: str) -> dict[date, int]:
    """How many users signed up in [start, end), per UTC `period` (day, week or month), keyed by
    the period's first day; periods without sign-ups are left out."""
    rows = (
        User.objects.filter(created__gte=start, created__lt=end)
        .annotate(period=Trunc("created", period, tzinfo=UTC))
        .values("period")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["period"].date(): row["count"] for row in rows}


def user_list_for_staff(*, search: str = "", role: str = "", status: str = "") -> QuerySet[User]:
    """Every user, for marketplace staff: `search` in e-mail address and name, `role` (buyer,
    vendor, admin) and `status` (`active`, or `banned`)."""
    verified = EmailAddress.objects.filter(
        user_id=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
    )
    users = User.objects.annotate(is_email_verified=Exists(verified))
    if search:
        users = users.filter(Q(email__icontains=search) | Q(name__icontains=search))
    if role:
        users = users.filter(role=role)
    if status == "active":
        users = users.filter(banned_at__isnull=True)
    elif status == "banned":
        users = users.filter(banned_at__isnull=False)
    return users.order_by("-created", "-id")


def user_get_for_staff(*, user_id: int) -> User:
    """Any user by id, for marketplace staff; 404 when there is none."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFoundError(_("User not found."))
    return user


def user_get_signed_in(*, user_id: int, auth_version: int) -> User | None:
    """The user, if still active, not banned and on sign-in version `auth_version` (the one
    of the session or token in hand); else None. For long-lived connections that check the
    user again on every event."""
    return User.objects.filter(
        pk=user_id, is_active=True, banned_at__isnull=True, auth_version=auth_version
    ).first()


def email_is_taken(*, email: str, exclude_user_id: int | None = None) -> bool:
    """Whether another account (than `exclude_user_id`) signs in with or has verified `email`.
    Never shown to a caller: sign-up and e-mail changes answer the same either way."""
    users = User.objects.filter(email__iexact=email.strip())
    addresses = EmailAddress.objects.filter(email__iexact=email.strip(), verified=True)
    if exclude_user_id is not None:
        users = users.exclude(pk=exclude_user_id)
        addresses = addresses.exclude(user_id=exclude_user_id)
    return users.exists() or addresses.exists()


def user_get_by_email(*, email: str) -> User | None:
    """The user whose e-mail address is `email` (compared case-insensitively), or None."""
    return User.objects.filter(email__iexact=email).first()
