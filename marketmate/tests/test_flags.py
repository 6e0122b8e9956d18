"""Each feature switch and flag of marketmate.flags, on and off, where it is checked: pages,
templates, the API, the WebSocket consumer, services and jobs."""

import importlib
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from rest_framework.test import APIClient
from waffle.models import Flag as FlagModel
from waffle.models import Switch as SwitchModel
from waffle.testutils import override_flag, override_switch

from accounts.models import User
from accounts.tests.factories import UserFactory
from catalog.tests.factories import VariantFactory
from chat.models import Conversation, Message
from chat.tests.conftest import connected
from chat.tests.factories import ConversationFactory
from marketmate.flags import SWITCH_DEFAULTS, Switch, switch_is_on
from marketmate.models import JobRecord
from notifications.management.commands.vapid_keys import vapid_key_pair
from notifications.models import Kind
from notifications.push import push_send_to_user
from notifications.services import notification_dispatch
from notifications.tests.factories import PushSubscriptionFactory
from orders.models import Order
from shops.models import Shop
from shops.services import shop_apply
from shops.tests.factories import ShopFactory

D = Decimal
ADDRESS = {
    "full_name": "Ada Shopper",
    "line1": "1 Market Street",
    "line2": "",
    "city": "Springfield",
    "region": "",
    "postal_code": "12345",
    "country": "US",
    "phone": "",
}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def conversation(db: None) -> Conversation:
    return ConversationFactory(
        buyer=UserFactory(name="Bea Buyer"), shop=ShopFactory(name="Tea House")
    )


# --- Defaults -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_migration_creates_every_flag_with_todays_behaviour() -> None:
    switches = dict(SwitchModel.objects.values_list("name", "active"))
    flags = dict(FlagModel.objects.values_list("name", "everyone"))

    assert {name: switches[name] for name in ("chat", "web_push", "shop_approval_required")} == {
        "chat": True,
        "web_push": True,
        "shop_approval_required": False,
    }
    assert {name: flags[name] for name in ("display_currency", "new_checkout")} == {
        "display_currency": True,
        "new_checkout": None,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("before", "after"), [(False, True), (None, None), (True, True)], ids=["default", "ops", "on"]
)
def test_switching_display_currency_on_keeps_a_flag_an_operator_changed(
    before: bool | None, after: bool | None
) -> None:
    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("marketmate.migrations.0006_display_currency_on")
    FlagModel.objects.filter(name="display_currency").update(everyone=before)
    migration.switch_on(apps, connection.schema_editor())

    assert FlagModel.objects.get(name="display_currency").everyone is after


@pytest.mark.django_db
def test_a_missing_switch_keeps_its_default_instead_of_turning_off() -> None:
    SwitchModel.objects.all().delete()

    assert {name: switch_is_on(name) for name in Switch} == SWITCH_DEFAULTS


# --- chat -----------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(("active", "status"), [(True, 200), (False, 404)])
def test_the_chat_pages_exist_only_while_chat_is_on(
    conversation: Conversation, active: bool, status: int
) -> None:
    buyer = signed_in(conversation.buyer)

    with override_switch("chat", active=active):
        pages = [
            buyer.get("/chat/").status_code,
            buyer.get(f"/chat/{conversation.pk}/").status_code,
            buyer.get(f"/chat/start/{ShopFactory().pk}/").status_code,
            signed_in(conversation.shop.owner).get("/dashboard/messages/").status_code,
        ]

    assert pages == [status] * 4


@pytest.mark.django_db
@pytest.mark.parametrize("active", [True, False])
def test_contact_the_shop_and_the_messages_links_follow_the_chat_switch(
    conversation: Conversation, active: bool
) -> None:
    buyer = signed_in(conversation.buyer)

    with override_switch("chat", active=active):
        shop_page = buyer.get(f"/s/{conversation.shop.slug}/").content.decode()
        account_page = buyer.get("/account/profile/").content.decode()

    assert ("Contact the shop" in shop_page) is active
    assert ('href="/chat/"' in account_page) is active


