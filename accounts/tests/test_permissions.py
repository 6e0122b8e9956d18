"""accounts.permissions from the side of the caller who should be turned away."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.views import View
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from accounts.permissions import (
    IsOwner,
    IsStaff,
    IsVerified,
    StaffRequiredMixin,
    VerifiedEmailRequiredMixin,
    verified_email_required,
)
from accounts.tests.factories import AddressFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


class StaffOnly(APIView):
    permission_classes = [IsStaff]

    def get(self, request):  # type: ignore[no-untyped-def]
        return HttpResponse("ok")


class VerifiedOnly(APIView):
    permission_classes = [IsVerified]

    def get(self, request):  # type: ignore[no-untyped-def]
        return HttpResponse("ok")


class VerifiedPage(VerifiedEmailRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")


class StaffPage(StaffRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")


@verified_email_required
def verified_function_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def _api(view, user):  # type: ignore[no-untyped-def]
    request = APIRequestFactory().get("/")
    if user is not None:
        force_authenticate(request, user=user)
    return view.as_view()(request)


def _page(view, user):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/checkout/")
    request.user = user
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return view(request)


def test_is_staff_lets_staff_through_and_turns_others_away() -> None:
    assert _api(StaffOnly, StaffFactory()).status_code == 200
    denied = _api(StaffOnly, UserFactory())
    assert denied.status_code == 403
    assert denied.data["error"]["message"] == "Only marketplace staff may do this."
    assert _api(StaffOnly, None).status_code == 401


def test_is_verified_needs_a_confirmed_email() -> None:
    assert _api(VerifiedOnly, UserFactory(verified=True)).status_code == 200
    denied = _api(VerifiedOnly, UserFactory(verified=False))
    assert denied.status_code == 403
    assert denied.data["error"]["message"] == "Verify your e-mail address first."
    assert _api(VerifiedOnly, None).status_code == 401


@pytest.mark.parametrize("view", [VerifiedPage.as_view(), verified_function_page])
def test_verified_pages_send_unverified_users_to_the_email_page(view) -> None:  # type: ignore[no-untyped-def]
    assert _page(view, UserFactory(verified=True)).status_code == 200
    unverified = _page(view, UserFactory(verified=False))
    assert (unverified.status_code, unverified["Location"]) == (302, "/accounts/email/")
    anonymous = _page(view, AnonymousUser())
    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/accounts/login/?next=/checkout/"


def test_staff_pages_are_forbidden_to_others() -> None:
    from django.core.exceptions import PermissionDenied

    assert _page(StaffPage.as_view(), StaffFactory()).status_code == 200
    with pytest.raises(PermissionDenied):
        _page(StaffPage.as_view(), UserFactory())


def test_is_owner_compares_the_objects_user() -> None:
    address = AddressFactory()
    request = APIRequestFactory().get("/")
    request.user = address.user
    stranger = APIRequestFactory().get("/")
    stranger.user = UserFactory()

    assert IsOwner().has_object_permission(request, None, address) is True
    assert IsOwner().has_object_permission(stranger, None, address) is False
