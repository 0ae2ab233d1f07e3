"""Passport list: search, filters, pagination, and a query count that does not grow with the rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passports import services
from tests.factories import BEFORE_OBLIGATIONS

pytestmark = pytest.mark.django_db


def _passports(admin, model, count: int, start: int = 0) -> list:
    return [
        services.passport_create(
            actor=admin, battery_model=model, values={"unique_identifier": f"urn:epc:L-{n:04d}"}
        )
        for n in range(start, start + count)
    ]


@pytest.fixture
def lfp_model(admin_a, company_a):
    return services.battery_model_create(
        actor=admin_a,
        organization=company_a,
        values={"model_name": "Bike Pack", "manufacturer_part_id": "LMT-1", "battery_category": "lmt"},
    )


def ids(response) -> set[str]:
    return {row["unique_identifier"] for row in response.context["rows"]}


def test_search_filters_and_pagination(login, admin_a, battery_model, lfp_model):
    _passports(admin_a, battery_model, 28)
    bikes = _passports(admin_a, lfp_model, 2, start=100)
    services.passport_publish(actor=admin_a, passport=bikes[0], on=BEFORE_OBLIGATIONS)
    services.passport_change_status(actor=admin_a, passport=bikes[1], status="waste")
    browser = login(admin_a)

    first = browser.get("/passports/")
    assert len(first.context["rows"]) == 25 and first.context["page"].paginator.count == 30
    assert len(browser.get("/passports/", {"page": 2}).context["rows"]) == 5
    assert ids(browser.get("/passports/", {"q": "L-0007"})) == {"urn:epc:L-0007"}
    assert len(browser.get("/passports/", {"q": "bike"}).context["rows"]) == 2  # model name
    assert ids(browser.get("/passports/", {"category": "lmt"})) == {"urn:epc:L-0100", "urn:epc:L-0101"}
    assert ids(browser.get("/passports/", {"status": "waste"})) == {"urn:epc:L-0101"}
    assert ids(browser.get("/passports/", {"state": "published"})) == {"urn:epc:L-0100"}
    bike_rows = browser.get("/passports/", {"category": "lmt"}).context["rows"]
    assert {row["unique_identifier"]: row["has_published"] for row in bike_rows} == {
        "urn:epc:L-0100": True,
        "urn:epc:L-0101": False,
    }
    assert len(browser.get("/passports/", {"state": "draft"}).context["rows"]) == 25
    assert ids(browser.get("/passports/", {"model": str(lfp_model.public_id)})) == {
        "urn:epc:L-0100",
        "urn:epc:L-0101",
    }
    # Before 2027 nothing is mandatory on the day of publication, but the panel checks against 2027.
    assert browser.get("/passports/", {"state": "complete"}).context["page"].paginator.count == 0
    assert browser.get("/passports/", {"state": "incomplete"}).context["page"].paginator.count == 30
    # Unknown filter values are ignored, never an error.
    assert (
        browser.get("/passports/", {"category": "x", "status": "y", "model": "z", "page": "q"}).status_code
        == 200
    )
    paged = browser.get("/passports/", {"category": "ev", "page": 2}).content.decode()
    assert "category=ev&amp;page=1" in paged


def _count_queries(browser) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = browser.get("/passports/")
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_rows(login, admin_a, battery_model):
    browser = login(admin_a)
    _passports(admin_a, battery_model, 5)
    browser.get("/passports/")  # first request: session and the organization's grant group are set up
    few = _count_queries(browser)
    _passports(admin_a, battery_model, 25, start=5)
    many = _count_queries(browser)
    assert few == many
    assert many <= 15


def test_models_list(login, admin_a, battery_model, lfp_model):
    _passports(admin_a, battery_model, 3)
    response = login(admin_a).get("/passports/models/")
    rows = {row["name"]: row for row in response.context["rows"]}
    assert rows["Pack 75"]["passport_count"] == 3 and rows["Bike Pack"]["passport_count"] == 0


def test_manufacturer_and_country_filters(login, admin_a, company_a, battery_model):
    """The page narrows the list to one manufacturer (its BPNL, typed any way) and to a country (every
    country is a choice); a BPNL that cannot be read is said so on its field and narrows nothing."""
    _passports(admin_a, battery_model, 3)
    browser = login(admin_a)
    spaced = f"{company_a.bpnl[:4].lower()} {company_a.bpnl[4:]}"
    assert len(ids(browser.get("/passports/", {"manufacturer": spaced}))) == 3
    assert ids(browser.get("/passports/", {"manufacturer": "BPNL000000000001"})) == set()  # valid, unknown
    assert len(ids(browser.get("/passports/", {"country": company_a.country.code}))) == 3
    assert ids(browser.get("/passports/", {"country": "JP"})) == set()
    page = browser.get("/passports/", {"country": company_a.country.code})
    assert (company_a.country.code, company_a.country.name) in page.context["countries"]
    assert len(page.context["countries"]) > 200  # every country, not only those of registered companies
    assert f'<option value="{company_a.country.code}" selected>' in page.content.decode()
    wrong = browser.get("/passports/", {"manufacturer": "BPNL-nonsense"})
    assert wrong.status_code == 200 and len(ids(wrong)) == 3
    html = wrong.content.decode()
    assert 'id="filter-manufacturer-error"' in html and 'aria-invalid="true"' in html
    assert 'value="BPNL-nonsense"' in html
    assert browser.get("/passports/", {"country": "Atlantis"}).status_code == 200  # not a choice: ignored
