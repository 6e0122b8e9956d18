import time
from collections.abc import Callable
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory


@pytest.fixture
def small_rate_limits(settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Limits small enough for a test to reach, counted in one window: the limits count per
    fixed minute (django-ratelimit's windows), and a test's attempts on a loaded machine could
    fall on either side of a minute's end, so its clock stands still for the test."""
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))
    settings.ACCOUNTS_RATE_LIMITS = {
        "login": "3/m",
        "register": "3/m",
        "forgot_password": "3/m",
        "reset_password": "3/m",
    }
    settings.ACCOUNTS_LOGIN_FAILURE_LIMIT = "2/15m"


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def logged_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def unverified_user(db: None) -> User:
    return UserFactory(verified=False)


@pytest.fixture
def sent_to() -> Callable[[str], list[mail.EmailMessage]]:
    """The e-mails in the test outbox addressed to one recipient."""

    def messages(address: str) -> list[mail.EmailMessage]:
        return [message for message in mail.outbox if address in message.to]

    return messages
