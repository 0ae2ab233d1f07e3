"""What the screen-width page tests share: a browser context of a logged-in user at a given size (390 px
phone by default) and language, and the checks every page must pass there (no sideways scrolling,
labelled controls, one heading)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.test import Client

from .test_accessibility import UNLABELLED_CONTROLS

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

#: How wide the page's content is: more than the viewport means the page scrolls sideways.
PAGE_WIDTH = "document.documentElement.scrollWidth"


def session_cookie(live_server, user) -> dict:
    """A session cookie of `user` for the live server (force_login: no login form, no rate limit)."""
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


@contextmanager
def user_page(
    browser, live_server, user, *, viewport: dict | None = None, language: str | None = None
) -> Iterator:
    """A page in a fresh context of `viewport` (the phone unless given), logged in as `user`; with
    `language`, the language cookie is set as the switcher sets it (it wins over the saved language)."""
    cookies = [session_cookie(live_server, user)]
    if language:
        cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url})
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=viewport or PHONE)
    try:
        context.add_cookies(cookies)
        yield context.new_page()
    finally:
        context.close()


@contextmanager
def phone_page(browser, live_server, user) -> Iterator:
    """A page in a fresh phone-sized context, logged in as `user`."""
    with user_page(browser, live_server, user, viewport=PHONE) as page:
        yield page


def assert_fits_phone(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    width = page.evaluate(PAGE_WIDTH)
    assert width <= PHONE["width"], (url, width)
    assert page.evaluate(UNLABELLED_CONTROLS) == [], url
    assert page.locator("h1").count() == 1, url
