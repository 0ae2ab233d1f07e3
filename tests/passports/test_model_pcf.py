"""A battery model's carbon footprint as Catena-X io.catenax.pcf 9.0.0: the export validates against the
official schema (jsonschema, Draft 4: not the code's own fastjsonschema), the round trip keeps every
footprint value, the official example imports as the cradle-to-gate stage, bad documents are refused with
their JSON path and store nothing, and each caller sees and changes only what the policy allows."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from passports import model_pcf, services
from passports.catenax_data import CATENAX_DATA_DIR
from passports.models import BatteryModel
from portal.audit.models import AuditEvent
from tests.factories import BEFORE_OBLIGATIONS, make_bpn

from .test_catenax import client_for

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[3] / "shared" / "catenax-data" / "pcf"
PCF_DIR = SHARED if (SHARED / "Pcf-schema.json").exists() else CATENAX_DATA_DIR / "pcf"
PLANT = make_bpn("A", n=4242)
BPNL = make_bpn("L", n=4243)
STAGE_VALUES = {
    "total": "61.2",
    "raw material acquisition and pre-processing": "38.4",
    "main product production": "19.1",
    "distribution": "1.3",
    "end of life and recycling": "2.4",
}
RULES = [{"header": "PEFCR batteries", "content_type": "URL", "content": "https://example.com/pefcr.pdf"}]
DECLARATION = [{"header": "CF declaration", "content_type": "URL", "content": "https://example.com/cfd.pdf"}]


def pcf_schema() -> dict:
    return json.loads((PCF_DIR / "Pcf-schema.json").read_text(encoding="utf-8"))


def official_example() -> dict:
    return json.loads((PCF_DIR / "Pcf.json").read_text(encoding="utf-8"))


def assert_schema_valid(document: dict) -> None:
    errors = sorted(Draft4Validator(pcf_schema()).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def footprint(values: dict[str, str] = STAGE_VALUES, **extra) -> list[dict]:
    return [
        {
            "lifecycle_stage": stage,
            "impact_category": "Climate Change Total",
            "value": value,
            "unit": "kg CO2e/kWh",
            "performance_class": "B",
            "manufacturing_plants": [PLANT],
            "study_url": "https://example.com/study.pdf",
            "declaration": DECLARATION,
            "rulebook": RULES,
            **extra,
        }
        for stage, value in values.items()
    ]


def make_model(actor, organization, part_id: str = "PCF-PACK-1", **values) -> BatteryModel:
    base = {"model_name": f"Pack {part_id}", "manufacturer_part_id": part_id, "battery_category": "ev"}
    return services.battery_model_create(actor=actor, organization=organization, values={**base, **values})


@pytest.fixture
def full_model(admin_a, company_a) -> BatteryModel:
    return make_model(
        admin_a,
        company_a,
        manufacturer_name="Company A GmbH",
        manufacturer_bpnl=BPNL,
        weight="450",
        weight_unit="unit:kilogram",
        rated_energy="75",
        expected_lifetime_cycles=2000,
        carbon_footprint=footprint(),
    )


def url(model: BatteryModel) -> str:
    return f"/api/v1/battery-models/{model.public_id}/pcf/"


def put(client, model: BatteryModel, document, content_type: str = "application/json"):
    body = document if isinstance(document, str | bytes) else json.dumps(document)
    return client.put(url(model), data=body, content_type=content_type)


def climate(model: BatteryModel) -> dict[str, tuple]:
    """The model's climate-change rows by stage: (value, unit, impact category) as stored."""
    model.refresh_from_db()
    return {
        row["lifecycle_stage"]: (Decimal(row["value"]), row["unit"], row["impact_category"])
        for row in model.data.get("carbon_footprint", [])
        if row.get("impact_category") == "Climate Change Total"
    }


# ---- export --------------------------------------------------------------------------------------------


