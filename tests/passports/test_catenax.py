"""Catena-X BatteryPass 6.1.0: import (validation beyond the schema, all or nothing), export per audience,
round trip of the official example."""

from __future__ import annotations

import copy
import functools
import json
import random
import re
from datetime import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from passports import catenax, services
from passports.catalogue import FieldType, by_catenax_path
from passports.models import (
    BatteryModel,
    DynamicDataPoint,
    Passport,
    PassportVersion,
    StatusEvent,
    SupplyChainEntry,
    VersionState,
)
from portal import sql_rows
from portal.tenancy.models import Role
from tests.factories import BEFORE_OBLIGATIONS, OrganizationFactory, member

pytestmark = pytest.mark.django_db

IMPORT_URL = "/api/v1/passports/import/catenax/"
CANARY_SUPPLIER = "CANARY-SUPPLIER-Zeta Mining"
CANARY_AMOUNT = "987654.321"


def corrected_example(unique: str | None = None) -> dict:
    document = catenax.corrected_example_document()
    if unique:
        document["identification"]["idDmc"] = unique
    return document


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(client: APIClient, payload, *, confirm: bool = True):
    """The official example names its own economic operator: importing it means confirming the change."""
    url = IMPORT_URL + ("?confirm_economic_operator=true" if confirm else "")
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def schema_valid(document: dict) -> None:
    try:
        from jsonschema import Draft4Validator
    except ImportError:  # pragma: no cover - fastjsonschema is a dependency
        assert catenax.schema_errors(document) == []
        return
    errors = sorted(Draft4Validator(catenax.schema()).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert catenax.schema_errors(document) == []


def nothing_stored() -> bool:
    return not (
        Passport.objects.exists()
        or BatteryModel.objects.exists()
        or PassportVersion.objects.exists()
        or DynamicDataPoint.objects.exists()
    )


def leaves(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, f"{path}[{index}]")
    else:
        yield path, node


def normalized(document: dict) -> dict[str, object]:
    """Leaves compared as values: numbers as Decimals, times as instants, BPNs upper case, and the example's
    EC number that it labels "CAS" read as EC (the documented normalisations of the import)."""
    result = {}
    for path, value in leaves(document):
        if path.startswith("metadata.") or path == "specVersion":
            continue  # the platform owns the passport metadata
        generic = path.replace("[0]", "[]")
        attr = by_catenax_path().get(generic)
        if isinstance(value, bool):
            pass
        elif isinstance(value, int | float):
            value = Decimal(str(value)).normalize()
        elif path.endswith(".time"):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif attr is not None and attr.text_format is not None:
            value = value.upper()
        if generic.endswith("materialIdentification[].type") or generic.endswith("id[].type"):
            value = "EC" if value == "CAS" else value
        result[path] = value
    return result


@pytest.fixture
def admin_client(admin_a):
    return client_for(admin_a)


@pytest.fixture
def imported(admin_client):
    response = post(admin_client, corrected_example())
    assert response.status_code == 201, response.json()
    return Passport.objects.get(public_id=response.json()["passports"][0]["id"])


# ---- the official example -----------------------------------------------------------------------------


def test_official_example_as_shipped_is_refused_naming_the_impossible_date(admin_client):
    response = post(admin_client, catenax.example_document())

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["document"], e["path"]) for e in errors} == {(0, "operation.intoServiceDate")}
    assert "7172-75-08" in errors[0]["message"]
    assert nothing_stored()


def test_corrected_example_imports_as_a_draft_with_its_values(admin_client, company_a):
    response = post(admin_client, corrected_example())

    assert response.status_code == 201
    body = response.json()["passports"]
    assert len(body) == 1 and body[0]["document"] == 0
    assert any("EC number" in warning for warning in body[0]["warnings"])
    passport = Passport.objects.get(public_id=body[0]["id"])
    model = passport.battery_model
    assert passport.organization == company_a and model.organization == company_a
    assert passport.unique_identifier == "34567890"
    assert passport.status == "original"
    assert [v.state for v in passport.versions.all()] == [VersionState.DRAFT]
    assert (model.manufacturer_part_id, model.name) == ("123-0.740-3434-A", "Mirror left")
    assert model.category == "sli"
    data = model.data
    assert data["chemistry"] == "Nickel Cobalt Manganese (NCM)"
    assert data["manufacturer_bpnl"] == "BPNLLJMv5rieVicu"  # as the document spells it
    assert Decimal(data["weight"]) == 20 and data["weight_unit"] == "unit:gram"
    assert Decimal(data["voltage_nominal"]) == Decimal("3.7")
    assert Decimal(data["cobalt_recycled_share"]) == Decimal("12.5")
    assert Decimal(data["lead_concentration"]) == Decimal("5.3")
    assert data["warranty_period"] == 36 and data["warranty_period_unit"] == "unit:day"
    assert data["hazardous_substances"][0]["identifiers"] == [
        {"scheme": "EC", "identifier": "201-004-7", "name": "phenolphthalein"}
    ]
    assert data["carbon_footprint"][0]["manufacturing_plants"] == ["BPNA1234567890AA"]
    assert data["carbon_footprint"][0]["lifecycle_stage"] == "main product production"
    assert data["test_reports"] == [{"header": "Example Document XYZ", "content_type": "URL",
                                     "content": "https://dummy.link"}]  # fmt: skip
    assert data["spare_part_producers"] == ["BPNL0123456789ZZ"]
    assert data["intended_purposes"] == ["automotive"]
    battery = passport.versions.get().data
    assert battery["put_into_service_date"] == "2001-02-15"
    assert battery["manufacturing_date"] == "2000-01-31"
    assert battery["serial_identifiers"] == [{"key": "partInstanceId", "value": "SN12345678"}]
    assert battery["manufacturing_facilities"] == ["BPNA1234567890AA"]
    points = {p.key: p for p in DynamicDataPoint.objects.filter(passport=passport)}
    assert len(points) == 18
    assert Decimal(points["full_cycles"].value) == 1500
    assert Decimal(points["state_of_certified_energy"].value) == 50
    assert SupplyChainEntry.objects.count() == 0  # the 6.1.0 model has no supply chain


