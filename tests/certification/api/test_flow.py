"""The review through the API from start to certificate, and its refusals: 403 with the service's reason
for a wrong role, 409 for an illegal transition, 400 with field messages for bad input."""

from __future__ import annotations

import pytest

from certification.models import Application, ApplicationState, Certificate

from ..audiences import ADMIN_A, INSPECTOR, LEAD, OTHER_COMPANY, REVIEWER, VIEWER_A
from ..conftest import CATENA_X, OURANOS

pytestmark = pytest.mark.django_db


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def test_the_whole_review_through_the_api(api, catenax, accredited, scope_model, scope_passport, users):
    applicant, lead, reviewer = api(ADMIN_A), api(LEAD), api(REVIEWER)

    created = _ok(
        applicant.post(
            "/api/v1/applications/",
            {
                "scheme": CATENA_X,
                "body": str(accredited.public_id),
                "battery_models": [str(scope_model.public_id)],
                "passports": [str(scope_passport.public_id)],
            },
            format="json",
        ),
        201,
    )
    assert created["state"] == "draft" and created["round"] == 1
    assert created["scope"]["battery_models"] == [
        {"id": str(scope_model.public_id), "name": "Certified Pack 80"}
    ]
    base = f"/api/v1/applications/{created['id']}/"
    codes = [c.code for c in catenax.criteria.all()]
    assert created["missing_answers"] == [c.code for c in catenax.criteria.all() if c.mandatory]

    # An incomplete self-assessment cannot be submitted: the missing criteria are named.
    _ok(applicant.put(base + "answers/", {"answers": {codes[0]: "Schema report attached."}}, format="json"))
    refused = applicant.post(base + "submit/", {"declaration_name": "Anna Admin"}, format="json")
    assert refused.status_code == 400
    assert codes[1] in refused.json()["answers"][0]
    answers = {code: f"Answer for {code}." for code in codes}
    detail = _ok(applicant.put(base + "answers/", {"answers": answers}, format="json"))
    assert detail["missing_answers"] == []

    submitted = _ok(applicant.post(base + "submit/", {"declaration_name": "Anna Admin"}, format="json"))
    assert submitted["state"] == "submitted"
    assert submitted["declaration"]["name"] == "Anna Admin" and submitted["declaration"]["signed_at"]

    reviewers = _ok(lead.get(base + "reviewers/"))
    by_name = {row["username"]: row for row in reviewers}
    assert set(by_name) == {"lead", "reviewer"} and not by_name["reviewer"]["is_assigned"]
    assigned = _ok(lead.post(base + "assign/", {"reviewer": by_name["reviewer"]["id"]}, format="json"))
    assert assigned["state"] == "in_review" and assigned["reviewer"] == users[REVIEWER].get_full_name()
    assert [row["username"] for row in _ok(lead.get(base + "reviewers/")) if row["is_assigned"]] == [
        "reviewer"
    ]

    # Round 1: one criterion not met; approval is refused, changes are requested.
    for code in codes:
        verdict = {"criterion": code, "value": "met"}
        if code == codes[2]:
            verdict = {"criterion": code, "value": "not_met", "notes": "No usage policy export."}
        recorded = _ok(reviewer.post(base + "verdicts/", verdict, format="json"), 201)
        assert recorded["round"] == 1 and recorded["criterion"] == code
    refused = reviewer.post(base + "approve/", {}, format="json")
    assert refused.status_code == 400 and codes[2] in refused.json()["verdicts"][0]
    changes = _ok(
        reviewer.post(base + "request-changes/", {"message": "Add the policy export."}, format="json")
    )
    assert changes["state"] == "changes_requested"

    # The applicant adds what was asked and resubmits: round 2.
    _ok(applicant.put(base + "answers/", {"answers": {codes[2]: "Export attached now."}}, format="json"))
    resubmitted = _ok(
        applicant.post(
            base + "resubmit/", {"declaration_name": "Anna Admin", "message": "Export added."}, format="json"
        )
    )
    assert resubmitted["state"] == "in_review" and resubmitted["round"] == 2

    for code in codes:
        _ok(reviewer.post(base + "verdicts/", {"criterion": code, "value": "met"}, format="json"), 201)
    certificate = _ok(
        reviewer.post(
            base + "approve/", {"conditions": "Annual surveillance.", "message": "Well done."}, format="json"
        ),
        201,
    )
    assert certificate["number"] == "CATX-CBG-0000001"
    assert certificate["status"] == "valid" and certificate["conditions"] == "Annual surveillance."
    assert certificate["scheme"] == {"code": CATENA_X, "name": catenax.name, "version": catenax.version}
    assert certificate["reviewer"] == users[REVIEWER].get_full_name()
    assert certificate["scope"]["battery_models"][0]["name"] == "Certified Pack 80"
    assert certificate["application"] == created["id"]
    (recognised_number,) = certificate["recognised_as"]
    assert recognised_number.startswith("OUR-CBG-")

    final = _ok(applicant.get(base))
    assert final["state"] == "approved" and final["certificate"] == "CATX-CBG-0000001"
    assert {(v["round"], v["value"]) for v in final["verdicts"] if v["criterion"] == codes[2]} == {
        (1, "not_met"),
        (2, "met"),
    }
    assert [e["to_state"] for e in final["history"]] == [
        "draft",
        "submitted",
        "in_review",
        "changes_requested",
        "in_review",
        "approved",
    ]
    assert final["history"][3]["message"] == "Add the policy export."

    # The holder and the authority see the certificate and its recognised twin.
    for audience in (ADMIN_A, INSPECTOR):
        listing = _ok(api(audience).get("/api/v1/certificates/"))
        assert {row["number"] for row in listing["results"]} == {"CATX-CBG-0000001", recognised_number}
    recognised = _ok(applicant.get(f"/api/v1/certificates/{recognised_number}/"))
    assert recognised["recognised_from"] == "CATX-CBG-0000001"
    assert recognised["scheme"]["code"] == OURANOS and recognised["application"] is None


