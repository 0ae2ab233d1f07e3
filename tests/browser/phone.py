"""What the phone-width page tests share: a browser context of a logged-in user at 390 px, and the checks
every page must pass there (no sideways scrolling, labelled controls, one heading)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.test import Client

from .test_accessibility import UNLABELLED_CONTROLS

PHONE = {"width": 390, "height": 844}


@contextmanager
def phone_page(browser, live_server, user) -> Iterator:
    """A page in a fresh phone-sized context, logged in as `user`."""
    client = Client()
    client.force_login(user)
    cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=PHONE)
    try:
        context.add_cookies([cookie])
        yield context.new_page()
    finally:
        context.close()


def assert_fits_phone(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (url, width)
    assert page.evaluate(UNLABELLED_CONTROLS) == [], url
    assert page.locator("h1").count() == 1, url
