"""Who may do what in a shop, for the API (DRF permissions) and the dashboard (view mixins).

The matrix itself lives in `shops.roles`; these classes only apply it. Non-members always get a
404, so a shop's drafts and settings never reveal that they exist.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from shops.exceptions import ShopNotFoundError, ShopRoleRequiredError
from shops.models import Shop, ShopMember
from shops.roles import ROLES_ANY
from shops.selectors import memberships_for_user, shop_member_get, user_is_vendor

SESSION_SHOP_KEY = "dashboard_shop_id"


class IsVendor(BasePermission):
    """Signed in and a member of at least one shop."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated) and user_is_vendor(
            user=request.user
        )


class HasShopRole(BasePermission):
    """The user works for the shop in the URL (`shop_id`) with one of `roles`.

    Use `HasShopRole.with_roles(ROLES_SETTINGS)` in `permission_classes`. Non-members get 404,
    members with too small a role 403.
    """

    roles: frozenset[str] = frozenset(ROLES_ANY)
    url_kwarg = "shop_id"

    @classmethod
    def with_roles(cls, roles: Iterable[str]) -> type["HasShopRole"]:
        return type("HasShopRole", (cls,), {"roles": frozenset(roles)})

    def has_permission(self, request: Request, view: APIView) -> bool:
        shop_id = view.kwargs.get(self.url_kwarg)
        if shop_id is None:
            return False
        shop_member_get(user=request.user, shop_id=int(shop_id), roles=self.roles)
        return True


def current_membership_get(request: HttpRequest) -> ShopMember | None:
    """The membership of the shop the user last switched to in the dashboard, else their first.

    Only shops the user is a member of can be current: a stale or forged session value falls
    back to the first membership.
    """
    memberships = list(memberships_for_user(user=request.user))
    if not memberships:
        return None
    wanted = request.session.get(SESSION_SHOP_KEY)
    for membership in memberships:
        if membership.shop_id == wanted:
            return membership
    return memberships[0]


def current_shop_set(request: HttpRequest, *, shop_id: int) -> Shop:
    """Switch the dashboard to `shop_id`; 404 unless the user is a member of it."""
    try:
        member = shop_member_get(user=request.user, shop_id=shop_id)
    except ShopNotFoundError as exc:
        raise Http404(exc.message) from exc
    request.session[SESSION_SHOP_KEY] = member.shop_id
    return member.shop


class ShopMemberRequiredMixin(LoginRequiredMixin):
    """Dashboard views about the current shop: `self.shop` and `self.membership` are set.

    Users without a shop are sent to open one; members whose role is not in `shop_roles`
    get 403.
    """

    shop_roles: Iterable[str] = ROLES_ANY
    shop: Shop
    membership: ShopMember

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = current_membership_get(request)
        if membership is None:
            return redirect("dashboard:shop_create")
        if membership.role not in set(self.shop_roles):
            raise PermissionDenied(str(ShopRoleRequiredError.default_code))
        self.membership = membership
        self.shop = membership.shop
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["shop"] = self.shop
        context["membership"] = self.membership
        return context
