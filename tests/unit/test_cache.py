"""portal.cache.RedisCache: Django's Redis cache against a real Redis, with one client per pool."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from portal.cache import RedisCache


def test_redis_cache_works_and_reuses_its_client():
    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL must point at a Redis server (make test sets it)")
    cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"cache-test-{uuid.uuid4().hex}"})
    try:
        assert cache.get("document") is None
        cache.set("document", b'{"v": 1}', 30)
        assert cache.get("document") == b'{"v": 1}'
        cache.delete("document")
        assert cache.get("document") is None
        client = cache._cache.get_client()
        assert cache._cache.get_client() is client and cache._cache.get_client(write=True) is client
    finally:
        cache.delete("document")
        cache.close()


def test_clear_deletes_the_caches_own_keys_and_spares_celerys_queue():
    """Celery's queues may live in the same Redis database: clearing the cache (as it does after Redis
    comes back from an outage) must not FLUSHDB them away (issue 15)."""
    prefix = f"cache-test-{uuid.uuid4().hex}"
    cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": prefix})
    client = cache._cache.get_client(write=True)
    queue = f"celery-test-{uuid.uuid4().hex}"
    try:
        client.lpush(queue, b"a task")
        cache.set("document", b"x", 30)
        cache.clear()
        assert cache.get("document") is None
        assert client.llen(queue) == 1
    finally:
        client.delete(queue)
        cache.close()
