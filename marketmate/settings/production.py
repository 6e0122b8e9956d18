"""Production: refuses to start without its secrets, and is HTTPS-ready behind a proxy."""

from django.core.exceptions import ImproperlyConfigured

from marketmate.settings.base import *  # noqa: F403
from marketmate.settings.base import (
    ALLOWED_HOSTS,
    DATABASES,
    LOGGING,
    SECRET_KEY,
    database_pool_configure,
    env,
)

DEBUG = False
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")

# Each web or worker process keeps up to this many PostgreSQL connections open (0: none).
database_pool_configure(DATABASES["default"], env.int("DATABASE_POOL_MAX_SIZE", default=10))

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^ready$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LOGGING["handlers"]["console"]["formatter"] = env.str("LOG_FORMAT", default="json")
