"""A certificate as a Catena-X `io.catenax.business_partner_certificate` 3.1.0 payload.

The aspect model (schema shipped in certification/catenax_data/certificate/, see SOURCE.txt there) describes a
company certificate by the holder's BPNL, the certificate type, number, validity, issuer and the
certificate document itself (PDF, base64). The mapping:

* businessPartnerNumber: the holder's BPNL as certified (the certificate's snapshot). The model requires
  a BPNL; a holder without one (e.g. a Japanese company identified by its corporate number only) has no
  Catena-X payload: `CatenaxCertificateUnavailable` ("no_bpnl", the API answers 409).
* type: the scheme's name and the scheme version the certificate was issued under.
* areaOfApplication: the standards the scheme covers and the battery models in the certified scope.
* enclosedSites: the sites in scope that have a BPNS/BPNA (the model has no place for a site without).
* issuer: the issuing body's name, and its BPNL when it has a well-formed one.
* trustLevel: "high": only a certificate valid today has a payload (issued by an accredited body after
  review on the platform). The model has no status field, and a payload of a suspended, revoked or expired
  certificate would still carry its original validUntil, so it would be read as valid: such a certificate
  is refused ("suspended", "revoked", "expired", 409) with the date and reason of the change, on the API
  and on the certificate page alike (`unavailable_reason`).
* validator: the platform, which checked the issuing body's accreditation.
* document: the signed PDF. The model requires it, so a certificate whose document is not rendered yet
  has no payload either ("document_missing", 409; the document follows shortly after issue).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import cache
from typing import Any

import fastjsonschema
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .catenax_data import CATENAX_DATA_DIR
from .models import Certificate, CertificateStatus

SCHEMA_PATH = CATENAX_DATA_DIR / "certificate" / "BusinessPartnerCertificate-schema.json"
ASPECT = "urn:samm:io.catenax.business_partner_certificate:3.1.0#BusinessPartnerCertificate"
BPNL = re.compile(r"^BPNL[a-zA-Z0-9]{12}$")
SITE_BPN = re.compile(r"^(?:BPNS|BPNA)[a-zA-Z0-9]{12}$")
VALIDATOR_NAME = "PassBridge"


class CatenaxCertificateUnavailable(Exception):
    """The certificate cannot be expressed in the aspect model (yet); `code` says why."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def validator():
    return fastjsonschema.compile(schema())


def _area_of_application(certificate: Certificate) -> str:
    standards = ", ".join(
        " ".join(filter(None, [item.get("code", ""), item.get("version", "")]))
        for item in certificate.standards
        if isinstance(item, dict)
    )
    scope = certificate.scope if isinstance(certificate.scope, dict) else {}
    models = ", ".join(m["name"] for m in scope.get("battery_models", []) if m.get("name"))
    parts = [certificate.scheme.name + (f" ({standards})" if standards else "")]
    if models:
        parts.append(f"battery models: {models}")  # machine data: not localised
    return "; ".join(parts)


def _enclosed_sites(certificate: Certificate) -> list[dict[str, str]]:
    scope = certificate.scope if isinstance(certificate.scope, dict) else {}
    return [
        {"enclosedSiteBpn": site["bpn"]}
        for site in scope.get("sites", [])
        if isinstance(site.get("bpn"), str) and SITE_BPN.match(site["bpn"])
    ]


def _document(certificate: Certificate, document: Any) -> dict[str, str]:
    with document.file.open("rb") as handle:
        content = handle.read()
    expected = getattr(document, "sha256", "")
    if expected and hashlib.sha256(content).hexdigest() != expected:
        # The stored file no longer is the document that was signed and published: never hand it out.
        raise CatenaxCertificateUnavailable(
            _("The certificate document does not match its recorded checksum."), "document_integrity"
        )
    created = (
        getattr(document, "rendered_at", None)
        or getattr(document, "created_at", None)
        or certificate.issued_at
    )
    return {
        "documentID": str(getattr(document, "public_id", "") or expected or certificate.number),
        "creationDate": created.isoformat(),
        "contentType": getattr(document, "content_type", "") or "application/pdf",
        "contentBase64": base64.b64encode(content).decode("ascii"),
    }


def _status_refusal(certificate: Certificate) -> CatenaxCertificateUnavailable | None:
    status = selectors.public_status(certificate, timezone.localdate())
    if status == CertificateStatus.VALID:
        return None
    if status == CertificateStatus.EXPIRED:
        message = _("This certificate expired on %(date)s. Only a valid certificate has a Catena-X payload.")
        return CatenaxCertificateUnavailable(message % {"date": certificate.valid_until.isoformat()}, status)
    changed = certificate.status_changed_at or certificate.issued_at
    message = (
        _("This certificate was revoked on %(date)s: %(reason)s. A revoked certificate must not be trusted.")
        if status == CertificateStatus.REVOKED
        else _(
            "This certificate is suspended since %(date)s: %(reason)s. "
            "It has no Catena-X certificate while it is suspended."
        )
    )
    reason = certificate.status_reason or _("no reason given")
    return CatenaxCertificateUnavailable(
        message % {"date": timezone.localdate(changed).isoformat(), "reason": reason}, status
    )


def _document_of(certificate: Certificate, document: Any = None) -> Any:
    document = document if document is not None else getattr(certificate, "document", None)
    if document is None or not getattr(document, "is_ready", True) or not getattr(document, "file", None):
        return None
    return document


def unavailable_reason(
    certificate: Certificate, document: Any = None
) -> CatenaxCertificateUnavailable | None:
    """Why the certificate has no Catena-X payload now, or None: the one rule for the API and the page."""
    bpnl = certificate.holder_bpnl or ""
    if not BPNL.match(bpnl):
        return CatenaxCertificateUnavailable(
            _(
                "The holder of this certificate has no BPNL, which the Catena-X business partner "
                "certificate requires. Use the certificate or the public verification instead."
            ),
            "no_bpnl",
        )
    refusal = _status_refusal(certificate)
    if refusal is not None:
        return refusal
    if _document_of(certificate, document) is None:
        return CatenaxCertificateUnavailable(
            _("The certificate document is not available yet. Try again in a few minutes."),
            "document_missing",
        )
    return None


def certificate_payload(certificate: Certificate, document: Any = None) -> dict[str, Any]:
    """The aspect payload of the certificate; `document` defaults to the certificate's own document."""
    refusal = unavailable_reason(certificate, document)
    if refusal is not None:
        raise refusal
    bpnl = certificate.holder_bpnl
    document = _document_of(certificate, document)
    issuer: dict[str, str] = {"issuerName": certificate.issuing_body_name}
    issuer_bpnl = certificate.issuing_body.bpnl or ""
    if BPNL.match(issuer_bpnl):
        issuer["issuerBpn"] = issuer_bpnl
    return {
        "businessPartnerNumber": bpnl,
        "type": {
            "certificateType": certificate.scheme.name,
            "certificateVersion": certificate.scheme_version,
        },
        "registrationNumber": certificate.number,
        "areaOfApplication": _area_of_application(certificate),
        "enclosedSites": _enclosed_sites(certificate),
        "validFrom": certificate.valid_from.isoformat(),
        "validUntil": certificate.valid_until.isoformat(),
        "issuer": issuer,
        "trustLevel": "high",
        "validator": {"validatorName": VALIDATOR_NAME},
        "document": _document(certificate, document),
    }
