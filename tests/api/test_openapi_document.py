"""The API's OpenAPI document: valid (openapi-spec-validator), and the Catena-X import and exports and the
credential issuer described by real schemas, not a bare object. The BatteryPass and BusinessPartnerCertificate
components are checked by validating the official example against them with jsonschema."""

from __future__ import annotations

import copy
import json

import pytest
from django.test import Client
from jsonschema import Draft4Validator
from openapi_spec_validator import validate

from passports import catenax

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(operator) -> dict:
    client = Client()
    client.force_login(operator)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def _schema(document: dict, path: str, method: str, status: str) -> dict:
    return document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]


def _validator(document: dict, component: str) -> Draft4Validator:
    # The component as a JSON Schema, resolved inside the OpenAPI document that carries it.
    root = {"$ref": f"#/components/schemas/{component}", "components": document["components"]}
    return Draft4Validator(root)


def test_the_document_is_valid_openapi(document):
    validate(document)


def test_catenax_endpoints_refer_to_the_official_schemas(document):
    battery_pass = {"$ref": "#/components/schemas/BatteryPass"}
    assert _schema(document, "/api/v1/passports/{public_id}/catenax/", "get", "200") == battery_pass
    request = document["paths"]["/api/v1/passports/import/catenax/"]["post"]["requestBody"]
    assert request["content"]["application/json"]["schema"]["oneOf"][0] == battery_pass
    certificate = _schema(document, "/api/v1/certificates/{number}/catenax/", "get", "200")
    assert certificate == {"$ref": "#/components/schemas/BusinessPartnerCertificate"}
    issuer = _schema(document, "/api/v1/credentials/issuer/", "get", "200")
    assert "verificationMethod" in issuer["properties"]


def test_the_battery_pass_component_is_the_official_schema(document):
    validator = _validator(document, "BatteryPass")
    example = catenax.example_document()
    assert list(validator.iter_errors(example)) == []
    broken = copy.deepcopy(example)
    broken["metadata"]["economicOperatorId"] = "not a BPNL"
    del broken["identification"]
    messages = [error.message for error in validator.iter_errors(broken)]
    assert any("identification" in message for message in messages)
    assert any("BPNL" in message for message in messages)


def test_the_business_partner_certificate_component_is_the_official_schema(document):
    from certification.catenax_certificate import SCHEMA_PATH

    validator = _validator(document, "BusinessPartnerCertificate")
    official = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert set(official["required"]) == set(
        document["components"]["schemas"]["BusinessPartnerCertificate"]["required"]
    )
    assert list(validator.iter_errors({})) != []


def test_every_operation_declares_its_error_answers(document):
    """Issue 15: the error statuses an operation can answer are declared, with the error bodies the
    exception handler writes (portal.openapi_errors); a view's own declaration is kept as it wrote it."""
    paths = document["paths"]
    schemas = document["components"]["schemas"]
    assert schemas["ErrorDetail"]["required"] == ["detail"]
    assert "additionalProperties" in schemas["FieldErrors"]
    for path, item in paths.items():
        for method, operation in item.items():
            responses = operation["responses"]
            if {} not in operation.get("security", [{}]):  # operations only for authenticated callers
                assert "401" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if "requestBody" in operation:
                assert {"400", "415"} <= set(responses), (method, path)
    approve = paths["/api/v1/applications/{public_id}/approve/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404", "409"} <= set(approve)
    assert approve["400"]["content"]["application/json"]["schema"]["anyOf"][0] == {
        "$ref": "#/components/schemas/FieldErrors"
    }
    assert "409" in paths["/api/v1/passports/{public_id}/"]["delete"]["responses"]
    assert "409" not in paths["/api/v1/passports/{public_id}/"]["patch"]["responses"]
    # The oversight answers 404 to everyone but authorities, never 403 (it has no permission classes).
    assert "403" not in paths["/api/v1/oversight/cubes/"]["get"]["responses"]
    assert "429" in paths["/api/v1/auth/token/"]["post"]["responses"]
    assert "401" not in paths["/api/v1/auth/token/"]["post"]["responses"]  # it authenticates nobody
    # The Catena-X import's own error format stays as the view declared it.
    catenax_400 = paths["/api/v1/passports/import/catenax/"]["post"]["responses"]["400"]
    assert "errors" in catenax_400["description"]
