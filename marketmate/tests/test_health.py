import pytest
from django.test import Client, override_settings

from marketmate.celery import app as celery_app

pytestmark = pytest.mark.django_db

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_unreachable():
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = CLOSED_PORT_REDIS
    yield
    celery_app.conf.broker_url = previous


def test_healthz_answers_without_touching_dependencies(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_reports_every_dependency_ok(client: Client) -> None:
    response = client.get("/ready")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
        "failed": [],
    }


def test_ready_is_503_and_names_the_cache_when_redis_is_unreachable(client: Client) -> None:
    unreachable_cache = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CLOSED_PORT_REDIS,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    with override_settings(CACHES=unreachable_cache):
        response = client.get("/ready")

    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
    assert response.json()["checks"]["database"] == "ok"


def test_ready_is_503_and_names_the_broker_when_it_is_unreachable(
    client: Client, broker_unreachable: None
) -> None:
    response = client.get("/ready")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "ok", "broker": "error"},
        "failed": ["broker"],
    }


def test_readiness_is_never_cached(client: Client) -> None:
    response = client.get("/ready")

    assert "no-cache" in response["Cache-Control"]


def test_pages_keep_serving_while_the_cache_is_unreachable(client: Client) -> None:
    unreachable_cache = {
        "default": {
            "BACKEND": "marketmate.cache.RedisCache",
            "LOCATION": CLOSED_PORT_REDIS,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    with override_settings(CACHES=unreachable_cache):
        home = client.get("/")
        ready = client.get("/ready")

    assert home.status_code == 200
    assert ready.status_code == 503
