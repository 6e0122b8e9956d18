"""Error tracking set-up, kept out of settings so that it can be tested on its own."""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.integrations.redis import RedisIntegration


def sentry_init(
    *, dsn: str, environment: str, release: str | None, traces_sample_rate: float
) -> None:
    """Start Sentry with the Django, Celery and Redis integrations; personal data is not sent."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            RedisIntegration(),
            LoggingIntegration(),
        ],
    )
