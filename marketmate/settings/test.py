"""The test suite: the production column of DESIGN.md (PostgreSQL, Redis, real workers) with
fast password hashing and an in-memory e-mail outbox."""

import os

# The test command passes DATABASE_URL and REDIS_URL; these are the local servers otherwise.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/marketmate")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_url_of_worker(url: str, worker: str) -> str:
    """Parallel test workers (pytest-xdist's gw0, gw1, ...) each get a Redis database of their
    own, counting down from the one given, so one worker's cache.clear(), rate limits, channel
    groups and job queues never reach another's. The database is PostgreSQL's per worker already
    (pytest-django names it test_<name>_gw0)."""
    base, _, database = url.rpartition("/")
    number = int(database) if database.isdigit() else 0
    return f"{base}/{(number - 1 - int(worker.removeprefix('gw'))) % 16}"


# Set once in the worker's environment, so the servers and workers the tests start inherit it.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("MM_TEST_REDIS_WORKER") != _worker:
    os.environ["REDIS_URL"] = _redis_url_of_worker(os.environ["REDIS_URL"], _worker)
    os.environ["MM_TEST_REDIS_WORKER"] = _worker

from marketmate.settings.base import *  # noqa: E402, F403
from marketmate.settings.base import BASE_DIR, env  # noqa: E402

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnop"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env.path(
    "MEDIA_ROOT", default=str(BASE_DIR / "test-artifacts" / f"media{_worker and '-' + _worker}")
)
CELERY_TASK_ALWAYS_EAGER = True
WEBPUSH_ALLOWED_HOSTS = [*WEBPUSH_ALLOWED_HOSTS, "push.example"]  # noqa: F405 (the tests' service)
CELERY_TASK_EAGER_PROPAGATES = False
JOB_RETRY_BACKOFF = 0
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
