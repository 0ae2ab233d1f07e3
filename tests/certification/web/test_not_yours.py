"""One answer for "not yours", on every certification route that changes something, HTML and API alike:

- a reader who may not see the object (another company, another body, an authority; a body for a draft)
  gets 404 on every method, exactly as for an id that does not exist, and nothing changes;
- a reader who may see it but not do this (the applicant's viewer where an administrator is needed, the
  applicant on the reviewer's routes, a lead where the assigned reviewer acts) gets 403 with the reason;
- an anonymous caller is answered the same for an existing object and a missing one (login / 401-403).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from certification.models import Application, Certificate, Evidence

from ..audiences import ADMIN_A, ANONYMOUS, INSPECTOR, LEAD, OTHER_BODY, OTHER_COMPANY, REVIEWER, VIEWER_A
from ..conftest import approve

pytestmark = pytest.mark.django_db

MISSING = "00000000-0000-4000-8000-000000000000"
OUTSIDERS = (OTHER_COMPANY, OTHER_BODY, INSPECTOR)


def _state(application: Application) -> tuple:
    application.refresh_from_db()
    return (application.state, application.reviewer_id, application.round, application.answers.count())


# ---- the routes: (name, method, url builder, data) ------------------------------------------------------
def _html_application_routes(application: Application, evidence: Evidence | None) -> list[tuple]:
    public_id = application.public_id
    routes = [
        ("scope GET", "get", reverse("certification:application_edit", args=[public_id]), None),
        ("scope POST", "post", reverse("certification:application_edit", args=[public_id]), {"sites": []}),
        ("answers POST", "post", reverse("certification:self_assessment", args=[public_id]), {}),
        ("submit POST", "post", reverse("certification:application_submit", args=[public_id]), {}),
        ("withdraw POST", "post", reverse("certification:application_withdraw", args=[public_id]), {}),
        ("assign POST", "post", reverse("certification:assign", args=[public_id]), {"assign-reviewer": 1}),
        ("verdict POST", "post", reverse("certification:verdict", args=[public_id, "CX-BP-01"]), {}),
        ("verdicts POST", "post", reverse("certification:verdicts", args=[public_id]), {}),
        ("changes POST", "post", reverse("certification:request_changes", args=[public_id]), {}),
        ("approve POST", "post", reverse("certification:approve", args=[public_id]), {}),
        ("reject POST", "post", reverse("certification:reject", args=[public_id]), {}),
    ]
    if evidence is not None:
        url = reverse("certification:evidence_delete", args=[public_id, evidence.public_id])
        routes.append(("evidence delete POST", "post", url, {}))
    return routes


def _api_application_routes(application: Application, evidence: Evidence | None) -> list[tuple]:
    base = f"/api/v1/applications/{application.public_id}/"
    routes = [
        ("PATCH", "patch", base, {"sites": []}),
        ("answers PUT", "put", base + "answers/", {"answers": {}}),
        ("verdicts POST", "post", base + "verdicts/", {}),
        ("reviewers GET", "get", base + "reviewers/", None),
        ("evidence POST", "post", base + "evidence/", {}),
        *((f"{action} POST", "post", base + f"{action}/", {}) for action in _API_ACTIONS),
    ]
    if evidence is not None:
        routes.append(("evidence DELETE", "delete", base + f"evidence/{evidence.public_id}/", None))
    return routes


_API_ACTIONS = ("submit", "assign", "request-changes", "resubmit", "approve", "reject", "withdraw")


def _call(client, method: str, url: str, data, *, api: bool):
    if data is None:
        return getattr(client, method)(url)
    if api and not url.endswith("evidence/"):  # evidence uploads are multipart, the rest JSON
        return getattr(client, method)(url, data, format="json")
    return getattr(client, method)(url, data)


@pytest.fixture
def clients(users) -> Callable[[str, bool], object]:
    def make(audience: str, api: bool = False):
        from django.test import Client

        client = APIClient() if api else Client()
        if audience != ANONYMOUS:
            client.force_login(users[audience])
        return client

    return make


def _missing(url: str, application: Application) -> str:
    return url.replace(str(application.public_id), MISSING)


@pytest.mark.parametrize("api", [False, True], ids=["html", "api"])
def test_outsiders_get_404_on_every_mutation_route_and_nothing_changes(clients, in_review, api):
    routes = (_api_application_routes if api else _html_application_routes)(in_review, None)
    before = _state(in_review)
    for audience in OUTSIDERS:
        client = clients(audience, api)
        for name, method, url, data in routes:
            response = _call(client, method, url, data, api=api)
            assert response.status_code == 404, (audience, name, response.status_code)
            missing = _call(client, method, _missing(url, in_review), data, api=api)
            assert missing.status_code == 404, (audience, name)
    assert _state(in_review) == before


@pytest.mark.parametrize("api", [False, True], ids=["html", "api"])
def test_a_draft_does_not_exist_for_the_body(clients, draft, users, api):
    from certification import services

    from .conftest import pdf

    evidence = services.evidence_add(
        actor=users[ADMIN_A], application=draft, criterion=draft.scheme.criteria.first(), upload=pdf()
    )
    routes = (_api_application_routes if api else _html_application_routes)(draft, evidence)
    before = _state(draft)
    for audience in (*OUTSIDERS, LEAD, REVIEWER):
        client = clients(audience, api)
        for name, method, url, data in routes:
            response = _call(client, method, url, data, api=api)
            assert response.status_code == 404, (audience, name, response.status_code)
    assert _state(draft) == before and Evidence.objects.filter(pk=evidence.pk).exists()


@pytest.mark.parametrize("api", [False, True], ids=["html", "api"])
def test_the_applicants_viewer_gets_403_where_an_administrator_is_needed(clients, draft, users, api):
    from certification import services

    from .conftest import pdf

    evidence = services.evidence_add(
        actor=users[ADMIN_A], application=draft, criterion=draft.scheme.criteria.first(), upload=pdf()
    )
    client = clients(VIEWER_A, api)
    if api:
        base = f"/api/v1/applications/{draft.public_id}/"
        routes = [
            ("PATCH", "patch", base, {"sites": []}, "Only the applicant's administrators can edit it."),
            (
                "answers",
                "put",
                base + "answers/",
                {"answers": {}},
                "Only the applicant's administrators can answer.",
            ),
            ("submit", "post", base + "submit/", {}, "Only the applicant's administrators can submit it."),
            (
                "withdraw",
                "post",
                base + "withdraw/",
                {},
                "Only the applicant's administrators can withdraw it.",
            ),
            (
                "evidence delete",
                "delete",
                base + f"evidence/{evidence.public_id}/",
                None,
                "Only the applicant's administrators can remove evidence.",
            ),
        ]
    else:
        routes = [
            ("scope", "post", reverse("certification:application_edit", args=[draft.public_id]), {}, "Only"),
            ("answers", "post", reverse("certification:self_assessment", args=[draft.public_id]), {}, "Only"),
            (
                "submit",
                "post",
                reverse("certification:application_submit", args=[draft.public_id]),
                {},
                "Only",
            ),
            (
                "withdraw",
                "post",
                reverse("certification:application_withdraw", args=[draft.public_id]),
                {},
                "Only",
            ),
            (
                "evidence delete",
                "post",
                reverse("certification:evidence_delete", args=[draft.public_id, evidence.public_id]),
                {},
                "Only",
            ),
        ]
    before = _state(draft)
    for name, method, url, data, reason in routes:
        response = _call(client, method, url, data, api=api)
        assert response.status_code == 403, (name, response.status_code)
        if api:
            assert response.json() == {"detail": reason}, name
        else:
            assert 'id="refusal-reason"' in response.content.decode() and reason in response.content.decode()
    assert _state(draft) == before and Evidence.objects.filter(pk=evidence.pk).exists()


@pytest.mark.parametrize("api", [False, True], ids=["html", "api"])
def test_who_sees_but_may_not_decide_gets_403(clients, in_review, api):
    """The applicant's people and the body's lead see the application; only the assigned reviewer decides."""
    before = _state(in_review)
    for audience in (ADMIN_A, VIEWER_A, LEAD):
        client = clients(audience, api)
        for action in ("approve", "reject", "request-changes"):
            if api:
                url = f"/api/v1/applications/{in_review.public_id}/{action}/"
            else:
                url = reverse(f"certification:{action.replace('-', '_')}", args=[in_review.public_id])
            response = _call(client, "post", url, {}, api=api)
            assert response.status_code == 403, (audience, action)
    assert _state(in_review) == before


@pytest.mark.parametrize("api", [False, True], ids=["html", "api"])
def test_certificate_routes(clients, in_review, users, api):
    certificate = approve(in_review, users[REVIEWER])
    for audience, expected in (
        (OTHER_COMPANY, 404),
        (OTHER_BODY, 404),
        (INSPECTOR, 403),  # authorities read every certificate: visible, not theirs to change
        (ADMIN_A, 403),
        (VIEWER_A, 403),
    ):
        client = clients(audience, api)
        for action in ("suspend", "revoke"):
            if api:
                url = f"/api/v1/certificates/{certificate.number}/{action}/"
            else:
                url = reverse("certification:certificate_status", args=[certificate.number, action])
            response = _call(client, "post", url, {f"{action}-reason": "x", "reason": "x"}, api=api)
            assert response.status_code == expected, (audience, action, response.status_code)
    if not api:
        for audience, expected in (
            (OTHER_COMPANY, 404),
            (OTHER_BODY, 404),
            (VIEWER_A, 403),
            (INSPECTOR, 403),
        ):
            url = reverse("certification:certificate_renew", args=[certificate.number])
            assert clients(audience).post(url).status_code == expected, audience
    certificate.refresh_from_db()
    assert certificate.status == "valid" and not Application.objects.filter(renewal_of=certificate).exists()
    assert Certificate.objects.filter(origin=certificate).get().status == "valid"


@pytest.mark.parametrize("api", [False, True], ids=["html", "api"])
def test_anonymous_is_answered_alike_for_existing_and_missing_objects(clients, in_review, api):
    client = clients(ANONYMOUS, api)
    for name, method, url, data in (_api_application_routes if api else _html_application_routes)(
        in_review, None
    ):
        existing = _call(client, method, url, data, api=api)
        missing = _call(client, method, _missing(url, in_review), data, api=api)
        assert existing.status_code == missing.status_code, name
        assert existing.status_code in ((401, 403) if api else (302,)), name
        if not api:
            assert existing["Location"].startswith("/accounts/login/"), name