def test_corrected_example_publishes_exports_and_round_trips(admin_client, admin_a, imported):
    services.passport_publish(actor=admin_a, passport=imported, on=BEFORE_OBLIGATIONS)
    response = admin_client.get(f"/api/v1/passports/{imported.public_id}/catenax/")

    assert response.status_code == 200
    exported = response.json()
    schema_valid(exported)
    assert exported["metadata"]["passportIdentifier"] == f"urn:uuid:{imported.public_id}"
    assert exported["metadata"]["status"] == "approved"
    original = corrected_example()
    assert normalized(exported) == normalized(original)
    again = catenax.document_to_values(exported)
    first = catenax.document_to_values(original)
    assert again[0] == first[0] and again[1] == first[1] and again[2] == first[2]


def test_export_of_a_draft_is_schema_valid(admin_client, imported):
    response = admin_client.get(f"/api/v1/passports/{imported.public_id}/catenax/")
    assert response.status_code == 200
    schema_valid(response.json())
    assert response.json()["metadata"]["status"] == "draft"


def test_sparse_passport_exports_with_defaults_that_read_back_as_not_given(admin_a, admin_client, company_a):
    model = services.battery_model_create(
        actor=admin_a, organization=company_a,
        values={"model_name": "Sparse", "manufacturer_part_id": "SP-1", "battery_category": "ev",
                "manufacturer_bpnl": company_a.bpnl},
    )  # fmt: skip
    passport = services.passport_create(
        actor=admin_a, battery_model=model, values={"unique_identifier": "S-1"}
    )
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    document = admin_client.get(f"/api/v1/passports/{passport.public_id}/catenax/").json()
    schema_valid(document)
    assert document["metadata"]["predecessor"] == catenax.NIL_UUID
    assert document["performance"]["dynamic"]["fullCycles"]["time"] == catenax.PLACEHOLDER_TIME
    _model_values, battery_values, points, system, _warnings = catenax.document_to_values(document)
    assert points == []  # placeholders for "never measured" are not measurements
    assert "predecessor_passport_id" not in system
    assert battery_values["unique_identifier"] == "S-1"


def test_no_bpnl_is_ever_invented(admin_a, admin_client, company_a, admin_b, company_b):
    """The schema requires BPNLs; a placeholder would be read as one, so the export says what is missing."""
    model = services.battery_model_create(
        actor=admin_a, organization=company_a,
        values={"model_name": "No maker BPNL", "manufacturer_part_id": "NB-1", "battery_category": "ev"},
    )  # fmt: skip
    passport = services.passport_create(
        actor=admin_a, battery_model=model, values={"unique_identifier": "N-1"}
    )
    response = admin_client.get(f"/api/v1/passports/{passport.public_id}/catenax/")
    assert response.status_code == 409
    assert response.json()["code"] == "no_manufacturer_bpnl"
    assert catenax.PLACEHOLDER_BPNL not in response.content.decode()

    japanese = services.battery_model_create(
        actor=admin_b, organization=company_b,
        values={"model_name": "JP", "manufacturer_part_id": "JP-1", "battery_category": "ev"},
    )  # fmt: skip
    passport = services.passport_create(
        actor=admin_b, battery_model=japanese, values={"unique_identifier": "J-1"}
    )
    client = APIClient()
    client.force_login(admin_b)
    response = client.get(f"/api/v1/passports/{passport.public_id}/catenax/")
    assert response.status_code == 409
    assert response.json()["code"] == "no_bpnl"
    assert "BPNL" in response.json()["detail"]


