"""Rate limits of signing in, signing up and resetting passwords (django-ratelimit on the cache).

The same limits apply to the pages and the API. Per IP address: `settings.ACCOUNTS_RATE_LIMITS`.
Per account: `settings.ACCOUNTS_LOGIN_FAILURE_LIMIT` failed sign-ins, then a cool-off that ends
with the limit's period, so nobody can lock a victim out for good.
"""

import hashlib
import logging

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from accounts.exceptions import RateLimitedError

logger = logging.getLogger(__name__)

LOGIN_FAILURES_GROUP = "accounts.login_failures"


def _email_key(email: str) -> str:
    # The address itself is not kept in the cache key: only a digest of its normal form.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def rate_limit_consume(*, request: HttpRequest, scope: str) -> None:
    """Count one attempt of `scope` (login, register, forgot_password, reset_password) by the
    client's IP address; raise `RateLimitedError` once the limit is exceeded."""
    rate = settings.ACCOUNTS_RATE_LIMITS[scope]
    usage = get_usage(request, group=f"accounts.{scope}", key="ip", rate=rate, increment=True)
    if usage is not None and usage["should_limit"]:
        logger.warning("Rate limit %s reached by %s", scope, request.META.get("REMOTE_ADDR"))
        raise RateLimitedError(
            _("Too many attempts. Please wait a moment and try again."),
            retry_after=usage["time_left"],
        )


def login_lockout_check(*, request: HttpRequest, email: str) -> None:
    """Raise `RateLimitedError` while the account of `email` cools off after failed sign-ins."""
    usage = get_usage(
        request,
        group=LOGIN_FAILURES_GROUP,
        key=lambda group, request: _email_key(email),
        rate=settings.ACCOUNTS_LOGIN_FAILURE_LIMIT,
        increment=False,
    )
    if usage is not None and usage["count"] >= usage["limit"]:
        raise RateLimitedError(
            _("Too many failed sign-ins for this account. Please try again in a few minutes."),
            retry_after=usage["time_left"],
        )


def login_failure_record(*, request: HttpRequest, email: str) -> None:
    """Count a failed sign-in for `email` and log it (never with the password)."""
    get_usage(
        request,
        group=LOGIN_FAILURES_GROUP,
        key=lambda group, request: _email_key(email),
        rate=settings.ACCOUNTS_LOGIN_FAILURE_LIMIT,
        increment=True,
    )
    logger.warning("Failed sign-in for %s from %s", email, request.META.get("REMOTE_ADDR"))
