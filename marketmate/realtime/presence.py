"""Who is online: each open socket of a user is recorded with an expiry that the consumer
renews while the socket lives, in Redis when REDIS_URL is set (shared by every process).

A user is online while at least one of their sockets has not expired; a socket that dies
without a clean close stops counting after `REALTIME_PRESENCE_TTL` seconds.
"""

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache


def _key(user_id: int) -> str:
    return cache.make_key(f"presence:user:{user_id}")


def _redis() -> Any:
    if not settings.REDIS_URL:
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def presence_touch(*, user_id: int, connection: str) -> None:
    """Record (or renew) one open socket of the user."""
    ttl = settings.REALTIME_PRESENCE_TTL
    expires = time.time() + ttl
    redis = _redis()
    if redis is None:
        sockets = cache.get(_key(user_id)) or {}
        sockets[connection] = expires
        cache.set(_key(user_id), sockets, timeout=ttl)
        return
    pipe = redis.pipeline()
    pipe.zadd(_key(user_id), {connection: expires})
    pipe.expire(_key(user_id), ttl)
    pipe.execute()


def presence_leave(*, user_id: int, connection: str) -> None:
    """Forget one socket of the user (it closed)."""
    redis = _redis()
    if redis is None:
        sockets = cache.get(_key(user_id)) or {}
        sockets.pop(connection, None)
        cache.set(_key(user_id), sockets, timeout=settings.REALTIME_PRESENCE_TTL)
        return
    redis.zrem(_key(user_id), connection)


def user_is_online(*, user_id: int) -> bool:
    """True when the user has at least one live socket."""
    now = time.time()
    redis = _redis()
    if redis is None:
        sockets = cache.get(_key(user_id)) or {}
        return any(expires > now for expires in sockets.values())
    return bool(redis.zcount(_key(user_id), now, "+inf"))