def test_export_is_schema_valid_and_states_the_footprint(admin_a, full_model):
    answer = client_for(admin_a).get(url(full_model))

    assert answer.status_code == 200
    assert answer["Cache-Control"] == "private, no-store"
    document = answer.json()
    assert_schema_valid(document)
    assert document["scopeOfPcfForm"] == [
        {"specVersion": "urn:io.catenax.pcf:datamodel:version:9.0.0", "partialFullPcf": "Cradle-to-gate"}
    ]
    company_product = document["companyAndProductInformation"][0]
    assert company_product["companyInformation"] == [
        {"companyName": "Company A GmbH", "companyIds": [f"urn:{BPNL}"]}
    ]
    product = company_product["productInformation"][0]
    assert product["productNameCompany"] == "Pack PCF-PACK-1"
    assert product["productIds"] == ["urn:pathfinder:product:customcode:vendor-assigned:PCF-PACK-1"]
    assert (product["declaredUnitOfMeasurement"], product["declaredUnitAmount"]) == ("kilowatt hour", 1)
    # 450 kg per 75 kWh x 2000 cycles of total energy over the service life.
    assert product["productMassPerDeclaredUnit"] == pytest.approx(0.003)
    stages = document["productLifeCycleStagesAndEmissions"][0]
    assert stages["productionStage"] == [
        {"pcfExcludingBiogenicUptake": 57.5, "pcfIncludingBiogenicUptake": 57.5}  # 38.4 + 19.1
    ]
    assert stages["distributionStage"] == [
        {
            "distributionStageIncluded": True,
            "distributionStagePcfExcludingBiogenicUptake": 1.3,
            "distributionStagePcfIncludingBiogenicUptake": 1.3,
        }
    ]
    assert stages["packagingStage"] == []
    comment = document["general"][0]["comment"]
    assert comment.startswith(model_pcf.SPLIT_PREFIX)
    assert "end of life and recycling = 2.4" in comment and "total = 61.2" in comment
    methodology = document["pcfAssessmentAndMethodology"][0]["pcfMethodology"][0]
    assert methodology["standards"] == [
        {"crossSectoralStandards": [], "productOrSectorSpecificRules": ["PEFCR batteries"]}
    ]
    assert document["carbonContent"] == []
    # Not stated in the model, so not written: no PCF id, version, period or geography is invented.
    assert "pcfAssessmentInformation" not in document["pcfAssessmentAndMethodology"][0]


def test_export_writes_not_stated_where_the_model_has_nothing(admin_a, company_a):
    model = make_model(admin_a, company_a, carbon_footprint=footprint({"total": "70"}))

    document = client_for(admin_a).get(url(model)).json()

    assert_schema_valid(document)
    assert document["companyAndProductInformation"][0]["companyInformation"] == []  # no manufacturer name
    assert (
        document["companyAndProductInformation"][0]["productInformation"][0]["productMassPerDeclaredUnit"]
        == 0
    )
    assert document["productLifeCycleStagesAndEmissions"][0] == {
        "productionStage": [],
        "distributionStage": [],
        "packagingStage": [],
    }
    assert document["general"] == [{"comment": model_pcf.SPLIT_PREFIX + "total = 70"}]


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ([], "no_carbon_footprint"),
        (
            footprint({"total": "5"}, impact_category="Acidification", unit="mol H+ eq/kWh"),
            "no_climate_footprint",
        ),
        (
            footprint({"total": "5"}) + footprint({"total": "6"}, manufacturing_plants=[make_bpn("A", n=99)]),
            "several_footprints",
        ),
    ],
)
def test_export_refuses_what_is_not_one_footprint(admin_a, company_a, rows, code):
    model = make_model(admin_a, company_a, **({"carbon_footprint": rows} if rows else {}))

    answer = client_for(admin_a).get(url(model))

    assert answer.status_code == 409
    assert answer.json()["code"] == code and answer.json()["detail"]


# ---- import --------------------------------------------------------------------------------------------


def test_round_trip_into_another_model_keeps_every_footprint_value(admin_a, company_a, full_model):
    document = client_for(admin_a).get(url(full_model)).json()
    other = make_model(admin_a, company_a, "PCF-PACK-2")

    answer = put(client_for(admin_a), other, document)

    assert answer.status_code == 200, answer.json()
    assert climate(other) == climate(full_model)
    assert {
        row["lifecycle_stage"]: [d["header"] for d in row["rulebook"]]
        for row in other.data["carbon_footprint"]
    } == {stage: ["PEFCR batteries"] for stage in STAGE_VALUES}
    assert answer.json()["values"]["carbon_footprint"] == other.data["carbon_footprint"]
    # And back out: the same figures.
    again = client_for(admin_a).get(url(other)).json()
    assert again["productLifeCycleStagesAndEmissions"] == document["productLifeCycleStagesAndEmissions"]
    assert again["general"] == document["general"]


