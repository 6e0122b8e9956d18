"""Staff hold and release a shop's payouts: through audited services and admin actions only."""

import pytest
from django.test import Client

from accounts.tests.factories import StaffFactory
from marketmate.errors import ApplicationError
from marketmate.events import subscribe
from marketmate.models import AuditLog
from shops import services
from shops.models import Shop
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))
    return client


@pytest.fixture
def heard(django_capture_on_commit_callbacks):
    events: list[tuple[int, bool]] = []

    def handler(*, shop_id: int, on_hold: bool) -> None:
        events.append((shop_id, on_hold))

    subscribe("shop.payouts_hold_changed")(handler)
    yield events
    from marketmate import events as module

    module._subscribers["shop.payouts_hold_changed"].remove(handler)


def test_holding_and_releasing_payouts_is_audited_with_the_reason(
    heard, django_capture_on_commit_callbacks
) -> None:
    staff = StaffFactory()
    shop = ShopFactory()

    with django_capture_on_commit_callbacks(execute=True):
        services.shop_payouts_hold(shop=shop, actor=staff, reason="Chargeback review")
        services.shop_payouts_hold(shop=shop, actor=staff, reason="Twice")
        held_in_db = Shop.objects.get(pk=shop.pk).payouts_on_hold
        services.shop_payouts_release(shop=shop, actor=staff, reason="Review closed")

    assert held_in_db is True
    assert Shop.objects.get(pk=shop.pk).payouts_on_hold is False
    log = AuditLog.objects.filter(entity_id=str(shop.pk)).order_by("id")
    assert [(entry.actor, entry.action, entry.changes, entry.reason) for entry in log] == [
        (staff, "shop.payouts_hold", {"payouts_on_hold": [False, True]}, "Chargeback review"),
        (staff, "shop.payouts_release", {"payouts_on_hold": [True, False]}, "Review closed"),
    ]
    assert heard == [(shop.pk, True), (shop.pk, False)]


@pytest.mark.parametrize("transition", ["shop_payouts_hold", "shop_payouts_release"])
def test_a_payout_hold_needs_a_reason(transition: str) -> None:
    shop = ShopFactory()

    with pytest.raises(ApplicationError) as refused:
        getattr(services, transition)(shop=shop, actor=None, reason="  ")

    assert refused.value.fields == {"reason": ["This field is required."]}
    assert not AuditLog.objects.exists()


def test_the_admin_action_asks_for_a_reason_then_holds(staff_client: Client) -> None:
    shop = ShopFactory()
    data = {"action": "hold_payouts", "_selected_action": [shop.pk]}

    asked = staff_client.post("/admin/shops/shop/", data)
    refused = staff_client.post("/admin/shops/shop/", {**data, "apply": "1", "reason": ""})
    done = staff_client.post("/admin/shops/shop/", {**data, "apply": "1", "reason": "Fraud check"})

    assert asked.status_code == 200
    assert "Reason (kept in the audit log)" in asked.text
    assert "Give a reason." in refused.text
    assert done.status_code == 302
    assert Shop.objects.get(pk=shop.pk).payouts_on_hold is True
    log = AuditLog.objects.get(action="shop.payouts_hold")
    assert (log.actor, log.reason) == (done.wsgi_request.user, "Fraud check")


def test_the_admin_action_releases(staff_client: Client) -> None:
    shop = ShopFactory(payouts_on_hold=True)

    staff_client.post(
        "/admin/shops/shop/",
        {
            "action": "release_payouts",
            "_selected_action": [shop.pk],
            "apply": "1",
            "reason": "Cleared",
        },
    )

    assert Shop.objects.get(pk=shop.pk).payouts_on_hold is False
    assert AuditLog.objects.get(action="shop.payouts_release").reason == "Cleared"


def test_the_shop_change_form_shows_the_hold_read_only(staff_client: Client) -> None:
    shop = ShopFactory()

    form = staff_client.get(f"/admin/shops/shop/{shop.pk}/change/").context["adminform"].form

    assert "payouts_on_hold" not in form.fields
    assert "status" not in form.fields
