"""Cache backends that count hits and misses for `/metrics`, otherwise the usual ones."""

from typing import Any

from django.core.cache.backends.locmem import LocMemCache as DjangoLocMemCache
from django_redis.cache import RedisCache as DjangoRedisCache

from marketmate.metrics import cache_read_record

_MISSING = object()


class RedisCache(DjangoRedisCache):
    def get(self, key: Any, default: Any = None, version: Any = None, client: Any = None) -> Any:
        value = super().get(key, _MISSING, version=version, client=client)
        cache_read_record(hit=value is not _MISSING)
        return default if value is _MISSING else value


class LocMemCache(DjangoLocMemCache):
    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        value = super().get(key, _MISSING, version=version)
        cache_read_record(hit=value is not _MISSING)
        return default if value is _MISSING else value
