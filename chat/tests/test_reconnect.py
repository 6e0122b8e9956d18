"""Redis restarts under an open page: the page's socket comes back by itself (with backoff) and
the thread shows every message stored meanwhile, live ones and those sent while Redis was away.

The ASGI server here talks to a throwaway Redis that the test kills and starts again."""

from pathlib import Path
from typing import Any

import pytest
import requests
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from chat.models import Conversation, Message
from chat.tests.servers import database_url_of_test_run
from marketmate.tests.browser import signed_in_context
from marketmate.tests.fault_services import Processes, app_env, asgi_server, throwaway_redis
from orders.models import Order
from orders.services.lifecycle import order_mark_paid, order_ship

pytestmark = [pytest.mark.browser, pytest.mark.faults, pytest.mark.django_db(transaction=True)]

LIVE_TIMEOUT = 20_000


def _send(server: str, token: str, conversation: Conversation, body: str) -> int:
    answer = requests.post(
        f"{server}/api/v1/chat/conversations/{conversation.pk}/messages",
        json={"body": body},
        headers={"Authorization": f"Bearer {token}"},
        timeout=20,
    )
    return answer.status_code


def test_open_pages_reconnect_after_a_redis_restart_and_miss_nothing_stored(
    browser: Any,
    tmp_path: Path,
    conversation: Conversation,
    order: Order,
    buyer: User,
    owner: User,
    staff_member: User,
) -> None:
    token = str(RefreshToken.for_user(staff_member).access_token)
    order_mark_paid(order=order, payment_reference="pay_1")
    processes = Processes()
    with throwaway_redis() as redis_server:
        try:
            port = asgi_server(
                processes,
                env=app_env(
                    database_url=database_url_of_test_run(),
                    redis_url=redis_server.url,
                    CELERY_BROKER_URL="memory://",
                    CELERY_TASK_ALWAYS_EAGER="true",
                ),
                log_dir=tmp_path,
                app="chat.tests.asgi_static:application",
            )
            server = f"http://127.0.0.1:{port}"
            context = signed_in_context(browser, server, buyer)
            order_page = context.new_page()
            order_page.goto(f"{server}/orders/{order.number}/")
            order_page.wait_for_selector(f"html[data-realtime-joined-order-{order.pk}]")
            page = context.new_page()
            page.goto(f"{server}/chat/{conversation.pk}/")
            page.wait_for_selector("html[data-realtime=connected]")
            assert _send(server, token, conversation, "Before the restart") == 201
            page.locator(".chat-message--theirs", has_text="Before the restart").wait_for(
                timeout=LIVE_TIMEOUT
            )

            redis_server.stop()
            page.wait_for_selector("html:not([data-realtime])", timeout=LIVE_TIMEOUT)
            while_away = _send(server, token, conversation, "While Redis was away")
            # Stored and answered although it cannot be pushed live (chat limits fail open).
            assert while_away == 201, (tmp_path / f"uvicorn-{port}.log").read_text()[-3000:]
            order_ship(order=order, actor=owner, carrier="DHL", tracking_number="JD0001")
            redis_server.start()
            # The page retries with backoff (at most 30 s apart, with jitter).
            page.wait_for_selector("html[data-realtime=connected]", timeout=90_000)
            page.locator(".chat-message--theirs", has_text="While Redis was away").wait_for(
                timeout=LIVE_TIMEOUT
            )
            assert _send(server, token, conversation, "After the restart") == 201
            page.locator(".chat-message--theirs", has_text="After the restart").wait_for(
                timeout=LIVE_TIMEOUT
            )
            order_page.wait_for_selector("html[data-realtime=connected]", timeout=90_000)
            order_page.locator(".order-status", has_text="Shipped").wait_for(timeout=LIVE_TIMEOUT)
        finally:
            processes.stop()

    assert list(Message.objects.order_by("pk").values_list("body", flat=True)) == [
        "Before the restart",
        "While Redis was away",
        "After the restart",
    ]
