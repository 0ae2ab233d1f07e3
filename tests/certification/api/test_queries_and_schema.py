"""The lists cost the same number of SQL queries for 5 rows as for 20; the OpenAPI schema documents every
certification endpoint and generates without warnings for them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from certification import services

from ..audiences import ADMIN_A, INSPECTOR, LEAD
from ..conftest import answer_all
from .conftest import issue_another

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> tuple[int, int]:
    client.get(url)  # warm what is cached per process (content types, permissions)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), len(response.json()["results"])


@pytest.fixture
def many_applications(admin_a, lead, reviewer, catenax, ouranos, accredited, scope_model):
    """22 applications of company A that reached the body, in every state a list shows (one open per scheme
    at a time, so the others are withdrawn or rejected)."""
    for n in range(22):
        scheme = (catenax, ouranos)[n % 2]
        application = services.application_create(
            actor=admin_a, scheme=scheme, body=accredited, battery_models=[scope_model]
        )
        answer_all(application, admin_a)
        services.application_submit(actor=admin_a, application=application, declaration_name="Anna Admin")
        if n % 3:
            services.application_assign(actor=lead, application=application, reviewer=reviewer)
        if n < 20:
            if n % 3 == 1:
                services.application_reject(actor=reviewer, application=application, reason="No.")
            else:
                services.application_withdraw(actor=admin_a, application=application, reason="Later.")


@pytest.mark.parametrize("audience", [ADMIN_A, LEAD])
def test_application_list_queries_do_not_grow_with_the_page(api, audience, many_applications):
    client = api(audience)
    small, rows_small = _queries(client, "/api/v1/applications/?page_size=5")
    large, rows_large = _queries(client, "/api/v1/applications/?page_size=20")
    assert (rows_small, rows_large) == (5, 20)
    assert small == large


@pytest.mark.parametrize("audience", [ADMIN_A, LEAD, INSPECTOR])
def test_certificate_list_queries_do_not_grow_with_the_page(
    api, audience, admin_a, lead, reviewer, catenax, ouranos, accredited, scope_model
):
    for n in range(11):  # each issue yields the certificate and its recognised twin
        issue_another(admin_a, lead, reviewer, (catenax, ouranos)[n % 2], battery_models=[scope_model])
    client = api(audience)
    small, rows_small = _queries(client, "/api/v1/certificates/?page_size=5")
    large, rows_large = _queries(client, "/api/v1/certificates/?page_size=20")
    assert (rows_small, rows_large) == (5, 20)
    assert small == large


EXPECTED_PATHS = {
    "/api/v1/schemes/": {"get"},
    "/api/v1/schemes/{code}/": {"get"},
    "/api/v1/applications/": {"get", "post"},
    "/api/v1/applications/renew/": {"post"},
    "/api/v1/applications/{public_id}/": {"get", "patch"},
    "/api/v1/applications/{public_id}/answers/": {"put"},
    "/api/v1/applications/{public_id}/verdicts/": {"post"},
    "/api/v1/applications/{public_id}/reviewers/": {"get"},
    "/api/v1/applications/{public_id}/evidence/": {"get", "post"},
    "/api/v1/applications/{public_id}/evidence/{evidence_id}/": {"get", "delete"},
    **{
        f"/api/v1/applications/{{public_id}}/{action}/": {"post"}
        for action in ("submit", "assign", "request-changes", "resubmit", "approve", "reject", "withdraw")
    },
    "/api/v1/certificates/": {"get"},
    "/api/v1/certificates/{number}/": {"get"},
    **{
        f"/api/v1/certificates/{{number}}/{action}/": {"post"}
        for action in ("suspend", "reinstate", "revoke")
    },
}


def test_schema_documents_every_certification_endpoint(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    for path, methods in EXPECTED_PATHS.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    assert (
        "multipart/form-data"
        in paths["/api/v1/applications/{public_id}/evidence/"]["post"]["requestBody"]["content"]
    )
    number = paths["/api/v1/certificates/{number}/"]["get"]["parameters"][0]
    assert number["schema"]["pattern"] == "^[A-Za-z0-9-]+$"
    approve = paths["/api/v1/applications/{public_id}/approve/"]["post"]["responses"]
    assert approve["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/CertificateOutput")
    listing = {p["name"] for p in paths["/api/v1/applications/"]["get"]["parameters"]}
    assert {"state", "scheme", "search", "ordering", "page", "page_size"} <= listing
    certificates = {p["name"] for p in paths["/api/v1/certificates/"]["get"]["parameters"]}
    assert {"status", "scheme", "recognised", "issuing_body", "search", "ordering"} <= certificates
    components = schema["components"]["schemas"]
    assert {"ApplicationStateEnum", "CertificateStatusEnum", "VerdictValueEnum"} <= set(components)
    assert "scope_data" not in components["ApplicationOutput"].get("required", [])


def test_schema_generation_warns_about_nothing_of_certification():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        SchemaGenerator().get_schema(request=None, public=True)
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    ours = [
        m
        for m in messages
        if any(word in m for word in ("certification", "Certificate", "Scheme", "Application"))
    ]
    assert ours == []
