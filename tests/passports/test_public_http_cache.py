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


# ---- the page's body, rendered once per ETag -------------------------------------------------------------
def _article(content: bytes) -> bytes:
    """The passport itself, without the visitor's frame (menu, language form and its CSRF token)."""
    return b"<article" + content.split(b"<article", 1)[1].split(b"</article>", 1)[0]


def _rendered_bodies(monkeypatch) -> list[str]:
    """Names of the templates rendered for a page body from now on."""
    from passports import public_views

    rendered: list[str] = []
    real = public_views.render_to_string

    def counting(name, *args, **kwargs):
        rendered.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(public_views, "render_to_string", counting)
    return rendered


def test_the_body_is_rendered_once_per_etag_and_served_from_the_cache(monkeypatch, published):
    rendered = _rendered_bodies(monkeypatch)
    first = Client().get(_url(published), HTTP_ACCEPT_LANGUAGE="en")
    second = Client().get(_url(published), HTTP_ACCEPT_LANGUAGE="en")
    assert rendered == ["passports/public_detail_body.html"]
    assert first.status_code == second.status_code == 200 and first["ETag"] == second["ETag"]
    assert _article(first.content) == _article(second.content)
    Client().get(_url(published), HTTP_ACCEPT_LANGUAGE="ja")
    assert len(rendered) == 2  # another language, another ETag, another body


def test_a_publication_shows_at_once_despite_the_cached_body(monkeypatch, admin_a, published):
    rendered = _rendered_bodies(monkeypatch)
    assert b"Kyoto" not in Client().get(_url(published), HTTP_ACCEPT_LANGUAGE="en").content
    services.passport_update(actor=admin_a, passport=published, values={"manufacturing_place": "Kyoto"})
    services.passport_publish(actor=admin_a, passport=published, on=BEFORE_OBLIGATIONS)
    assert b"Kyoto" in Client().get(_url(published), HTTP_ACCEPT_LANGUAGE="en").content
    services.passport_change_status(actor=admin_a, passport=published, status="waste", recycled=True)
    closed = Client().get(_url(published), HTTP_ACCEPT_LANGUAGE="en")
    assert b"no longer changes" in closed.content and len(rendered) == 3


def test_the_cached_body_carries_nothing_of_the_visitor_who_filled_it(admin_a, published):
    """The first visitor is logged in; the anonymous visitor after them gets the same passport, with
    their own frame: no name, no logout form, no CSRF token of the first."""
    owner = Client()
    owner.force_login(admin_a)
    seen = owner.get(_url(published), HTTP_ACCEPT_LANGUAGE="en")
    token = str(seen.context["csrf_token"]).encode()
    name = (admin_a.get_full_name() or admin_a.username).encode()
    assert name in seen.content and token in seen.content
    anonymous = Client().get(_url(published), HTTP_ACCEPT_LANGUAGE="en").content
    assert name not in anonymous and token not in anonymous
    assert b"Log out" not in anonymous
    assert _article(seen.content) == _article(anonymous)


def test_without_a_cache_the_body_is_rendered_every_time(monkeypatch, settings, published):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    rendered = _rendered_bodies(monkeypatch)
    pages = [_article(Client().get(_url(published), HTTP_ACCEPT_LANGUAGE="en").content) for _ in range(2)]
    assert len(rendered) == 2 and pages[0] == pages[1]