def test_an_illegal_transition_is_a_409_with_a_clear_message(api, certificate):
    application = certificate.application
    base = f"/api/v1/applications/{application.public_id}/"
    again = api(REVIEWER).post(base + "approve/", {}, format="json")
    assert again.status_code == 409
    assert again.json() == {
        "detail": "An application in the state “Approved” cannot be approved.",
        "code": "invalid_state",
    }
    submit = api(ADMIN_A).post(base + "submit/", {"declaration_name": "Anna"}, format="json")
    assert submit.status_code == 409 and submit.json()["code"] == "invalid_state"
    assert Certificate.objects.filter(origin__isnull=True).count() == 1


def test_a_draft_cannot_be_approved_or_resubmitted(api, draft, reviewer):
    base = f"/api/v1/applications/{draft.public_id}/"
    response = api(ADMIN_A).post(base + "resubmit/", {"declaration_name": "Anna"}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "An application in the state “Draft” cannot be resubmitted."


@pytest.mark.parametrize(
    ("audience", "action", "payload", "message"),
    [
        (
            VIEWER_A,
            "submit/",
            {"declaration_name": "V"},
            "Only the applicant's administrators can submit it.",
        ),
        (VIEWER_A, "withdraw/", {}, "Only the applicant's administrators can withdraw it."),
        (LEAD, "withdraw/", {}, "Only the applicant's administrators can withdraw it."),
        (
            REVIEWER,
            "assign/",
            {"reviewer": 1},
            "Only a lead of the certification body can assign a reviewer.",
        ),
        (ADMIN_A, "assign/", {"reviewer": 1}, "Only a lead of the certification body can assign a reviewer."),
        (LEAD, "approve/", {}, "Only the reviewer assigned to this application can do this."),
        (ADMIN_A, "approve/", {}, "Only the reviewer assigned to this application can do this."),
        (
            VIEWER_A,
            "reject/",
            {"reason": "no"},
            "Only the reviewer assigned to this application can do this.",
        ),
        (
            LEAD,
            "request-changes/",
            {"message": "x"},
            "Only the reviewer assigned to this application can do this.",
        ),
        (
            LEAD,
            "verdicts/",
            {"criterion": "CX-BP-01", "value": "met"},
            "Only the reviewer assigned to this application can do this.",
        ),
    ],
)
def test_wrong_roles_get_403_with_the_reason(api, in_review, audience, action, payload, message):
    response = api(audience).post(
        f"/api/v1/applications/{in_review.public_id}/{action}", payload, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": message}
    in_review.refresh_from_db()
    assert in_review.state == ApplicationState.IN_REVIEW


def test_answers_patch_and_reviewers_need_the_right_role(api, draft, submitted):
    base = f"/api/v1/applications/{draft.public_id}/"
    viewer = api(VIEWER_A)
    answers = viewer.put(base + "answers/", {"answers": {"CX-BP-01": "x"}}, format="json")
    assert (
        answers.status_code == 403
        and answers.json()["detail"] == "Only the applicant's administrators can answer."
    )
    patch = viewer.patch(base, {"sites": []}, format="json")
    assert (
        patch.status_code == 403
        and patch.json()["detail"] == "Only the applicant's administrators can edit it."
    )
    reviewers = api(REVIEWER).get(f"/api/v1/applications/{submitted.public_id}/reviewers/")
    assert reviewers.status_code == 403
    assert reviewers.json()["detail"] == "Only a lead of the certification body can assign a reviewer."


def test_assigning_someone_outside_the_body_is_a_field_error(api, submitted, users):
    response = api(LEAD).post(
        f"/api/v1/applications/{submitted.public_id}/assign/", {"reviewer": users[ADMIN_A].pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"reviewer": ["Choose a reviewer of your certification body."]}


# ---- creating and editing: bad input is a 400 on its field, other companies' ids are never confirmed -------
def _create(client, **payload):
    return client.post("/api/v1/applications/", payload, format="json")


def test_create_refuses_ids_the_caller_cannot_use(api, accredited, admin_b, company_b, scope_model):
    from passports import services as passport_services

    foreign = passport_services.battery_model_create(
        actor=admin_b,
        organization=company_b,
        values={"model_name": "B Pack", "manufacturer_part_id": "B-1", "battery_category": "ev"},
    )
    client = api(ADMIN_A)
    missing = "00000000-0000-4000-8000-000000000000"
    responses = [
        _create(
            client, scheme=CATENA_X, body=str(accredited.public_id), battery_models=[str(foreign.public_id)]
        ),
        _create(client, scheme=CATENA_X, body=str(accredited.public_id), battery_models=[missing]),
    ]
    for response, bad_id in zip(responses, [foreign.public_id, missing], strict=True):
        assert response.status_code == 400
        assert response.json() == {"battery_models": [f"Not one of your battery models: {bad_id}."]}
    response = _create(
        client, scheme=CATENA_X, body=str(accredited.public_id), passports=[missing], sites=[missing]
    )
    assert set(response.json()) == {"passports", "sites"}
    assert _create(client, scheme="no-such-scheme", body=str(accredited.public_id)).json() == {
        "scheme": ["No scheme has this code."]
    }
    not_a_body = _create(client, scheme=CATENA_X, body=str(company_b.public_id))
    assert not_a_body.json() == {"body": ["Choose a certification body accredited for this scheme today."]}
    malformed = _create(client, scheme=CATENA_X, body="x", battery_models="y")
    assert malformed.status_code == 400 and set(malformed.json()) == {"body", "battery_models"}
    nul = _create(client, scheme="cat\x00enax", body=str(accredited.public_id))
    assert nul.status_code == 400 and "scheme" in nul.json()
    assert Application.objects.count() == 0


@pytest.mark.parametrize("audience", [VIEWER_A, LEAD, INSPECTOR])
def test_only_company_administrators_create(api, accredited, audience):
    response = _create(api(audience), scheme=CATENA_X, body=str(accredited.public_id))
    assert response.status_code == 403
    assert response.json() == {"detail": "Only a company administrator can apply for certification."}


def test_one_open_application_per_scheme(api, draft, accredited):
    response = _create(api(ADMIN_A), scheme=CATENA_X, body=str(accredited.public_id))
    assert response.status_code == 400
    assert response.json() == {
        "scheme": ["Your organization already has an open application for this scheme."]
    }


def test_patch_changes_body_and_scope_of_a_draft(api, draft, other_body, company_a):
    from tests.factories import SiteFactory

    site = SiteFactory(organization=company_a, name="Plant Salzgitter")
    base = f"/api/v1/applications/{draft.public_id}/"
    detail = _ok(
        api(ADMIN_A).patch(
            base, {"body": str(other_body.public_id), "sites": [str(site.public_id)]}, format="json"
        )
    )
    assert detail["body"]["legal_name"] == "Other Certifier KK"
    assert detail["scope"]["sites"] == [{"id": str(site.public_id), "name": "Plant Salzgitter"}]
    assert len(detail["scope"]["battery_models"]) == 1  # not named: unchanged


def test_patch_after_submission_is_a_409(api, submitted):
    response = api(ADMIN_A).patch(
        f"/api/v1/applications/{submitted.public_id}/", {"sites": []}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "An application in the state “Submitted” cannot be edited."


def test_bad_verdicts_are_field_errors(api, in_review):
    answers = api(ADMIN_A).put(
        f"/api/v1/applications/{in_review.public_id}/answers/", {"answers": {"CX-BP-01": "x"}}, format="json"
    )
    assert answers.status_code == 409  # under review: the answers are closed
    base = f"/api/v1/applications/{in_review.public_id}/verdicts/"
    reviewer = api(REVIEWER)
    unknown = reviewer.post(base, {"criterion": "NOPE-1", "value": "met"}, format="json")
    assert unknown.json() == {"criterion": ["The scheme has no criterion with this code."]}
    bad_value = reviewer.post(base, {"criterion": "CX-BP-01", "value": "perhaps"}, format="json")
    assert bad_value.status_code == 400 and "value" in bad_value.json()
    no_notes = reviewer.post(base, {"criterion": "CX-BP-01", "value": "not_met"}, format="json")
    assert no_notes.json() == {"notes": ["Say why the criterion is not met."]}
    not_applicable = reviewer.post(base, {"criterion": "CX-BP-01", "value": "not_applicable"}, format="json")
    assert not_applicable.json() == {"value": ["A mandatory criterion always applies."]}


def test_unknown_criteria_in_answers_are_named(api, accredited, ouranos):
    created = _create(api(ADMIN_A), scheme=OURANOS, body=str(accredited.public_id)).json()
    response = api(ADMIN_A).put(
        f"/api/v1/applications/{created['id']}/answers/", {"answers": {"NOPE-1": "x"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"answers": ["Unknown criteria: NOPE-1."]}


def test_reject_and_withdraw_need_reasons_where_the_service_says(api, in_review, submitted):
    base = f"/api/v1/applications/{in_review.public_id}/"
    missing = api(REVIEWER).post(base + "reject/", {}, format="json")
    assert missing.status_code == 400 and missing.json() == {
        "reason": ["Give the reasons for the rejection."]
    }
    rejected = _ok(api(REVIEWER).post(base + "reject/", {"reason": "Evidence is forged."}, format="json"))
    assert rejected["state"] == "rejected" and rejected["decision_reason"] == "Evidence is forged."
    withdrawn = api(ADMIN_A).post(base + "withdraw/", {"reason": "late"}, format="json")
    assert withdrawn.status_code == 409


def test_withdraw_by_the_applicant(api, submitted):
    response = _ok(
        api(ADMIN_A).post(
            f"/api/v1/applications/{submitted.public_id}/withdraw/", {"reason": "Too early."}, format="json"
        )
    )
    assert response["state"] == "withdrawn" and response["history"][-1]["message"] == "Too early."


# ---- renewal -----------------------------------------------------------------------------------------------
def test_renewal_starts_a_draft_with_the_old_scope_and_answers(api, certificate):
    response = api(ADMIN_A).post(
        "/api/v1/applications/renew/", {"certificate": certificate.number}, format="json"
    )
    body = _ok(response, 201)
    assert body["state"] == "draft" and body["renewal_of"] == certificate.number
    assert body["scope"]["battery_models"][0]["name"] == "Certified Pack 80"
    assert body["missing_answers"] == []


def test_renewal_refusals(api, certificate):
    recognised = certificate.recognised.get()
    unknown = api(ADMIN_A).post("/api/v1/applications/renew/", {"certificate": "NOPE-1"}, format="json")
    assert unknown.status_code == 400 and unknown.json() == {
        "certificate": ["No certificate of yours has this number."]
    }
    # Another company cannot tell whether the number exists.
    foreign = api(OTHER_COMPANY).post(
        "/api/v1/applications/renew/", {"certificate": certificate.number}, format="json"
    )
    assert foreign.json() == unknown.json()
    for audience in (VIEWER_A, LEAD):
        response = api(audience).post(
            "/api/v1/applications/renew/", {"certificate": certificate.number}, format="json"
        )
        assert response.status_code == 403, audience
    # A recognised certificate follows its origin: it is renewed by renewing the origin.
    response = api(ADMIN_A).post(
        "/api/v1/applications/renew/", {"certificate": recognised.number}, format="json"
    )
    assert response.status_code == 409 and certificate.number in response.json()["detail"]
    assert Application.objects.count() == 1  # nothing started


def test_nul_bytes_and_odd_input_are_400s_not_500s(api, in_review):
    # The shape is checked first: these are 400s whatever the application's state.
    base = f"/api/v1/applications/{in_review.public_id}/"
    nul = api(ADMIN_A).put(base + "answers/", {"answers": {"CX-BP-01": "a\x00b"}}, format="json")
    assert nul.status_code == 400 and "answers.CX-BP-01" in nul.json()  # named by its place in the JSON
    not_a_dict = api(ADMIN_A).put(base + "answers/", {"answers": ["x"]}, format="json")
    assert not_a_dict.status_code == 400 and "answers" in not_a_dict.json()
    broken = api(ADMIN_A).generic("PUT", base + "answers/", "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["detail"].startswith("Malformed JSON")
    notes = api(REVIEWER).generic(
        "POST",
        f"/api/v1/applications/{in_review.public_id}/verdicts/",
        '{"criterion": "CX-BP-01", "value": "met", "notes": "lone \\ud800 surrogate"}',
        content_type="application/json",
    )
    assert notes.status_code == 400 and "notes" in notes.json()
    search = api(LEAD).get("/api/v1/applications/?search=a%00b")
    assert search.status_code == 400


def test_several_verdicts_in_one_request_all_or_none(api, in_review):
    base = f"/api/v1/applications/{in_review.public_id}/verdicts/"
    reviewer = api(REVIEWER)
    codes = sorted(in_review.scheme.criteria.values_list("code", flat=True))
    assert len(codes) >= 3
    wrong = reviewer.patch(
        base,
        {
            "verdicts": [
                {"criterion": codes[0], "value": "met"},
                {"criterion": codes[1], "value": "not_met"},  # no notes: breaks a rule
            ]
        },
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json() == {f"{codes[1]}.notes": ["Say why the criterion is not met."]}
    assert not in_review.verdicts.exists()  # nothing stored, not even the valid first verdict

    repeated = reviewer.patch(
        base, {"verdicts": [{"criterion": codes[0], "value": "met"}] * 2}, format="json"
    )
    assert repeated.status_code == 400 and codes[0] in str(repeated.json()["verdicts"])
    unknown = reviewer.patch(base, {"verdicts": [{"criterion": "NOPE-1", "value": "met"}]}, format="json")
    assert unknown.json() == {"criterion": ["The scheme has no criterion with this code."]}

    saved = reviewer.patch(
        base,
        {
            "verdicts": [
                {"criterion": codes[0], "value": "met"},
                {"criterion": codes[1], "value": "not_met", "notes": "No audit report."},
            ]
        },
        format="json",
    )
    assert saved.status_code == 200, saved.content
    assert [(row["criterion"], row["value"], row["notes"]) for row in saved.json()] == [
        (codes[0], "met", ""),
        (codes[1], "not_met", "No audit report."),
    ]
    # A later request leaves the criteria it does not name as they are.
    later = reviewer.patch(base, {"verdicts": [{"criterion": codes[2], "value": "met"}]}, format="json")
    assert [row["criterion"] for row in later.json()] == codes[:3]
    assert api(ADMIN_A).patch(
        base, {"verdicts": [{"criterion": codes[0], "value": "met"}]}, format="json"
    ).status_code in (403, 404)
