"""The oversight and end-of-life pages fit a phone (390 px) in headless Debian Chromium: wide tables
scroll inside their own box, charts shrink to the screen, every control is labelled, one heading each."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.browser.conftest import browser  # noqa: F401  (the fixture, shared with the browser tests)
from tests.browser.phone import PHONE, assert_fits_phone, phone_page

from .test_oversight import YEAR, _black_mass, _build, _recycler, _three_makers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_oversight_and_end_of_life_pages_fit_a_phone(browser, live_server, inspector):  # noqa: F811
    _three_makers()
    _recycler_org, recycler_user = _recycler()
    transfer = _black_mass(recycler_user, shipped_on=timezone.localdate() - datetime.timedelta(days=1))
    _build()
    inspector.user_permissions.add(Permission.objects.get(codename="enforce"))
    pages = {
        inspector: [
            f"/oversight/?year={YEAR}",
            f"/oversight/materials/lithium/?year={YEAR}",
            "/oversight/materials/lithium/concentration/",
            f"/oversight/materials/lithium/flows/?year={YEAR}",
            f"/oversight/end-of-life/?year={YEAR}",
            "/oversight/alerts/",
            "/oversight/enforcement/",
            "/oversight/methodology/",
        ],
        recycler_user: [
            "/end-of-life/transfers/",
            "/end-of-life/transfers/new/",
            f"/end-of-life/transfers/{transfer.public_id}/",
            "/end-of-life/recovered/",
        ],
    }
    for user, urls in pages.items():
        with phone_page(browser, live_server, user) as page:
            for url in urls:
                assert_fits_phone(page, url)
                if url.startswith("/oversight/materials/lithium/?"):
                    chart = page.locator("figure.oversight-chart img").first
                    box = chart.bounding_box()
                    assert box is not None and box["width"] <= PHONE["width"]
