"""Fixtures shared by every app's tests."""

import importlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from marketmate import ratelimits

pytest_plugins = ["marketmate.tests.browser"]


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    """Each test starts with an empty cache, so rate limits and cached pages do not leak."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _rate_limit_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate limiter counts in fixed windows of the clock; pinned a second into a day (so
    into a window of every unit), a test that sends a few hits never sees its counter reset
    halfway because the real minute turned."""
    monkeypatch.setattr(ratelimits, "clock", lambda: 20834 * 86400 + 1.0)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a request in another one leaves it active in
    the thread, and modeltranslation would then file `name="..."` under that language."""
    translation.deactivate()
    yield
    translation.deactivate()


# What the data migrations seed: a transactional test (browser, live server, threads) ends with
# a flush that empties every table, so it is sown again for the tests after it on the worker.
SEEDED_BY_MIGRATIONS = [
    ("catalog.migrations.0003_default_attributes", "create_attributes"),
    ("catalog.migrations.0007_reviews_flag", "create_flag"),
    ("marketmate.migrations.0003_feature_flags", "create_flags"),
    ("marketmate.migrations.0006_display_currency_on", "switch_on"),
    ("shops.migrations.0003_approval_switch", "create_switch"),
]


def _flushes_the_database(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After the test's fixtures are gone (pytest-django's flush among them)."""
    yield
    # After the last test the session's fixtures are gone too, the test database with them.
    if nextitem is None or not _flushes_the_database(item):
        return
    from django.apps import apps
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for module, function in SEEDED_BY_MIGRATIONS:
            getattr(importlib.import_module(module), function)(apps, connection.schema_editor())


@pytest.fixture
def user(db: None) -> User:
    return UserFactory()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user_api_client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto S3 server on a free loopback port, for the whole session; yields its URL.

    Real HTTP to a local process: django-storages and boto3 run unchanged against it.
    """
    port = _free_port()
    executable = shutil.which("moto_server") or os.path.join(
        os.path.dirname(sys.executable), "moto_server"
    )
    process = subprocess.Popen(  # noqa: S603 (a fixed local executable)
        [executable, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):  # noqa: S310
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def s3_storage(moto_server: str, settings) -> str:  # type: ignore[no-untyped-def]
    """Point django-storages' default storage at a fresh bucket on the moto server."""
    import boto3

    bucket = f"marketmate-test-{uuid.uuid4().hex[:12]}"
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    boto3.client(
        "s3", endpoint_url=moto_server, region_name="us-east-1", **credentials
    ).create_bucket(Bucket=bucket)
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.AWS_S3_ENDPOINT_URL = moto_server
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_ACCESS_KEY_ID = credentials["aws_access_key_id"]
    settings.AWS_SECRET_ACCESS_KEY = credentials["aws_secret_access_key"]
    settings.AWS_S3_CUSTOM_DOMAIN = None
    settings.AWS_QUERYSTRING_AUTH = False
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }
    return bucket
