"""MarketMate settings.

Every setting is declared here and switched by environment variables (django-environ). A missing
variable picks the embedded default of docs/configuration.md: SQLite, eager Celery, in-memory
channel layer, local-memory cache, local media, console e-mail and the dummy payment gateway.
`local.py`, `production.py` and `test.py` only change what differs per way of running.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from corsheaders.defaults import default_headers as default_cors_headers
from csp import constants as csp_constants
from django.utils.translation import gettext_lazy as _

from marketmate.observability import sentry_init

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -----------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
SITE_ID = 1

INSTALLED_APPS = [
    "daphne",
    # Before the admin, so staff edit each translated name per language (catalog/translation.py).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "channels",
    "django_htmx",
    "waffle",
    "treebeard",
    "django_countries",
    "marketmate",
    "accounts",
    "shops",
    "catalog",
    "orders",
    "payments",
    "chat",
    "notifications",
    "moderation",
    "analytics",
    "demo",
]

MIDDLEWARE = [
    "marketmate.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "waffle.middleware.WaffleMiddleware",
]

ROOT_URLCONF = "marketmate.urls"
WSGI_APPLICATION = "marketmate.wsgi.application"
ASGI_APPLICATION = "marketmate.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "marketmate.context_processors.site",
                "marketmate.flags.features",
                "marketmate.context_processors.currency_picker",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------------


def database_pool_configure(database: dict[str, Any], size: int) -> None:
    """A pool of at most `size` PostgreSQL connections per process (psycopg's, through Django;
    none when 0). Under ASGI a request then no longer pays for a new PostgreSQL backend
    (docs/benchmarks.md); Django has the pool check connections before use, so a restarted
    server costs no failed request. Production turns it on (`DATABASE_POOL_MAX_SIZE`)."""
    options = database.setdefault("OPTIONS", {})
    options.pop("pool", None)
    if size <= 0 or database["ENGINE"] != "django.db.backends.postgresql":
        return
    options["pool"] = {
        "min_size": min(2, size),
        "max_size": size,
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
    database["CONN_MAX_AGE"] = 0  # Django refuses persistent connections beside a pool


DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast (and let /ready answer 503) instead of hanging when PostgreSQL is away.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DATABASE_CONNECT_TIMEOUT", default=5
    )
    database_pool_configure(DATABASES["default"], env.int("DATABASE_POOL_MAX_SIZE", default=0))
    session_options = [
        # The planner's price of a page read at random, relative to one read in sequence (1.0).
        # PostgreSQL's default, 4, is a spinning disk's; with the catalog in memory or on SSD it
        # is about 1: at 4 the planner scans half a million entries of the price index to save
        # reading a few thousand searched rows, 60 ms instead of 4 (docs/search.md).
        f"-c random_page_cost={env.float('DATABASE_RANDOM_PAGE_COST', default=1.1)}",
    ]
    if not env.bool("DATABASE_JIT", default=False):
        # PostgreSQL's JIT compiles "expensive-looking" plans: for the storefront's facet
        # counts that took a second of compiling to save milliseconds (docs/benchmarks.md).
        session_options.append("-c jit=off")
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(session_options)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "marketmate.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="mm"),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "marketmate.cache.LocMemCache",
            "LOCATION": "marketmate",
        }
    }
# While Redis is away, cache reads miss and writes are dropped (logged), so pages keep serving
# and the API throttles let requests through; /ready still reports the cache as failed. The
# sign-in, sign-up and password-reset limits fail closed (429) instead: no brute force while
# their counters are unreadable.
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_UNIQUE_EMAIL = True
# Accounts (docs/accounts.md): allauth's pages styled by templates/allauth, its e-mails sent by
# background jobs through accounts.adapter, changing the e-mail address only once verified.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_CHANGE_EMAIL = True
# Sign-up does not sign in (its answer is the same for a taken address: accounts/signup.py);
# the verification link does, in the browser that signed up.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env.int(
    "ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS", default=3
)
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)
# Sign-in, sign-up and password resets are limited by accounts.ratelimits (django-ratelimit on
# the cache, the same limits for the pages and the API); allauth keeps its other limits.
ACCOUNT_RATE_LIMITS = {
    "login": None,
    "login_failed": None,
    "signup": None,
    "reset_password": None,
    "reset_password_from_key": None,
}
RATELIMIT_USE_CACHE = "default"
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
# The client's address: marketmate.network.client_ip honours TRUSTED_PROXY_COUNT, like the
# block-list and the API throttles; a request.META key (e.g. HTTP_X_REAL_IP) can replace it.
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="marketmate.network.client_ip")
# Requests per IP address ("count/period", period s, m, h or d, optionally with a multiplier).
ACCOUNTS_RATE_LIMITS = {
    "login": env.str("RATE_LIMIT_LOGIN", default="5/m"),
    "register": env.str("RATE_LIMIT_REGISTER", default="5/m"),
    "forgot_password": env.str("RATE_LIMIT_FORGOT_PASSWORD", default="5/m"),
    "reset_password": env.str("RATE_LIMIT_RESET_PASSWORD", default="5/m"),
}
# Second factors (allauth.mfa, docs/security.md): TOTP with recovery codes, and WebAuthn security
# keys where the browser has them. Staff must set one up before the admin opens
# (accounts.middleware.StaffSecondFactorMiddleware); vendors and shoppers may, from their account.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="MarketMate")
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_FORMS = {"authenticate": "accounts.forms.SecondFactorAuthenticateForm"}
# WebAuthn needs a secure origin; plain http://localhost is allowed only while developing.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=DEBUG)
# The admin's URL prefix (no leading slash); a less obvious one keeps scanners off its sign-in.
ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"
# Failed sign-ins per account before a cool-off that ends with the period (never for good).
ACCOUNTS_LOGIN_FAILURE_LIMIT = env.str("RATE_LIMIT_LOGIN_FAILURES", default="10/15m")
INSTALLED_APPS += [
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
]
# After authentication: the signed-in user's preferred language comes before cookie and browser.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "accounts.middleware.UserLanguageMiddleware",
)
MIDDLEWARE.append("accounts.middleware.AuthRateLimitMiddleware")
MIDDLEWARE.append("accounts.middleware.StaffSecondFactorMiddleware")
# Social login: a provider is offered only when its client id and secret are set.
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, Any]] = {}
if env.str("GOOGLE_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [
            {
                "client_id": env.str("GOOGLE_CLIENT_ID"),
                "secret": env.str("GOOGLE_CLIENT_SECRET", default=""),
                "key": "",
            }
        ],
        "SCOPE": ["profile", "email"],
        "AUTH_PARAMS": {"access_type": "online"},
    }
if env.str("FACEBOOK_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["facebook"] = {
        "APPS": [
            {
                "client_id": env.str("FACEBOOK_CLIENT_ID"),
                "secret": env.str("FACEBOOK_CLIENT_SECRET", default=""),
                "key": "",
            }
        ],
        "METHOD": "oauth2",
        "SCOPE": ["email", "public_profile"],
        "FIELDS": ["id", "email", "name", "first_name", "last_name"],
    }
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Names that staff manage (categories, option kinds) are stored per language
# (django-modeltranslation); a name not yet translated shows in English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="us-east-1")
AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None
AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="") or None
AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="") or None
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = env.bool("AWS_QUERYSTRING_AUTH", default=False)
AWS_S3_FILE_OVERWRITE = False

STATICFILES_BACKEND = env.str(
    "STATICFILES_BACKEND", default="django.contrib.staticfiles.storage.StaticFilesStorage"
)
STORAGES = {
    "default": {
        "BACKEND": (
            "storages.backends.s3.S3Storage"
            if AWS_STORAGE_BUCKET_NAME
            else "django.core.files.storage.FileSystemStorage"
        ),
    },
    "staticfiles": {"BACKEND": STATICFILES_BACKEND},
}

# --- E-mail ---------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MarketMate <no-reply@marketmate.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background jobs ------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Backoff of the recorded jobs (marketmate.jobs.RecordedTask): base seconds, cap and attempts.
JOB_RETRY_BACKOFF = env.int("JOB_RETRY_BACKOFF", default=2)
JOB_RETRY_BACKOFF_MAX = env.int("JOB_RETRY_BACKOFF_MAX", default=600)
JOB_MAX_RETRIES = env.int("JOB_MAX_RETRIES", default=5)
JOB_RECORD_RETENTION_DAYS = env.int("JOB_RECORD_RETENTION_DAYS", default=30)
# Every periodic job of MarketMate, in one place.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "prune-finished-job-records": {
        "task": "marketmate.prune_job_records_task",
        "schedule": 60 * 60 * 24,
    },
    "expire-unpaid-orders": {
        "task": "orders.expire_unpaid_orders_task",
        "schedule": 60 * 5,
    },
    # Vendor analytics: yesterday and today are recomputed, so late payments and refunds land.
    "analytics-rollup": {
        "task": "analytics.analytics_rollup_task",
        "schedule": 60 * 15,
    },
}

# --- Real-time ------------------------------------------------------------------------------------
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [env.str("CHANNELS_REDIS_URL", default=REDIS_URL)],
                "prefix": env.str("CHANNELS_PREFIX", default="mm:asgi"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Scale (docs/benchmarks.md) -------------------------------------------------------------------
# channels-redis waits for messages with BZPOPMIN for 5 s; redis-py's own defaults (a 5 s socket
# timeout, at most 100 connections per pool) cut those waits and refuse connections under load,
# closing sockets and losing events (bench/ws_fanout.py). The layer's pool gets room for both.
if REDIS_URL:
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [  # type: ignore[index]
        {
            "address": env.str("CHANNELS_REDIS_URL", default=REDIS_URL),
            "socket_timeout": env.float("CHANNELS_REDIS_SOCKET_TIMEOUT", default=30.0),
            "max_connections": env.int("CHANNELS_REDIS_MAX_CONNECTIONS", default=2000),
        }
    ]

# --- Real-time and notifications (docs/realtime.md) -----------------------------------------------
# WebSocket frames: the largest accepted, and how many events one user may send (count/period,
# period s, m, h or d with an optional multiplier, e.g. 5/10s), counted across every process.
REALTIME_MAX_FRAME_BYTES = env.int("REALTIME_MAX_FRAME_BYTES", default=16 * 1024)
REALTIME_FRAME_RATE_LIMIT = env.str("REALTIME_FRAME_RATE_LIMIT", default="120/m")
# Seconds a socket counts as online without a sign of life (chat e-mails skip online users).
REALTIME_PRESENCE_TTL = env.int("REALTIME_PRESENCE_TTL", default=60)
CHAT_MESSAGE_MAX_LENGTH = env.int("CHAT_MESSAGE_MAX_LENGTH", default=2000)
CHAT_MESSAGE_RATE_LIMIT = env.str("CHAT_MESSAGE_RATE_LIMIT", default="20/m")
# CSV imports from the vendor dashboard, per user (the API's uploads scope covers the API).
CATALOG_IMPORT_RATE_LIMIT = env.str("CATALOG_IMPORT_RATE_LIMIT", default="20/h")
# Web push (VAPID): keys made with `python manage.py vapid_keys`; push is off while unset.
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="mailto:support@marketmate.local")
WEBPUSH_TIMEOUT = env.int("WEBPUSH_TIMEOUT", default=10)
# Only for tests and local push services: accept push endpoints that are not https.
WEBPUSH_ALLOW_INSECURE_ENDPOINTS = env.bool("WEBPUSH_ALLOW_INSECURE_ENDPOINTS", default=False)
# The browsers' push services; subscriptions to any other host are refused (no SSRF).
WEBPUSH_ALLOWED_HOSTS = env.list(
    "WEBPUSH_ALLOWED_HOSTS",
    default=[
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "notify.windows.com",
        "push.apple.com",
    ],
)

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only (too deep, NUL or lone surrogates: 400); uploads (avatars, logos, product images)
    # also take multipart, read as plain values (marketmate.parsers: an empty field is empty).
    "DEFAULT_PARSER_CLASSES": ["marketmate.parsers.StrictJSONParser"],
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1"],
    "DEFAULT_PAGINATION_CLASS": "marketmate.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/minute"),
        "user": env.str("API_THROTTLE_USER", default="600/minute"),
        # Stricter scopes (marketmate.throttling) on top, per user or else per client address.
        "auth": env.str("API_THROTTLE_AUTH", default="10/minute"),
        "checkout": env.str("API_THROTTLE_CHECKOUT", default="20/minute"),
        "chat": env.str("API_THROTTLE_CHAT", default="30/minute"),
        "uploads": env.str("API_THROTTLE_UPLOADS", default="20/minute"),
        "reports": env.str("API_THROTTLE_REPORTS", default="10/minute"),
    },
    "EXCEPTION_HANDLER": "marketmate.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "marketmate.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MarketMate API",
    "DESCRIPTION": (
        "REST API of MarketMate, the multi-vendor marketplace. Authenticate with a JWT access "
        "token (`Authorization: Bearer <token>`) or the browser session. Every error has the "
        'shape `{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"UserRoleEnum": "accounts.models.User.Role"},
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env.int("JWT_ACCESS_LIFETIME", default=300)),
    "REFRESH_TOKEN_LIFETIME": timedelta(
        seconds=env.int("JWT_REFRESH_LIFETIME", default=60 * 60 * 24 * 14)
    ),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# --- Payments -------------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
# Platform commission when neither the shop nor the category has a rate of its own (percent of
# the order total, plus a fixed fee per order in the order's currency).
PAYMENTS_COMMISSION_PERCENT = env.str("PAYMENTS_COMMISSION_PERCENT", default="10")
PAYMENTS_COMMISSION_FIXED_FEE = env.str("PAYMENTS_COMMISSION_FIXED_FEE", default="0.30")
# The fixed fee in currencies whose minor unit differs (PAYMENTS_COMMISSION_FIXED_FEE is for
# two-decimal currencies only; a currency without an entry here and not two-decimal pays none).
PAYMENTS_COMMISSION_FIXED_FEES = env.dict(
    "PAYMENTS_COMMISSION_FIXED_FEES", default={"JPY": "40", "KRW": "400", "BHD": "0.110"}
)
# Sales become available for payout this many days after payment (refunds and disputes first).
PAYMENTS_HOLD_DAYS = env.int("PAYMENTS_HOLD_DAYS", default=7)
# The scheduled payout job pays a shop only when its available balance reaches this amount.
PAYMENTS_PAYOUT_MINIMUM = env.str("PAYMENTS_PAYOUT_MINIMUM", default="25.00")
PAYMENTS_PAYOUT_MINIMUMS = env.dict(
    "PAYMENTS_PAYOUT_MINIMUMS", default={"JPY": "3000", "KRW": "30000", "BHD": "10.000"}
)
# A refund still pending this long is settled by the reconciliation job and listed for staff.
PAYMENTS_REFUND_PENDING_MINUTES = env.int("PAYMENTS_REFUND_PENDING_MINUTES", default=15)
# How far back the reconciliation job asks Stripe for events that never arrived.
PAYMENTS_RECONCILE_HOURS = env.int("PAYMENTS_RECONCILE_HOURS", default=72)
# The typo-correction vocabulary grows as products change; once a day it is recounted.
CELERY_BEAT_SCHEDULE["search-words-rebuild"] = {
    "task": "catalog.search_words_rebuild_task",
    "schedule": 60 * 60 * 24,
}
CELERY_BEAT_SCHEDULE["payments-reconcile"] = {
    "task": "payments.reconcile_task",
    "schedule": 60 * 15,
}
CELERY_BEAT_SCHEDULE["payments-ledger-reconcile"] = {
    "task": "payments.ledger_reconcile_task",
    "schedule": 60 * 60 * 24,
}
CELERY_BEAT_SCHEDULE["payments-payouts"] = {
    "task": "payments.payouts_run_task",
    "schedule": 60 * 60 * 24,
}

# --- Display currency (docs/configuration.md) -----------------------------------------------------
# A JSON table of rates ({"base": "EUR", "rates": {"USD": "1.08", ...}}) the beat job fetches
# hourly for approximate prices; empty: rates only come from `manage.py load_exchange_rates`.
EXCHANGE_RATES_URL = env.str("EXCHANGE_RATES_URL", default="")
EXCHANGE_RATES_TIMEOUT = env.float("EXCHANGE_RATES_TIMEOUT", default=10.0)
CELERY_BEAT_SCHEDULE["exchange-rates-refresh"] = {
    "task": "marketmate.exchange_rates_refresh_task",
    "schedule": 60 * 60,
}

# --- Security -------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# --- Logging and error tracking -------------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "marketmate.logging.RequestIdFilter"}},
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s",
        },
        "json": {
            "()": "marketmate.logging.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "daphne": {"level": "WARNING"},
        # Invoice rendering reports every step at INFO; keep the console for what matters.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="development")
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    sentry_init(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE or None,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )

# --- Catalog and media ----------------------------------------------------------------------------
# Product image uploads: formats Pillow must recognise, the largest file and the most pixels
# accepted (a decompression bomb is refused before it is decoded), and the thumbnail widths the
# background job makes (each as WebP and JPEG). Files go to the default storage: local media, or
# S3 when AWS_STORAGE_BUCKET_NAME is set, served from AWS_S3_CUSTOM_DOMAIN (a CDN) when set.
CATALOG_IMAGE_FORMATS = env.list("CATALOG_IMAGE_FORMATS", default=["JPEG", "PNG", "WEBP"])
CATALOG_IMAGE_MAX_BYTES = env.int("CATALOG_IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
CATALOG_IMAGE_MAX_PIXELS = env.int("CATALOG_IMAGE_MAX_PIXELS", default=40_000_000)
CATALOG_THUMBNAIL_SIZES = env.list("CATALOG_THUMBNAIL_SIZES", cast=int, default=[200, 600, 1200])
CATALOG_LOW_STOCK_THRESHOLD = env.int("CATALOG_LOW_STOCK_THRESHOLD", default=5)
CATALOG_IMPORT_MAX_ROWS = env.int("CATALOG_IMPORT_MAX_ROWS", default=5000)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **dict(SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES") or {}),  # type: ignore[call-overload]
    "ShopStatusEnum": "shops.models.Shop.Status",
    "ShopMemberRoleEnum": "shops.models.ShopMember.Role",
    "AssignableShopRoleEnum": "shops.roles.ASSIGNABLE_ROLE_CHOICES",
    "ProductStatusEnum": "catalog.models.Product.Status",
}

# --- Orders ---------------------------------------------------------------------------------------
# Unpaid (pending) orders are cancelled, and their stock released, this long after checkout.
ORDER_PENDING_EXPIRY_MINUTES = env.int("ORDER_PENDING_EXPIRY_MINUTES", default=60)
# The most units of one variant a cart line may hold (on top of the stock limit).
ORDERS_CART_MAX_QUANTITY = env.int("ORDERS_CART_MAX_QUANTITY", default=99)
# The order status appears in several API shapes; one name for it in the OpenAPI schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **dict(SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES") or {}),  # type: ignore[call-overload]
    "OrderStatusEnum": "orders.models.Order.Status",
    # Two choice sets are both named `reason`: a stock adjustment's and a user report's.
    "ReportReasonEnum": "moderation.models.Report.Reason",
}

# --- Metrics (docs/observability.md) --------------------------------------------------------------
# `/metrics` answers a request with `Authorization: Bearer <METRICS_TOKEN>` or from an allowed
# address (IP or network). With several processes on one machine, set PROMETHEUS_MULTIPROC_DIR.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS: list[str] = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
CELERY_METRICS_PORT = env.int("CELERY_METRICS_PORT", default=0)
MIDDLEWARE.insert(0, "marketmate.metrics.MetricsMiddleware")

# --- Request security -----------------------------------------------------------------------------
# Behind N proxies that append to X-Forwarded-For, the client is the N-th address from the end.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
# Blocked addresses (admin: Platform > Blocked addresses) are refused before any other work.
MIDDLEWARE.insert(0, "marketmate.network.BlockedNetworkMiddleware")
# Cross-origin requests are allowed for the API only, and only from these origins.
INSTALLED_APPS.append("corsheaders")
MIDDLEWARE.insert(
    MIDDLEWARE.index("marketmate.middleware.RequestIdMiddleware") + 1,
    "corsheaders.middleware.CorsMiddleware",
)
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOWED_ORIGINS: list[str] = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_HEADERS = (*default_cors_headers, "idempotency-key", "x-request-id")
CORS_EXPOSE_HEADERS = ["X-Request-ID", "Retry-After"]
# Content Security Policy (django-csp): no inline scripts or styles anywhere; pages that need a
# third party (Stripe's payment form, Swagger UI's styles) widen it with `csp_update` themselves.
INSTALLED_APPS.append("csp")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
MEDIA_HOSTS: list[str] = (
    [f"https://{AWS_S3_CUSTOM_DOMAIN}"]
    if AWS_S3_CUSTOM_DOMAIN
    else [AWS_S3_ENDPOINT_URL]
    if AWS_S3_ENDPOINT_URL
    else [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
    if AWS_STORAGE_BUCKET_NAME
    else []
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "img-src": [csp_constants.SELF, "data:", "blob:", *MEDIA_HOSTS],
        "font-src": [csp_constants.SELF, "data:"],
        "connect-src": [csp_constants.SELF],
        "worker-src": [csp_constants.SELF],
        "manifest-src": [csp_constants.SELF],
        "frame-src": [csp_constants.NONE],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [
            csp_constants.SELF,
            # Social login posts to MarketMate, which redirects to the provider.
            *(["https://accounts.google.com"] if "google" in SOCIALACCOUNT_PROVIDERS else []),
            *(["https://www.facebook.com"] if "facebook" in SOCIALACCOUNT_PROVIDERS else []),
        ],
        "frame-ancestors": [csp_constants.NONE],
    }
}

# --- Marketplace ----------------------------------------------------------------------------------
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="marketmate-demo")

# --- Integrations: shop API keys and outbound webhooks (docs/integrations.md) ------------------
INSTALLED_APPS.append("integrations")
# `Authorization: Api-Key <key>`, after JWT and before the session.
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"].insert(  # type: ignore[attr-defined]
    1, "integrations.authentication.ShopApiKeyAuthentication"
)
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_key"] = env.str(  # type: ignore[index]
    "API_THROTTLE_API_KEY", default="300/minute"
)
# Development and tests only: allow http:// and loopback or private webhook addresses.
OUTBOUND_WEBHOOKS_ALLOW_PRIVATE_URLS = env.bool(
    "OUTBOUND_WEBHOOKS_ALLOW_PRIVATE_URLS", default=False
)
OUTBOUND_WEBHOOKS_TIMEOUT_SECONDS = env.int("OUTBOUND_WEBHOOKS_TIMEOUT_SECONDS", default=10)
OUTBOUND_WEBHOOKS_MAX_PAYLOAD_BYTES = env.int(
    "OUTBOUND_WEBHOOKS_MAX_PAYLOAD_BYTES", default=256 * 1024
)
OUTBOUND_WEBHOOKS_MAX_RESPONSE_BYTES = env.int(
    "OUTBOUND_WEBHOOKS_MAX_RESPONSE_BYTES", default=64 * 1024
)
# Seconds to wait after each failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, 12 h, 12 h,
# 12 h, about 2.6 days in all, then the delivery fails for good.
OUTBOUND_WEBHOOKS_RETRY_SCHEDULE: list[int] = [
    int(seconds)
    for seconds in env.list(
        "OUTBOUND_WEBHOOKS_RETRY_SCHEDULE",
        default=["5", "300", "1800", "7200", "18000", "36000", "36000", "43200", "43200", "43200"],
    )
]
# An endpoint whose deliveries fail for this long is disabled and its shop told.
OUTBOUND_WEBHOOKS_DISABLE_AFTER_SECONDS = env.int(
    "OUTBOUND_WEBHOOKS_DISABLE_AFTER_SECONDS", default=60 * 60 * 24
)
CELERY_BEAT_SCHEDULE["integrations-webhook-deliveries-due"] = {
    "task": "integrations.webhook_deliveries_due_task",
    "schedule": 60,
}
SPECTACULAR_SETTINGS["DESCRIPTION"] = str(SPECTACULAR_SETTINGS["DESCRIPTION"]) + (
    " Shops' own systems use a shop API key instead (`Authorization: Api-Key <key>`)."
)
