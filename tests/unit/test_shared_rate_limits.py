"""Rate limits are counted once for every web worker: without Redis the `ratelimit` cache is the database,
never per-process memory (issue 15: 41 of 80 look-ups passed a limit of 30 with two workers)."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory

from certification import verify_limit

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_rate_limits"}


def test_without_redis_the_limit_is_counted_in_the_database(settings):
    # Changing CACHES resets Django's cache connections (its setting_changed receiver).
    settings.CACHES = {**settings.CACHES, "ratelimit": DATABASE_CACHE}
    assert "DatabaseCache" in type(caches["ratelimit"]).__name__
    settings.CERTIFICATE_VERIFY_RATE_PER_MINUTE = 3
    call_command("createcachetable", "portal_rate_limits")
    try:
        request = RequestFactory().get("/verify/", REMOTE_ADDR="192.0.2.10")
        assert [verify_limit.verification_allowed(request) for _ in range(4)] == [True, True, True, False]
        # The count is a row in the database: every worker process reads and increments the same one.
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM portal_rate_limits")
            assert cursor.fetchone()[0] == 1
        other_client = RequestFactory().get("/verify/", REMOTE_ADDR="192.0.2.11")
        assert verify_limit.verification_allowed(other_client)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS portal_rate_limits")


def test_the_deployment_settings_never_count_rate_limits_per_process():
    from portal import settings as portal_settings

    backend = portal_settings.CACHES["ratelimit"]["BACKEND"]
    assert "locmem" not in backend or portal_settings.PASSBRIDGE_ENV == "test"
