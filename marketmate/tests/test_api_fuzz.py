"""Schemathesis walks every operation of the OpenAPI schema with generated input, signed in as a
vendor (who can also buy), with every check it has: no 500, every answer (status, headers, body,
content type) as the schema says, invalid input refused, valid input accepted, unsupported
methods refused, authentication not ignored, deleted objects gone. Then its stateful phase
chains operations through the schema's links (create, then read, change and delete what was
created) under the same checks.

`MM_FUZZ_EXAMPLES` (default 4) and `MM_FUZZ_STATEFUL_EXAMPLES` (default 20) trade time for depth.
"""

import json
import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from rest_framework.utils.encoders import JSONEncoder
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.stateful.state_machine import APIStateMachine

from accounts.models import User
from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from shops.tests.factories import ShopFactory

EXAMPLES_PER_OPERATION = int(os.environ.get("MM_FUZZ_EXAMPLES", "4"))
STATEFUL_EXAMPLES = int(os.environ.get("MM_FUZZ_STATEFUL_EXAMPLES", "20"))
NO_THROTTLING = {"anon": "100000/minute", "user": "100000/minute"}
# Every check schemathesis has. `max_response_time` is off unless given a limit: a generous one
# that a loaded CI machine still meets, to catch answers that hang. `positive_data_acceptance`
# also accepts a 400: input of the right shape can still break a rule a JSON schema cannot say
# (a common password, an expired reset link, "either `address_id` or `shipping_address`"), which
# the API answers with its documented 400 and the fields at fault.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "max_response_time": 10.0,
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]
            },
        }
    }
)
# Operations that end the walk's own sign-in: the walk would go on as nobody. Each has its own
# tests from the attacker's side (accounts/tests/test_api_auth.py).
SIGN_IN_ENDERS = ["/api/v1/auth/logout"]


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
    loaded = schemathesis.openapi.from_dict(
        json.loads(json.dumps(document, cls=JSONEncoder)), config=CONFIG
    )
    loaded.app = get_wsgi_application()
    return loaded.exclude(path=SIGN_IN_ENDERS)


schema = load_schema()
# The walk's token, set per test (its vendor lives in the test's transaction).
WALKER: dict[str, str] = {"token": ""}


@schema.auth(refresh_interval=None)
class VendorToken:
    """Signs every request in as the walk's vendor, as schemathesis's own auth, so its
    `ignored_auth` check knows the credentials and tries the operation without them."""

    def get(self, case: schemathesis.Case, context: object) -> str:
        return WALKER["token"]

    def set(self, case: schemathesis.Case, data: str, context: object) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def vendor(db: None) -> Iterator[None]:
    """A verified vendor with an active shop and a product, who can also buy."""
    vendor = UserFactory(role=User.Role.VENDOR)
    ProductFactory(shop=ShopFactory(owner=vendor))
    WALKER["token"] = str(RefreshToken.for_user(vendor).access_token)
    yield
    WALKER["token"] = ""


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
    # No shrinking: a failure is reported as found, which keeps CI's time predictable.
    phases=[Phase.explicit, Phase.generate],
)
def test_every_operation_answers_within_its_schema_and_never_with_a_500(
    case: schemathesis.Case, vendor: None, unthrottled: None
) -> None:
    case.call_and_validate()


def test_chains_of_operations_answer_within_the_schema(vendor: None, unthrottled: None) -> None:
    class Walk(schema.as_state_machine()):  # type: ignore[misc]
        """Each chain starts from the same data (a savepoint rolled back after it), so what one
        chain created cannot change what the next one draws."""

        def setup(self) -> None:
            self.savepoint = transaction.savepoint()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.savepoint)
            cache.clear()

    walk: type[APIStateMachine] = Walk
    walk.run(
        settings=hypothesis_settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
    )
