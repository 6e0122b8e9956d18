"""The staff API: users, bans and the sales report, for marketplace staff only."""

from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.tests.factories import StaffFactory, UserFactory
from marketmate.models import AuditLog
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

STAFF_ENDPOINTS = [
    ("get", "/api/v1/admin/users"),
    ("post", "/api/v1/admin/ban-user"),
    ("post", "/api/v1/admin/unban-user"),
    ("get", "/api/v1/admin/reports"),
]


@pytest.fixture
def staff() -> User:
    return StaffFactory(email="staff@example.com", name="Sam Staff")


@pytest.fixture
def staff_client(staff: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=staff)
    return client


def _client_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.mark.parametrize(("method", "url"), STAFF_ENDPOINTS)
def test_anonymous_callers_get_401(api_client: APIClient, method: str, url: str) -> None:
    response = getattr(api_client, method)(url, {})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "url"), STAFF_ENDPOINTS)
def test_buyers_get_403(method: str, url: str) -> None:
    buyer = UserFactory(role=User.Role.BUYER)

    response = getattr(_client_for(buyer), method)(url, {"user_id": buyer.pk, "reason": "x"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize(("method", "url"), STAFF_ENDPOINTS)
def test_vendors_get_403(method: str, url: str) -> None:
    vendor = UserFactory(role=User.Role.VENDOR)
    ShopFactory(owner=vendor)

    response = getattr(_client_for(vendor), method)(url, {"user_id": vendor.pk, "reason": "x"})

    assert response.status_code == 403


def test_a_vendor_cannot_ban_anyone_and_nothing_is_recorded() -> None:
    vendor = UserFactory(role=User.Role.VENDOR)
    victim = UserFactory()

    response = _client_for(vendor).post(
        "/api/v1/admin/ban-user", {"user_id": victim.pk, "reason": "Spite"}
    )

    victim.refresh_from_db()
    assert response.status_code == 403
    assert victim.is_banned is False
    assert AuditLog.objects.filter(action="user.banned").count() == 0


# --- Users ----------------------------------------------------------------------------------------
def test_staff_search_users_by_email_or_name(staff_client: APIClient, staff: User) -> None:
    ada = UserFactory(email="ada@example.com", name="Ada Lovelace")
    grace = UserFactory(email="grace@navy.example", name="Grace Hopper")
    UserFactory(email="linus@example.org", name="Linus")

    by_email = staff_client.get("/api/v1/admin/users", {"search": "NAVY"})
    by_name = staff_client.get("/api/v1/admin/users", {"search": "lovelace"})

    assert [row["id"] for row in by_email.json()["results"]] == [grace.pk]
    assert [row["id"] for row in by_name.json()["results"]] == [ada.pk]
    assert by_name.json()["results"][0] == {
        "id": ada.pk,
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "role": "buyer",
        "verified": True,
        "is_active": True,
        "is_staff": False,
        "is_banned": False,
        "banned_at": None,
        "last_login": None,
        "created": ada.created.isoformat().replace("+00:00", "Z"),
    }


def test_staff_filter_users_by_role_and_status(staff_client: APIClient, staff: User) -> None:
    vendor = UserFactory(role=User.Role.VENDOR)
    banned_vendor = UserFactory(role=User.Role.VENDOR, is_active=False, banned_at=datetime.now(UTC))
    banned_buyer = UserFactory(is_active=False, banned_at=datetime.now(UTC))

    vendors = staff_client.get("/api/v1/admin/users", {"role": "vendor"}).json()
    banned = staff_client.get("/api/v1/admin/users", {"status": "banned"}).json()
    active_vendors = staff_client.get(
        "/api/v1/admin/users", {"role": "vendor", "status": "active"}
    ).json()

    assert {row["id"] for row in vendors["results"]} == {vendor.pk, banned_vendor.pk}
    assert {row["id"] for row in banned["results"]} == {banned_vendor.pk, banned_buyer.pk}
    assert [row["id"] for row in active_vendors["results"]] == [vendor.pk]


def test_the_user_list_is_paginated_newest_first_within_a_query_budget(
    staff_client: APIClient, staff: User, django_assert_max_num_queries
) -> None:
    users = [UserFactory(created=datetime(2026, 1, day, tzinfo=UTC)) for day in range(1, 26)]

    with django_assert_max_num_queries(4):
        first = staff_client.get("/api/v1/admin/users", {"page_size": 10}).json()
    last = staff_client.get("/api/v1/admin/users", {"page_size": 10, "page": 3}).json()

    assert first["count"] == 26
    assert [row["id"] for row in first["results"]] == [staff.pk] + [u.pk for u in users[::-1][:9]]
    assert [row["id"] for row in last["results"]] == [u.pk for u in users[::-1][19:]]
    assert first["next"] is not None


def test_the_user_list_sorts_by_an_allowed_field_only(staff_client: APIClient, staff: User) -> None:
    UserFactory(email="b@example.com")
    UserFactory(email="a@example.com")

    by_email = staff_client.get("/api/v1/admin/users", {"ordering": "email"}).json()
    refused = staff_client.get("/api/v1/admin/users", {"ordering": "password"})

    assert [row["email"] for row in by_email["results"]] == [
        "a@example.com",
        "b@example.com",
        "staff@example.com",
    ]
    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["ordering"]


def test_an_unknown_role_filter_is_a_field_error(staff_client: APIClient) -> None:
    response = staff_client.get("/api/v1/admin/users", {"role": "wizard", "status": "gone"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"role", "status"}


# --- Ban and unban --------------------------------------------------------------------------------
def test_staff_ban_a_user_who_is_locked_out_at_once_and_audited(staff: User) -> None:
    # Given a signed-in buyer with a working access token
    buyer = UserFactory(email="troll@example.com")
    buyer_client = _client_for(buyer)
    assert buyer_client.get("/api/v1/users/me").status_code == 200

    # When staff ban them through the API
    response = _client_for(staff).post(
        "/api/v1/admin/ban-user", {"user_id": buyer.pk, "reason": "Fake reviews"}, format="json"
    )

    # Then the ban is answered, recorded with actor and reason, and the token fails next time
    buyer.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["is_banned"] is True
    assert response.json()["is_active"] is False
    assert buyer.is_banned is True
    record = AuditLog.objects.get(action="user.banned")
    assert (record.actor, record.entity_id, record.reason) == (staff, str(buyer.pk), "Fake reviews")
    assert buyer_client.get("/api/v1/users/me").status_code == 401


def test_staff_unban_a_user_with_an_audited_reason(staff_client: APIClient, staff: User) -> None:
    banned = UserFactory(is_active=False, banned_at=datetime.now(UTC))

    response = staff_client.post(
        "/api/v1/admin/unban-user", {"user_id": banned.pk, "reason": "Appeal upheld"}
    )

    banned.refresh_from_db()
    assert response.status_code == 200
    assert (banned.is_banned, banned.is_active) == (False, True)
    record = AuditLog.objects.get(action="user.unbanned")
    assert (record.actor, record.reason) == (staff, "Appeal upheld")


def test_unban_needs_no_reason(staff_client: APIClient) -> None:
    banned = UserFactory(is_active=False, banned_at=datetime.now(UTC))

    response = staff_client.post("/api/v1/admin/unban-user", {"user_id": banned.pk})

    assert response.status_code == 200
    assert AuditLog.objects.get(action="user.unbanned").reason == ""


def test_a_ban_without_a_reason_or_user_lists_both_fields(staff_client: APIClient) -> None:
    response = staff_client.post("/api/v1/admin/ban-user", {}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert set(response.json()["error"]["fields"]) == {"user_id", "reason"}


def test_banning_an_unknown_user_is_404(staff_client: APIClient) -> None:
    response = staff_client.post("/api/v1/admin/ban-user", {"user_id": 999999, "reason": "x"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_staff_cannot_ban_themselves(staff_client: APIClient, staff: User) -> None:
    response = staff_client.post("/api/v1/admin/ban-user", {"user_id": staff.pk, "reason": "Oops"})

    staff.refresh_from_db()
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"user_id": ["You cannot ban yourself."]}
    assert staff.is_banned is False


def test_banning_a_banned_user_or_unbanning_an_active_one_is_a_conflict(
    staff_client: APIClient,
) -> None:
    banned = UserFactory(is_active=False, banned_at=datetime.now(UTC))
    active = UserFactory()

    again = staff_client.post("/api/v1/admin/ban-user", {"user_id": banned.pk, "reason": "x"})
    lifted = staff_client.post("/api/v1/admin/unban-user", {"user_id": active.pk})

    assert (again.status_code, lifted.status_code) == (409, 409)
    assert AuditLog.objects.count() == 0
