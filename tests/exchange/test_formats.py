"""Answers as io.catenax.pcf 9.0.0 and Ouranos CFP files: exports valid against the shared schema (checked
with jsonschema, independent of the fastjsonschema the import uses), round trips that keep every value
the format carries, the official example, refused files, and exports that carry only the answering
company's identity and aggregates."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from exchange import services
from exchange.file_answers import answer_from_file
from exchange.models import Answer, DataRequest, RequestState
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification

from .chain import build_chain, details, due

pytestmark = pytest.mark.django_db
SHARED = Path("/work/shared/catenax-data/pcf")
BASE = "/api/v1/exchange/"
RICH = dict(
    geography_country="CL",
    product_rules="Battery PEFCR",
    boundary_processes="Electricity from the grid",
    exempted_emissions_percent="1.5",
    quality={"technological": "2", "temporal": "1.5", "geographical": "2"},
    assurance_provider="Verifier AG",
    assurance_standard="ISO 14064-3",
    assurance_date="2026-02-01",
    comment="Salar brine route",
    characterization_factors="AR5",
    cross_sectoral_standards=["ISO 14067", "PEF"],
)
PCF_FIELDS = (
    "declared_unit",
    "mass_per_unit",
    "pcf_excluding_biogenic",
    "pcf_including_biogenic",
    "fossil_emissions",
    "biogenic_uptake",
    "biogenic_carbon_content",
    "fossil_carbon_content",
    "primary_data_share",
    "reference_period_start",
    "reference_period_end",
    "geography_country",
    "characterization_factors",
    "cross_sectoral_standards",
    "product_rules",
    "boundary_processes",
    "exempted_emissions_percent",
    "assurance_provider",
    "assurance_standard",
    "assurance_date",
    "comment",
    "product_name",
    "product_id",
)
OURANOS_FIELDS = (
    "declared_unit",
    "pcf_excluding_biogenic",
    "own_pre_processing",
    "own_main_production",
    "purchased_pre_processing",
    "purchased_main_production",
    "stage_quality",
    "reference_period_start",
    "reference_period_end",
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def shared_validator() -> jsonschema.Validator:
    schema = json.loads((SHARED / "Pcf-schema.json").read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    assert validator_class is jsonschema.Draft4Validator  # as the schema declares
    return validator_class(schema)


def footprint_request(chain, *, materials: bool = False) -> DataRequest:
    """A new request of the cathode maker to the refiner for lithium carbonate."""
    return services.send_request(
        actor=chain.cathode_user,
        part=chain.cathode_li_carb,
        wants_footprint=True,
        wants_materials=materials,
        message="",
        due_date=due(),
    )


def export(user, answer: Answer, fmt: str) -> bytes:
    response = client_for(user).get(BASE + f"answers/{answer.public_id}/{fmt}/")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.content


@pytest.fixture
def chain():
    return build_chain(answer_refiner=False)


@pytest.fixture
def rich_answer(chain) -> Answer:
    request = footprint_request(chain, materials=True)
    return services.answer_request(
        actor=chain.refiner_user, request=request, supplier_part=chain.li_carb, details=details(**RICH)
    )


def test_pcf_export_validates_and_round_trips(chain, rich_answer):
    text = export(chain.cathode_user, rich_answer, "catenax-pcf")
    document = json.loads(text)
    errors = sorted(shared_validator().iter_errors(document), key=str)
    assert not errors, [error.message for error in errors]
    stage = document["productLifeCycleStagesAndEmissions"][0]["productionStage"][0]
    assert stage["pcfExcludingBiogenicUptake"] == 5 and isinstance(stage["pcfExcludingBiogenicUptake"], int)
    quality = document["pcfAssessmentAndMethodology"][0]["dataSourcesAndQuality"][0]
    assert quality == {
        "primaryDataShare": 80,
        "technologicalDQR": 2,
        "temporalDQR": 1.5,
        "geographicalDQR": 2,
    }
    assert export(chain.refiner_user, rich_answer, "catenax-pcf") == text  # the supplier gets the same

    request = footprint_request(chain)
    again = answer_from_file(
        actor=chain.refiner_user,
        request=request,
        supplier_part=chain.li_carb,
        document=text,
        format="catenax-pcf",
    )
    for field in PCF_FIELDS:
        assert getattr(again, field) == getattr(rich_answer, field), field
    assert (
        again.quality == rich_answer.quality == {"technological": "2", "temporal": "1.5", "geographical": "2"}
    )
    assert again.has_footprint and not again.has_materials and again.public_id != rich_answer.public_id
    request.refresh_from_db()
    assert request.state == RequestState.FULFILLED and request.supplier_part == chain.li_carb
    assert (
        Notification.objects.filter(recipient=chain.cathode_user, event="exchange.answer_released").count()
        == 2
    )
    assert AuditEvent.objects.filter(
        action="exchange.answer_released", details__source="catenax-pcf"
    ).exists()


def test_ouranos_export_and_round_trip_through_the_api():
    chain = build_chain()
    request = services.send_request(
        actor=chain.cell_user,
        part=chain.cell_nmc,
        wants_footprint=True,
        wants_materials=False,
        message="",
        due_date=due(),
    )
    first = services.answer_request(
        actor=chain.cathode_user, request=request, supplier_part=chain.nmc, details=details()
    )
    document = json.loads(export(chain.cell_user, first, "ouranos-cfp"))
    records = {record["cfpType"]: record for record in document["cfp"]}
    assert {key: records[key]["ghgEmission"] for key in records} == {
        "preProduction": 2,
        "mainProduction": 3,
        "preComponent": 2,
        "mainComponent": 0,
    }
    assert records["preComponent"]["dqrType"] == "preProcessing"
    assert records["preProduction"]["dqrValue"] == {"TeR": 2, "GeR": 2, "TiR": 1}
    assert records["mainProduction"]["dqrValue"] == {"TeR": None, "GeR": None, "TiR": None}
    assert {record["ghgDeclaredUnit"] for record in document["cfp"]} == {"kgCO2e/kilogram"}
    assert document["operator"]["operatorName"] == chain.cathode.legal_name

    second = services.send_request(
        actor=chain.cell_user,
        part=chain.cell_nmc,
        wants_footprint=True,
        wants_materials=False,
        message="",
        due_date=due(),
    )
    upload = SimpleUploadedFile("cfp.json", json.dumps(document).encode(), content_type="application/json")
    response = client_for(chain.cathode_user).post(
        BASE + f"requests/{second.public_id}/answer-file/",
        {
            "file": upload,
            "format": "ouranos-cfp",
            "supplier_part": str(chain.nmc.public_id),
            "reference_period_start": "2026-01-01",
            "reference_period_end": "2027-01-01",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    again = Answer.objects.get(public_id=response.json()["id"])
    for field in OURANOS_FIELDS:
        assert getattr(again, field) == getattr(first, field), field
    # The bare list of four records (the reference API's PUT body) reads the same.
    third = services.send_request(
        actor=chain.cell_user,
        part=chain.cell_nmc,
        wants_footprint=True,
        wants_materials=False,
        message="",
        due_date=due(),
    )
    bare = answer_from_file(
        actor=chain.cathode_user,
        request=third,
        supplier_part=chain.nmc,
        document=json.dumps(document["cfp"]),
        format="ouranos-cfp",
        details=details(),
    )
    assert bare.own_main_production == 3 and bare.stage_quality == first.stage_quality


def test_the_official_example_imports(chain):
    ethanol = services.create_part(
        actor=chain.refiner_user, kind="made", data={"local_id": "ETH", "name": "Ethanol", "unit": "liter"}
    )
    bought = services.create_part(
        actor=chain.cathode_user, kind="bought", data={"local_id": "SOLV", "name": "Solvent", "unit": "liter"}
    )
    services.link_supplier(actor=chain.cathode_user, part=bought, identifier=chain.refiner.bpnl)
    request = services.send_request(
        actor=chain.cathode_user,
        part=bought,
        wants_footprint=True,
        wants_materials=False,
        message="",
        due_date=due(),
    )
    example = (SHARED / "Pcf.json").read_bytes()
    answer = answer_from_file(
        actor=chain.refiner_user,
        request=request,
        supplier_part=ethanol,
        document=example,
        format="catenax-pcf",
    )
    assert answer.pcf_excluding_biogenic == Decimal("2.9") and answer.pcf_including_biogenic == Decimal("1.9")
    assert answer.biogenic_uptake == -1 and answer.fossil_emissions == Decimal("0.5")
    assert answer.mass_per_unit == Decimal("0.456") and answer.fossil_carbon_content == Decimal("0.1")
    assert answer.primary_data_share == Decimal("56.12") and answer.quality["technological"] == "2"
    assert answer.characterization_factors == "AR5" and answer.geography_country == "DE"
    assert answer.reference_period_start.date().isoformat() == "2022-01-01"
    assert answer.assurance_provider == "TÜV-X" and answer.own_pre_processing is None
    # Its own supplier identity ("My Corp") is not stored: the answer is the refiner's.
    assert answer.supplier == chain.refiner and "My Corp" not in repr(answer.__dict__)


def _example() -> dict:
    return json.loads((SHARED / "Pcf.json").read_text(encoding="utf-8"))


def _bad_pcf_files() -> list[tuple[str, bytes | str, str]]:
    missing = _example()
    del missing["companyAndProductInformation"]
    negative = _example()
    negative["productLifeCycleStagesAndEmissions"][0]["productionStage"][0][
        "pcfExcludingBiogenicUptake"
    ] = -2.9
    as_string = _example()
    as_string["productLifeCycleStagesAndEmissions"][0]["productionStage"][0]["pcfExcludingBiogenicUptake"] = (
        "2.9"
    )
    wrong_unit = _example()
    wrong_unit["companyAndProductInformation"][0]["productInformation"][0]["declaredUnitOfMeasurement"] = (
        "kilogram"
    )
    bad_dqr = _example()
    bad_dqr["pcfAssessmentAndMethodology"][0]["dataSourcesAndQuality"][0]["technologicalDQR"] = 4
    return [
        ("missing", json.dumps(missing), "$: Does not match the io.catenax.pcf 9.0.0 schema"),
        ("negative", json.dumps(negative), "pcfExcludingBiogenicUptake: Does not match"),
        ("string", json.dumps(as_string), "must be number"),
        (
            "unit",
            json.dumps(wrong_unit),
            "declares its footprint per kilogram; your part ETH is declared per liter",
        ),
        ("dqr", json.dumps(bad_dqr), "technologicalDQR: Must be at most 3."),
        ("not json", b"PK\x03\x04 not json", "not valid JSON"),
        ("latin-1", '{"a": "T\xdcV"}'.encode("latin-1"), "not UTF-8"),
        ("nested", "[" * 100_000 + "]" * 100_000, "nested more than 20 levels deep"),
        ("nan", '{"a": NaN}', "NaN is not a number JSON allows"),
        ("nul", json.dumps({**_example(), "general": [{"comment": "a\x00b"}]}), "NUL character"),
        ("duplicate", '{"general": [], "general": []}', "appears twice"),
    ]


def test_bad_files_are_refused_with_a_clear_400_and_nothing_stored(chain):
    ethanol = services.create_part(
        actor=chain.refiner_user, kind="made", data={"local_id": "ETH", "name": "Ethanol", "unit": "liter"}
    )
    bought = services.create_part(
        actor=chain.cathode_user, kind="bought", data={"local_id": "SOLV", "name": "Solvent", "unit": "liter"}
    )
    services.link_supplier(actor=chain.cathode_user, part=bought, identifier=chain.refiner.bpnl)
    request = services.send_request(
        actor=chain.cathode_user,
        part=bought,
        wants_footprint=True,
        wants_materials=False,
        message="",
        due_date=due(),
    )
    api = client_for(chain.refiner_user)
    url = BASE + f"requests/{request.public_id}/answer-file/"
    for name, content, expected in _bad_pcf_files():
        payload = content.encode() if isinstance(content, str) else content
        upload = SimpleUploadedFile("pcf.json", payload, content_type="application/json")
        response = api.post(
            url,
            {"file": upload, "format": "catenax-pcf", "supplier_part": str(ethanol.public_id)},
            format="multipart",
        )
        assert response.status_code == 400, (name, response.status_code)
        messages = response.json()["file"]
        assert any(expected in message for message in messages), (name, messages)
    # Ouranos: negative emission, wrong unit, missing record, mismatched ratings, string numbers.
    good = [
        {
            "cfpId": None,
            "traceId": "6f0d1c4e-0000-4000-8000-000000000001",
            "ghgEmission": 1,
            "ghgDeclaredUnit": "kgCO2e/liter",
            "cfpType": cfp_type,
            "dqrType": dqr_type,
            "dqrValue": {"TeR": 1, "GeR": 1, "TiR": 1},
        }
        for cfp_type, dqr_type in (
            ("preProduction", "preProcessing"),
            ("mainProduction", "mainProcessing"),
            ("preComponent", "preProcessing"),
            ("mainComponent", "mainProcessing"),
        )
    ]
    ouranos_cases = []
    case = copy.deepcopy(good)
    case[0]["ghgEmission"] = -1
    ouranos_cases.append((case, "$.cfp[0].ghgEmission: Must be at least 0."))
    case = copy.deepcopy(good)
    for record in case:
        record["ghgDeclaredUnit"] = "kgCO2e/kilogram"
    ouranos_cases.append((case, "$.cfp[0].ghgDeclaredUnit: The file declares kgCO2e/kilogram"))
    ouranos_cases.append((good[:3], "$.cfp: An Ouranos CFP has four records"))
    case = copy.deepcopy(good)
    case[2]["dqrValue"]["TeR"] = 3
    ouranos_cases.append((case, "$.cfp[2].dqrValue: Both records of a stage carry the same dqrValue."))
    case = copy.deepcopy(good)
    case[1]["ghgEmission"] = "1"
    ouranos_cases.append((case, "$.cfp[1].ghgEmission: Must be a number."))
    for records, expected in ouranos_cases:
        upload = SimpleUploadedFile("cfp.json", json.dumps({"cfp": records}).encode())
        response = api.post(
            url,
            {
                "file": upload,
                "format": "ouranos-cfp",
                "supplier_part": str(ethanol.public_id),
                "reference_period_start": "2026-01-01",
                "reference_period_end": "2027-01-01",
            },
            format="multipart",
        )
        assert response.status_code == 400, expected
        assert any(message.startswith(expected) for message in response.json()["file"]), response.json()
    # Without the reference period an Ouranos file is refused on the field that is missing.
    upload = SimpleUploadedFile("cfp.json", json.dumps(good).encode())
    response = api.post(
        url,
        {"file": upload, "format": "ouranos-cfp", "supplier_part": str(ethanol.public_id)},
        format="multipart",
    )
    assert response.status_code == 400 and "reference_period_start" in response.json()
    assert not Answer.objects.filter(request=request).exists()
    request.refresh_from_db()
    assert request.state == RequestState.SENT and request.supplier_part is None


def test_a_request_for_materials_is_not_answered_with_a_footprint_file(chain, rich_answer):
    text = export(chain.refiner_user, rich_answer, "catenax-pcf")
    request = footprint_request(chain, materials=True)
    upload = SimpleUploadedFile("pcf.json", text)
    response = client_for(chain.refiner_user).post(
        BASE + f"requests/{request.public_id}/answer-file/",
        {"file": upload, "format": "catenax-pcf", "supplier_part": str(chain.li_carb.public_id)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["file"] == [
        "The customer asks for a material declaration, which a io.catenax.pcf 9.0.0 file does not carry. "
        "Answer this request in the portal."
    ]
    assert not Answer.objects.filter(request=request).exists()
    # The customer may not answer its own request, and a third company does not see it.
    response = client_for(chain.cathode_user).post(
        BASE + f"requests/{request.public_id}/answer-file/",
        {"file": SimpleUploadedFile("pcf.json", text), "format": "catenax-pcf"},
        format="multipart",
    )
    assert response.status_code == 403


def test_exports_carry_only_the_answering_companys_identity_and_aggregates():
    chain = build_chain()
    request = services.send_request(
        actor=chain.cell_user,
        part=chain.cell_nmc,
        wants_footprint=True,
        wants_materials=True,
        message="",
        due_date=due(),
    )
    answer = services.answer_request(
        actor=chain.cathode_user, request=request, supplier_part=chain.nmc, details=details()
    )
    for fmt in ("catenax-pcf", "ouranos-cfp"):
        text = export(chain.cell_user, answer, fmt).decode()
        assert chain.cathode.legal_name in text and chain.cathode.bpnl in text
        secrets = (
            chain.refiner.legal_name,
            chain.refiner.bpnl,
            str(chain.refiner.public_id),
            "RM-7",
            "Li2CO3",
            "LI-CARB",
            str(chain.cathode_li_carb.public_id),
            chain.cell.legal_name,
            chain.cell.bpnl,
            "CAM-1",
            "0.4",
            "0.188",
            "0.0752",
            "lithium",
            "nickel",
        )
        for secret in secrets:
            assert secret not in text, (fmt, secret)
    # A materials-only answer has no footprint to export.
    only_materials = services.send_request(
        actor=chain.cell_user,
        part=chain.cell_nmc,
        wants_footprint=False,
        wants_materials=True,
        message="",
        due_date=due(),
    )
    declaration = services.answer_request(
        actor=chain.cathode_user, request=only_materials, supplier_part=chain.nmc, details=details()
    )
    response = client_for(chain.cell_user).get(BASE + f"answers/{declaration.public_id}/catenax-pcf/")
    assert response.status_code == 409 and response.json()["code"] == "no_footprint"
