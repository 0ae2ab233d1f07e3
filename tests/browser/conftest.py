"""Headless Debian Chromium driven by Playwright's sync API against pytest-django's live_server.

pytest-playwright is not used: the system Chromium cannot be selected by channel, so the browser is
launched here with an explicit executable path (/usr/bin/chromium); Playwright's own browser download
is never used.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from portal.tenancy.demo import DEMO_PASSWORD

# Playwright's sync API keeps an event loop in the main thread; Django refuses ORM calls there unless
# this is set (`make test` sets it too).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PASSBRIDGE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make system-deps` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server) -> Iterator[Callable[[], Page]]:
    """Open a page in a fresh browser context (own cookies: one per person in a journey)."""
    contexts: list[BrowserContext] = []

    def factory() -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form (by the fields' ids: it works in every language) and land on the
    dashboard."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation(url=re.compile(r"/dashboard/$")):
        page.locator("form:has(#id_password) [type=submit]").click()
