"""WebSocket authentication for mobile clients: `/ws/?token=<JWT access token>`.

Browsers are authenticated by their session cookie (Channels' AuthMiddlewareStack, which runs
first); a `token` query parameter, when present, is checked with the same JWT authentication as
the REST API (so a banned user or a token from before a ban or password reset is refused). A
bad token leaves the connection anonymous, and the consumer closes it with 4401.
"""

import logging
from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser
from rest_framework.settings import api_settings
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

logger = logging.getLogger(__name__)


def _jwt_authentication() -> JWTAuthentication:
    # The API's own JWT authentication class (it may add checks to simplejwt's, like the
    # sign-in version), so the socket and the API accept exactly the same tokens.
    for authentication_class in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        if isinstance(authentication_class, type) and issubclass(
            authentication_class, JWTAuthentication
        ):
            return authentication_class()
    return JWTAuthentication()


def user_for_token(raw_token: str) -> Any:
    """The active, not banned user of a valid access token, or AnonymousUser."""
    return user_and_claims_for_token(raw_token)[0]


def user_and_claims_for_token(raw_token: str) -> tuple[Any, dict[str, Any]]:
    """The active, not banned user of a valid access token and the token's claims (the socket
    checks them again on every event: signing out denies them), or AnonymousUser and {}."""
    authentication = _jwt_authentication()
    try:
        validated = authentication.get_validated_token(raw_token.encode())
        user = authentication.get_user(validated)
    except (InvalidToken, AuthenticationFailed):
        return AnonymousUser(), {}
    if not user.is_active or getattr(user, "banned_at", None) is not None:
        return AnonymousUser(), {}
    return user, dict(validated.payload)


class JWTQueryAuthMiddleware(BaseMiddleware):
    """Sets `scope["user"]` from the `token` query parameter when there is one."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        tokens = query.get("token")
        if tokens:
            scope = dict(scope)
            user, claims = await database_sync_to_async(user_and_claims_for_token)(tokens[0])
            scope["user"], scope["token_claims"] = user, claims
        return await super().__call__(scope, receive, send)


class OriginValidatorUnlessToken:
    """Channels' allowed-hosts Origin check for connections authenticated by cookie, which a
    page on another site could otherwise open in the user's name; connections that bring a
    `token` (mobile apps, which send no Origin) are authenticated by the token alone."""

    def __init__(self, application: Any) -> None:
        self.application = application
        self.origin_validated = AllowedHostsOriginValidator(application)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if query.get("token"):
            return await self.application(scope, receive, send)
        return await self.origin_validated(scope, receive, send)


def websocket_application(router: Any) -> Any:
    """The `/ws/` stack: Origin check (cookie connections), session cookie, then `?token=`."""
    return OriginValidatorUnlessToken(AuthMiddlewareStack(JWTQueryAuthMiddleware(router)))
