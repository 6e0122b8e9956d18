"""Sentry events are produced, tagged with release and environment, and scrubbed."""

from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk
from django.test import Client
from django.urls import path
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from marketmate.observability import SCRUBBED, scrub_event, sentry_init


class CapturingTransport(Transport):
    """Keeps events in memory instead of sending them anywhere."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.events: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


@pytest.fixture
def sentry_events() -> Iterator[list[dict[str, Any]]]:
    transport = CapturingTransport()
    sentry_init(
        dsn="http://public@127.0.0.1:9/1",
        environment="test",
        release="marketmate@1.2.3",
        traces_sample_rate=0.0,
        transport=transport,
    )
    yield transport.events
    sentry_sdk.get_client().close()
    sentry_sdk.init()


def view_that_breaks(request: Any) -> Any:
    # A local variable Sentry reports, built so that the secret is not in the source line too.
    password = "hun" + "ter2"  # noqa: F841
    raise RuntimeError("payment failed for card 4242 4242 4242 4242")


urlpatterns = [path("boom", view_that_breaks)]
handler500 = "marketmate.errors.server_error"


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_failing_request_produces_a_scrubbed_event(sentry_events: list[dict[str, Any]]) -> None:
    client = Client(raise_request_exception=False)

    response = client.get(
        "/boom?token=abc123&page=2",
        HTTP_AUTHORIZATION="Bearer eyJ.secret.token",
        HTTP_COOKIE="sessionid=s3ss10n",
    )
    sentry_sdk.flush()

    assert response.status_code == 500
    assert len(sentry_events) == 1
    event = sentry_events[0]
    assert event["release"] == "marketmate@1.2.3"
    assert event["environment"] == "test"
    exception = event["exception"]["values"][-1]
    assert exception["value"] == f"payment failed for card {SCRUBBED}"
    frame_vars = [frame.get("vars", {}) for frame in exception["stacktrace"]["frames"]]
    assert {"password": SCRUBBED} in [
        {key: value for key, value in variables.items() if key == "password"}
        for variables in frame_vars
        if "password" in variables
    ]
    serialized = repr(event)
    for secret in ("hunter2", "eyJ.secret.token", "s3ss10n", "abc123", "4242 4242"):
        assert secret not in serialized


def test_the_scrubber_filters_nested_keys_and_card_numbers() -> None:
    event = {
        "extra": {
            "payload": {"card_number": "4000000000000002", "amount": "12.00"},
            "note": "customer typed 4000-0000-0000-0002 in the notes",
            "headers": [("Authorization", "Bearer x")],
        },
        "user": {"id": 7, "api_key": "k"},
    }

    scrubbed = scrub_event(event)

    assert scrubbed["extra"]["payload"] == {"card_number": SCRUBBED, "amount": "12.00"}
    assert scrubbed["extra"]["note"] == f"customer typed {SCRUBBED} in the notes"
    assert scrubbed["user"] == {"id": 7, "api_key": SCRUBBED}
