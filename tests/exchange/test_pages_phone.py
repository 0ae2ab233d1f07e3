"""The supply-chain pages fit a phone (390 px): wide tables scroll inside their own box, the page never
scrolls sideways, every form control is labelled and each page has one heading. Headless Debian Chromium
(the browser tests' fixture), one run over every page of an answered chain."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from exchange.models import Answer, Material
from exchange.reference_data import load_materials
from tests.browser.conftest import browser  # noqa: F401  (the fixture, shared with the browser tests)
from tests.browser.test_accessibility import UNLABELLED_CONTROLS

from .test_pages import SECRET_QUANTITY, _answered_chain, _release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _materials(transactional_db):
    """The material list is reference data loaded by a migration; a transactional test before this one
    flushed it, so load it again (idempotent)."""
    load_materials(Material)


def _session_cookie(user, url: str) -> dict:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": url,
    }


def test_supply_chain_pages_fit_a_phone(browser, live_server):  # noqa: F811
    chain, request = _answered_chain()
    answer: Answer = _release(chain, request)
    pages = {
        chain.cathode_user: [
            reverse("exchange:parts"),
            reverse("exchange:part", args=[chain.nmc.public_id]),
            reverse("exchange:part", args=[chain.cathode_li_carb.public_id]),
            reverse("exchange:part_edit", args=[chain.nmc.public_id]),
            reverse("exchange:material_form", args=[chain.nmc.public_id]),
            reverse("exchange:component_form", args=[chain.nmc.public_id]),
            reverse("exchange:requests"),
            reverse("exchange:request", args=[request.public_id]),
            reverse("exchange:answer", args=[answer.public_id]),
            reverse("exchange:answer_correct", args=[answer.public_id]),
            reverse("dashboard"),
        ],
        chain.cell_user: [
            reverse("exchange:request_create", args=[chain.cell_nmc.public_id]),
            reverse("exchange:answer", args=[answer.public_id]),
        ],
    }
    for user, urls in pages.items():
        context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=PHONE)
        try:
            context.add_cookies([_session_cookie(user, live_server.url)])
            page = context.new_page()
            for url in urls:
                response = page.goto(url)
                assert response is not None and response.status == 200, url
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], (url, width)
                assert page.evaluate(UNLABELLED_CONTROLS) == [], url
                assert page.locator("h1").count() == 1, url
            if user == chain.cathode_user:
                page.goto(reverse("exchange:part", args=[chain.nmc.public_id]))
                assert SECRET_QUANTITY in page.content()  # the owner's own quantities are on its page
        finally:
            context.close()
