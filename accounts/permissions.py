"""Who may do what: DRF permission classes, view mixins and decorators used by every app.

Shop-member roles (vendor, shop owner, staff of a shop) live in `shops.permissions`.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import User
from accounts.selectors import user_is_verified

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class IsStaff(BasePermission):
    """Marketplace staff (the admin role)."""

    message = gettext_lazy("Only marketplace staff may do this.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class IsVerified(BasePermission):
    """A signed-in user who has confirmed their e-mail address (to open a shop, to check out)."""

    message = gettext_lazy("Verify your e-mail address first.")
    code = "email_not_verified"

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return isinstance(user, User) and user_is_verified(user=user)


class IsOwner(BasePermission):
    """Object-level: the object's `user` is the requester (address book entries and the like)."""

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return bool(getattr(obj, "user_id", None) == getattr(request.user, "pk", object()))


def _verification_redirect(request: HttpRequest) -> HttpResponse:
    messages.warning(
        request,
        _("Verify your e-mail address to continue. We can send you a new link from this page."),
    )
    return redirect("account_email")


class VerifiedEmailRequiredMixin(AccessMixin):
    """For class-based views: anonymous users go to the log-in page, signed-in users who have
    not verified their e-mail address go to the e-mail page with a note."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        assert isinstance(request.user, User)
        if not user_is_verified(user=request.user):
            return _verification_redirect(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class StaffRequiredMixin(AccessMixin):
    """For class-based views: marketplace staff only (others get 403)."""

    raise_exception = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not (request.user.is_authenticated and request.user.is_staff):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def verified_email_required(view: View) -> View:
    """For function views: like `VerifiedEmailRequiredMixin`."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        assert isinstance(request.user, User)
        if not user_is_verified(user=request.user):
            return _verification_redirect(request)
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
