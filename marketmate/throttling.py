"""Stricter API throttles for the endpoints attackers aim at: signing in, paying, chatting and
uploading. They count on the shared cache (Redis), per user when signed in and per client
address otherwise (`marketmate.network.client_ip`, which honours `TRUSTED_PROXY_COUNT`), and sit
on top of the `anon` and `user` throttles that cover the whole API.

A view opts in with `throttle_classes = scoped_throttles(AuthThrottle)`. Only writes count:
reading a conversation or an order never uses up the allowance for sending or paying.
"""

from typing import cast

from django.conf import settings
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from marketmate.network import client_ip

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ScopedWriteThrottle(SimpleRateThrottle):
    """A rate per scope from `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`, read on every request
    (so changed settings apply at once). Switched off with the other rate limits by
    `RATELIMIT_ENABLE=false` (tests that walk the whole API, never production)."""

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return None if rate is None else str(rate)

    def counts(self, request: Request) -> bool:
        return request.method not in SAFE_METHODS

    def allow_request(self, request: Request, view: APIView) -> bool:
        if not settings.RATELIMIT_ENABLE or not self.counts(request):
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        user = request.user
        if user is not None and user.is_authenticated:
            ident = f"user:{user.pk}"
        else:
            ident = f"ip:{client_ip(request._request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AuthThrottle(ScopedWriteThrottle):
    """Sign-in, sign-up, token refresh and password resets."""

    scope = "auth"


class CheckoutThrottle(ScopedWriteThrottle):
    """Placing orders and starting or confirming payments."""

    scope = "checkout"


class ChatThrottle(ScopedWriteThrottle):
    """Starting conversations and sending messages through the API."""

    scope = "chat"


class UploadThrottle(ScopedWriteThrottle):
    """File uploads (product images, avatars): only multipart requests count, so a JSON-only
    profile change does not use up the upload allowance."""

    scope = "uploads"

    def counts(self, request: Request) -> bool:
        return super().counts(request) and request.content_type.startswith("multipart/")


def scoped_throttles(*scoped: type[ScopedWriteThrottle]) -> list[type[BaseThrottle]]:
    """The API-wide throttles plus the given stricter scopes, for a view's `throttle_classes`."""
    # api_settings imports the dotted paths of the setting: these are classes.
    defaults = cast(list[type[BaseThrottle]], api_settings.DEFAULT_THROTTLE_CLASSES)
    return [*defaults, *scoped]
