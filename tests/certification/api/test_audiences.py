"""Who sees what through the certification API: every endpoint that reads, for every audience.

Company A's application is in review at the accredited body; a draft of company A must stay with the
applicant; the certificate is seen by holder, issuing body, authority and operator; everyone else gets
empty lists and 404s (never a 403 that would confirm the object exists).
"""

from __future__ import annotations

from datetime import date

import pytest

from certification.models import ApplicationState

from ..audiences import (
    ADMIN_A,
    ANONYMOUS,
    APPLICANT,
    AUDIENCES,
    BODY,
    INSPECTOR,
    LEAD,
    OPERATOR,
    OTHER_BODY,
    OTHER_COMPANY,
    REVIEWER,
    VIEWER_A,
)
from ..conftest import CATENA_X, OURANOS, SUPPLIER_MARKER, approve

pytestmark = pytest.mark.django_db

MISSING = "00000000-0000-4000-8000-000000000000"


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# ---- schemes -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("audience", [*AUDIENCES, OPERATOR])
def test_schemes_are_readable_by_every_signed_in_person(api, audience, accredited, other_body):
    response = api(audience).get("/api/v1/schemes/")
    if audience == ANONYMOUS:
        assert response.status_code in (401, 403)
        return
    assert response.status_code == 200
    schemes = {row["code"]: row for row in response.json()["results"]}
    assert set(schemes) == {CATENA_X, OURANOS}
    catenax = schemes[CATENA_X]
    assert catenax["number_format"] == "CATX-{body}-{seq:07d}"
    assert catenax["validity"] == {"kind": "period", "months": 36, "until_date": None, "until_label": ""}
    assert catenax["scope_kind"] == "organization_and_products"
    assert {"code": "CX-0160", "title": "Battery Passport", "version": "2.0.0"} in catenax["standards"]
    criterion = catenax["criteria"][0]
    assert set(criterion) == {
        "code",
        *("text", "text_ja", "text_de"),
        *("evidence_expected", "evidence_expected_ja", "evidence_expected_de"),
        "method",
        "mandatory",
    }
    assert criterion["code"] == "CX-BP-01" and criterion["mandatory"] is True and criterion["text_ja"]
    assert any(not c["mandatory"] for c in catenax["criteria"])
    bodies = {body["legal_name"]: body["id"] for body in catenax["accredited_bodies"]}
    assert bodies == {
        "Cert Body GmbH": str(accredited.public_id),
        "Other Certifier KK": str(other_body.public_id),
    }


def test_scheme_detail_by_code_and_unknown_code(api, accredited):
    client = api(VIEWER_A)
    detail = client.get(f"/api/v1/schemes/{OURANOS}/")
    assert detail.status_code == 200
    assert detail.json()["number_format"] == "OUR-{body}-{year}-{seq:06d}"
    assert [b["legal_name"] for b in detail.json()["accredited_bodies"]] == [
        "Cert Body GmbH",
        "Other Certifier KK",
    ]
    assert client.get("/api/v1/schemes/no-such-scheme/").status_code == 404


def test_a_body_whose_accreditation_ended_is_not_listed(api, accredited, catenax):
    accredited.accreditations.filter(scheme=catenax).update(
        valid_from=date(2020, 1, 1), valid_until=date(2021, 1, 1)
    )
    body = api(ADMIN_A).get(f"/api/v1/schemes/{CATENA_X}/").json()
    assert [b["legal_name"] for b in body["accredited_bodies"]] == ["Other Certifier KK"]


# ---- applications ------------------------------------------------------------------------------------
SEES_IN_REVIEW = {*APPLICANT, *BODY}


