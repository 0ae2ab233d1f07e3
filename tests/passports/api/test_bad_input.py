"""Bad input answers 400 naming the field, and nothing is stored."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from passports.models import BatteryModel, Passport, PassportVersion, SupplyChainEntry

from .conftest import OWNER_ADMIN, SC_AMOUNT, SUPPLY_ROW

pytestmark = pytest.mark.django_db


def _draft_data(world) -> dict:
    return copy.deepcopy(PassportVersion.objects.get(passport=world.passport, state="draft").data)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"manufacturing_date": "2026-02-30"}, "manufacturing_date"),  # impossible date
        ({"manufacturing_date": "7172-75-08"}, "manufacturing_date"),
        ({"put_into_service_date": "yesterday"}, "put_into_service_date"),
        ({"manufacturing_place": "Salz\x00gitter"}, "manufacturing_place"),  # NUL byte
        ({"manufacturing_country": "XX"}, "manufacturing_country"),
        ({"no_such_attribute": "x"}, "no_such_attribute"),  # unknown attribute key
        ({"passport_id": "urn:uuid:x"}, "passport_id"),  # system attribute
        ({"cathode_composition": "model-level"}, "cathode_composition"),  # not a passport attribute
        ({"unique_identifier": "urn:epc:changed"}, "unique_identifier"),
    ],
)
def test_passport_patch_refuses_bad_values(world, values, field):
    before = _draft_data(world)
    response = world.client(OWNER_ADMIN).patch(
        f"/api/v1/passports/{world.passport.public_id}/", {"values": values}, format="json"
    )
    assert response.status_code == 400
    # A field error, or (control characters, refused while the body is read) its place in the JSON.
    assert any(key == field or key.endswith(f".{field}") for key in response.json()), response.json()
    assert _draft_data(world) == before


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"cobalt_recycled_share": 101}, "cobalt_recycled_share"),  # share above 100 %
        ({"cobalt_recycled_share": "-1"}, "cobalt_recycled_share"),
        ({"weight": "-5"}, "weight"),  # negative mass
        ({"battery_category": "zeppelin"}, "battery_category"),  # unknown choice
        ({"model_name": "Pack\x00"}, "model_name"),  # NUL byte
        ({"model_name": None}, "model_name"),  # required
        ({"frobnication": 1}, "frobnication"),  # unknown attribute key
        ({"supply_chain": [SUPPLY_ROW]}, "supply_chain"),  # has its own endpoint
    ],
)
def test_battery_model_patch_refuses_bad_values(world, values, field):
    before = copy.deepcopy(BatteryModel.objects.get(pk=world.battery_model.pk).data)
    response = world.client(OWNER_ADMIN).patch(
        f"/api/v1/battery-models/{world.battery_model.public_id}/", {"values": values}, format="json"
    )
    assert response.status_code == 400
    # A field error, or (control characters, refused while the body is read) its place in the JSON.
    assert any(key == field or key.endswith(f".{field}") for key in response.json()), response.json()
    assert BatteryModel.objects.get(pk=world.battery_model.pk).data == before


def test_several_bad_values_are_reported_together_and_none_stored(world):
    response = world.client(OWNER_ADMIN).post(
        "/api/v1/battery-models/",
        {
            "values": {
                "model_name": "Bad",
                "manufacturer_part_id": "BAD-1",
                "battery_category": "ev",
                "weight": -1,
                "cobalt_recycled_share": 101,
                "lithium_recycled_share": "abc",
            }
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"weight", "cobalt_recycled_share", "lithium_recycled_share"} <= set(response.json())
    assert not BatteryModel.objects.filter(manufacturer_part_id="BAD-1").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"procurement_amount": "-1"}, "procurement_amount"),
        ({"recycled_share": "101"}, "recycled_share"),
        ({"material": "unobtainium"}, "material"),
        ({"procurement_period_start": "2026-02-30"}, "procurement_period_start"),
        ({"supplier_name": "Nul\x00Supplier"}, "supplier_name"),
    ],
)
def test_supply_chain_put_refuses_bad_rows(world, change, field):
    response = world.client(OWNER_ADMIN).put(
        f"/api/v1/battery-models/{world.battery_model.public_id}/supply-chain/",
        {"rows": [{**SUPPLY_ROW, **change}]},
        format="json",
    )
    assert response.status_code == 400
    assert any(field in key for key in response.json()), response.json()
    amounts = list(SupplyChainEntry.objects.values_list("procurement_amount", flat=True))
    assert amounts == [Decimal(SC_AMOUNT)]


@pytest.mark.parametrize(
    "body",
    [
        {"battery_model": "not-a-uuid", "values": {"unique_identifier": "urn:x"}},
        {"values": {"unique_identifier": "urn:x"}},
        {"battery_model": None},
    ],
)
def test_passport_create_needs_a_model(world, body):
    response = world.client(OWNER_ADMIN).post("/api/v1/passports/", body, format="json")
    assert response.status_code == 400
    assert "battery_model" in response.json()
    assert not Passport.objects.filter(unique_identifier="urn:x").exists()


def test_passport_create_needs_an_identifier_and_refuses_duplicates(world):
    client = world.client(OWNER_ADMIN)
    model_id = str(world.battery_model.public_id)
    missing = client.post("/api/v1/passports/", {"battery_model": model_id, "values": {}}, format="json")
    assert missing.status_code == 400 and "unique_identifier" in missing.json()
    duplicate = client.post(
        "/api/v1/passports/",
        {"battery_model": model_id, "values": {"unique_identifier": world.passport.unique_identifier}},
        format="json",
    )
    assert duplicate.status_code == 400 and "unique_identifier" in duplicate.json()
    assert Passport.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "path", "raw"),
    [
        ("patch", "passports/{p}/", b'{"values": {"manufacturing_place": '),
        ("post", "passports/", b"[1, 2"),
        ("put", "battery-models/{m}/supply-chain/", b'{"rows": [}'),
        ("post", "passports/{p}/status/", b"\xff\xfe"),
    ],
)
def test_malformed_json_is_a_400(world, method, path, raw):
    url = "/api/v1/" + path.format(p=world.passport.public_id, m=world.battery_model.public_id)
    response = getattr(world.client(OWNER_ADMIN), method)(url, raw, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"values": "manufacturing_place=x"}, "values"),
        ({"values": ["manufacturing_place"]}, "values"),
        ({}, "values"),
    ],
)
def test_values_must_be_an_object(world, body, field):
    response = world.client(OWNER_ADMIN).patch(
        f"/api/v1/passports/{world.passport.public_id}/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_status_and_query_parameters_with_nul_bytes_are_400(world):
    client = world.client(OWNER_ADMIN)
    status_url = f"/api/v1/passports/{world.passport.public_id}/status/"
    response = client.post(status_url, {"status": "re-used", "note": "a\x00b"}, format="json")
    assert response.status_code == 400 and "note" in response.json()
    for params in ({"search": "canary\x00"}, {"status": "\x00"}, {"battery_model": "\x00"}, {"state": "x"}):
        listed = client.get("/api/v1/passports/", params)
        assert listed.status_code == 400, params
        assert set(listed.json()) <= {"search", "status", "battery_model", "state"}
    assert client.get("/api/v1/battery-models/", {"search": "\x00"}).status_code == 400
    assert client.get("/api/v1/passports/", {"search": "x" * 500}).status_code == 400


def test_ordering_on_other_fields_is_ignored(world):
    client = world.client(OWNER_ADMIN)
    for ordering in (
        "battery_model__supply_chain__supplier_name",
        "versions__data",
        "-organization__legal_name",
    ):
        response = client.get("/api/v1/passports/", {"ordering": ordering})
        assert response.status_code == 200
        assert response.json()["count"] == 1


@pytest.mark.parametrize(
    "page", ["99999999999999999999", "9223372036854775807", "184467440737095517", "0", "x"]
)
def test_list_pages_out_of_range_answer_404_as_other_lists_do(world, page):
    """Past the database's 64-bit LIMIT/OFFSET a page has no rows: 404 with the paginator's message,
    never "bigint out of range"."""
    response = world.client(OWNER_ADMIN).get("/api/v1/passports/", {"page": page})
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Invalid page")
    assert world.client(OWNER_ADMIN).get("/api/v1/passports/", {"page": "1"}).status_code == 200
