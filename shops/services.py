"""Writes to shops: onboarding, settings, the status transitions staff make, and members.

The status of a shop changes only here, one function per transition; each checks the current
status (ShopTransitionError otherwise), writes an audit record and emits an event.
"""

import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from babel.numbers import list_currencies
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_get_by_email
from accounts.services import user_role_set
from marketmate.audit import audit_record, field_changes
from marketmate.emails import email_send
from marketmate.errors import ApplicationError
from marketmate.events import event_emit
from marketmate.flags import Switch, switch_is_on
from marketmate.images import EXTENSIONS as IMAGE_EXTENSIONS
from marketmate.images import image_clean
from shops.changes import shop_changed
from shops.exceptions import (
    ShopApplicantNotVerifiedError,
    ShopInvitationInvalidError,
    ShopMemberConflictError,
    ShopTransitionError,
)
from shops.models import Shop, ShopInvitation, ShopMember

APPROVAL_SWITCH = Switch.SHOP_APPROVAL_REQUIRED

IMAGE_FIELDS = ("logo", "banner")

# The fields an owner or manager may change; status, owner and payouts are not among them.
SHOP_EDITABLE_FIELDS = (
    "name",
    "description",
    "logo",
    "banner",
    "currency",
    "country",
    "language",
    "prices_include_tax",
    "shipping_policy",
    "returns_policy",
)


def _currency_check(currency: str) -> str:
    code = (currency or "").strip().upper()
    if code not in list_currencies():
        raise ApplicationError(
            _("Choose a currency by its ISO 4217 code."),
            code="validation_error",
            fields={"currency": [_("Not an ISO 4217 currency code.")]},
        )
    return code


def shop_slug_unique(*, name: str, exclude_pk: int | None = None) -> str:
    """A slug for `name` that no other shop has: `name`, then `name-2`, `name-3`..."""
    base = slugify(name)[:120] or "shop"
    candidate, number = base, 1
    shops = Shop.objects.exclude(pk=exclude_pk) if exclude_pk else Shop.objects.all()
    while shops.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _user_become_vendor(*, user: User) -> None:
    # Buyers who join a shop become vendors; admins keep their role.
    if user.role == User.Role.BUYER:
        user_role_set(user=user, role=User.Role.VENDOR, actor=user)


@transaction.atomic
def shop_apply(
    *,
    user: User,
    name: str,
    currency: str = "USD",
    country: str = "US",
    description: str = "",
    shipping_policy: str = "",
    returns_policy: str = "",
) -> Shop:
    """A verified user opens a shop and becomes its owner.

    The shop is active at once, or pending staff approval while the `shop_approval_required`
    switch is on.
    """
    if not user.verified:
        raise ShopApplicantNotVerifiedError(
            _("Confirm your e-mail address before you open a shop.")
        )
    needs_approval = switch_is_on(APPROVAL_SWITCH)
    shop = Shop(
        owner=user,
        name=name.strip(),
        slug=shop_slug_unique(name=name),
        description=description,
        currency=_currency_check(currency),
        country=country,
        shipping_policy=shipping_policy,
        returns_policy=returns_policy,
        status=Shop.Status.PENDING if needs_approval else Shop.Status.ACTIVE,
    )
    shop.full_clean()
    shop.save()
    ShopMember.objects.create(shop=shop, user=user, role=ShopMember.Role.OWNER)
    _user_become_vendor(user=user)
    audit_record(
        actor=user,
        action="shop.apply",
        entity=shop,
        changes={"status": (None, shop.status)},
    )
    event_emit("shop.created", shop_id=shop.pk, status=shop.status)
    return shop


@transaction.atomic
def shop_update(*, shop: Shop, actor: User, data: Mapping[str, Any]) -> Shop:
    """Change a shop's settings (only `SHOP_EDITABLE_FIELDS`); audited."""
    unknown = set(data) - set(SHOP_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed here."),
            code="validation_error",
            fields={field: [_("Cannot be changed.")] for field in sorted(unknown)},
        )
    images = {field: data[field] for field in IMAGE_FIELDS if field in data}
    plain = {field: value for field, value in data.items() if field not in IMAGE_FIELDS}
    before = {field: getattr(shop, field) for field in plain}
    for field, value in plain.items():
        if field == "currency":
            value = _currency_check(value)
        setattr(shop, field, value)
    shop.full_clean(exclude=list(IMAGE_FIELDS))
    changed = list(field_changes(before, shop, plain))
    for field, upload in images.items():
        before[field] = getattr(shop, field).name or ""
        _shop_image_set(shop=shop, field=field, upload=upload)
        if getattr(shop, field).name != before[field]:
            changed.append(field)
    if changed:
        shop.save(update_fields=[*changed, "updated"])
        shop_changed(shop_id=shop.pk, fields=changed)
        audit_record(
            actor=actor,
            action="shop.update",
            entity=shop,
            changes={field: (str(before[field]), str(getattr(shop, field))) for field in changed},
        )
    return shop


