"""The page a battery's QR code opens fits the screen it is read on: a phone (390 px) and a desktop. Wide
tables (the carbon footprint by life-cycle stage, composition) scroll inside their own box; the page itself
never scrolls sideways (issue 16, item 1)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from passports import selectors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("screen", SCREENS)
def test_public_passport_fits_the_screen(browser, live_server, screen):
    call_command("load_demo", stdout=io.StringIO())
    passports = list(selectors.public_passports().values_list("public_id", flat=True))
    assert passports
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=SCREENS[screen])
    try:
        page = context.new_page()
        for public_id in passports:
            page.goto(f"/p/{public_id}/")
            assert page.locator("table").count() > 0  # the tables the check is about are on the page
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= SCREENS[screen]["width"], (public_id, width)
    finally:
        context.close()
