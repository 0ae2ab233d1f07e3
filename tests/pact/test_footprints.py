"""ListFootprints and GetFootprint: the v3.0 data model, pagination, each filter, and the access rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from exchange import services as exchange_services
from exchange.models import Answer
from pact.footprints import decimal_string
from pact.services import client_save
from tests.exchange.chain import details

from .checks import check_footprint
from .conftest import SECRET, get_token

pytestmark = pytest.mark.django_db


def test_list_emits_the_v3_data_model_with_only_the_suppliers_identity(world, api):
    response = api.get("/pact/3/footprints")
    assert response.status_code == 200 and "Link" not in response
    data = response.json()["data"]
    assert [pf["id"] for pf in data] == [str(world.answer.public_id)]
    pf = data[0]
    check_footprint(pf)
    cathode = world.chain.cathode
    assert pf["companyName"] == cathode.legal_name
    assert pf["companyIds"] == [f"urn:bpn:id:{cathode.bpnl}"]
    assert pf["productIds"][0] == f"urn:uuid:{world.chain.nmc.public_id}"
    assert pf["productIds"][1].endswith(":buyer-id:CAM-1")  # the cell maker's own part number
    assert pf["productClassifications"] == ["urn:pact:ec.europa.eu:cn-code:28369100"]
    assert pf["specVersion"] == "3.0.3" and pf["status"] == "Active" and "precedingPfIds" not in pf
    pcf = pf["pcf"]
    assert pcf["pcfExcludingBiogenicUptake"] == "7" and pcf["primaryDataShare"] == "94.286"
    assert pcf["referencePeriodStart"] == "2026-01-01T00:00:00Z"
    assert pcf["geographyCountry"] == "JP" and pcf["crossSectoralStandards"] == ["ISO14067"]
    assert pcf["dqi"] == {"technologicalDQR": "2", "geographicalDQR": "1.5", "temporalDQR": "1"}
    # Nothing about the cathode maker's own supplier, its bill of materials or its split.
    text = response.content.decode()
    for secret in (world.chain.refiner.legal_name, world.chain.refiner.bpnl, "RM-7", "LI-CARB", "0.4"):
        assert secret not in text


def test_decimal_strings_never_use_exponents():
    assert decimal_string(Decimal("7.000000")) == "7"
    assert decimal_string(Decimal("1E+2")) == "100"
    assert decimal_string(Decimal("-0.0500")) == "-0.05"
    assert decimal_string(Decimal("0E-6")) == "0"


def test_another_companys_footprint_is_not_found_like_a_missing_one(world, api):
    refiner_answer = Answer.objects.get(customer=world.chain.cathode)  # released to the cathode maker
    for pf_id in (refiner_answer.public_id, "00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        response = api.get(f"/pact/3/footprints/{pf_id}")
        assert response.status_code == 404
        assert response.json() == {"code": "NotFound", "message": "The specified footprint does not exist."}
    response = api.get(f"/pact/3/footprints/{world.answer.public_id}")
    assert response.status_code == 200 and response.json()["data"]["id"] == str(world.answer.public_id)
    check_footprint(response.json()["data"])


def test_a_correction_deprecates_the_old_footprint_and_names_it(world, api):
    chain = world.chain
    successor = exchange_services.correct_answer(
        actor=chain.cathode_user, answer=world.answer, details=details()
    )
    data = {pf["id"]: pf for pf in api.get("/pact/3/footprints").json()["data"]}
    old, new = data[str(world.answer.public_id)], data[str(successor.public_id)]
    assert old["status"] == "Deprecated" and new["status"] == "Active"
    assert new["precedingPfIds"] == [str(world.answer.public_id)] and "precedingPfIds" not in old
    # Deprecated footprints stay readable one by one.
    assert api.get(f"/pact/3/footprints/{world.answer.public_id}").json()["data"]["status"] == "Deprecated"
    assert [pf["id"] for pf in api.get("/pact/3/footprints", {"status": "active"}).json()["data"]] == [
        new["id"]
    ]
    assert [pf["id"] for pf in api.get("/pact/3/footprints", {"status": "Deprecated"}).json()["data"]] == [
        old["id"]
    ]


def test_pagination_link_is_absolute_keeps_filters_and_is_repeatable(world, api):
    exchange_services.correct_answer(
        actor=world.chain.cathode_user, answer=world.answer, details=details(geography_country="JP")
    )
    first = api.get("/pact/3/footprints", {"limit": "1", "geography": "JP"})
    assert len(first.json()["data"]) == 1
    link = first["Link"]
    assert link.startswith("<https://testserver/pact/3/footprints?") and link.endswith('>; rel="next"')
    url = link[1 : link.index(">")]
    assert "geography=JP" in url and "limit=1" in url
    second = api.get(url.removeprefix("https://testserver"))
    assert api.get(url.removeprefix("https://testserver")).json() == second.json()
    assert len(second.json()["data"]) == 1 and "Link" not in second
    assert second.json()["data"][0]["id"] != first.json()["data"][0]["id"]
    for bad in ("0", "-1", "x"):
        assert api.get("/pact/3/footprints", {"limit": bad}).status_code == 400


FILTER_CASES = [
    ({"productId": "PRODUCT"}, True),
    ({"productId": "urn:bogus:product:x"}, False),
    ({"companyId": "COMPANY"}, True),
    ({"companyId": ["urn:bogus:company:a", "COMPANY", "urn:bogus:company:b"]}, True),  # OR
    ({"companyId": ["urn:bogus:company:a", "urn:bogus:company:b"]}, False),
    ({"companyId": "urn:bogus:company:a", "productId": "PRODUCT"}, False),  # AND
    ({"geography": "jp"}, True),
    ({"geography": "XX"}, False),
    ({"classification": "urn:pact:ec.europa.eu:cn-code:28369100"}, True),
    ({"classification": "urn:bogus:classification:x"}, False),
    ({"classification": ""}, True),
    ({"status": "Active", "productId": "PRODUCT"}, True),
    ({"status": "BogusStatus"}, False),
    ({"validOn": "2027-01-01T00:00:00Z"}, True),  # valid from the reference period's end ...
    ({"validOn": "2029-12-31T00:00:00Z"}, True),
    ({"validOn": "2030-01-02T00:00:00Z"}, False),  # ... for three years
    ({"validOn": "1900-01-01T00:00:00Z"}, False),
    ({"validAfter": "2026-12-31T00:00:00Z"}, True),
    ({"validAfter": "2099-12-31T23:59:59Z"}, False),
    ({"validBefore": "2030-01-02T00:00:00Z"}, True),
    ({"validBefore": "1900-01-01T00:00:00Z"}, False),
]


def test_each_filter(world, api):
    """Positive and negative cases of every v3 criterion (one world for all: building it is the cost)."""
    pf = api.get("/pact/3/footprints").json()["data"][0]
    values = {"PRODUCT": pf["productIds"][1], "COMPANY": pf["companyIds"][0]}
    for params, found in FILTER_CASES:
        query = {
            k: [values.get(x, x) for x in v] if isinstance(v, list) else values.get(v, v)
            for k, v in params.items()
        }
        response = api.get("/pact/3/footprints", query)
        assert response.status_code == 200, params
        assert [p["id"] for p in response.json()["data"]] == ([pf["id"]] if found else []), params


def test_unreadable_dates_are_bad_requests(world, api):
    response = api.get("/pact/3/footprints", {"validOn": "yesterday"})
    assert response.status_code == 400 and response.json()["code"] == "BadRequest"
    assert api.get("/pact/3/footprints", {"productId": "urn:x:\x00"}).status_code == 400


def test_a_client_of_another_company_sees_none_of_it(world):
    client_save(
        actor=None,
        organization=world.chain.refiner,
        client_id="refiner-erp",
        secret=SECRET,
        callback_url="https://erp.example",
        name="ERP",
    )
    http = Client()
    token = get_token(http, "refiner-erp")
    response = http.get("/pact/3/footprints", HTTP_AUTHORIZATION=f"Bearer {token}", secure=True)
    assert response.json() == {"data": []}