@pytest.mark.django_db
@pytest.mark.parametrize(("active", "status"), [(True, 201), (False, 404)])
def test_the_chat_api_answers_404_while_chat_is_off(
    conversation: Conversation, active: bool, status: int
) -> None:
    client = api_for(conversation.buyer)

    with override_switch("chat", active=active):
        listed = client.get("/api/v1/chat/conversations")
        sent = client.post(
            f"/api/v1/chat/conversations/{conversation.pk}/messages",
            {"body": "Is it in stock?"},
            format="json",
        )

    assert (listed.status_code, sent.status_code) == (200 if active else 404, status)
    assert Message.objects.count() == (1 if active else 0)
    if not active:
        assert sent.json()["error"]["code"] == "not_found"


def _socket_send(user: User, conversation_id: int) -> list[dict[str, Any]]:
    @async_to_sync
    async def scenario() -> list[dict[str, Any]]:
        socket = await connected(user)
        await socket.send_json_to(
            {"type": "chat:send", "conversation_id": conversation_id, "body": "Hello"}
        )
        first = await socket.receive_json_from(timeout=5)
        await socket.send_json_to({"type": "ping"})
        second = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return [first, second]

    return scenario()


@pytest.mark.django_db(transaction=True)
def test_the_socket_refuses_chat_events_while_chat_is_off_and_still_answers_others(
    conversation: Conversation,
) -> None:
    with override_switch("chat", active=False):
        answers = _socket_send(conversation.buyer, conversation.pk)

    assert answers[0]["type"] == "error"
    assert answers[0]["code"] == "chat_disabled"
    assert answers[1] == {"type": "pong"}
    assert Message.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_socket_sends_chat_messages_while_chat_is_on(conversation: Conversation) -> None:
    with override_switch("chat", active=True):
        answers = _socket_send(conversation.buyer, conversation.pk)

    kinds = [answer["type"] for answer in answers]
    assert "chat:sent" in kinds
    assert "error" not in kinds
    assert Message.objects.get().body == "Hello"


