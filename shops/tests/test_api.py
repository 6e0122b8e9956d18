import pytest
from rest_framework.test import APIClient
from waffle.testutils import override_switch

from accounts.tests.factories import UserFactory
from shops.models import Shop, ShopInvitation, ShopMember
from shops.tests.factories import ShopFactory
from shops.tests.team import ACTORS, Team

pytestmark = pytest.mark.django_db


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.mark.parametrize(("switch", "status"), [(False, "active"), (True, "pending")])
def test_post_shops_opens_a_shop_active_or_pending_by_the_switch(switch: bool, status: str) -> None:
    user = UserFactory()

    with override_switch("shop_approval_required", active=switch):
        response = _client(user).post(
            "/api/v1/shops",
            {"name": "Oak & Ash", "currency": "GBP", "country": "GB"},
            format="json",
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["slug"], body["status"], body["currency"], body["country"]) == (
        "Oak & Ash",
        "oak-ash",
        status,
        "GBP",
        "GB",
    )
    assert ShopMember.objects.get(shop_id=body["id"]).user == user


def test_post_shops_needs_a_signed_in_verified_user() -> None:
    assert _client().post("/api/v1/shops", {"name": "X"}, format="json").status_code == 401
    response = _client(UserFactory(verified=False)).post(
        "/api/v1/shops", {"name": "X"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_verified"


def test_post_shops_with_bad_fields_gets_field_errors() -> None:
    response = _client(UserFactory()).post(
        "/api/v1/shops", {"name": "", "country": "ZZ"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"name", "country"}


@pytest.mark.parametrize("status", [Shop.Status.PENDING, Shop.Status.SUSPENDED])
def test_a_shop_that_is_not_active_is_hidden_from_the_public_but_not_from_members(
    status: str,
) -> None:
    shop = ShopFactory(status=status)

    assert _client().get(f"/api/v1/shops/{shop.pk}").status_code == 404
    assert _client(UserFactory()).get(f"/api/v1/shops/{shop.pk}").status_code == 404
    response = _client(shop.owner).get(f"/api/v1/shops/{shop.pk}")
    assert response.status_code == 200
    assert response.json()["status"] == status


def test_the_public_sees_an_active_shop_without_its_settings() -> None:
    shop = ShopFactory(name="Bright Beads")

    body = _client().get(f"/api/v1/shops/{shop.pk}").json()

    assert body["name"] == "Bright Beads"
    assert "prices_include_tax" not in body


PATCH_EXPECTED = {
    "owner": 200,
    "manager": 200,
    "staff": 403,
    "other_vendor": 404,
    "buyer": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("actor", ACTORS)
def test_patch_shop_permission_matrix(team: Team, actor: str) -> None:
    response = team.client(actor).patch(
        f"/api/v1/shops/{team.shop.pk}", {"name": "Renamed"}, format="json"
    )

    assert response.status_code == PATCH_EXPECTED[actor]
    team.shop.refresh_from_db()
    assert (team.shop.name == "Renamed") is (PATCH_EXPECTED[actor] == 200)


def test_patch_cannot_change_status(team: Team) -> None:
    response = team.client("owner").patch(
        f"/api/v1/shops/{team.shop.pk}", {"status": "active", "currency": "JPY"}, format="json"
    )

    assert response.status_code == 200
    team.shop.refresh_from_db()
    assert (team.shop.status, team.shop.currency) == ("active", "JPY")


MEMBERS_EXPECTED = {
    "owner": 200,
    "manager": 403,
    "staff": 403,
    "other_vendor": 404,
    "buyer": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("actor", ACTORS)
def test_members_list_permission_matrix(team: Team, actor: str) -> None:
    response = team.client(actor).get(f"/api/v1/shops/{team.shop.pk}/members")

    assert response.status_code == MEMBERS_EXPECTED[actor]


@pytest.mark.parametrize("actor", ACTORS)
def test_member_invite_permission_matrix(team: Team, actor: str) -> None:
    response = team.client(actor).post(
        f"/api/v1/shops/{team.shop.pk}/members",
        {"email": "new@example.com", "role": "staff"},
        format="json",
    )

    expected = {**MEMBERS_EXPECTED, "owner": 202}[actor]
    assert response.status_code == expected
    assert ShopInvitation.objects.filter(email="new@example.com").exists() is (expected == 202)


@pytest.mark.parametrize("actor", ACTORS)
def test_member_role_change_and_removal_permission_matrix(team: Team, actor: str) -> None:
    staff_member = team.shop.members.get(user=team.staff)
    url = f"/api/v1/shops/{team.shop.pk}/members/{staff_member.pk}"

    patched = team.client(actor).patch(url, {"role": "manager"}, format="json")
    deleted = team.client(actor).delete(url)

    expected = MEMBERS_EXPECTED[actor]
    assert patched.status_code == expected
    assert deleted.status_code == (204 if expected == 200 else expected)


def test_the_owner_member_cannot_be_removed_through_the_api(team: Team) -> None:
    owner_member = team.shop.members.get(user=team.owner)

    response = team.client("owner").delete(
        f"/api/v1/shops/{team.shop.pk}/members/{owner_member.pk}"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "member_conflict"


def test_a_member_of_another_shop_is_a_404_for_the_owner(team: Team) -> None:
    other = ShopFactory().members.get()

    response = team.client("owner").delete(f"/api/v1/shops/{team.shop.pk}/members/{other.pk}")

    assert response.status_code == 404
    assert ShopMember.objects.filter(pk=other.pk).exists()


def test_inviting_an_existing_user_returns_the_new_member(team: Team) -> None:
    person = UserFactory(email="known@example.com")

    response = team.client("owner").post(
        f"/api/v1/shops/{team.shop.pk}/members",
        {"email": "known@example.com", "role": "manager"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["email"] == "known@example.com"
    assert team.shop.members.get(user=person).role == "manager"


def test_an_invitation_is_accepted_through_the_api_by_the_invited_address(team: Team) -> None:
    team.client("owner").post(
        f"/api/v1/shops/{team.shop.pk}/members",
        {"email": "later@example.com", "role": "staff"},
        format="json",
    )
    token = ShopInvitation.objects.get(email="later@example.com").token

    stranger = _client(UserFactory()).post(f"/api/v1/shop-invitations/{token}/accept")
    invited = _client(UserFactory(email="later@example.com")).post(
        f"/api/v1/shop-invitations/{token}/accept"
    )
    again = _client(UserFactory(email="someone@example.com")).post(
        f"/api/v1/shop-invitations/{token}/accept"
    )

    assert stranger.status_code == 400
    assert invited.status_code == 200
    assert invited.json()["role"] == "staff"
    assert again.status_code == 400


def test_the_logo_is_uploaded_through_the_api_as_multipart(team: Team) -> None:
    from catalog.tests.images import image_upload

    response = team.client("manager").patch(
        f"/api/v1/shops/{team.shop.pk}",
        {"logo": image_upload(name="logo.webp", size=(256, 256), format="WEBP")},
        format="multipart",
    )
    wrong_type = team.client("manager").patch(
        f"/api/v1/shops/{team.shop.pk}",
        {"banner": image_upload(name="b.gif", size=(10, 10), format="GIF")},
        format="multipart",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["logo"].endswith(".webp")
    assert wrong_type.status_code == 400
    assert wrong_type.json()["error"]["fields"] == {
        "banner": ["GIF images are not accepted; upload a JPEG, PNG or WebP."]
    }


def test_get_shops_lists_my_memberships_only(team: Team) -> None:
    body = team.client("staff").get("/api/v1/shops").json()

    assert [(item["role"], item["shop"]["id"]) for item in body] == [("staff", team.shop.pk)]
    assert team.client("buyer").get("/api/v1/shops").json() == []
    assert team.client("anonymous").get("/api/v1/shops").status_code == 401
