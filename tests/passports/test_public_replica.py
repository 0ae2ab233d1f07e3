"""Public look-ups read a replica when one is configured (`DATABASE_REPLICA_URL`): the page, its JSON, the
QR images and the identifier look-up, which are most of the traffic at scale. Everything else keeps
reading the primary, and a passport just published is read from the primary until the replica has had
time to catch up, so that no older copy lands in the cache. (Tests define "replica" as a mirror of the
default database: the queries show which connection ran them.)"""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from passports import services
from tests.factories import BEFORE_OBLIGATIONS

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

LOCAL_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "replica-tests"},
    "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "replica-rl"},
}


@pytest.fixture
def published(admin_a, passport):
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    return passport


def passport_queries(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if "passports_" in query["sql"]]


@override_settings(PUBLIC_READ_DATABASE="replica")
def test_every_public_look_up_reads_the_replica(published):
    client = Client()
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        assert client.get(f"/p/{published.public_id}/", HTTP_ACCEPT="application/json").status_code == 200
        page = client.get(f"/p/{published.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200 and b"urn:epc:A-0001" in page.content
        assert client.get(f"/p/{published.public_id}/qr.svg").status_code == 200
        assert client.get("/p/lookup/", {"id": "urn:epc:A-0001"}).status_code == 302

    assert passport_queries(replica), "the public look-ups read nothing from the replica"
    assert passport_queries(primary) == []


@override_settings(PUBLIC_READ_DATABASE="replica")
def test_the_owners_own_pages_read_the_primary(admin_a, published):
    client = Client()
    client.force_login(admin_a)
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client.get(f"/api/v1/passports/{published.public_id}/").status_code == 200
        assert client.get(f"/passports/{published.public_id}/").status_code == 200
    assert replica.captured_queries == []


@override_settings(PUBLIC_READ_DATABASE="replica", PUBLIC_PASSPORT_CACHE_SECONDS=60, CACHES=LOCAL_CACHE)
def test_a_passport_just_published_is_read_from_the_primary_and_then_from_the_replica(admin_a, published):
    client = Client()
    json_page = f"/p/{published.public_id}/"
    services.passport_update(actor=admin_a, passport=published, values={"manufacturing_place": "Kyoto"})
    services.passport_publish(actor=admin_a, passport=published, on=BEFORE_OBLIGATIONS)

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        answer = client.get(json_page, HTTP_ACCEPT="application/json")
    assert answer.json()["version"] == 2
    assert passport_queries(primary) and not passport_queries(replica)

    from django.core.cache import cache

    cache.clear()  # the grace period over (and the copy gone): the replica again
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client.get(json_page, HTTP_ACCEPT="application/json").json()["version"] == 2
    assert passport_queries(replica)


def test_without_a_replica_the_public_look_ups_read_the_primary(published):
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert Client().get(f"/p/{published.public_id}/", HTTP_ACCEPT="application/json").status_code == 200
    assert replica.captured_queries == []
