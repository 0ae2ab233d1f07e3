"""Django's Redis cache, reusing one client per connection pool, and failing soft when Redis does.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` on every cache call, and each one fills a
table of about 170 response callbacks: on a cache hit that costs more than the round trip to Redis
(benchmarks/README.md, public passport JSON). A `redis.Redis` is safe to share between threads (its pool
hands out connections), so one per pool is kept.

Everything kept in this cache can be recomputed (public passport JSON, rate-limit counters, throttle
histories), so a Redis that is down or hangs must not turn a page into a 500: every operation that fails
on the connection is logged and answered as a miss (reads), a no-op (writes) or "not counted" (incr), and
the short socket timeouts in settings bound a hanging Redis. Rate limits therefore fail open while Redis
is away: the look-ups they protect are public or also limited elsewhere (logins by django-axes in the
database), and refusing every visitor would be the worse answer. A delete that failed could leave a
stale entry behind once Redis answers again, so the first successful call after a failed write clears the
cache.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import RedisError


class ReusedRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


logger = logging.getLogger("portal.cache")

#: Failures of the connection, not of the caller: the cases in which the cache answers as if empty.
UNAVAILABLE = (RedisError, OSError)

#: What each operation answers while Redis is unavailable (None: the caller's default for `get`).
_MISSING: dict[str, Any] = {
    "get": None,
    "get_many": {},
    "has_key": False,
    "add": False,
    "set": None,
    "set_many": [],
    "touch": False,
    "delete": False,
    "delete_many": None,
    "clear": None,
}
_WRITES = frozenset({"set", "set_many", "delete", "delete_many", "add", "touch", "incr"})


class FailSoftRedisCacheClient(ReusedRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._missed_write = threading.Event()

    #: The keys this cache owns (set by `RedisCache`): `clear` deletes those and nothing else, since the
    #: same Redis database may also hold Celery's queues, which a FLUSHDB would wipe.
    clear_pattern = "*"

    def _clear_own_keys(self) -> None:
        client = self.get_client(write=True)
        batch: list[Any] = []
        for key in client.scan_iter(match=self.clear_pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)

    def _guarded(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        try:
            if self._missed_write.is_set():
                self._clear_own_keys()
                self._missed_write.clear()
                logger.warning("Redis answers again: cleared the cache, which missed writes while away")
            if operation == "clear":
                return self._clear_own_keys()
            return getattr(super(), operation)(*args, **kwargs)
        except UNAVAILABLE as exc:
            if operation in _WRITES:
                self._missed_write.set()
            logger.warning("Cache %s failed, answered without the cache: %s", operation, exc)
            if operation == "get":
                return args[1] if len(args) > 1 else kwargs.get("default")
            if operation == "incr":
                raise ValueError("cache unavailable") from None
            return _MISSING[operation]

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("get", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("has_key", *args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("add", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("set", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("set_many", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("delete", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("delete_many", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("incr", *args, **kwargs)

    def clear(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("clear", *args, **kwargs)


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient

    @cached_property
    def _cache(self) -> FailSoftRedisCacheClient:
        client = self._class(self._servers, **self._options)
        # Django's keys are "<prefix>:<version>:<key>": with the prefix set, clear() stays within them.
        client.clear_pattern = f"{self.key_prefix}:*" if self.key_prefix else "*"
        return client