# --- web_push -------------------------------------------------------------------------------------
SUBSCRIPTION = {
    "endpoint": "https://push.example/send/abc",
    "keys": {
        "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u",
        "auth": "tBHItJI5svbpez7KI4CCXg",
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize(("active", "statuses"), [(True, (200, 201)), (False, (404, 404))])
def test_push_subscribing_exists_only_while_web_push_is_on(
    active: bool, statuses: tuple[int, int]
) -> None:
    client = api_for(UserFactory())

    with override_switch("web_push", active=active):
        key = client.get("/api/v1/notifications/push-key")
        subscribed = client.post(
            "/api/v1/notifications/push-subscriptions", SUBSCRIPTION, format="json"
        )

    assert (key.status_code, subscribed.status_code) == statuses


@pytest.mark.django_db
@pytest.mark.parametrize("active", [True, False])
def test_the_preferences_page_offers_push_only_while_web_push_is_on(active: bool) -> None:
    with override_switch("web_push", active=active):
        page = signed_in(UserFactory()).get("/notifications/preferences/").content.decode()

    assert ("Push notifications on this device" in page) is active


@pytest.mark.django_db
@pytest.mark.parametrize(("active", "jobs"), [(True, 1), (False, 0)])
def test_a_notification_queues_a_push_only_while_web_push_is_on(
    django_capture_on_commit_callbacks: Any, active: bool, jobs: int
) -> None:
    user = UserFactory()
    PushSubscriptionFactory(user=user)

    with (
        override_switch("web_push", active=active),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification_dispatch(
            user=user, kind=Kind.ORDER_SHIPPED, title="Shipped", body="On its way"
        )

    assert JobRecord.objects.filter(name="notifications.send_push_task").count() == jobs


@pytest.mark.django_db
def test_a_queued_push_is_not_sent_once_web_push_is_off(settings: Any) -> None:
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_key_pair()
    user = UserFactory()
    # Nothing listens there: sending would fail loudly.
    PushSubscriptionFactory(user=user, endpoint="https://127.0.0.1:9/push")

    with override_switch("web_push", active=False):
        result = push_send_to_user(user_id=user.pk, payload={"title": "Shipped"})

    assert result == {"sent": 0, "removed": 0}


# --- shop_approval_required -----------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("active", "status"), [(True, Shop.Status.PENDING), (False, Shop.Status.ACTIVE)]
)
def test_new_shops_wait_for_approval_only_while_the_switch_is_on(active: bool, status: str) -> None:
    with override_switch("shop_approval_required", active=active):
        shop = shop_apply(user=UserFactory(verified=True), name="Pots")

    assert shop.status == status


# --- display_currency -----------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(("active", "status"), [(True, 302), (False, 404)])
def test_the_currency_picker_shows_only_while_display_currency_is_on(
    client: Client, active: bool, status: int
) -> None:
    with override_flag("display_currency", active=active):
        page = client.get("/").content.decode()
        chosen = client.post("/currency/", {"currency": "EUR", "next": "/"})

    assert ('data-testid="currency-picker"' in page) is active
    assert chosen.status_code == status


# --- new_checkout ---------------------------------------------------------------------------------
def _to_review(user: User) -> Client:
    shopper = signed_in(user)
    variant = VariantFactory(product__shop__name="Mugs", price=D("12.00"), inventory_count=5)
    shopper.post("/cart/add/", {"variant_id": variant.pk, "quantity": 2})
    shopper.post("/checkout/", ADDRESS)
    shopper.post("/checkout/shipping/", {f"shipping_{variant.shop_id}": "standard", "coupon": ""})
    return shopper


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("active", "template"),
    [(True, "orders/checkout_review_onepage.html"), (False, "orders/checkout_review.html")],
)
def test_the_new_checkout_shows_the_one_page_review_and_places_the_same_order(
    active: bool, template: str
) -> None:
    buyer = UserFactory(verified=True)
    shopper = _to_review(buyer)

    with override_flag("new_checkout", active=active):
        review = shopper.get("/checkout/review/")
        placed = shopper.post(
            "/checkout/place/", {"idempotency_key": review.context["idempotency_key"]}
        )

    assert review.templates[0].name == template
    assert ('data-testid="checkout-onepage"' in review.content.decode()) is active
    assert placed.status_code == 302
    order = Order.objects.get(buyer=buyer)
    assert (order.subtotal, order.currency, order.lines.count()) == (D("24.00"), "USD", 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("drawn", "template"),
    [("True", "orders/checkout_review_onepage.html"), ("False", "orders/checkout_review.html")],
)
def test_a_percentage_rollout_keeps_each_visitor_on_the_checkout_they_drew(
    drawn: str, template: str
) -> None:
    FlagModel.objects.filter(name="new_checkout").update(everyone=None, percent=D("50.0"))
    shopper = _to_review(UserFactory(verified=True))
    shopper.cookies["dwf_new_checkout"] = drawn

    review = shopper.get("/checkout/review/")

    assert review.templates[0].name == template


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_one_page_review_in_a_browser(browser, live_server, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    buyer = UserFactory(verified=True)
    shopper = _to_review(buyer)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.context.add_cookies(
        [{"name": "sessionid", "value": shopper.cookies["sessionid"].value, "url": live_server.url}]
    )

    with override_flag("new_checkout", active=True):
        page.goto(live_server.url + "/checkout/review/")
        for name, size in {"phone": (390, 844), "desktop": (1366, 900)}.items():
            page.set_viewport_size({"width": size[0], "height": size[1]})
            page.screenshot(
                path=str(artifacts_dir / f"checkout-onepage-{name}.png"), full_page=True
            )
        with page.expect_navigation():
            page.click("[data-testid=checkout-onepage] button[type=submit]")

    assert "/payments/" in page.url  # placing the order goes straight to payment
    assert Order.objects.get(buyer=buyer).subtotal == D("24.00")
    page.close()
