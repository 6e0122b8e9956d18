"""Error tracking: Sentry with the Django, Celery and Redis integrations, and a scrubber that
keeps passwords, tokens, cookies and card data out of every event."""

import re
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.integrations.redis import RedisIntegration

SCRUBBED = "[Filtered]"
# Keys whose values never leave the machine, wherever they appear in an event.
SENSITIVE_KEY = re.compile(
    r"pass(word)?|secret|token|api[_-]?key|authorization|cookie|session|csrf|"
    r"card|cvc|cvv|pan|iban|signature|otp",
    re.IGNORECASE,
)
# `name=value` pairs of secret-looking names in URLs and query strings, anywhere in a string.
SECRET_PARAMETER = re.compile(
    r"((?:token|key|password|secret|signature|code)[^=&\s'\"]*=)[^&\s'\"]*", re.IGNORECASE
)
# Runs of 13 to 19 digits (optionally grouped by spaces or dashes): card numbers in free text.
CARD_NUMBER = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: SCRUBBED if isinstance(key, str) and SENSITIVE_KEY.search(key) else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_scrub(item) for item in value)
    if isinstance(value, str):
        return SECRET_PARAMETER.sub(r"\1" + SCRUBBED, CARD_NUMBER.sub(SCRUBBED, value))
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry's `before_send`: the event with every sensitive value replaced."""
    scrubbed: dict[str, Any] = _scrub(event)
    return scrubbed


def sentry_init(
    *,
    dsn: str,
    environment: str,
    release: str | None,
    traces_sample_rate: float,
    transport: Any = None,
) -> None:
    """Start Sentry; every event passes `scrub_event`. Neither `send_default_pii` nor
    `data_collection` is given, which is Sentry's "no personal data" default."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        before_send=scrub_event,  # type: ignore[arg-type]
        transport=transport,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            RedisIntegration(),
            LoggingIntegration(),
        ],
    )