def test_reimport_into_the_same_model_changes_nothing(admin_a, full_model):
    before = copy.deepcopy(full_model.data["carbon_footprint"])
    document = client_for(admin_a).get(url(full_model)).json()

    assert put(client_for(admin_a), full_model, document).status_code == 200

    full_model.refresh_from_db()
    by_stage = {row["lifecycle_stage"]: row for row in full_model.data["carbon_footprint"]}
    assert by_stage == {row["lifecycle_stage"]: row for row in before}


def test_the_official_example_imports_as_the_cradle_to_gate_stage(admin_a, company_a):
    model = make_model(admin_a, company_a)
    updates = AuditEvent.objects.filter(action="battery_model.updated").count()

    answer = put(client_for(admin_a), model, official_example())

    assert answer.status_code == 200, answer.json()
    model.refresh_from_db()
    rule = official_example()["pcfAssessmentAndMethodology"][0]["pcfMethodology"][0]["standards"][0][
        "productOrSectorSpecificRules"
    ][0]
    assert rule.startswith("urn:tfs-initiative.com:PCR:") and len(rule) > 100  # a title holds 100
    # Production stage 2.9 per liter, without the Art. 7 split; its distribution stage is not included
    # (distributionStageIncluded false) and packaging is part of production: neither is stored.
    assert model.data["carbon_footprint"] == [
        {
            "lifecycle_stage": "cradle-to-gate",
            "impact_category": "Climate Change Total",
            "value": "2.9",
            "unit": "kg CO2e/liter",
            "rulebook": [{"header": rule[:100], "content_type": "text/plain", "content": rule}],
        }
    ]
    # Stored through the battery model's update service, which audits (the fields, never the values).
    assert AuditEvent.objects.filter(action="battery_model.updated").count() == updates + 1


def test_import_keeps_other_categories_and_what_the_document_does_not_carry(admin_a, company_a):
    acidification = footprint({"total": "0.4"}, impact_category="Acidification", unit="mol H+ eq/kWh")
    model = make_model(admin_a, company_a, carbon_footprint=footprint({"total": "70"}) + acidification)

    assert put(client_for(admin_a), model, official_example()).status_code == 200

    model.refresh_from_db()
    imported, kept = model.data["carbon_footprint"]
    assert kept == acidification[0]
    assert (imported["lifecycle_stage"], imported["value"]) == ("cradle-to-gate", "2.9")
    # The old climate row's plant, class, study and declaration stay; the rules are the document's.
    assert imported["manufacturing_plants"] == [PLANT] and imported["performance_class"] == "B"
    assert imported["study_url"] == "https://example.com/study.pdf" and imported["declaration"] == DECLARATION
    assert imported["rulebook"][0]["content"].startswith("urn:tfs-initiative.com:PCR")


def _bad(change) -> dict:
    document = official_example()
    change(document)
    return document


STAGES = "$.productLifeCycleStagesAndEmissions[0]"
BAD_DOCUMENTS = {
    "missing required group": (lambda d: d.pop("scopeOfPcfForm"), "$"),
    "negative production figure": (
        lambda d: d["productLifeCycleStagesAndEmissions"][0]["productionStage"][0].update(
            pcfExcludingBiogenicUptake=-1
        ),
        f"{STAGES}.productionStage[0].pcfExcludingBiogenicUptake",
    ),
    "unknown declared unit": (
        lambda d: d["companyAndProductInformation"][0]["productInformation"][0].update(
            declaredUnitOfMeasurement="kWh"
        ),
        "$.companyAndProductInformation[0].productInformation[0].declaredUnitOfMeasurement",
    ),
    "two production stages": (
        lambda d: d["productLifeCycleStagesAndEmissions"][0]["productionStage"].append(
            {"pcfExcludingBiogenicUptake": 1, "pcfIncludingBiogenicUptake": 1}
        ),
        f"{STAGES}.productionStage",
    ),
    "split contradicting the stages": (
        lambda d: d["general"].append({"comment": model_pcf.SPLIT_PREFIX + "cradle-to-gate = 3.5"}),
        "$.general[1].comment",
    ),
    "unreadable split": (
        lambda d: d["general"].append({"comment": model_pcf.SPLIT_PREFIX + "somewhere = 1"}),
        "$.general[1].comment",
    ),
    "no figure at all": (
        lambda d: d["productLifeCycleStagesAndEmissions"][0].update(productionStage=[]),
        "$.productLifeCycleStagesAndEmissions",
    ),
}