def _shop_image_set(*, shop: Shop, field: str, upload: UploadedFile | None) -> None:
    """Store a checked, metadata-free copy of `upload` as the shop's logo or banner
    (None or False removes it)."""
    if not upload:
        setattr(shop, field, "")
        return
    try:
        clean = image_clean(upload=upload)
    except ApplicationError as exc:
        raise ApplicationError(exc.message, code=exc.code, fields={field: [exc.message]}) from exc
    extension = IMAGE_EXTENSIONS[clean.format]
    getattr(shop, field).save(
        f"{uuid.uuid4().hex}.{extension}", ContentFile(clean.content), save=False
    )


def _transition(
    *, shop: Shop, actor: User | None, allowed_from: set[str], to: str, action: str, reason: str
) -> Shop:
    locked = Shop.objects.select_for_update().get(pk=shop.pk)
    if locked.status not in allowed_from:
        raise ShopTransitionError(
            _("A shop that is %(status)s cannot be changed this way.")
            % {"status": locked.get_status_display().lower()}
        )
    old = locked.status
    locked.status = to
    locked.save(update_fields=["status", "updated"])
    shop.status = to
    audit_record(
        actor=actor, action=action, entity=locked, changes={"status": (old, to)}, reason=reason
    )
    shop_changed(shop_id=shop.pk, fields=["status"])
    event_emit("shop.status_changed", shop_id=shop.pk, status=to)
    return shop


@transaction.atomic
def shop_approve(*, shop: Shop, actor: User | None, reason: str = "") -> Shop:
    """Staff let a pending shop sell."""
    return _transition(
        shop=shop,
        actor=actor,
        allowed_from={Shop.Status.PENDING},
        to=Shop.Status.ACTIVE,
        action="shop.approve",
        reason=reason,
    )


@transaction.atomic
def shop_suspend(*, shop: Shop, actor: User | None, reason: str) -> Shop:
    """Staff take a shop off the market: its products disappear from the storefront and API."""
    if not reason.strip():
        raise ApplicationError(
            _("Give a reason for the suspension."),
            code="validation_error",
            fields={"reason": [_("This field is required.")]},
        )
    return _transition(
        shop=shop,
        actor=actor,
        allowed_from={Shop.Status.ACTIVE, Shop.Status.PENDING},
        to=Shop.Status.SUSPENDED,
        action="shop.suspend",
        reason=reason,
    )


@transaction.atomic
def shop_reinstate(*, shop: Shop, actor: User | None, reason: str = "") -> Shop:
    """Staff put a suspended shop back on the market."""
    return _transition(
        shop=shop,
        actor=actor,
        allowed_from={Shop.Status.SUSPENDED},
        to=Shop.Status.ACTIVE,
        action="shop.reinstate",
        reason=reason,
    )


def _payouts_hold_set(*, shop: Shop, actor: User | None, reason: str, on_hold: bool) -> Shop:
    if not reason.strip():
        raise ApplicationError(
            _("Give a reason."),
            code="validation_error",
            fields={"reason": [_("This field is required.")]},
        )
    with transaction.atomic():
        locked = Shop.objects.select_for_update().get(pk=shop.pk)
        if locked.payouts_on_hold != on_hold:
            locked.payouts_on_hold = on_hold
            locked.save(update_fields=["payouts_on_hold", "updated"])
            audit_record(
                actor=actor,
                action="shop.payouts_hold" if on_hold else "shop.payouts_release",
                entity=locked,
                changes={"payouts_on_hold": (not on_hold, on_hold)},
                reason=reason,
            )
            event_emit("shop.payouts_hold_changed", shop_id=locked.pk, on_hold=on_hold)
    shop.payouts_on_hold = on_hold
    return shop


def shop_payouts_hold(*, shop: Shop, actor: User | None, reason: str) -> Shop:
    """Staff stop paying `shop` out (the payout job skips it) until they release it; the money
    stays in its ledger. Audited with the reason; holding a held shop changes nothing."""
    return _payouts_hold_set(shop=shop, actor=actor, reason=reason, on_hold=True)


