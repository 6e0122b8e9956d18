"""Access tokens ended before they expire: a deny-list in the cache (Redis in production).

Signing out revokes the refresh token in the database (simplejwt's blacklist), but an access
token is checked by its signature alone until it expires. So each sign-in carries a session id
(`sid`, copied into every access token minted from it, across refresh rotations), and signing
out puts that id, and the id (`jti`) of the access token in hand, on this list until they
would expire anyway. Bans and password resets do not need it: they bump the user's sign-in
version, which every token carries.

While Redis is away the cache misses (see CACHES), so a denied access token works again until
it expires: at most JWT_ACCESS_LIFETIME, the accepted cost of not refusing every API call.
"""

import time
from collections.abc import Mapping
from typing import Any

from django.core.cache import cache

# The JWT claim with the id of the sign-in the token belongs to (one per `user_tokens_issue`).
SESSION_CLAIM = "sid"


def _key(kind: str, token_id: str) -> str:
    return f"jwt:denied:{kind}:{token_id}"


def token_deny(*, payload: Mapping[str, Any]) -> None:
    """Deny the token of `payload` (by `jti`) until its `exp`."""
    _deny(kind="jti", token_id=payload.get("jti"), expires_at=payload.get("exp"))


def session_deny(*, payload: Mapping[str, Any]) -> None:
    """Deny every token of the sign-in of `payload` (by `sid`) until the refresh token of
    `payload` expires, after which no access token of that sign-in can be minted."""
    _deny(kind="sid", token_id=payload.get(SESSION_CLAIM), expires_at=payload.get("exp"))


def _deny(*, kind: str, token_id: object, expires_at: object) -> None:
    if not isinstance(token_id, str) or not isinstance(expires_at, int | float):
        return
    seconds = int(expires_at - time.time()) + 1
    if seconds > 0:
        cache.set(_key(kind, token_id), True, timeout=seconds)


def token_is_denied(*, payload: Mapping[str, Any]) -> bool:
    """Whether the token of `payload`, or the sign-in it belongs to, was ended."""
    keys = [
        _key(kind, token_id)
        for kind, token_id in (("jti", payload.get("jti")), ("sid", payload.get(SESSION_CLAIM)))
        if isinstance(token_id, str)
    ]
    return bool(keys) and bool(cache.get_many(keys))
