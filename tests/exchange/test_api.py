"""The exchange REST API: CRUD through the services, 404 for another company's rows on every route, and 400
with field messages (nothing stored) for bad input."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from exchange import services
from exchange.models import Answer, AnswerStatus, Component, DataRequest, OwnMaterial, Part, RequestState
from portal.tenancy.models import Role
from tests.factories import member

from .chain import DETAILS, build_chain, due

pytestmark = pytest.mark.django_db
BASE = "/api/v1/exchange/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def chain():
    return build_chain()


def test_parts_crud_with_decimals_as_strings(chain):
    api = client_for(chain.cathode_user)
    response = api.post(
        BASE + "parts/",
        {
            "kind": "made",
            "local_id": "PCAM",
            "name": "Precursor",
            "unit": "kilogram",
            "own_pre_processing": "1.25",
            "own_main_production": 0.5,
            "own_primary_share": "40",
            "own_quality": {"pre": {"technological": 2, "geographical": 3, "temporal": 1}},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["own_pre_processing"] == "1.25" and body["own_main_production"] == "0.5"
    assert body["own_quality"]["pre"]["geographical"] == 3 and body["supplier"] is None
    part_id = body["id"]

    bought = api.post(
        BASE + "parts/",
        {
            "kind": "bought",
            "local_id": "NI-1",
            "name": "Nickel sulphate",
            "unit": "kilogram",
            "supplier": chain.refiner.bpnl,
        },
        format="json",
    ).json()
    assert bought["supplier"]["name"] == chain.refiner.legal_name

    listed = api.get(BASE + "parts/", {"kind": "made"}).json()
    assert {row["local_id"] for row in listed["results"]} == {"NMC811", "PCAM"}
    assert api.get(BASE + "parts/", {"search": "sulph"}).json()["count"] == 1

    response = api.patch(
        BASE + f"parts/{part_id}/", {"name": "Precursor pCAM", "own_main_production": "0.75"}, format="json"
    )
    assert response.status_code == 200, response.json()
    part = Part.objects.get(public_id=part_id)
    assert part.name == "Precursor pCAM" and part.own_main_production == Decimal("0.75")
    assert part.own_pre_processing == Decimal("1.25")  # kept

    # Bill of materials and own materials of the made part.
    response = api.post(
        BASE + f"parts/{part_id}/components/", {"child": bought["id"], "quantity": "0.3"}, format="json"
    )
    assert response.status_code == 201 and response.json()["quantity"] == "0.3"
    assert [row["child"]["local_id"] for row in api.get(BASE + f"parts/{part_id}/components/").json()] == [
        "NI-1"
    ]
    response = api.post(
        BASE + f"parts/{part_id}/materials/",
        {
            "material": "cobalt",
            "mass_per_unit": "0.05",
            "extraction_shares": {"CD": "70", "AU": 30},
            "processing_shares": {"CN": "100"},
            "recycled_post_consumer": "5",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["extraction_shares"] == {"CD": "70", "AU": "30"}

    rollup = api.get(BASE + f"parts/{part_id}/rollup/").json()
    assert rollup["figures"]["own_pre_processing"] == "1.25" and rollup["figures"]["total"] == "2"
    line = rollup["sources"][1]
    assert (
        line["part"]["local_id"] == "NI-1"
        and line["quantity"] == "0.3"
        and line["missing"] == "no answer yet"
    )
    assert rollup["sources"][0]["part"] is None and rollup["sources"][0]["emissions"] == "2"
    assert rollup["figures"]["materials"][0]["material"] == "cobalt"

    assert api.delete(BASE + f"parts/{part_id}/components/{bought['id']}/").status_code == 204
    assert api.delete(BASE + f"parts/{part_id}/materials/cobalt/").status_code == 204
    assert not Component.objects.filter(parent__public_id=part_id).exists()
    assert not OwnMaterial.objects.filter(part__public_id=part_id).exists()

    # A viewer reads but may not write.
    viewer = client_for(member(Role.VIEWER, chain.cathode))
    assert viewer.get(BASE + f"parts/{part_id}/").status_code == 200
    assert viewer.patch(BASE + f"parts/{part_id}/", {"name": "x"}, format="json").status_code == 403


def test_requests_and_answers_through_the_api(chain):
    cell, cathode = client_for(chain.cell_user), client_for(chain.cathode_user)
    response = cell.post(
        BASE + "requests/sent/",
        {
            "part": str(chain.cell_nmc.public_id),
            "wants_footprint": True,
            "wants_materials": True,
            "message": "Please",
            "due_date": due().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    request_id = response.json()["id"]
    assert response.json()["customer_part"]["id"] == str(chain.cell_nmc.public_id)
    received = cathode.get(BASE + "requests/received/", {"state": "sent"}).json()["results"]
    assert [row["id"] for row in received] == [request_id]
    assert "id" not in received[0]["customer_part"]  # the customer's part id stays the customer's
    assert cell.get(BASE + "requests/sent/", {"state": "fulfilled"}).json()["count"] == 0

    response = cathode.post(
        BASE + f"requests/{request_id}/answer/",
        {
            "supplier_part": str(chain.nmc.public_id),
            "reference_period_start": "2026-01-01",
            "reference_period_end": "2027-01-01",
            "geography_country": "JP",
            "quality": {"technological": "2"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["footprint"]["pcf_excluding_biogenic"] == "7"
    assert answer["footprint"]["purchased_pre_processing"] == "2"
    assert answer["footprint"]["primary_data_share"] == "94.286"
    assert answer["supplier_part"] == str(chain.nmc.public_id)
    assert {row["material"]: row["mass_per_unit"] for row in answer["materials"]} == {
        "lithium": "0.0752",
        "nickel": "0.2",
    }

    seen = cell.get(BASE + f"answers/{answer['id']}/").json()
    assert "supplier_part" not in seen and seen["supplier"]["name"] == chain.cathode.legal_name
    assert [row["id"] for row in cell.get(BASE + "answers/received/").json()["results"]] == [answer["id"]]
    assert answer["id"] in [row["id"] for row in cathode.get(BASE + "answers/given/").json()["results"]]
    assert cell.get(BASE + f"requests/{request_id}/").json()["state"] == "fulfilled"

    response = cathode.post(
        BASE + f"answers/{answer['id']}/correct/",
        {"reference_period_start": "2026-01-01", "reference_period_end": "2027-01-01"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["version"] == 2
    assert response.json()["preceding"] == answer["id"]
    assert Answer.objects.get(public_id=answer["id"]).status == AnswerStatus.SUPERSEDED
    assert cell.get(BASE + "answers/received/", {"status": "active"}).json()["count"] == 1


def test_send_back_and_cancel(chain):
    request = services.send_request(
        actor=chain.cell_user,
        part=chain.cell_nmc,
        wants_footprint=True,
        wants_materials=False,
        message="",
        due_date=due(),
    )
    cell, cathode = client_for(chain.cell_user), client_for(chain.cathode_user)
    response = cathode.post(BASE + f"requests/{request.public_id}/send-back/", {"reason": " "}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = cathode.post(
        BASE + f"requests/{request.public_id}/send-back/", {"reason": "Wrong grade"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "sent_back"
    assert response.json()["reason"] == "Wrong grade"
    assert (
        cathode.post(BASE + f"requests/{request.public_id}/cancel/").status_code == 403
    )  # not the customer's
    response = cell.post(BASE + f"requests/{request.public_id}/cancel/")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"


def test_another_companys_rows_answer_404_on_every_route(chain):
    """The cell maker may see none of the refiner-cathode exchange, nor the cathode maker's parts."""
    answer = Answer.objects.get(customer=chain.cathode)
    request = answer.request
    open_request = services.send_request(
        actor=chain.cathode_user,
        part=chain.cathode_li_carb,
        wants_footprint=True,
        wants_materials=False,
        message="",
        due_date=due(),
    )
    part, child = chain.nmc.public_id, chain.cathode_li_carb.public_id
    routes = [
        ("get", f"parts/{part}/"),
        ("patch", f"parts/{part}/"),
        ("get", f"parts/{part}/components/"),
        ("post", f"parts/{part}/components/"),
        ("delete", f"parts/{part}/components/{child}/"),
        ("get", f"parts/{part}/materials/"),
        ("post", f"parts/{part}/materials/"),
        ("delete", f"parts/{part}/materials/nickel/"),
        ("get", f"parts/{part}/rollup/"),
        ("get", f"requests/{request.public_id}/"),
        ("post", f"requests/{open_request.public_id}/cancel/"),
        ("post", f"requests/{open_request.public_id}/send-back/"),
        ("post", f"requests/{open_request.public_id}/answer/"),
        ("post", f"requests/{open_request.public_id}/answer-file/"),
        ("get", f"answers/{answer.public_id}/"),
        ("post", f"answers/{answer.public_id}/correct/"),
        ("get", f"answers/{answer.public_id}/catenax-pcf/"),
        ("get", f"answers/{answer.public_id}/ouranos-cfp/"),
        ("get", f"parts/{uuid.uuid4()}/"),
    ]
    api = client_for(chain.cell_user)
    for method, url in routes:
        response = getattr(api, method)(BASE + url, {}, format="multipart" if "file" in url else "json")
        assert response.status_code == 404, (method, url, response.status_code)
    cell = client_for(chain.cell_user)
    assert cell.get(BASE + "requests/received/").json()["count"] == 0
    assert cell.get(BASE + "answers/received/").json()["count"] == 0
    assert {row["local_id"] for row in cell.get(BASE + "parts/").json()["results"]} == {"CAM-1"}
    # A part named in a body that is not the caller's is unknown (400 on its field), like a missing one.
    response = cell.post(
        BASE + "requests/sent/",
        {"part": str(chain.cathode_li_carb.public_id), "due_date": due().isoformat()},
        format="json",
    )
    assert response.status_code == 400 and response.json() == {"part": ["Not one of your parts."]}
    assert DataRequest.objects.get(pk=open_request.pk).state == RequestState.SENT
    assert Part.objects.get(pk=chain.nmc.pk).name == "NMC 811 cathode active material"