@pytest.mark.parametrize("name", BAD_DOCUMENTS)
def test_bad_documents_are_refused_at_their_path_and_nothing_is_stored(admin_a, full_model, name):
    change, path = BAD_DOCUMENTS[name]
    before = copy.deepcopy(full_model.data)
    audits = AuditEvent.objects.count()

    answer = put(client_for(admin_a), full_model, _bad(change))

    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert errors and errors[0]["path"] == path and errors[0]["message"], errors
    full_model.refresh_from_db()
    assert full_model.data == before and AuditEvent.objects.count() == audits


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [("{not json", "application/json", 400), ("[]", "application/json", 400), ("{}", "text/plain", 415)],
)
def test_bodies_that_are_no_document_are_refused(admin_a, full_model, body, content_type, status):
    before = copy.deepcopy(full_model.data)

    answer = put(client_for(admin_a), full_model, body, content_type)

    assert answer.status_code == status
    assert answer.json()["errors"][0]["path"] == "$"
    full_model.refresh_from_db()
    assert full_model.data == before


def test_import_refuses_a_model_with_several_plants_footprints(admin_a, company_a):
    other_plant = footprint({"total": "6"}, manufacturing_plants=[make_bpn("A", n=99)])
    model = make_model(admin_a, company_a, carbon_footprint=footprint({"total": "5"}) + other_plant)

    answer = put(client_for(admin_a), model, official_example())

    assert answer.status_code == 409 and answer.json()["code"] == "several_footprints"


# ---- who sees and changes what --------------------------------------------------------------------------


def test_another_company_gets_404_and_nothing_of_the_model(admin_b, full_model):
    client = client_for(admin_b)
    for answer in (client.get(url(full_model)), put(client, full_model, official_example())):
        assert answer.status_code == 404
        body = answer.content.decode()
        assert "Pack PCF-PACK-1" not in body and "57.5" not in body and "38.4" not in body
    full_model.refresh_from_db()
    assert "cradle-to-gate" not in {row["lifecycle_stage"] for row in full_model.data["carbon_footprint"]}


def test_a_viewer_of_the_company_reads_but_gets_403_on_change(viewer_a, full_model):
    client = client_for(viewer_a)
    before = copy.deepcopy(full_model.data)

    assert client.get(url(full_model)).status_code == 200
    answer = put(client, full_model, official_example())

    assert answer.status_code == 403
    full_model.refresh_from_db()
    assert full_model.data == before


def test_a_partner_sees_the_published_footprint_only_and_may_not_change_it(
    admin_a, admin_b, company_b, full_model
):
    services.grant_legitimate_interest(actor=admin_a, target=full_model, organization=company_b)
    partner = client_for(admin_b)
    # Nothing published yet: for the partner the model does not exist.
    assert partner.get(url(full_model)).status_code == 404

    passport = services.passport_create(
        actor=admin_a, battery_model=full_model, values={"unique_identifier": "PCF-1"}
    )
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    services.battery_model_update(
        actor=admin_a, battery_model=full_model, values={"carbon_footprint": footprint({"total": "99.9"})}
    )

    published = partner.get(url(full_model)).json()
    assert "total = 61.2" in published["general"][0]["comment"]  # as published, not the newer working value
    assert "99.9" not in json.dumps(published)
    assert "total = 99.9" in client_for(admin_a).get(url(full_model)).json()["general"][0]["comment"]
    assert put(partner, full_model, official_example()).status_code == 403


def test_the_openapi_document_refers_to_the_official_pcf_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = schema["paths"]["/api/v1/battery-models/{public_id}/pcf/"]
    ref = {"$ref": "#/components/schemas/Pcf"}
    assert operations["get"]["responses"]["200"]["content"]["application/json"]["schema"] == ref
    assert operations["put"]["requestBody"]["content"]["application/json"]["schema"] == ref
    assert {"400", "409"} <= set(operations["put"]["responses"]) and "409" in operations["get"]["responses"]
    component = schema["components"]["schemas"]["Pcf"]
    assert set(component["required"]) >= {"scopeOfPcfForm", "productLifeCycleStagesAndEmissions"}
    assert "Pcf_ProductionStageEntity" in schema["components"]["schemas"]
