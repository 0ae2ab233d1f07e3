"""The BusinessPartnerCertificate 3.1.0 schema in the API's OpenAPI document (drf-spectacular hook)."""

from __future__ import annotations

from typing import Any

from portal.openapi_payloads import add_components, payload_components, payload_ref

from .catenax_certificate import SCHEMA_PATH

BUSINESS_PARTNER_CERTIFICATE = "BusinessPartnerCertificate"
BUSINESS_PARTNER_CERTIFICATE_REF = payload_ref(BUSINESS_PARTNER_CERTIFICATE)


def add_business_partner_certificate(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    components = payload_components(SCHEMA_PATH, BUSINESS_PARTNER_CERTIFICATE, "BusinessPartnerCertificate_")
    return add_components(result, components)
