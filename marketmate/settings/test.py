"""The test suite: the production column of DESIGN.md (PostgreSQL, Redis, real workers) with
fast password hashing and an in-memory e-mail outbox."""

import os

# The test command passes DATABASE_URL and REDIS_URL; these are the local servers otherwise.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/marketmate")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from marketmate.settings.base import *  # noqa: F403
from marketmate.settings.base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnop"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "test-artifacts" / "media"))
CELERY_TASK_ALWAYS_EAGER = True
WEBPUSH_ALLOWED_HOSTS = [*WEBPUSH_ALLOWED_HOSTS, "push.example"]  # noqa: F405 (the tests' service)
CELERY_TASK_EAGER_PROPAGATES = False
JOB_RETRY_BACKOFF = 0
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
