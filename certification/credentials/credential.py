"""A certificate as a W3C Verifiable Credential 2.0: the facts of the signed PDF's embedded JSON as the
subject, the certificate's validity as the credential's, the signed PDF as a related resource with its
digest, and its positions in the status lists."""

from __future__ import annotations

import base64
from datetime import date, time
from typing import Any

from django.conf import settings
from django.urls import reverse

from ..documents.facts import certificate_data
from ..documents.selectors import ready_document
from ..models import Certificate
from .jose import issuer_url, sign
from .status_list import VC_CONTEXT, status_entries

CREDENTIAL_TYPE = "PassBridgeCertificateCredential"


def certificate_context_url() -> str:
    """The URL of the platform's context that defines the credential's own terms (context_views.py)."""
    return settings.SITE_URL + reverse("verification:credential-context-certificate-v1")


def credential_contexts() -> list[str]:
    """@context of a certificate credential: the VC base context, then ours for the terms it leaves
    undefined (the subject's type and properties, and everything in `certificate`), so that a JSON-LD
    processor in safe mode accepts the credential (VC Data Model 2.0, section 5.2.1)."""
    return [VC_CONTEXT, certificate_context_url()]


def _instant(day: date, at: time) -> str:
    return f"{day.isoformat()}T{at.isoformat()}Z"


def _pdf_resource(certificate: Certificate) -> list[dict[str, str]]:
    document = ready_document(certificate)
    if document is None:
        return []
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode("ascii")
    url = settings.SITE_URL + reverse("api:certificate-pdf", kwargs={"number": certificate.number})
    return [{"id": url, "mediaType": "application/pdf", "digestSRI": f"sha256-{digest}"}]


def certificate_credential(certificate: Certificate) -> dict[str, Any]:
    """The unsecured credential. Its status is not in it: verifiers read the status lists."""
    facts = certificate_data(certificate)
    credential: dict[str, Any] = {
        "@context": credential_contexts(),
        "id": f"urn:uuid:{certificate.public_id}",
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "name": f"{certificate.scheme.name} certificate {certificate.number}",
        "issuer": {"id": issuer_url(), "name": "PassBridge"},
        "validFrom": _instant(certificate.valid_from, time(0, 0, 0)),
        "validUntil": _instant(certificate.valid_until, time(23, 59, 59)),
        "credentialSubject": {
            "type": "CertifiedOrganization",
            "legalName": certificate.holder_name,
            "country": certificate.holder_country,
            **{
                key: value
                for key, value in (
                    ("bpnl", certificate.holder_bpnl),
                    ("corporateNumber", certificate.holder_corporate_number),
                    ("lei", certificate.holder_lei),
                )
                if value
            },
            "certificate": facts,
        },
        "credentialStatus": status_entries(certificate),
    }
    related = _pdf_resource(certificate)
    if related:
        credential["relatedResource"] = related
    return credential


def signed_certificate_credential(certificate: Certificate) -> str:
    return sign(certificate_credential(certificate))
