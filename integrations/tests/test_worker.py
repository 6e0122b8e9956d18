"""A webhook sent by a real Celery worker through the Redis broker (not eager), as deployed."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from standardwebhooks import Webhook

from integrations.tests.receiver import receiver_running
from marketmate.celery import app
from shops.tests.team import team_build


@pytest.fixture
def real_worker(transactional_db: None):  # type: ignore[no-untyped-def]
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


@pytest.mark.worker
def test_a_test_event_is_delivered_signed_by_a_worker(real_worker: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE_URLS = True
    team = team_build()
    owner = team.client("owner")
    with receiver_running() as receiver:
        endpoint = owner.post(
            f"/api/v1/shops/{team.shop.pk}/webhooks",
            {"url": receiver.url("/hooks"), "events": ["order.paid"]},
            format="json",
        ).json()

        sent = owner.post(f"/api/v1/shops/{team.shop.pk}/webhooks/{endpoint['id']}/test")

        assert sent.status_code in (200, 201, 202), sent.content
        deadline = time.monotonic() + 30
        while not receiver.received("/hooks") and time.monotonic() < deadline:
            time.sleep(0.1)
        [request] = receiver.received("/hooks")
    payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "webhook.test"
