"""What each way of running picks when the environment says nothing."""

import json
import re

import pytest

from marketmate.tests.settings_probe import ROOT, settings_of


def test_with_no_environment_the_embedded_defaults_are_chosen() -> None:
    result = settings_of("marketmate.settings.local")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "db": "django.db.backends.sqlite3",
        "cache": "marketmate.cache.LocMemCache",
        "eager": True,
        "broker": "memory://",
        "channels": "channels.layers.InMemoryChannelLayer",
        "storage": "django.core.files.storage.FileSystemStorage",
        "email": "django.core.mail.backends.console.EmailBackend",
        "debug": True,
        "hsts": 0,
        "pool": None,
        "session": None,
    }


def test_the_environment_switches_to_the_production_services() -> None:
    result = settings_of(
        "marketmate.settings.production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="shop.example",
        DATABASE_URL="postgres://mm@db.internal:5432/mm",
        REDIS_URL="redis://cache.internal:6379/0",
        AWS_STORAGE_BUCKET_NAME="mm-media",
        EMAIL_URL="smtp://mailer.internal:587",
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "db": "django.db.backends.postgresql",
        "cache": "marketmate.cache.RedisCache",
        "eager": False,
        "broker": "redis://cache.internal:6379/0",
        "channels": "channels_redis.core.RedisChannelLayer",
        "storage": "storages.backends.s3.S3Storage",
        "email": "django.core.mail.backends.smtp.EmailBackend",
        "debug": False,
        "hsts": 31536000,
        "pool": 10,
        "session": "-c random_page_cost=1.1 -c jit=off",
    }


def test_the_planner_prices_random_reads_as_memory_and_ssd_do(db: None) -> None:
    # PostgreSQL's default (4, a spinning disk's) had it scan half a million price index
    # entries to save reading a few thousand searched rows (docs/search.md).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.parametrize(("size", "pool"), [("0", None), ("4", 4)])
def test_production_sizes_its_database_pool_from_the_environment(
    size: str, pool: int | None
) -> None:
    result = settings_of(
        "marketmate.settings.production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="shop.example",
        DATABASE_URL="postgres://mm@db.internal:5432/mm",
        DATABASE_POOL_MAX_SIZE=size,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pool"] == pool


@pytest.mark.parametrize(
    ("environment", "missing"),
    [
        ({"ALLOWED_HOSTS": "shop.example"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(
    environment: dict[str, str], missing: str
) -> None:
    result = settings_of("marketmate.settings.production", **environment)

    assert result.returncode != 0
    assert f"{missing} must be set in production." in result.stderr


def test_every_environment_variable_the_settings_read_is_documented() -> None:
    pattern = re.compile(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"")
    read = {
        name
        for path in (ROOT / "marketmate" / "settings").glob("*.py")
        for name in pattern.findall(path.read_text())
    }
    documented = set(
        re.findall(r"`([A-Z][A-Z0-9_]+)`", (ROOT / "docs/configuration.md").read_text())
    )

    assert read - documented == set()
    assert len(read) > 40


@pytest.mark.django_db
def test_the_production_pool_serves_queries_from_its_connections() -> None:
    from chat.tests.servers import database_url_of_test_run

    probe = (
        "\nfrom django.db import connection\n"
        "pids = set()\n"
        "for _ in range(10):\n"
        "    with connection.cursor() as cursor:\n"
        "        cursor.execute('SELECT pg_backend_pid()')\n"
        "        pids.add(cursor.fetchone()[0])\n"
        "    connection.close()  # what the end of a request does: back to the pool\n"
        "print(len(pids), connection.pool.get_stats()['pool_max'])\n"
    )
    result = settings_of(
        "marketmate.settings.production",
        probe,
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="shop.example",
        DATABASE_URL=database_url_of_test_run(),
        DATABASE_POOL_MAX_SIZE="3",
    )

    assert result.returncode == 0, result.stderr
    backends, pool_max = map(int, result.stdout.split())
    # Ten requests, served by the pool's connections (at most three), not ten new ones.
    assert pool_max == 3
    assert 1 <= backends <= 3


def test_the_embedded_default_migrates_a_new_sqlite_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # What `./bin/run` does first on a new machine: every migration, on SQLite.
    database = tmp_path / "new.sqlite3"
    migrate = "from django.core.management import call_command\ncall_command('migrate')"
    result = settings_of(
        "marketmate.settings.local",
        probe=migrate,
        DATABASE_URL=f"sqlite:///{database}",
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert database.stat().st_size > 0
