"""The list costs a constant number of SQL queries whatever the page size; the schema documents the API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passports import services
from tests.factories import BEFORE_OBLIGATIONS

from .conftest import AUTHORITY, OWNER_VIEWER, PARTNER, make_passport

pytestmark = pytest.mark.django_db


def _add_passports(world, start: int, stop: int) -> None:
    admin = world.users["owner_admin"]
    for n in range(start, stop):
        passport = make_passport(admin, world.battery_model, f"urn:epc:bulk-{n:03d}")
        if n % 2 == 0:  # a mix of published passports and drafts
            services.passport_publish(actor=admin, passport=passport, on=BEFORE_OBLIGATIONS)
        if n % 4 == 0:  # and published passports with a new draft
            services.passport_update(actor=admin, passport=passport, values={"manufacturing_place": "X"})


@pytest.mark.parametrize("audience", [OWNER_VIEWER, PARTNER, AUTHORITY])
def test_list_uses_a_constant_number_of_queries(world, audience, django_assert_num_queries):
    client = world.client(audience)
    url = "/api/v1/passports/?page_size=50&ordering=unique_identifier"
    _add_passports(world, 0, 5)
    client.get(url)  # warm caches that are not per request (content types, permissions)
    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    rows_small = response.json()["count"]

    _add_passports(world, 5, 40)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    rows_large = response.json()["count"]
    assert rows_large > rows_small >= 3
    assert len(response.json()["results"]) == rows_large


def test_battery_model_list_uses_a_constant_number_of_queries(world, django_assert_num_queries):
    client = world.client(OWNER_VIEWER)
    admin = world.users["owner_admin"]
    owner = world.organizations["owner"]

    def add(start: int, stop: int) -> None:
        for n in range(start, stop):
            services.battery_model_create(
                actor=admin,
                organization=owner,
                values={
                    "model_name": f"M{n:02d}",
                    "manufacturer_part_id": f"M-{n}",
                    "battery_category": "ev",
                },
            )

    add(0, 4)
    client.get("/api/v1/battery-models/")
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/battery-models/")
    add(4, 40)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get("/api/v1/battery-models/").json()["count"] == 41


EXPECTED_PATHS = {
    "/api/v1/passports/": {"get", "post"},
    "/api/v1/passports/{public_id}/": {"get", "patch", "delete"},
    "/api/v1/passports/{public_id}/publish/": {"post"},
    "/api/v1/passports/{public_id}/status/": {"post"},
    "/api/v1/passports/{public_id}/dynamic-data/": {"post"},
    "/api/v1/passports/{public_id}/grants/": {"get", "post", "delete"},
    "/api/v1/passports/{public_id}/versions/": {"get"},
    "/api/v1/passports/{public_id}/versions/{number}/": {"get"},
    "/api/v1/passports/{public_id}/completeness/": {"get"},
    "/api/v1/battery-models/": {"get", "post"},
    "/api/v1/battery-models/{public_id}/": {"get", "patch", "delete"},
    "/api/v1/battery-models/{public_id}/archive/": {"post"},
    "/api/v1/battery-models/{public_id}/restore/": {"post"},
    "/api/v1/battery-models/{public_id}/supply-chain/": {"get", "put"},
    "/api/v1/battery-models/{public_id}/grants/": {"get", "post", "delete"},
}


def test_schema_documents_every_passport_endpoint(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path, methods in EXPECTED_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path
    components = schema["components"]["schemas"]
    passport = components["PassportOutput"]["properties"]
    assert {"id", "unique_identifier", "battery_model", "status", "version", "state", "values"} <= set(
        passport
    )
    assert "only the keys the caller may see" in passport["values"]["description"]
    assert "supply_chain" not in components["PassportOutput"].get("required", [])
    create = components["PassportCreateInputRequest"]["properties"]
    assert set(create) == {"battery_model", "values"}
    listing = schema["paths"]["/api/v1/passports/"]["get"]
    parameters = {p["name"] for p in listing["parameters"]}
    assert {"category", "status", "battery_model", "state", "search", "ordering", "page"} <= parameters
    row = components["PassportListRowOutput"]["properties"]
    assert set(row) == {
        "id",
        "unique_identifier",
        "battery_model",
        "category",
        "status",
        "latest_published_version",
        "latest_published_at",
        "draft_version",
        "is_own",
    }
