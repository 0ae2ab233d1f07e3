"""What a certificate document states: only the certificate's own facts as copied at issue (never a
passport's values, supply chain or procurement), as the machine-readable JSON embedded in the PDF and as
the view-model of its template."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date
from typing import Any

from django.conf import settings
from django.utils import translation
from django_countries import countries

from passports.catalogue.choices import CATEGORY_LABELS

from ..models import Certificate, CertificateStatus

#: The Japanese half of the page does not depend on the active language.
STATUS_JA = {
    CertificateStatus.VALID: "有効",
    CertificateStatus.SUSPENDED: "一時停止",
    CertificateStatus.REVOKED: "取消",
    CertificateStatus.EXPIRED: "失効",
}
STATUS_EN = {
    CertificateStatus.VALID: "Valid",
    CertificateStatus.SUSPENDED: "Suspended",
    CertificateStatus.REVOKED: "Revoked",
    CertificateStatus.EXPIRED: "Expired",
}


MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def verification_url(certificate: Certificate) -> str:
    return f"{settings.SITE_URL}/verify/{certificate.number}/"


def status_at_issue(certificate: Certificate) -> str:
    """The status the certificate was issued with (the issue event), whatever happened since: the task
    may run after a suspension, and the document must not depend on when it ran."""
    first = certificate.events.filter(from_status="").order_by("created_at", "id").first()
    return first.to_status if first is not None else CertificateStatus.VALID


def _scheme(scheme, version: str) -> dict[str, str]:
    return {"code": scheme.code, "name": scheme.name, "nameJa": scheme.name_ja or "", "version": version}


def certificate_data(certificate: Certificate) -> dict[str, Any]:
    """The machine-readable certificate (embedded in the PDF as certificate.json)."""
    scope = certificate.scope or {}
    origin = certificate.origin
    return {
        "type": "PassBridgeCertificate",
        "formatVersion": 1,
        "number": certificate.number,
        "statusAtIssue": status_at_issue(certificate),
        "issuedAt": certificate.issued_at.isoformat(),
        "validFrom": certificate.valid_from.isoformat(),
        "validUntil": certificate.valid_until.isoformat(),
        "scheme": _scheme(certificate.scheme, certificate.scheme_version),
        "standards": [
            {"code": s.get("code", ""), "title": s.get("title", ""), "version": s.get("version", "")}
            for s in certificate.standards or []
        ],
        "holder": {
            "legalName": certificate.holder_name,
            "country": certificate.holder_country,
            "bpnl": certificate.holder_bpnl,
            "corporateNumber": certificate.holder_corporate_number,
            "lei": certificate.holder_lei,
        },
        "scope": {
            "organization": scope.get("organization", certificate.holder_name),
            "batteryModels": [
                {
                    "name": m.get("name", ""),
                    "manufacturerPartId": m.get("manufacturer_part_id", ""),
                    "category": m.get("category", ""),
                }
                for m in scope.get("battery_models", [])
            ],
            "passports": [
                {"uniqueIdentifier": p.get("unique_identifier", "")} for p in scope.get("passports", [])
            ],
            "sites": [
                {
                    "name": s.get("name", ""),
                    "bpn": s.get("bpn", ""),
                    "country": s.get("country", ""),
                    "city": s.get("city", ""),
                }
                for s in scope.get("sites", [])
            ],
        },
        "conditions": certificate.conditions,
        "issuingBody": {"name": certificate.issuing_body_name},
        "reviewer": certificate.reviewer_name,
        "origin": (
            {"number": origin.number, "scheme": _scheme(origin.scheme, origin.scheme_version)}
            if origin is not None
            else None
        ),
        "verificationUrl": verification_url(certificate),
    }


def canonical_json(data: dict[str, Any]) -> bytes:
    """Stable bytes (sorted keys, no spaces): the same facts always hash the same."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _day_en(day: date) -> str:
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def _day_ja(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _category(code: str) -> tuple[str, str]:
    """(English, Japanese) name of a battery category code such as "ev"."""
    label = CATEGORY_LABELS.get(code) if code else None
    if label is None:
        return code, code
    with translation.override("en"):
        english = str(label)
    with translation.override("ja"):
        return english, str(label)


def template_context(certificate: Certificate, data: dict[str, Any], data_sha256: str) -> dict[str, Any]:
    """The page's view-model: dates written out in each language (the document is bilingual whoever
    renders it), category names for codes, the issue time in UTC to the minute."""
    status = CertificateStatus(data["statusAtIssue"])
    country = certificate.holder_country
    issued = certificate.issued_at.astimezone(UTC)
    return {
        "data": data,
        "data_sha256": data_sha256,
        "status_en": STATUS_EN[status],
        "status_ja": STATUS_JA[status],
        "issued_en": f"{_day_en(issued.date())}, {issued:%H:%M} UTC",
        "issued_ja": f"{_day_ja(issued.date())} {issued:%H:%M} UTC",
        "validity_en": f"{_day_en(certificate.valid_from)} – {_day_en(certificate.valid_until)}",
        "validity_ja": f"{_day_ja(certificate.valid_from)}〜{_day_ja(certificate.valid_until)}",
        "battery_models": [
            {
                **model,
                "category_en": _category(model["category"])[0],
                "category_ja": _category(model["category"])[1],
            }
            for model in data["scope"]["batteryModels"]
        ],
        "holder_country_name": countries.name(country) or country,
        "identifiers": [
            (label_en, label_ja, value)
            for label_en, label_ja, value in (
                ("BPNL", "BPNL", certificate.holder_bpnl),
                ("Corporate number", "法人番号", certificate.holder_corporate_number),
                ("LEI", "LEI", certificate.holder_lei),
            )
            if value
        ],
    }