# ---- all or nothing, bad input ------------------------------------------------------------------------


def test_a_list_imports_together(admin_client):
    response = post(admin_client, [corrected_example(f"ID-{n}") for n in range(3)])

    assert response.status_code == 201
    assert [p["document"] for p in response.json()["passports"]] == [0, 1, 2]
    assert Passport.objects.count() == 3
    assert BatteryModel.objects.count() == 1


def test_one_bad_document_in_a_list_stores_nothing(admin_client):
    bad = corrected_example("ID-2")
    bad["materials"]["composition"][0]["renewable"] = 120
    response = post(admin_client, [corrected_example("ID-0"), corrected_example("ID-1"), bad])

    assert response.status_code == 400
    assert {(e["document"], e["path"]) for e in response.json()["errors"]} == {
        (2, "materials.composition[0].renewable")
    }
    assert nothing_stored()


def test_duplicate_identifiers_refuse_the_whole_request(admin_client):
    assert post(admin_client, corrected_example("DUP")).status_code == 201
    response = post(admin_client, [corrected_example("NEW"), corrected_example("DUP")])

    assert response.status_code == 400
    assert response.json()["errors"][0]["document"] == 1
    assert response.json()["errors"][0]["path"] == "identification.idDmc"
    assert Passport.objects.count() == 1


def _set(document: dict, path: str, value) -> dict:
    node = document
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[keys[-1]] = value
    return document


BAD_VALUES = [  # (path with list indexes as ".0", value[, the path the error names when it differs])
    ("characteristics.physicalDimension.weight.value", "heavy"),
    ("identification.category", "spaceship"),
    ("identification.category", "incorporated"),
    ("materials.active.cobalt.recycled", 120),
    ("materials.active.other.0.recycled", -1),
    ("characteristics.physicalDimension.weight.value", -5),
    ("materials.hazardous.cadmium.concentration", -0.1),
    ("operation.manufacturer.manufacturer", "BPNL123"),
    ("operation.manufacturer.manufacturer", "BPNS0000000EP2AJ"),
    ("operation.manufacturer.manufacturingDate", "2023-02-30"),
    ("commercial.placedOnMarket", "2023-13-01"),
    ("performance.rated.capacity.thresholdExhaustion", 101),
    ("performance.dynamic.stateOfCharge.value", 150),
    ("performance.dynamic.fullCycles.time", "2023-12-07T10:39:13"),
    ("identification.chemistry", "NMC\u0000811"),
    ("sources.0.category", "Gossip"),
    ("identification.identification.serial.0.key", "secret"),
    ("materials.hazardous.other.0.materialIdentification.0.id", "7440-48-5",
     "materials.hazardous.other[0].materialIdentification[0]"),
    ("sustainability.carbonFootprint.0.declaration.0.content", "not a link",
     "sustainability.carbonFootprint[0].declaration[0]"),
    ("performance.rated.voltage.min", 9.0),
    ("materials.hazardous.lead.location", "Terminals"),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD_VALUES, ids=[f"{c[0]}={c[1]!r}" for c in BAD_VALUES])
def test_bad_documents_are_refused_with_their_path(admin_client, case):
    path, value = case[:2]
    expected_path = case[2] if len(case) > 2 else re.sub(r"\.(\d+)", r"[\1]", path)
    response = post(admin_client, _set(corrected_example(), path, value))

    assert response.status_code == 400, path
    errors = response.json()["errors"]
    assert expected_path in {e["path"] for e in errors}, errors
    assert all(e["document"] == 0 and e["message"] for e in errors)
    assert nothing_stored()