def shop_payouts_release(*, shop: Shop, actor: User | None, reason: str) -> Shop:
    """Staff let the payout job pay `shop` again. Audited with the reason."""
    return _payouts_hold_set(shop=shop, actor=actor, reason=reason, on_hold=False)


def _role_check(role: str) -> str:
    if role not in {ShopMember.Role.MANAGER, ShopMember.Role.STAFF}:
        raise ApplicationError(
            _("Choose the manager or staff role."),
            code="validation_error",
            fields={"role": [_("Choose manager or staff.")]},
        )
    return role


@transaction.atomic
def member_invite(*, shop: Shop, actor: User, email: str, role: str) -> ShopMember | ShopInvitation:
    """Add the user with `email` to the shop, or invite the address when no one has it yet.

    An invitation is e-mailed with a link; whoever signs up with that address and follows the
    link becomes a member.
    """
    role = _role_check(role)
    email = email.strip().lower()
    existing = user_get_by_email(email=email)
    if existing is not None:
        if ShopMember.objects.filter(shop=shop, user=existing).exists():
            raise ShopMemberConflictError(
                _("%(email)s is already a member of this shop.") % {"email": email},
                fields={"email": [_("Already a member.")]},
            )
        member = ShopMember.objects.create(shop=shop, user=existing, role=role)
        audit_record(
            actor=actor,
            action="shop.member_add",
            entity=shop,
            changes={"member": (None, f"{email}:{role}")},
        )
        return member
    invitation = (
        ShopInvitation.objects.select_for_update()
        .filter(shop=shop, email=email, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        invitation = ShopInvitation.objects.create(
            shop=shop, email=email, role=role, token=secrets.token_urlsafe(32), invited_by=actor
        )
    elif invitation.role != role:
        invitation.role = role
        invitation.save(update_fields=["role"])
    audit_record(
        actor=actor,
        action="shop.member_invite",
        entity=shop,
        changes={"invitation": (None, f"{email}:{role}")},
    )
    accept_path = reverse("dashboard:invitation_accept", kwargs={"token": invitation.token})
    email_send(
        to=email,
        template="shop_invitation",
        context={
            "shop_name": shop.name,
            "inviter": actor.get_full_name(),
            "role": str(invitation.get_role_display()),
            "accept_url": f"{settings.SITE_URL}{accept_path}",
        },
        key=f"shop-invitation:{invitation.pk}:{role}",
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: ShopInvitation, user: User) -> ShopMember:
    """The invited person (signed in with the invited address) joins the shop."""
    locked = ShopInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ShopInvitationInvalidError(_("This invitation has already been used."))
    if user.email.lower() != locked.email.lower():
        raise ShopInvitationInvalidError(
            _("This invitation is for %(email)s. Sign in with that address to accept it.")
            % {"email": locked.email}
        )
    member, created = ShopMember.objects.get_or_create(
        shop_id=locked.shop_id, user=user, defaults={"role": locked.role}
    )
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_at"])
    if created:
        _user_become_vendor(user=user)
        audit_record(
            actor=user,
            action="shop.member_join",
            entity=member.shop,
            changes={"member": (None, f"{user.email}:{member.role}")},
        )
    return member


@transaction.atomic
def member_role_set(*, member: ShopMember, actor: User, role: str) -> ShopMember:
    """Make a member a manager or staff; the owner's role never changes."""
    if member.role == ShopMember.Role.OWNER:
        raise ShopMemberConflictError(_("The owner's role cannot be changed."))
    role = _role_check(role)
    old = member.role
    if old != role:
        member.role = role
        member.save(update_fields=["role"])
        audit_record(
            actor=actor,
            action="shop.member_role_set",
            entity=member.shop,
            changes={f"member:{member.user.email}": (old, role)},
        )
    return member


@transaction.atomic
def member_remove(*, member: ShopMember, actor: User) -> None:
    """Take a member out of the shop; the owner cannot be removed."""
    if member.role == ShopMember.Role.OWNER:
        raise ShopMemberConflictError(_("The owner cannot be removed from the shop."))
    audit_record(
        actor=actor,
        action="shop.member_remove",
        entity=member.shop,
        changes={"member": (f"{member.user.email}:{member.role}", None)},
    )
    shop_id, user_id = member.shop_id, member.user_id
    member.delete()
    # Open sockets of the removed member leave the shop's room at once (chat subscribes).
    event_emit("shop.member_removed", shop_id=shop_id, user_id=user_id)
