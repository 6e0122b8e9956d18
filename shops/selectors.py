"""Reads of shops, scoped to who asks: a shop a user does not work for is a 404 to them."""

from collections.abc import Iterable
from datetime import UTC, date, datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, QuerySet
from django.db.models.functions import Trunc
from django.utils.translation import gettext as _

from accounts.models import User
from shops.exceptions import ShopNotFoundError, ShopRoleRequiredError
from shops.models import Shop, ShopInvitation, ShopMember
from shops.roles import ROLES_ANY


def membership_get(*, user: User | AnonymousUser, shop: Shop) -> ShopMember | None:
    """The user's membership of `shop`, or None."""
    if not user.is_authenticated:
        return None
    return ShopMember.objects.filter(shop=shop, user_id=user.pk).first()


def memberships_for_user(*, user: User | AnonymousUser) -> QuerySet[ShopMember]:
    """The shops a user works for, with their role, by shop name."""
    if not user.is_authenticated:
        return ShopMember.objects.none()
    return ShopMember.objects.filter(user_id=user.pk).select_related("shop").order_by("shop__name")


def shop_ids_for_member(
    *, user: User | AnonymousUser, roles: Iterable[str] = ROLES_ANY
) -> set[int]:
    """The ids of the shops `user` works for with one of `roles` (any role by default)."""
    if not user.is_authenticated:
        return set()
    return set(
        ShopMember.objects.filter(user_id=user.pk, role__in=list(roles)).values_list(
            "shop_id", flat=True
        )
    )


def user_is_shop_member(*, user: User | AnonymousUser, shop_id: int) -> bool:
    """Whether `user` works for shop `shop_id`, in any role."""
    if not user.is_authenticated:
        return False
    return ShopMember.objects.filter(user_id=user.pk, shop_id=shop_id).exists()


def shops_for_member(*, user: User | AnonymousUser, roles: Iterable[str] = ROLES_ANY) -> list[Shop]:
    """The shops `user` works for with one of `roles`, by name."""
    if not user.is_authenticated:
        return []
    return list(
        Shop.objects.filter(members__user_id=user.pk, members__role__in=list(roles)).order_by(
            "name"
        )
    )


def shop_member_users_active(*, shop_id: int) -> list[User]:
    """The active users who work for shop `shop_id`, in the order they joined."""
    return [
        member.user
        for member in ShopMember.objects.filter(shop_id=shop_id, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ]


def user_is_vendor(*, user: User | AnonymousUser) -> bool:
    """True when the user is a member of at least one shop."""
    return memberships_for_user(user=user).exists()


def shop_member_get(
    *, user: User | AnonymousUser, shop_id: int, roles: Iterable[str] = ROLES_ANY
) -> ShopMember:
    """The user's membership of shop `shop_id` (with the shop), if its role is one of `roles`.

    Non-members get ShopNotFoundError (a 404: whether the shop exists is not theirs to know);
    members whose role is not enough get ShopRoleRequiredError (403).
    """
    if not user.is_authenticated:
        raise ShopNotFoundError(_("Shop not found."))
    member = (
        ShopMember.objects.select_related("shop").filter(shop_id=shop_id, user_id=user.pk).first()
    )
    if member is None:
        raise ShopNotFoundError(_("Shop not found."))
    if member.role not in set(roles):
        raise ShopRoleRequiredError(_("Your role in this shop does not allow this."))
    return member


def shop_get_for_member(
    *, user: User | AnonymousUser, shop_id: int, roles: Iterable[str] = ROLES_ANY
) -> Shop:
    """The shop `shop_id` if `user` works for it with one of `roles` (else 404, or 403)."""
    return shop_member_get(user=user, shop_id=shop_id, roles=roles).shop


def shop_queryset_public() -> QuerySet[Shop]:
    """The shops shoppers see and can buy from or write to: active ones."""
    return Shop.objects.filter(status=Shop.Status.ACTIVE)


def shop_get(*, shop_id: int) -> Shop | None:
    """Shop `shop_id` whatever its status, or None: for jobs and subscribers, never for a
    lookup a user asked for (use `shop_get_public` or `shop_get_for_member`)."""
    return Shop.objects.filter(pk=shop_id).first()


def shops_by_id(*, shop_ids: Iterable[int]) -> dict[int, Shop]:
    """The shops with these ids, by id, whatever their status: for jobs and services."""
    return Shop.objects.in_bulk(set(shop_ids))


def shop_lock(*, shop_id: int) -> Shop:
    """Shop `shop_id` read again, its row locked (FOR UPDATE) until the caller's transaction
    ends: what staff set on it (payouts on hold, status) cannot change meanwhile."""
    return Shop.objects.select_for_update().get(pk=shop_id)


def shop_get_public(*, shop_id: int, user: User | AnonymousUser) -> Shop:
    """An active shop for anyone; a pending or suspended one only for its members."""
    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is None:
        raise ShopNotFoundError(_("Shop not found."))
    if shop.status != Shop.Status.ACTIVE and membership_get(user=user, shop=shop) is None:
        raise ShopNotFoundError(_("Shop not found."))
    return shop


def shop_members_list(*, shop: Shop) -> QuerySet[ShopMember]:
    return shop.members.select_related("user").order_by("created", "id")


def shop_invitations_open(*, shop: Shop) -> QuerySet[ShopInvitation]:
    return shop.invitations.filter(accepted_at__isnull=True).order_by("-created")


def invitation_get_open(*, token: str) -> ShopInvitation | None:
    return (
        ShopInvitation.objects.select_related("shop")
        .filter(token=token, accepted_at__isnull=True)
        .first()
    )


def shops_opened_by_period(*, start: datetime, end: datetime, period: str) -> dict[date, int]:
    """How many shops were opened in [start, end), per UTC `period` (day, week or month), keyed
    by the period's first day; periods without new shops are left out."""
    rows = (
        Shop.objects.filter(created__gte=start, created__lt=end)
        .annotate(period=Trunc("created", period, tzinfo=UTC))
        .values("period")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["period"].date(): row["count"] for row in rows}