def test_missing_required_part_is_refused(admin_client):
    document = corrected_example()
    del document["identification"]["idDmc"]
    response = post(admin_client, document)
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"].startswith("identification")
    assert nothing_stored()


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2", b""])
def test_malformed_json_is_a_400(admin_client, body):
    response = admin_client.post(IMPORT_URL, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "$"
    assert nothing_stored()


@pytest.mark.parametrize("payload", [[], [{}] * (catenax.MAX_DOCUMENTS + 1), "a string", 42])
def test_empty_too_many_or_no_documents(admin_client, payload):
    response = post(admin_client, payload)
    assert response.status_code == 400
    assert response.json()["errors"]
    assert nothing_stored()


def test_request_size_is_bounded(admin_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    response = post(admin_client, corrected_example())
    assert response.status_code == 400
    assert "larger" in response.json()["errors"][0]["message"]
    assert nothing_stored()


# ---- who may import, which model --------------------------------------------------------------------


def test_viewers_and_anonymous_cannot_import(viewer_a):
    assert post(client_for(viewer_a), corrected_example()).status_code == 403
    assert post(APIClient(), corrected_example()).status_code in (401, 403)
    assert nothing_stored()


def test_editor_imports_into_an_existing_model_of_its_own_organization(company_a, admin_a):
    editor = member(Role.EDITOR, company_a, username="editor-cx")
    assert post(client_for(editor), corrected_example("E-1")).status_code == 201
    document = corrected_example("E-2")
    document["identification"]["chemistry"] = "NMC 622"
    assert post(client_for(editor), document).status_code == 201

    model = BatteryModel.objects.get()
    assert model.passports.count() == 2
    assert model.data["chemistry"] == "NMC 622"  # the newer document's model values update the model


def test_a_model_of_another_organization_is_never_touched(admin_client, admin_b, company_b):
    foreign = services.battery_model_create(
        actor=admin_b, organization=company_b,
        values={"model_name": "Theirs", "manufacturer_part_id": "123-0.740-3434-A", "battery_category": "ev"},
    )  # fmt: skip
    before = dict(foreign.data)

    assert post(admin_client, corrected_example()).status_code == 201

    foreign.refresh_from_db()
    assert foreign.data == before and foreign.passports.count() == 0
    assert BatteryModel.objects.count() == 2


# ---- export per audience ------------------------------------------------------------------------------


@pytest.fixture
def published(admin_a, imported):
    services.supply_chain_replace(
        actor=admin_a,
        battery_model=imported.battery_model,
        rows=[{"material": "cobalt", "country_of_origin": "CD", "supplier_name": CANARY_SUPPLIER,
               "procurement_amount": CANARY_AMOUNT, "procurement_unit": "t",
               "procurement_period_start": "2025-01-01", "procurement_period_end": "2025-12-31"}],
    )  # fmt: skip
    services.passport_publish(actor=admin_a, passport=imported, on=BEFORE_OBLIGATIONS)
    return imported


def export(user, passport):
    return client_for(user).get(f"/api/v1/passports/{passport.public_id}/catenax/")


def assert_no_supply_chain(response) -> None:
    text = response.content.decode()
    assert CANARY_SUPPLIER not in text and CANARY_AMOUNT not in text and "supply" not in text.lower()


def test_owner_gets_everything_but_never_the_supply_chain(admin_a, viewer_a, published):
    for user in (admin_a, viewer_a):
        response = export(user, published)
        assert response.status_code == 200
        document = response.json()
        schema_valid(document)
        assert document["conformity"]["resultOfTestReport"]  # authority-only: the owner sees it
        assert document["operation"]["intoServiceDate"] == "2001-02-15"
        assert_no_supply_chain(response)


def test_partner_gets_legitimate_interest_but_no_authority_values(admin_a, admin_b, company_b, published):
    assert export(admin_b, published).status_code == 404  # no grant yet
    services.grant_legitimate_interest(actor=admin_a, target=published.battery_model, organization=company_b)

    response = export(admin_b, published)

    assert response.status_code == 200
    document = response.json()
    schema_valid(document)
    assert document["conformity"]["resultOfTestReport"] == []
    rated = document["performance"]["rated"]
    assert rated.get("testReport", []) == [] and rated.get("performanceDocument", []) == []
    assert rated["lifetime"]["report"] == []
    assert document["operation"]["intoServiceDate"] == "2001-02-15"  # legitimate interest
    assert document["performance"]["dynamic"]["fullCycles"]["value"] == 1500
    assert document["safety"]["dismantling"]
    assert_no_supply_chain(response)


def test_authority_gets_authority_values(inspector, published):
    response = export(inspector, published)
    assert response.status_code == 200
    schema_valid(response.json())
    assert response.json()["conformity"]["resultOfTestReport"]
    assert_no_supply_chain(response)


def test_partner_without_a_published_version_and_strangers_get_404(admin_a, admin_b, company_b, imported):
    services.grant_legitimate_interest(actor=admin_a, target=imported, organization=company_b)
    assert export(admin_b, imported).status_code == 404  # only a draft exists
    stranger = member(Role.ADMIN, OrganizationFactory(legal_name="Stranger AG"), username="stranger")
    assert export(stranger, imported).status_code == 404
    assert APIClient().get(f"/api/v1/passports/{imported.public_id}/catenax/").status_code in (401, 403)
    unknown = "/api/v1/passports/00000000-0000-4000-8000-000000000000/catenax/"
    assert client_for(admin_a).get(unknown).status_code == 404


def test_values_to_document_only_writes_what_it_is_given():
    document = catenax.values_to_document(
        {"battery_category": "ev", "model_name": "X", "manufacturer_part_id": "X-1", "unique_identifier": "U"}
    )
    schema_valid(document)
    assert document["identification"]["category"] == "EV"
    assert document["conformity"]["resultOfTestReport"] == []
    values = catenax.document_to_values(copy.deepcopy(document))
    assert values[0]["battery_category"] == "ev" and values[1]["unique_identifier"] == "U"
    numeric = [a for a in by_catenax_path().values() if a.type is FieldType.PERCENT]
    assert numeric  # sanity: the catalogue maps percentages


# ---- metadata.predecessor -----------------------------------------------------------------------------


def with_predecessor(unique: str, predecessor_id, status: str = "repurposed") -> dict:
    document = corrected_example(unique)
    document["metadata"]["predecessor"] = f"urn:uuid:{predecessor_id}"
    document["sustainability"]["status"] = status
    return document


def test_predecessor_of_the_own_organization_is_linked_like_a_successor(admin_client, admin_a, imported):
    services.passport_publish(actor=admin_a, passport=imported, on=BEFORE_OBLIGATIONS)

    response = post(admin_client, with_predecessor("SECOND-LIFE-1", imported.public_id))

    assert response.status_code == 201, response.json()
    assert not any("predecessor" in w for w in response.json()["passports"][0]["warnings"])
    successor = Passport.objects.get(public_id=response.json()["passports"][0]["id"])
    assert successor.predecessor == imported
    assert successor.status == "repurposed"
    imported.refresh_from_db()
    # As with passport_change_status: the predecessor's own history records the repurposing.
    assert imported.status == "repurposed"
    assert list(imported.status_events.values_list("status", flat=True)) == ["repurposed"]
    exported = admin_client.get(f"/api/v1/passports/{successor.public_id}/catenax/").json()
    assert exported["metadata"]["predecessor"] == f"urn:uuid:{imported.public_id}"
    schema_valid(exported)


def test_upper_case_and_bare_predecessor_ids_are_linked(admin_client, imported):
    document = with_predecessor("SECOND-LIFE-2", imported.public_id, status="remanufactured")
    document["metadata"]["predecessor"] = str(imported.public_id).upper()

    response = post(admin_client, document)

    assert response.status_code == 201, response.json()
    assert Passport.objects.get(predecessor=imported).status == "remanufactured"


def _refused(response, document: int = 0) -> str:
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert {(e["document"], e["path"]) for e in errors} == {(document, "metadata.predecessor")}
    return errors[0]["message"]


def test_unknown_predecessor_is_refused_naming_the_path(admin_client, imported):
    response = post(admin_client, with_predecessor("ORPHAN", "5b0d3ed8-0a3b-4b79-9d2c-3f4c1e0c7a11"))

    assert "No passport of your organization" in _refused(response)
    assert Passport.objects.count() == 1 and not Passport.objects.filter(unique_identifier="ORPHAN").exists()


def test_another_organizations_passport_is_refused_like_an_unknown_one(
    admin_client, company_a, admin_b, company_b
):
    theirs = services.passport_create(
        actor=admin_b,
        battery_model=services.battery_model_create(
            actor=admin_b, organization=company_b,
            values={"model_name": "Theirs", "manufacturer_part_id": "B-75", "battery_category": "ev"},
        ),
        values={"unique_identifier": "B-0001"},
    )  # fmt: skip
    unknown = post(admin_client, with_predecessor("X-1", "5b0d3ed8-0a3b-4b79-9d2c-3f4c1e0c7a11"))
    foreign = post(admin_client, with_predecessor("X-1", theirs.public_id))

    assert _refused(foreign) == _refused(unknown)  # nothing tells that the other tenant's passport exists
    theirs.refresh_from_db()
    assert theirs.status == "original" and not Passport.objects.filter(predecessor=theirs).exists()
    assert not BatteryModel.objects.filter(organization=company_a).exists()  # nothing half-stored


def test_a_predecessor_with_a_successor_or_a_closed_one_is_refused(admin_client, admin_a, imported):
    services.passport_publish(actor=admin_a, passport=imported, on=BEFORE_OBLIGATIONS)
    services.passport_change_status(
        actor=admin_a, passport=imported, status="repurposed", new_unique_identifier="R-1"
    )
    assert "successor" in _refused(post(admin_client, with_predecessor("R-2", imported.public_id)))

    recycled = services.passport_create(
        actor=admin_a, battery_model=imported.battery_model, values={"unique_identifier": "W-1"}
    )
    services.passport_change_status(actor=admin_a, passport=recycled, status="waste", recycled=True)
    assert "closed" in _refused(post(admin_client, with_predecessor("W-2", recycled.public_id)))
    assert Passport.objects.count() == 3


def test_two_documents_cannot_succeed_the_same_passport(admin_client, imported):
    response = post(
        admin_client,
        [with_predecessor("TWIN-1", imported.public_id), with_predecessor("TWIN-2", imported.public_id)],
    )

    assert "successor" in _refused(response, document=1)
    assert Passport.objects.count() == 1
    imported.refresh_from_db()
    assert imported.status == "original" and not imported.status_events.exists()


def test_a_viewer_of_the_organization_cannot_link_by_import(viewer_a, imported):
    response = post(client_for(viewer_a), with_predecessor("V-1", imported.public_id))
    assert response.status_code == 403
    assert not Passport.objects.filter(predecessor=imported).exists()


# ---- the fast paths of the import (same verdicts, same rows) ------------------------------------------

SCHEMA_BREAKS = [  # (path with list indexes as ".0", value): invalid by the schema itself
    ("materials.active.cobalt.recycled", 120),
    ("materials.active.cobalt.recycled", "12"),
    ("materials.composition.0.renewable", 120),
    ("safety.dismantling.0.header", "x" * 101),
    ("conformity.declarationOfConformity", {}),
    ("characteristics.physicalDimension.weight.value", "heavy"),
    ("performance.dynamic.stateOfCharge.value", "full"),
    ("identification.category", "spaceship"),
    ("identification.identification.serial.0.key", "secret"),
    ("sources.0.category", "Gossip"),
    ("metadata.predecessor", "not-a-uuid"),
    # Inside parts that are checked property by property, and the objects themselves:
    ("performance.rated.voltage.nominal", "high"),
    ("performance.rated", None),
    ("performance", []),
    ("sustainability.carbonFootprint", "low"),
    ("identification.identification.type", {"nameAtManufacturer": 12}),
    ("identification.identification", {"serial": []}),
    ("commercial.purpose", "everything"),
    ("operation.manufacturer", "somebody"),
]  # fmt: skip


def _whole_schema_verdict(document) -> str | None:
    """The first problem fastjsonschema finds in the whole schema (None: valid)."""
    import fastjsonschema

    try:
        catenax._compiled_validator()(document)
    except fastjsonschema.JsonSchemaValueException as exc:
        return exc.name
    return None


@functools.cache
def _reference_validator():
    from jsonschema import Draft4Validator

    return Draft4Validator(catenax.schema())


@pytest.mark.parametrize(
    "case", SCHEMA_BREAKS + BAD_VALUES, ids=[f"{c[0]}={c[1]!r}"[:60] for c in SCHEMA_BREAKS + BAD_VALUES]
)
def test_the_deciding_validator_gives_the_schemas_verdict(case):
    """jsonschema-rs decides; python-jsonschema (the reference implementation) and fastjsonschema (which words
    the errors) agree with it, and the error is fastjsonschema's first problem."""
    document = _set(corrected_example(), *case[:2])

    verdict = _whole_schema_verdict(document)

    assert catenax._deciding_validator().is_valid(document) is (verdict is None)
    assert _reference_validator().is_valid(document) is (verdict is None)
    errors = catenax.schema_errors(document)
    assert [e["path"] for e in errors] == ([] if verdict is None else [verdict.removeprefix("data.")])
    if case in SCHEMA_BREAKS:
        assert errors, case


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _leaves(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _leaves(child, (*path, index))
    yield path


MUTATIONS = ["", "x" * 101, "12", "BPNL0000000000AB", "2023-12-07", "2023-12-07T10:39:13Z", "CAS", "Gossip",
             0, -1, 1.5, 101, 10**20, True, None, {}, [], [{}], {"value": 1}]  # fmt: skip


def test_the_deciding_validator_agrees_with_the_reference_on_mutated_documents():
    """Every leaf and object of the official example replaced, one at a time, by values of every JSON type
    (seeded, 400 documents): jsonschema-rs and python-jsonschema give the same verdict each time."""
    rng = random.Random(17)
    template = corrected_example()
    paths = [path for path in _leaves(template) if path]
    verdicts = set()
    for _round in range(400):
        document = copy.deepcopy(template)
        path = rng.choice(paths)
        node = document
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = copy.deepcopy(rng.choice(MUTATIONS))
        expected = _reference_validator().is_valid(document)
        assert catenax._deciding_validator().is_valid(document) is expected, path
        assert (catenax.schema_errors(document) == []) is expected, path
        verdicts.add(expected)
    assert verdicts == {True, False}


def test_a_pattern_digit_is_an_ascii_digit_as_in_ecma_262():
    """JSON Schema patterns are ECMA-262 expressions: \\d is 0-9. Python's re (fastjsonschema) would take
    Arabic-Indic digits; the import refuses them, with a message naming the date."""
    document = corrected_example()
    document["operation"]["manufacturer"]["manufacturingDate"] = "\u0662\u0660\u0662\u0663-01-31"

    assert _whole_schema_verdict(document) is None

    errors = catenax.schema_errors(document)
    assert [e["path"] for e in errors] == ["operation.manufacturer.manufacturingDate"]
    assert "Does not match the BatteryPass 6.1.0 schema" in errors[0]["message"]


def test_a_document_without_a_required_part_is_refused_at_its_root():
    document = corrected_example()
    del document["materials"]

    assert [e["path"] for e in catenax.schema_errors(document)] == ["$"]


def test_read_values_need_no_second_cleaning_by_the_service():
    """The import passes `values_checked=True`: what `read_document` returns is already what the service's
    validation would make of it (same values, same JSON), so the service need not validate it again."""
    from django.core.serializers.json import DjangoJSONEncoder

    from passports.catalogue import attribute, validate_value

    varied = corrected_example("VARIED-1")
    _set(varied, "performance.dynamic.fullCycles.value", 12)
    _set(varied, "performance.dynamic.stateOfCharge.value", 99.5)
    _set(varied, "operation.manufacturer.facility.0.facility", "BPNA1234567890ab")
    for document in (corrected_example(), varied):
        result = catenax.read_document(document)
        battery = dict(result.battery_values)
        battery.pop("battery_status", None)

        cleaned = services._clean(dict(battery), services.BATTERY_KEYS)
        kept = services._checked_keys(dict(battery), services.BATTERY_KEYS)

        def as_json(value):
            return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True)

        assert as_json(kept) == as_json(cleaned)
        assert result.dynamic_points
        for key, value, _measured_at in result.dynamic_points:
            assert as_json(validate_value(attribute(key), value)) == as_json(value), key


def _stored_rows(prefix: str) -> dict[str, list]:
    """The rows an import wrote for the passports whose identifier starts with `prefix`, without ids and
    creation times."""
    from portal.audit.models import AuditEvent

    passports = Passport.objects.filter(unique_identifier__startswith=prefix)
    name = {p.pk: p.unique_identifier.removeprefix(prefix) for p in passports}
    public = {str(p.public_id): p.unique_identifier.removeprefix(prefix) for p in passports}
    return {
        "passports": sorted((name[p.pk], p.status, p.battery_model_id) for p in passports),
        "versions": sorted(
            (
                name[v.passport_id],
                v.number,
                v.state,
                v.published_at,
                json.dumps({**v.data, "unique_identifier": name[v.passport_id]}, sort_keys=True),
            )
            for v in PassportVersion.objects.filter(passport__in=passports)
        ),
        "points": sorted(
            (name[d.passport_id], d.key, json.dumps(d.value), d.measured_at, d.recorded_by_id)
            for d in DynamicDataPoint.objects.filter(passport__in=passports)
        ),
        "status": sorted(
            (name[e.passport_id], e.status, e.note, e.occurred_at is not None, e.recorded_by_id)
            for e in StatusEvent.objects.filter(passport__in=passports)
        ),
        "audit": sorted(
            (
                public[a.object_id],
                a.actor_id,
                a.actor_label,
                a.organization_id,
                a.action,
                a.object_type,
                a.object_label.removeprefix(prefix),
                a.ip_address,
                json.dumps(a.details),
            )
            for a in AuditEvent.objects.filter(object_id__in=list(public))
        ),
    }


def test_copy_and_the_portable_bulk_create_store_the_same_rows(admin_a, company_a, monkeypatch):
    """PostgreSQL gets the rows by COPY; other databases (SQLite in `make run`) by bulk_create: the same."""
    from portal.audit.context import current_ip

    def documents(prefix: str) -> list[dict]:
        waste = corrected_example(f"{prefix}W")
        waste["sustainability"]["status"] = "waste"
        varied = corrected_example(f"{prefix}V")
        _set(varied, "performance.dynamic.fullCycles.value", 12)
        _set(varied, "performance.dynamic.stateOfCharge.time", "2024-01-02T03:04:05.678+02:00")
        return [corrected_example(f"{prefix}A"), waste, varied]

    token = current_ip.set("2001:0db8:0000:0000:0000:0000:0000:0001")
    try:
        catenax.import_documents(
            actor=admin_a, organization=company_a, payload=documents("COPY-"), confirm_economic_operator=True
        )
        monkeypatch.setattr(sql_rows, "_psycopg3", lambda: False)
        catenax.import_documents(
            actor=admin_a, organization=company_a, payload=documents("BULK-"), confirm_economic_operator=True
        )
    finally:
        current_ip.reset(token)

    copied, bulk = _stored_rows("COPY-"), _stored_rows("BULK-")
    assert copied == bulk
    assert len(copied["points"]) == 3 * 18 and len(copied["status"]) == 1 and len(copied["audit"]) == 3
    assert {row[7] for row in copied["audit"]} == {"2001:db8::1"}


def test_insert_rows_wants_every_column():
    with pytest.raises(ValueError, match="give exactly the columns"):
        sql_rows.insert_rows(DynamicDataPoint, ("passport_id", "key", "value"), [])


def test_the_number_of_queries_does_not_grow_with_the_documents(admin_a, company_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    catenax.import_documents(
        actor=admin_a,
        organization=company_a,
        payload=corrected_example("Q-0"),
        confirm_economic_operator=True,
    )
    counts = []
    for size in (1, 20):
        payload = [corrected_example(f"Q-{size}-{n}") for n in range(size)]
        with CaptureQueriesContext(connection) as queries:
            catenax.import_documents(
                actor=admin_a, organization=company_a, payload=payload, confirm_economic_operator=True
            )
        counts.append(len(queries))

    assert counts[0] == counts[1], counts


def test_a_part_missing_from_an_object_is_refused_at_that_object():
    document = corrected_example()
    del document["performance"]["rated"]

    assert [e["path"] for e in catenax.schema_errors(document)] == ["performance"]


def test_documents_of_one_model_differing_per_battery_share_the_model_text():
    """What differs per battery (serial and batch numbers, dates, measurements, metadata) is left out of the
    model text, so the model's values are read once per batch; what differs per model is not."""
    first, second = corrected_example("TEXT-1"), corrected_example("TEXT-2")
    _set(second, "identification.identification.serial.0.value", "SN-OTHER")
    _set(second, "identification.identification.batch.0.value", "BATCH-OTHER")
    _set(second, "operation.manufacturer.manufacturingDate", "2001-02-01")
    _set(second, "performance.dynamic.stateOfCharge.value", 12.5)
    _set(second, "metadata.passportIdentifier", "urn:uuid:6f1b1c2e-1a5e-4c59-9a0b-2d7b1d3c4e5f")
    assert catenax._model_text(first) == catenax._model_text(second)

    _set(second, "performance.rated.voltage.nominal", 3.6)
    assert catenax._model_text(first) != catenax._model_text(second)


def test_no_model_level_value_lies_under_a_part_left_out_of_the_model_text():
    """The model cache is keyed by the model text: a model-level path under a pruned (battery-level) part
    would let two different models share one cache entry."""
    from passports.catalogue import ATTRIBUTES, Level

    def pruned(tree, prefix=""):
        for key, below in tree.items():
            path = f"{prefix}.{key}" if prefix else key
            if below is True:
                yield path
            else:
                yield from pruned(below, path)

    prefixes = list(pruned(catenax._battery_leaf_tree()))
    assert "identification.identification.serial" in prefixes
    for a in ATTRIBUTES:
        if a.level is Level.MODEL and not a.system:
            for path in a.catenax_paths:
                assert not any(path == p or path.startswith((f"{p}.", f"{p}[]")) for p in prefixes), path


def test_remembered_value_checks_answer_in_the_readers_language_and_are_not_shared_objects():
    from django.utils import translation

    document = corrected_example("MEMO-1")
    _set(document, "operation.manufacturer.facility.0.facility", "BPNA000000000001")  # wrong check digits
    with translation.override("en"):
        english = catenax.read_document(document).warnings
        again = catenax.read_document(document)
    with translation.override("de"):
        german = catenax.read_document(document).warnings
    assert any("BPNA000000000001" in w for w in english)
    assert english == again.warnings
    assert english != german  # the same check remembered per language, not once for all

    again.battery_values["manufacturing_facilities"].append("BPNA-CHANGED")
    assert "BPNA-CHANGED" not in catenax.read_document(document).battery_values["manufacturing_facilities"]


def test_a_refused_value_is_refused_again_when_read_a_second_time():
    document = _set(corrected_example("MEMO-2"), "metadata.economicOperatorId", "BPNL-NOT-A-BPN")
    for _attempt in range(2):
        with pytest.raises(catenax.CatenaxInvalid):
            catenax.read_document(document)


def test_insert_instances_stores_what_bulk_create_stores(company_a, battery_model):
    """The import's passports are written by COPY with keys drawn from the sequence: the same rows, defaults
    and `auto_now_add` included, as `bulk_create` writes, and the instances carry their keys."""

    def made(prefix: str) -> list[Passport]:
        return [
            Passport(
                organization=company_a,
                battery_model=battery_model,
                unique_identifier=f"{prefix}-{n}",
                status=status,
            )
            for n, status in enumerate(["original", "repurposed", "original"])
        ]

    copied = sql_rows.insert_instances(made("COPY"))
    created = Passport.objects.bulk_create(made("ORM"))

    assert all(p.pk is not None and not p._state.adding for p in copied)
    fields = [f.attname for f in Passport._meta.concrete_fields if f.attname not in ("id", "public_id")]
    for by_copy, by_orm in zip(copied, created, strict=True):
        stored = Passport.objects.get(pk=by_copy.pk)
        assert stored.public_id == by_copy.public_id
        assert stored.created_at == by_copy.created_at
        for name in fields:
            if name not in ("unique_identifier", "created_at"):
                assert getattr(stored, name) == getattr(Passport.objects.get(pk=by_orm.pk), name), name
        assert stored.unique_identifier == by_copy.unique_identifier
    assert len({p.pk for p in [*copied, *created]}) == 6