@pytest.mark.parametrize("audience", AUDIENCES)
def test_application_list_and_detail_per_audience(api, users, audience, in_review):
    client = api(audience)
    listing = client.get("/api/v1/applications/")
    detail = client.get(f"/api/v1/applications/{in_review.public_id}/")
    if audience == ANONYMOUS:
        assert listing.status_code in (401, 403) and detail.status_code in (401, 403)
        return
    if audience in SEES_IN_REVIEW:
        assert _ids(listing) == {str(in_review.public_id)}
        assert detail.status_code == 200
        body = detail.json()
        assert body["state"] == ApplicationState.IN_REVIEW
        assert body["scheme"]["code"] == CATENA_X
        assert body["applicant"]["legal_name"] == "Company A GmbH"
        assert body["body"]["legal_name"] == "Cert Body GmbH"
        assert body["reviewer"] == users[REVIEWER].get_full_name()
        assert body["scope"]["battery_models"][0]["name"] == "Certified Pack 80"
        assert body["scope"]["passports"][0]["unique_identifier"] == "urn:epc:CERT-0001"
        assert {a["criterion"] for a in body["answers"]} >= {"CX-BP-01", "CX-BP-02"}
        assert [e["to_state"] for e in body["history"]] == ["draft", "submitted", "in_review"]
        assert body["certificate"] is None
    else:
        assert _ids(listing) == set()
        assert detail.status_code == 404
        assert detail.json() == {"detail": "Not found."}


@pytest.mark.parametrize("audience", AUDIENCES)
def test_only_the_body_sees_the_supply_chain_and_only_while_the_review_is_open(
    api, audience, in_review, reviewer
):
    response = api(audience).get(f"/api/v1/applications/{in_review.public_id}/")
    if audience in BODY:
        scope_data = response.json()["scope_data"]
        assert scope_data["source"] == "live" and scope_data["recorded_at"] is None
        assert SUPPLIER_MARKER in response.content.decode()
        assert scope_data["battery_models"][0]["supply_chain"][0]["supplier_name"] == SUPPLIER_MARKER
        assert scope_data["passports"][0]["id"]
    else:
        assert "scope_data" not in response.content.decode()
        assert SUPPLIER_MARKER not in response.content.decode()

    # The review closes with the approval: the body keeps, read-only, the snapshot of the values it
    # reviewed, without the confidential supply chain (its access to the owner's data ends); nobody else
    # gets anything.
    approve(in_review, reviewer)
    response = api(audience).get(f"/api/v1/applications/{in_review.public_id}/")
    assert SUPPLIER_MARKER not in response.content.decode()
    if audience in BODY:
        scope_data = response.json()["scope_data"]
        assert scope_data["source"] == "snapshot" and scope_data["recorded_at"]
        assert (
            scope_data["battery_models"][0]["name"] and "supply_chain" not in scope_data["battery_models"][0]
        )
    else:
        assert "scope_data" not in response.content.decode()


def test_no_scope_data_before_a_reviewer_is_assigned(api, submitted):
    response = api(LEAD).get(f"/api/v1/applications/{submitted.public_id}/")
    assert response.status_code == 200
    assert "scope_data" not in response.json()
    assert SUPPLIER_MARKER not in response.content.decode()


@pytest.mark.parametrize("audience", AUDIENCES)
def test_drafts_stay_with_the_applicant(api, audience, draft):
    client = api(audience)
    listing = client.get("/api/v1/applications/")
    detail = client.get(f"/api/v1/applications/{draft.public_id}/")
    if audience == ANONYMOUS:
        assert detail.status_code in (401, 403)
    elif audience in APPLICANT:
        assert _ids(listing) == {str(draft.public_id)} and detail.status_code == 200
        assert detail.json()["missing_answers"] == []
    else:
        assert _ids(listing) == set() and detail.status_code == 404


