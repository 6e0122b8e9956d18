import pytest
from django.core import mail
from django.test import Client
from waffle.testutils import override_switch

from accounts.tests.factories import UserFactory
from marketmate.models import AuditLog
from shops.models import Shop, ShopMember
from shops.permissions import SESSION_SHOP_KEY
from shops.tests.factories import ShopFactory, ShopInvitationFactory, ShopMemberFactory
from shops.tests.team import Team

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_dashboard_needs_a_login() -> None:
    response = Client().get("/dashboard/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_a_user_without_a_shop_is_invited_to_open_one() -> None:
    response = _client(UserFactory()).get("/dashboard/")

    assert response.status_code == 200
    assert "You have no shop yet" in response.text
    assert 'href="/dashboard/shops/create/"' in response.text
    assert _client(UserFactory()).get("/dashboard/products/").url == "/dashboard/shops/create/"


@pytest.mark.parametrize(("switch", "status"), [(False, "active"), (True, "pending")])
def test_opening_a_shop_from_the_dashboard(switch: bool, status: str) -> None:
    user = UserFactory()
    client = _client(user)

    with override_switch("shop_approval_required", active=switch):
        response = client.post(
            "/dashboard/shops/create/",
            {"name": "Fern & Moss", "currency": "EUR", "country": "NL", "description": "Plants"},
            follow=True,
        )

    shop = Shop.objects.get(owner=user)
    assert (shop.name, shop.status, shop.currency, str(shop.country)) == (
        "Fern & Moss",
        status,
        "EUR",
        "NL",
    )
    assert response.redirect_chain == [("/dashboard/", 302)]
    assert "<h1>Fern &amp; Moss</h1>" in response.text
    assert ("waiting for approval" in response.text) is switch


def test_an_unverified_user_is_told_to_confirm_first() -> None:
    response = _client(UserFactory(verified=False)).get("/dashboard/shops/create/")

    assert "Confirm your e-mail address first" in response.text
    assert 'name="name"' not in response.text


def test_the_shop_form_shows_field_errors() -> None:
    response = _client(UserFactory()).post(
        "/dashboard/shops/create/", {"name": "", "currency": "EUR", "country": "NL"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["This field is required."]}


def test_the_switcher_lists_only_my_shops_and_switches_between_them() -> None:
    user = UserFactory()
    first = ShopFactory(owner=user, name="Alpha")
    second = ShopMemberFactory(user=user, shop=ShopFactory(name="Beta")).shop
    stranger = ShopFactory(name="Gamma")
    client = _client(user)

    page = client.get("/dashboard/").text
    switched = client.post(
        "/dashboard/shops/switch/", {"shop": second.pk, "next": "/dashboard/products/"}
    )
    forged = client.post("/dashboard/shops/switch/", {"shop": stranger.pk})
    evil_next = client.post(
        "/dashboard/shops/switch/", {"shop": first.pk, "next": "https://evil.example/"}
    )

    assert "Alpha" in page and "Beta" in page and "Gamma" not in page
    assert switched.url == "/dashboard/products/"
    assert forged.status_code == 404
    assert evil_next.url == "/dashboard/"
    assert client.session[SESSION_SHOP_KEY] == first.pk


def test_a_stale_session_shop_falls_back_to_a_shop_of_mine() -> None:
    user = UserFactory()
    mine = ShopFactory(owner=user, name="Mine")
    other = ShopFactory(name="Not mine")
    client = _client(user)
    session = client.session
    session[SESSION_SHOP_KEY] = other.pk
    session.save()

    response = client.get("/dashboard/")

    assert response.context["shop"] == mine


SETTINGS_EXPECTED = {"owner": 200, "manager": 200, "staff": 403}


@pytest.mark.parametrize("actor", ["owner", "manager", "staff"])
def test_settings_page_by_role(team: Team, actor: str) -> None:
    response = _client(team.user(actor)).get("/dashboard/settings/")

    assert response.status_code == SETTINGS_EXPECTED[actor]


def test_saving_settings_changes_the_shop_and_audits(team: Team) -> None:
    client = _client(team.manager)

    response = client.post(
        "/dashboard/settings/",
        {
            "name": "New Name",
            "description": "",
            "currency": "USD",
            "country": "US",
            "prices_include_tax": "on",
            "shipping_policy": "Ships in 2 days",
            "returns_policy": "",
        },
    )

    assert response.status_code == 302
    team.shop.refresh_from_db()
    assert (team.shop.name, team.shop.shipping_policy) == ("New Name", "Ships in 2 days")
    log = AuditLog.objects.get(action="shop.update")
    assert sorted(log.changes) == ["name", "shipping_policy"]


@pytest.mark.parametrize("actor", ["manager", "staff"])
def test_only_the_owner_manages_members(team: Team, actor: str) -> None:
    client = _client(team.user(actor))
    staff_member = team.shop.members.get(user=team.staff)

    assert client.get("/dashboard/members/").status_code == 403
    assert (
        client.post("/dashboard/members/", {"email": "a@b.c", "role": "staff"}).status_code == 403
    )
    assert client.post(f"/dashboard/members/{staff_member.pk}/delete/").status_code == 403
    assert team.shop.members.count() == 3


def test_the_owner_invites_changes_a_role_and_removes_a_member(
    team: Team, django_capture_on_commit_callbacks
) -> None:
    client = _client(team.owner)
    staff_member = team.shop.members.get(user=team.staff)

    with django_capture_on_commit_callbacks(execute=True):
        invited = client.post(
            "/dashboard/members/", {"email": "friend@example.com", "role": "manager"}, follow=True
        )
    changed = client.post(f"/dashboard/members/{staff_member.pk}/update/", {"role": "manager"})
    owner_member = team.shop.members.get(user=team.owner)
    refused = client.post(f"/dashboard/members/{owner_member.pk}/delete/", follow=True)
    removed = client.post(f"/dashboard/members/{staff_member.pk}/delete/")

    assert "We sent an invitation to friend@example.com." in invited.text
    assert "friend@example.com" in mail.outbox[0].to
    assert changed.status_code == 302
    assert "The owner cannot be removed from the shop." in refused.text
    assert removed.status_code == 302
    assert not ShopMember.objects.filter(pk=staff_member.pk).exists()


def test_a_member_of_another_shop_cannot_be_changed(team: Team) -> None:
    other_member = ShopMemberFactory()

    response = _client(team.owner).post(f"/dashboard/members/{other_member.pk}/delete/")

    assert response.status_code == 404


def test_accepting_an_invitation_after_signing_up(team: Team) -> None:
    invitation = ShopInvitationFactory(shop=team.shop, email="new@example.com", token="tok-123")
    newcomer = UserFactory(email="new@example.com")
    client = _client(newcomer)

    page = client.get("/dashboard/invitations/tok-123/")
    response = client.post("/dashboard/invitations/tok-123/", follow=True)

    assert f"Join {team.shop.name}" in page.text
    assert response.redirect_chain == [("/dashboard/", 302)]
    assert team.shop.members.get(user=newcomer).role == "staff"
    assert Client().get("/dashboard/invitations/tok-123/").status_code == 302
    assert client.get("/dashboard/invitations/tok-123/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_the_wrong_account_cannot_accept_an_invitation(team: Team) -> None:
    ShopInvitationFactory(shop=team.shop, email="right@example.com", token="tok-9")

    response = _client(UserFactory()).post("/dashboard/invitations/tok-9/")

    assert response.status_code == 200
    assert "This invitation is for right@example.com" in response.text


def test_the_sidebar_shows_what_the_role_allows(team: Team) -> None:
    owner_page = _client(team.owner).get("/dashboard/").text
    staff_page = _client(team.staff).get("/dashboard/").text

    assert 'href="/dashboard/settings/"' in owner_page
    assert 'href="/dashboard/members/"' in owner_page
    assert 'href="/dashboard/settings/"' not in staff_page
    assert 'href="/dashboard/members/"' not in staff_page
    assert 'href="/dashboard/products/"' in staff_page
    assert owner_page.count("<h1") == 1


@pytest.mark.parametrize("chat_on", [True, False])
def test_the_sidebar_links_the_messages_while_chat_is_on(team: Team, chat_on: bool) -> None:
    with override_switch("chat", active=chat_on):
        page = _client(team.staff).get("/dashboard/").text

    assert ('href="/dashboard/messages/"' in page) is chat_on


def test_a_logo_and_banner_are_checked_cleaned_and_stored(team: Team) -> None:
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from catalog.tests.images import image_upload

    client = _client(team.owner)
    form = {
        "name": team.shop.name,
        "description": "",
        "currency": "USD",
        "country": "US",
        "prices_include_tax": "on",
        "shipping_policy": "",
        "returns_policy": "",
    }

    refused = client.post(
        "/dashboard/settings/", {**form, "logo": SimpleUploadedFile("logo.png", b"not a png")}
    )
    saved = client.post(
        "/dashboard/settings/",
        {
            **form,
            "logo": image_upload(name="logo.jpg", size=(300, 300), exif=True),
            "banner": image_upload(name="banner.png", size=(1600, 400), format="PNG"),
        },
    )

    assert refused.context["form"].errors == {
        "logo": ["The file is not an image, or it is damaged."]
    }
    assert saved.status_code == 302
    team.shop.refresh_from_db()
    assert team.shop.logo.name.startswith("shops/logos/")
    assert team.shop.banner.name.endswith(".png")
    with team.shop.logo.open("rb") as handle:
        assert dict(Image.open(BytesIO(handle.read())).getexif()) == {}
    log = AuditLog.objects.get(action="shop.update")
    assert sorted(log.changes) == ["banner", "logo"]
    cleared = client.post("/dashboard/settings/", {**form, "logo-clear": "on"})
    assert cleared.status_code == 302
    team.shop.refresh_from_db()
    assert team.shop.logo.name == ""
