"""Serving a certificate's signed PDF (the API and the certificate page share this): attachment only,
never sniffed, never kept by shared caches; and the access log of downloads by authorities."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header

from portal.audit.services import audit_record
from portal.tenancy.models import OrganizationKind
from portal.tenancy.selectors import membership_of

from ..models import Certificate
from .models import CertificateDocument

DOWNLOADED = "certificate.downloaded"


def pdf_response(certificate: Certificate, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"{certificate.number}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_vary_headers(response, ("Cookie", "Authorization"))
    return response


def _authority_of(user):
    membership = membership_of(user)
    if membership is None or membership.organization.kind != OrganizationKind.AUTHORITY:
        return None
    return membership.organization


def record_downloads(*, actor, documents: Iterable[CertificateDocument]) -> None:
    """Who saw what: downloads by an authority are logged for each holder's organization (its admins and
    the operators read that log). The documents come with their certificates; one membership look-up
    serves a whole ZIP."""
    authority = _authority_of(actor)
    if authority is None:
        return
    for document in documents:
        certificate = document.certificate
        audit_record(
            actor=actor,
            action=DOWNLOADED,
            organization=certificate.holder,
            target=certificate,
            details={
                "number": certificate.number,
                "document_sha256": document.sha256,
                "by_organization": authority.legal_name,
            },
        )


def record_download(*, actor, certificate: Certificate, document: CertificateDocument) -> None:
    document.certificate = certificate
    record_downloads(actor=actor, documents=[document])
