"""The supply-chain pages fit a phone (390 px): wide tables scroll inside their own box, the page never
scrolls sideways, every form control is labelled and each page has one heading. Headless Debian Chromium
(the browser tests' fixture), one run over every page of an answered chain."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exchange.models import Answer, Material
from exchange.reference_data import load_materials
from tests.browser.conftest import browser  # noqa: F401  (the fixture, shared with the browser tests)
from tests.browser.phone import assert_fits_phone, phone_page

from .test_pages import SECRET_QUANTITY, _answered_chain, _release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _materials(transactional_db):
    """The material list is reference data loaded by a migration; a transactional test before this one
    flushed it, so load it again (idempotent)."""
    load_materials(Material)


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
        with phone_page(browser, live_server, user) as page:
            for url in urls:
                assert_fits_phone(page, url)
            if user == chain.cathode_user:
                page.goto(reverse("exchange:part", args=[chain.nmc.public_id]))
                assert SECRET_QUANTITY in page.content()  # the owner's own quantities are on its page