@pytest.mark.parametrize("audience", [ADMIN_A, LEAD, OTHER_COMPANY])
def test_unknown_and_malformed_ids_answer_404(api, audience, in_review):
    client = api(audience)
    for path in (
        f"/api/v1/applications/{MISSING}/",
        f"/api/v1/applications/{MISSING}/submit/",
        f"/api/v1/applications/{in_review.public_id}/evidence/{MISSING}/",
        "/api/v1/applications/not-a-uuid/",
        "/api/v1/certificates/NO-SUCH-0000001/",
    ):
        response = client.get(path) if "submit" not in path else client.post(path, {}, format="json")
        assert response.status_code == 404, path


def test_operators_have_no_applications(api, in_review):
    # No membership: the API's member-only endpoints refuse, as for every tenant's data.
    assert api(OPERATOR).get("/api/v1/applications/").status_code == 403


@pytest.mark.parametrize("audience", [OTHER_COMPANY, OTHER_BODY, INSPECTOR])
def test_writes_on_an_application_outside_the_scope_answer_404(api, audience, in_review):
    client = api(audience)
    base = f"/api/v1/applications/{in_review.public_id}/"
    for action, payload in (
        ("submit/", {"declaration_name": "X"}),
        ("assign/", {"reviewer": 1}),
        ("request-changes/", {"message": "X"}),
        ("resubmit/", {"declaration_name": "X"}),
        ("approve/", {}),
        ("reject/", {"reason": "X"}),
        ("withdraw/", {"reason": "X"}),
        ("verdicts/", {"criterion": "CX-BP-01", "value": "met"}),
    ):
        assert client.post(base + action, payload, format="json").status_code == 404, action
    assert client.put(base + "answers/", {"answers": {}}, format="json").status_code == 404
    assert client.patch(base, {"sites": []}, format="json").status_code == 404
    verdicts = {"verdicts": [{"criterion": "CX-BP-01", "value": "met"}]}
    assert client.patch(base + "verdicts/", verdicts, format="json").status_code == 404
    assert client.get(base + "reviewers/").status_code == 404
    in_review.refresh_from_db()
    assert in_review.state == ApplicationState.IN_REVIEW


# ---- certificates ------------------------------------------------------------------------------------
SEES_CERTIFICATE = {*APPLICANT, *BODY, INSPECTOR, OPERATOR}


@pytest.mark.parametrize("audience", [*AUDIENCES, OPERATOR])
def test_certificate_list_and_detail_per_audience(api, audience, certificate):
    recognised = certificate.recognised.get()
    client = api(audience)
    listing = client.get("/api/v1/certificates/")
    detail = client.get(f"/api/v1/certificates/{certificate.number}/")
    if audience == ANONYMOUS:
        assert listing.status_code in (401, 403) and detail.status_code in (401, 403)
        return
    if audience in SEES_CERTIFICATE:
        numbers = {row["number"] for row in listing.json()["results"]}
        assert numbers == {certificate.number, recognised.number}
        assert detail.status_code == 200
        body = detail.json()
        assert body["recognised_as"] == [recognised.number] and body["recognised_from"] is None
        assert body["holder"]["name"] == "Company A GmbH"
        other = client.get(f"/api/v1/certificates/{recognised.number}/").json()
        assert other["recognised_from"] == certificate.number and other["scheme"]["code"] == OURANOS
    else:
        assert listing.json()["results"] == []
        assert detail.status_code == 404


def test_history_names_only_your_own_people_and_the_reviewer(api, users, in_review):
    from certification import services

    services.application_request_changes(actor=users[REVIEWER], application=in_review, message="More.")
    path = f"/api/v1/applications/{in_review.public_id}/"
    applicant = [e["actor"] for e in api(VIEWER_A).get(path).json()["history"]]
    body = [e["actor"] for e in api(LEAD).get(path).json()["history"]]
    admin, lead, reviewer = (users[a].get_full_name() for a in (ADMIN_A, LEAD, REVIEWER))
    # created, submitted (company A's admin), in review (assigned by the lead), changes requested (reviewer)
    assert applicant == [admin, admin, "Cert Body GmbH", reviewer]
    assert body == ["Company A GmbH", "Company A GmbH", lead, reviewer]
