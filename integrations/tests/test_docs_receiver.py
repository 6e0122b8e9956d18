"""docs/examples/webhook_receiver.py, run as the docs say, accepts MarketMate's deliveries,
ignores a repeat and refuses a forged one."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from integrations.models import WebhookDelivery
from integrations.services import webhook_event_publish, webhook_redeliver
from integrations.tests.factories import WebhookEndpointFactory

RECEIVER = Path(__file__).resolve().parents[2] / "docs" / "examples" / "webhook_receiver.py"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def example_receiver(settings, tmp_path) -> Iterator[tuple[str, str, Path]]:
    settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE_URLS = True
    port = _free_port()
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    log = tmp_path / "receiver.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, str(RECEIVER)],
            env={"WEBHOOK_SECRET": secret, "PORT": str(port), "PATH": ""},
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while "Listening" not in log.read_text():
            assert time.monotonic() < deadline and process.poll() is None, "receiver did not start"
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}/", secret, log
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.mark.django_db
def test_the_example_receiver_verifies_and_deduplicates(
    example_receiver, django_capture_on_commit_callbacks
) -> None:
    url, secret, log = example_receiver
    endpoint = WebhookEndpointFactory(url=url, secret=secret, events=["inventory.low"])
    data = {
        "variant": {"id": 7, "product_id": 3, "sku": "MUG-BLUE", "inventory_count": 2},
    }

    with django_capture_on_commit_callbacks(execute=True):
        published = webhook_event_publish(
            shop_id=endpoint.shop_id, event="inventory.low", data=data
        )
    delivery = published[0]
    with django_capture_on_commit_callbacks(execute=True):
        webhook_redeliver(delivery=delivery, actor=None)
    forged = requests.post(
        url,
        data=b'{"type":"inventory.low"}',
        headers={
            "webhook-id": "msg_forged",
            "webhook-timestamp": str(int(time.time())),
            "webhook-signature": "v1,Zm9yZ2Vk",
        },
        timeout=5,
    )

    delivery.refresh_from_db()
    assert [attempt.status_code for attempt in delivery.attempts.order_by("number")] == [204, 204]
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert forged.status_code == 400
    assert log.read_text().splitlines()[1:] == ["inventory.low: MUG-BLUE has 2 left"]
