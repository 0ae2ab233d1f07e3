"""Browsers for the certification pages, one per audience, on top of tests/certification/conftest.py.

Company A (admin, viewer) applies to the accredited body (lead, reviewer); company B is another company;
a second accredited body has its own lead; an inspector works at an authority; the operator has no
membership.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certification import services
from certification.models import Accreditation, Application, Certificate
from portal.storage import private_storage
from portal.tenancy.models import OrganizationKind, Role
from tests.factories import OrganizationFactory, member

from ..conftest import meet_all

ADMIN_A, VIEWER_A, OTHER_COMPANY = "admin_a", "viewer_a", "other_company"
LEAD, REVIEWER, OTHER_BODY, INSPECTOR, OPERATOR, ANONYMOUS = (
    "lead",
    "reviewer",
    "other_body",
    "inspector",
    "operator",
    "anonymous",
)
AUDIENCES = (ADMIN_A, VIEWER_A, OTHER_COMPANY, LEAD, REVIEWER, OTHER_BODY, INSPECTOR, ANONYMOUS)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "evidence.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


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
def browser(users):
    """`browser(audience)`: a fresh client signed in as that audience's user (anonymous: not signed in)."""

    def make(audience: str) -> Client:
        client = Client()
        if audience != ANONYMOUS:
            client.force_login(users[audience])
        return client

    return make


def approve(application: Application, reviewer, **kwargs) -> Certificate:
    meet_all(application, reviewer)
    return services.application_approve(actor=reviewer, application=application, **kwargs)


@pytest.fixture
def certificate(in_review, reviewer) -> Certificate:
    """Company A's Catena-X certificate (with its recognised Ouranos certificate)."""
    return approve(in_review, reviewer, conditions="Annual surveillance audit.")


@pytest.fixture
def evidence(draft, admin_a):
    criterion = draft.scheme.criteria.get(code="CX-BP-01")
    return services.evidence_add(
        actor=admin_a, application=draft, criterion=criterion, upload=pdf("report.pdf")
    )
