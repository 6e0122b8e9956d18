"""Fixed-window rate limits on the shared cache (Redis in production and tests), so every web
process counts against the same limit: chat messages, socket frames, dashboard CSV imports."""

import re
import time

from django.core.cache import cache

_RATE = re.compile(r"^(?P<count>\d+)/(?P<multiplier>\d*)(?P<unit>[smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# The limiter's clock; tests pin it inside one window so that no test straddles a boundary.
clock = time.time


def rate_parse(rate: str) -> tuple[int, int]:
    """`"20/m"` -> (20, 60); `"5/10s"` -> (5, 10). Raises ValueError for anything else."""
    match = _RATE.match(rate.strip())
    if match is None:
        raise ValueError(f"Invalid rate {rate!r}: use count/period, e.g. 20/m or 5/10s.")
    multiplier = int(match["multiplier"] or 1)
    return int(match["count"]), multiplier * _UNIT_SECONDS[match["unit"]]


def rate_limit_hit(*, key: str, rate: str) -> int | None:
    """Count one hit of `key`; None while within `rate`, else the seconds until it resets."""
    count, period = rate_parse(rate)
    now = clock()
    window = int(now // period)
    cache_key = f"ratelimit:{key}:{period}:{window}"
    cache.add(cache_key, 0, timeout=period + 1)
    try:
        hits = cache.incr(cache_key)
    except ValueError:
        # The window expired between add and incr: this hit opens the next one.
        cache.set(cache_key, 1, timeout=period + 1)
        hits = 1
    if hits is None:
        # The cache is unreachable (django-redis ignores its errors): fail open. A chat message
        # is stored in PostgreSQL either way (docs/realtime.md, "When Redis restarts").
        return None
    if hits <= count:
        return None
    return max(1, int(period - (now % period)) + 1)
