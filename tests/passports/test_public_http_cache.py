"""The public passport behind an HTTP cache: an ETag of what the page shows, revalidated on every request,
so a cache serves its copy (304, nothing rendered) until a publication, closing or a new link changes it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from passports import services
from tests.factories import BEFORE_OBLIGATIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(admin_a, passport):
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    return passport


def _url(passport) -> str:
    return f"/p/{passport.public_id}/"


def test_the_page_revalidates_against_an_etag_and_answers_304(published):
    client = Client()
    first = client.get(_url(published), HTTP_ACCEPT_LANGUAGE="en")
    assert first.status_code == 200
    etag = first["ETag"]
    assert (
        etag.startswith('"') and "no-cache" in first["Cache-Control"] and "public" in first["Cache-Control"]
    )
    again = client.get(_url(published), HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and "Accept-Language" in again["Vary"]


def test_a_304_renders_nothing(published):
    client = Client()
    etag = client.get(_url(published), HTTP_ACCEPT_LANGUAGE="en")["ETag"]
    with CaptureQueriesContext(connection) as queries:
        assert (
            client.get(_url(published), HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=etag).status_code == 304
        )
    assert len(queries) <= 6, [q["sql"] for q in queries]


def test_a_publication_and_the_language_change_the_etag(admin_a, published):
    client = Client()
    etag = client.get(_url(published), HTTP_ACCEPT_LANGUAGE="en")["ETag"]
    assert client.get(_url(published), HTTP_ACCEPT_LANGUAGE="ja")["ETag"] != etag
    services.passport_update(actor=admin_a, passport=published, values={"manufacturing_place": "Kyoto"})
    assert client.get(_url(published), HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=etag).status_code == 304
    services.passport_publish(actor=admin_a, passport=published, on=BEFORE_OBLIGATIONS)
    fresh = client.get(_url(published), HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag and b"Kyoto" in fresh.content


def test_the_json_document_has_an_etag_that_follows_publication(admin_a, published):
    client = Client()
    first = client.get(_url(published), HTTP_ACCEPT="application/json")
    etag = first["ETag"]
    assert (
        client.get(_url(published), HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag).status_code
        == 304
    )
    services.passport_update(actor=admin_a, passport=published, values={"manufacturing_place": "Kyoto"})
    services.passport_publish(actor=admin_a, passport=published, on=BEFORE_OBLIGATIONS)
    fresh = client.get(_url(published), HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag
