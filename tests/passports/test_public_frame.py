"""The public page's frame for anonymous visitors, rendered once per language (portal/anonymous_frame.py),
is what the template renders for each request: the same markup, the request's own path and a CSRF token
the language form accepts; logged-in visitors and visitors with messages get the template itself."""

from __future__ import annotations

import re

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from passports import services
from portal import anonymous_frame
from tests.factories import BEFORE_OBLIGATIONS

pytestmark = pytest.mark.django_db

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def published(admin_a, passport):
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    return passport


@pytest.fixture
def fresh_frames():
    anonymous_frame._frames.clear()
    yield
    anonymous_frame._frames.clear()


def _without_token(content: bytes) -> bytes:
    return TOKEN.sub(b'name="csrfmiddlewaretoken" value="-"', content)


def _page(url: str, language: str, *, framed: bool, monkeypatch) -> tuple[bytes, object]:
    monkeypatch.setattr(anonymous_frame, "shared_frame_applies", lambda request: framed)
    response = Client().get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content, response


@pytest.mark.parametrize("language", ["en", "de", "ja"])
def test_the_shared_frame_is_what_the_template_renders(
    admin_a, published, language, monkeypatch, fresh_frames
):
    other = services.passport_create(
        actor=admin_a, battery_model=published.battery_model, values={"unique_identifier": "urn:epc:OTHER"}
    )
    services.passport_publish(actor=admin_a, passport=other, on=BEFORE_OBLIGATIONS)
    # The second page reuses the frame the first one made; its path has characters to escape.
    urls = [f"/p/{published.public_id}/", f"/p/{other.public_id}/?from=<scan>&x=\"1\"&y='2'"]
    for url in urls:
        framed, framed_response = _page(url, language, framed=True, monkeypatch=monkeypatch)
        rendered, rendered_response = _page(url, language, framed=False, monkeypatch=monkeypatch)
        assert _without_token(framed) == _without_token(rendered), url
        assert framed_response["Vary"] == rendered_response["Vary"]
        assert ("csrftoken" in framed_response.cookies) == ("csrftoken" in rendered_response.cookies)
    assert len(anonymous_frame._frames) == 1
    # The path as the request gives it, escaped as the template escapes it.
    path = framed_response.wsgi_request.get_full_path()
    assert "<" not in path and "'" in path  # the client encodes some characters and leaves some to escape
    assert f'name="next" type="hidden" value="{escape(path)}"'.encode() in framed


def test_the_framed_language_form_is_accepted(published, fresh_frames):
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/p/{published.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert anonymous_frame._frames, "the anonymous page took the shared frame"
    (token,) = TOKEN.findall(page.content)
    answer = client.post(
        "/i18n/setlang/",
        {"language": "de", "next": f"/p/{published.public_id}/", "csrfmiddlewaretoken": token.decode()},
    )
    assert answer.status_code == 302 and answer["Location"] == f"/p/{published.public_id}/"


def test_a_logged_in_visitor_sees_their_own_menu(admin_a, published, fresh_frames):
    anonymous = Client().get(f"/p/{published.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
    client = Client()
    client.force_login(admin_a)
    own = client.get(f"/p/{published.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert b"Log out" in own.content and b"Log out" not in anonymous.content
    assert list(anonymous_frame._frames) == [("passports/public_detail.html", "en")]


def test_a_visitor_with_messages_gets_them(published, fresh_frames):
    request = RequestFactory().get(f"/p/{published.public_id}/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.user = AnonymousUser()
    messages.info(request, "A message for this visitor only")
    with translation.override("en"):
        response = anonymous_frame.render_in_frame(
            request, "passports/public_detail.html", mark_safe("<p>body</p>")
        )
    assert b"A message for this visitor only" in response.content and b"<p>body</p>" in response.content
    assert not anonymous_frame._frames


def test_a_frame_is_rendered_again_when_settings_change(published, fresh_frames, settings):
    Client().get(f"/p/{published.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert anonymous_frame._frames
    settings.STATIC_URL = "/assets/"
    assert not anonymous_frame._frames
    page = Client().get(f"/p/{published.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'href="/assets/css/portal.css"' in page.content
