"""Callers of the certification API, one per audience, on top of tests/certification/conftest.py.

Company A applies to the accredited body (lead, reviewer); company B is another company; a second
certification body (accredited too) has its own lead; an inspector works at a market surveillance
authority; the operator has no membership.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from certification import services
from certification.models import Accreditation, Application, Certificate
from portal.storage import private_storage
from portal.tenancy.models import OrganizationKind, Role
from tests.factories import OrganizationFactory, member

from ..conftest import answer_all, meet_all

ADMIN_A, VIEWER_A, OTHER_COMPANY = "admin_a", "viewer_a", "other_company"
LEAD, REVIEWER, OTHER_BODY, INSPECTOR, OPERATOR, ANONYMOUS = (
    "lead",
    "reviewer",
    "other_body",
    "inspector",
    "operator",
    "anonymous",
)
#: The audiences of every matrix (the operator has no membership: it only reads schemes and certificates).
AUDIENCES = (ADMIN_A, VIEWER_A, OTHER_COMPANY, LEAD, REVIEWER, OTHER_BODY, INSPECTOR, ANONYMOUS)
APPLICANT = (ADMIN_A, VIEWER_A)
BODY = (LEAD, REVIEWER)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 40


@pytest.fixture(autouse=True)
def _fast_hashing_and_private_files(settings, tmp_path):
    """Cheap logins; every test stores evidence in its own directory, so "nothing stored" is a listing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    assert str(tmp_path) in private_storage.location


def stored_files() -> list[Path]:
    root = Path(private_storage.location)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture
def other_body(catenax, ouranos):
    body = OrganizationFactory(kind=OrganizationKind.CERTIFICATION_BODY, legal_name="Other Certifier KK")
    for scheme in (catenax, ouranos):
        Accreditation.objects.create(body=body, scheme=scheme, body_code="OTH", valid_from=date(2025, 1, 1))
    return body


@pytest.fixture
def users(admin_a, viewer_a, admin_b, lead, reviewer, other_body, inspector, operator, accredited) -> dict:
    return {
        ADMIN_A: admin_a,
        VIEWER_A: viewer_a,
        OTHER_COMPANY: admin_b,
        LEAD: lead,
        REVIEWER: reviewer,
        OTHER_BODY: member(Role.LEAD, other_body, username="other-lead"),
        INSPECTOR: inspector,
        OPERATOR: operator,
    }


@pytest.fixture
def api(users):
    """`api(audience)`: a client signed in as that audience's user (a session, as in a browser)."""

    def client(audience: str) -> APIClient:
        api_client = APIClient()
        if audience != ANONYMOUS:
            api_client.force_login(users[audience])
        return api_client

    return client


def approve(application: Application, reviewer, **kwargs) -> Certificate:
    meet_all(application, reviewer)
    return services.application_approve(actor=reviewer, application=application, **kwargs)


@pytest.fixture
def certificate(in_review, reviewer) -> Certificate:
    """Company A's Catena-X certificate, issued by the accredited body (with its recognised Ouranos one)."""
    return approve(in_review, reviewer, conditions="Annual surveillance audit.")


def issue_another(admin, lead, reviewer, scheme, **scope) -> Certificate:
    """One more application of the admin's company, through every step, up to its certificate."""
    application = services.application_create(
        actor=admin, scheme=scheme, body=lead.membership.organization, **scope
    )
    answer_all(application, admin)
    services.application_submit(actor=admin, application=application, declaration_name="Anna Admin")
    services.application_assign(actor=lead, application=application, reviewer=reviewer)
    return approve(application, reviewer)
