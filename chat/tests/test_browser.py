"""Live pages in a real chromium: a buyer and a vendor in two browser contexts, each with its
own session, against a real ASGI server process (HTTP and WebSockets) on the test database."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from chat.models import Conversation, Message
from chat.tests.factories import MessageFactory
from chat.tests.servers import asgi_servers
from marketmate.tests.browser import VIEWPORTS, signed_in_context
from notifications.tests.factories import NotificationFactory
from orders.models import Order
from orders.services.lifecycle import order_mark_paid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_TIMEOUT = 10_000
TIME = re.compile(r'<time datetime="[^"]+">([^<]+)</time>')
SPANISH_TIME = re.compile(r"\d{1,2} [a-z]{3,4}, \d{2}:\d{2}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with asgi_servers(
        count=1, logs_dir=tmp_path, app="chat.tests.asgi_static:application"
    ) as ports:
        yield f"http://127.0.0.1:{ports[0]}"


def test_the_vendors_inbox_shows_the_buyers_message_without_reloading(
    browser: Any, server: str, conversation: Conversation, buyer: User, staff_member: User
) -> None:
    vendor = signed_in_context(browser, server, staff_member).new_page()
    shopper = signed_in_context(browser, server, buyer).new_page()
    vendor.goto(f"{server}/dashboard/messages/")
    shopper.goto(f"{server}/chat/{conversation.pk}/")
    vendor.wait_for_selector(f"html[data-realtime-joined-shop-{conversation.shop_id}]")
    shopper.wait_for_selector("html[data-realtime=connected]")

    shopper.fill("#id_body", "Is the green tea in stock?")
    shopper.click("form[data-chat-form] button[type=submit]")

    row = vendor.locator(f'[data-conversation-row="{conversation.pk}"]')
    row.locator("[data-preview]", has_text="Is the green tea in stock?").wait_for(
        timeout=LIVE_TIMEOUT
    )
    assert row.locator("[data-unread-count]").inner_text().startswith("1")
    shopper.locator(".chat-message--mine", has_text="Is the green tea in stock?").wait_for(
        timeout=LIVE_TIMEOUT
    )
    assert Message.objects.get().body == "Is the green tea in stock?"

    # The vendor answers from the thread; the buyer's open thread shows it, and "Seen".
    vendor.click(f'[data-conversation-row="{conversation.pk}"] a')
    vendor.wait_for_selector(f"html[data-realtime-joined-shop-{conversation.shop_id}]")
    shopper.locator(".chat-message__seen").first.wait_for(state="visible", timeout=LIVE_TIMEOUT)
    vendor.fill("#id_body", "Yes, plenty <b>left</b>.")
    vendor.keyboard.press("Enter")
    shopper.locator(".chat-message--theirs", has_text="Yes, plenty <b>left</b>.").wait_for(
        timeout=LIVE_TIMEOUT
    )
    assert vendor.url == f"{server}/dashboard/messages/{conversation.pk}/"


def test_the_buyers_order_page_follows_the_vendor_shipping_it(
    browser: Any, server: str, order: Order, buyer: User, owner: User
) -> None:
    order_mark_paid(order=order, payment_reference="pay_1")
    shopper = signed_in_context(browser, server, buyer).new_page()
    vendor = signed_in_context(browser, server, owner).new_page()
    shopper.goto(f"{server}/orders/{order.number}/")
    shopper.wait_for_selector(f"html[data-realtime-joined-order-{order.pk}]")
    assert shopper.locator(".order-status").inner_text() == "Paid"

    vendor.goto(f"{server}/dashboard/orders/{order.number}/")
    vendor.fill("input[name=carrier]", "DHL")
    vendor.fill("input[name=tracking_number]", "JD0001")
    vendor.click("text=Mark as shipped")

    shopper.locator(".order-status", has_text="Shipped").wait_for(timeout=LIVE_TIMEOUT)
    assert "order-status--shipped" in (
        shopper.locator(".order-status").get_attribute("class") or ""
    )
    assert shopper.locator("#notification-bell [data-notification-badge]").inner_text() == "2"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_chat_and_notification_pages_at_phone_and_desktop_width(
    browser: Any,
    server: str,
    artifacts_dir: Path,
    viewport: str,
    conversation: Conversation,
    buyer: User,
    owner: User,
) -> None:
    MessageFactory(conversation=conversation, body="Hello! Is the green tea organic?")
    MessageFactory(
        conversation=conversation,
        side="shop",
        sender=owner,
        body="Yes, it is certified organic.\nWe ship it in paper bags.",
    )
    MessageFactory(conversation=conversation, body="Lovely, thank you. I will order two.")
    NotificationFactory(user=buyer, title="Order MM-261126-ABCDE has shipped")
    NotificationFactory(
        user=buyer, kind="chat_message", title="New message from Tea House", body="Yes, it is."
    )
    shopper = signed_in_context(browser, server, buyer, viewport).new_page()
    vendor = signed_in_context(browser, server, owner, viewport).new_page()
    pages = [
        (shopper, "/chat/", "chat-list"),
        (shopper, f"/chat/{conversation.pk}/", "chat-thread"),
        (shopper, "/notifications/", "notifications"),
        (shopper, "/notifications/preferences/", "notification-preferences"),
        (vendor, "/dashboard/messages/", "vendor-inbox"),
        (vendor, f"/dashboard/messages/{conversation.pk}/", "vendor-thread"),
    ]
    for page, path, name in pages:
        page.goto(server + path)
        page.wait_for_selector("html[data-realtime=connected]")
        assert page.locator("h1").count() == 1
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert overflow is False, f"{name} scrolls sideways at {viewport} width"
        page.screenshot(path=str(artifacts_dir / f"realtime-{name}-{viewport}.png"), full_page=True)
        if name in {"chat-thread", "vendor-thread"}:
            # server-rendered times are written the way live messages are (one format)
            shown = page.locator(".chat-message time").all_inner_texts()
            live_format = page.evaluate(
                "Array.from(document.querySelectorAll('.chat-message time')).map(t =>"
                " new Date(t.dateTime).toLocaleString(document.documentElement.lang,"
                " {month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit'}))"
            )
            assert len(shown) == 3 and shown == live_format


def test_spanish_chat_times_read_the_same_rendered_and_live(
    browser: Any, server: str, conversation: Conversation, buyer: User, owner: User
) -> None:
    sent = datetime(2026, 12, 4, 19, 52, tzinfo=UTC)
    message = MessageFactory(conversation=conversation, side="shop", sender=owner, body="Hola")
    Message.objects.filter(pk=message.pk).update(created=sent)
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(buyer)
    rendered = TIME.findall(client.get(f"/chat/{conversation.pk}/").content.decode())
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="es-ES", timezone_id="UTC")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server}]
    )
    shopper = context.new_page()
    shopper.goto(f"{server}/chat/{conversation.pk}/")
    shopper.wait_for_selector("html[data-realtime=connected]")
    shown = shopper.locator(".chat-message time").all_inner_texts()

    shopper.fill("#id_body", "¿Tenéis té verde?")
    shopper.click("form[data-chat-form] button[type=submit]")
    live = shopper.locator(".chat-message--mine", has_text="¿Tenéis té verde?").locator("time")
    live.wait_for(timeout=LIVE_TIMEOUT)
    live_time = live.inner_text()
    shopper.reload()
    shopper.wait_for_selector("html[data-realtime=connected]")
    reloaded = shopper.locator(".chat-message time").all_inner_texts()

    # The server writes the language's format; the page writes it again, identically.
    assert shopper.locator("html").get_attribute("lang") == "es"
    assert rendered == shown == ["4 dic, 19:52"]
    # A live message's time is written as the page writes it after a reload: day month, 24 h.
    assert reloaded == ["4 dic, 19:52", live_time]
    assert SPANISH_TIME.fullmatch(live_time), live_time
    context.close()
