"""Schemathesis walks every operation of the OpenAPI schema with generated input, as a vendor
(who can also buy), and fails on any 500 or any response that contradicts the schema."""

import json
import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.utils.encoders import JSONEncoder
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from accounts.models import User
from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from shops.tests.factories import ShopFactory

EXAMPLES_PER_OPERATION = int(os.environ.get("MM_FUZZ_EXAMPLES", "4"))
NO_THROTTLING = {"anon": "100000/minute", "user": "100000/minute"}


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open() -> Iterator[None]:
    """As Django's test client does: keep the test's connection (and transaction) open between
    requests, which the WSGI handler would otherwise close."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


def load_schema() -> schemathesis.schemas.BaseSchema:
    """The schema that `/api/v1/schema/` serves, generated in-process, calling the WSGI app."""
    document = SchemaGenerator(
        patterns=[path("api/v1/", include(("marketmate.api_router", "v1"), namespace="v1"))],
        api_version="v1",
    ).get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(document, cls=JSONEncoder)))
    loaded.app = get_wsgi_application()
    return loaded


@pytest.fixture
def vendor_headers(db: None) -> dict[str, str]:
    """A verified vendor with an active shop and a product, who can also buy."""
    vendor = UserFactory(role=User.Role.VENDOR)
    ProductFactory(shop=ShopFactory(owner=vendor))
    return {"Authorization": f"Bearer {RefreshToken.for_user(vendor).access_token}"}


schema = load_schema()


@pytest.fixture
def unthrottled(settings) -> None:  # type: ignore[no-untyped-def]
    """Throttles and rate limits off for the whole walk (set once: every operation and example
    runs inside this one test, and a setting changed per example would stack overrides)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            **NO_THROTTLING,
        },
    }
    settings.RATELIMIT_ENABLE = False


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_schema_and_never_with_a_500(
    case, vendor_headers: dict[str, str], unthrottled: None
) -> None:
    case.call_and_validate(
        headers=vendor_headers,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
