"""A small certificate registry for the registry, export and ZIP tests, written straight to the tables
(the review flow is tested elsewhere): four certificates of three holders in three countries, issued by
two bodies under both schemes, in three statuses, one recognised from another.

    CX1  CATX-CBG-0000001     company A (DE)  Catena-X  body 1  2025-03-01 .. 2028-02-29  valid
    OU1  OUR-CBG-2025-000001  company A (DE)  Ouranos   body 1  2025-03-01 .. 2027-03-01  valid (from CX1)
    OU2  OUR-OTH-2026-000001  company B (JP)  Ouranos   body 2  2026-01-10 .. 2029-01-10  suspended
    CX2  CATX-OTH-0000002     company C (FR)  Catena-X  body 2  2024-06-01 .. 2025-06-01  expired

Company C's legal name and body 2's printed name start with characters a spreadsheet runs as formulas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from certification.documents.models import CertificateDocument
from certification.models import Certificate, CertificateStatus, Scheme
from portal.tenancy.models import Organization, OrganizationKind, Role
from tests.factories import OrganizationFactory, member

from .stored_documents import store_document

LEI_A = "529900REGISTRYTEST42"
FORMULA_HOLDER = '=HYPERLINK("http://evil.example","click")'
FORMULA_BODY = "@SUM(1+1) Certifier"


@dataclass
class World:
    catenax: Scheme
    ouranos: Scheme
    body1: Organization
    body2: Organization
    company_c: Organization
    cx1: Certificate
    ou1: Certificate
    ou2: Certificate
    cx2: Certificate
    admin_c: object

    @property
    def all(self) -> list[Certificate]:
        return [self.cx1, self.ou1, self.ou2, self.cx2]


def make_certificate(
    *,
    number: str,
    scheme: Scheme,
    holder: Organization,
    body: Organization,
    issued: date,
    valid_until: date,
    status: str = CertificateStatus.VALID,
    origin: Certificate | None = None,
    holder_name: str | None = None,
    body_name: str | None = None,
    lei: str = "",
) -> Certificate:
    issued_at = datetime.combine(issued, time(10), tzinfo=UTC)
    return Certificate.objects.create(
        number=number,
        scheme=scheme,
        scheme_version=scheme.version,
        holder=holder,
        holder_name=holder_name or holder.legal_name,
        holder_country=holder.country,
        holder_bpnl=holder.bpnl or "",
        holder_corporate_number=holder.corporate_number or "",
        holder_lei=lei,
        issuing_body=body,
        issuing_body_name=body_name or body.legal_name,
        issued_at=issued_at,
        valid_from=issued,
        valid_until=valid_until,
        status=status,
        status_changed_at=issued_at,
        origin=origin,
    )


def build_world(*, catenax, ouranos, company_a, company_b, certification_body) -> World:
    body2 = OrganizationFactory(kind=OrganizationKind.CERTIFICATION_BODY, legal_name="Other Certifier KK")
    company_c = OrganizationFactory(legal_name=FORMULA_HOLDER, country="FR")
    cx1 = make_certificate(
        number="CATX-CBG-0000001",
        scheme=catenax,
        holder=company_a,
        body=certification_body,
        issued=date(2025, 3, 1),
        valid_until=date(2028, 2, 29),
        lei=LEI_A,
    )
    ou1 = make_certificate(
        number="OUR-CBG-2025-000001",
        scheme=ouranos,
        holder=company_a,
        body=certification_body,
        issued=date(2025, 3, 1),
        valid_until=date(2027, 3, 1),
        origin=cx1,
        lei=LEI_A,
    )
    ou2 = make_certificate(
        number="OUR-OTH-2026-000001",
        scheme=ouranos,
        holder=company_b,
        body=body2,
        issued=date(2026, 1, 10),
        valid_until=date(2029, 1, 10),
        status=CertificateStatus.SUSPENDED,
    )
    cx2 = make_certificate(
        number="CATX-OTH-0000002",
        scheme=catenax,
        holder=company_c,
        body=body2,
        issued=date(2024, 6, 1),
        valid_until=date(2025, 6, 1),
        status=CertificateStatus.EXPIRED,
        body_name=FORMULA_BODY,
    )
    return World(
        catenax=catenax,
        ouranos=ouranos,
        body1=certification_body,
        body2=body2,
        company_c=company_c,
        cx1=cx1,
        ou1=ou1,
        ou2=ou2,
        cx2=cx2,
        admin_c=member(Role.ADMIN, company_c, username="admin-c"),
    )


def fake_pdf(certificate: Certificate) -> bytes:
    return b"%PDF-1.7\n% signed document of " + certificate.number.encode() + b"\n%%EOF\n"


def attach_document(certificate: Certificate, content: bytes | None = None) -> CertificateDocument:
    """A ready document with stand-in bytes naming the certificate (rendering is tested elsewhere)."""
    return store_document(certificate, content=content if content is not None else fake_pdf(certificate))