def test_bad_input_is_400_with_field_messages_and_nothing_stored(chain):
    api = client_for(chain.refiner_user)
    url = BASE + f"parts/{chain.li_carb.public_id}/materials/"
    base = {
        "material": "cobalt",
        "mass_per_unit": "0.1",
        "extraction_shares": {"CD": "100"},
        "processing_shares": {"CN": "100"},
    }
    cases = [
        ({"mass_per_unit": "-1"}, "mass_per_unit", "Must be at least 0."),
        ({"mass_per_unit": "abc"}, "mass_per_unit", "“abc” is not a decimal number."),
        ({"mass_per_unit": True}, "mass_per_unit", "Enter a number."),
        (
            {"extraction_shares": {"CL": "60", "AU": "35"}},
            "extraction_shares",
            "The shares add up to 95 %, not 100 %.",
        ),
        ({"extraction_shares": {"XX": "100"}}, "extraction_shares", "“XX” is not a known country code."),
        ({"material": "unobtainium"}, "material", "“unobtainium” is not a material on the list."),
    ]
    for case, field, message in cases:
        response = api.post(url, {**base, **case}, format="json")
        assert response.status_code == 400, case
        assert response.json()[field] == [message], response.json()
    assert not OwnMaterial.objects.filter(material__code="cobalt").exists()

    response = api.post(
        BASE + "parts/",
        {"kind": "made", "local_id": "A", "name": "A", "unit": "furlong", "own_pre_processing": "-2"},
        format="json",
    )
    assert response.status_code == 400 and set(response.json()) == {"unit", "own_pre_processing"}
    response = api.post(
        BASE + "parts/",
        {"kind": "bought", "local_id": "B", "name": "B", "unit": "kilogram", "supplier": "BPNL000000000XXX"},
        format="json",
    )
    assert response.status_code == 400 and "supplier" in response.json()
    assert not Part.objects.filter(local_id__in=["A", "B"]).exists()  # the bought part was not half-stored

    cathode = client_for(chain.cathode_user)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = cathode.post(
        BASE + "requests/sent/",
        {"part": str(chain.cathode_li_carb.public_id), "due_date": yesterday},
        format="json",
    )
    assert response.status_code == 400 and response.json() == {
        "due_date": ["The due date cannot be in the past."]
    }
    response = cathode.post(
        BASE + f"parts/{chain.nmc.public_id}/components/",
        {"child": str(chain.cathode_li_carb.public_id), "quantity": "-0.4"},
        format="json",
    )
    assert response.status_code == 400 and "quantity" in response.json()
    assert Component.objects.get(parent=chain.nmc).quantity == Decimal("0.4")

    # An answer from a part in another unit than the customer's.
    piece = services.create_part(
        actor=chain.refiner_user,
        kind="made",
        data={"local_id": "P", "name": "Pallet", "unit": "piece", "own_main_production": "1"},
    )
    request = services.send_request(
        actor=chain.cathode_user,
        part=chain.cathode_li_carb,
        wants_footprint=True,
        wants_materials=False,
        message="",
        due_date=due(),
    )
    response = api.post(
        BASE + f"requests/{request.public_id}/answer/",
        {"supplier_part": str(piece.public_id), **DETAILS},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["supplier_part"] == [
        "Your part is declared per piece, the customer buys it per kilogram."
    ]
    response = api.post(
        BASE + f"requests/{request.public_id}/answer/",
        {
            "supplier_part": str(chain.li_carb.public_id),
            "reference_period_start": "2026-01-01",
            "reference_period_end": "2025-01-01",
            "geography_country": "ZZ",
            "quality": {"technological": "4"},
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"reference_period_end", "geography_country", "quality_technological"}
    assert Answer.objects.filter(request=request).count() == 0
    assert DataRequest.objects.get(pk=request.pk).state == RequestState.SENT
