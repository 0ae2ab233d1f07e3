"""`GET /api/v1/certificates/<number>/catenax/` and the mapping to io.catenax.business_partner_certificate
3.1.0, validated with jsonschema (an independent validator) against the schema shipped with the project."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from jsonschema import Draft4Validator, FormatChecker
from rest_framework.test import APIClient

from certification import services
from certification.catenax_certificate import (
    SCHEMA_PATH,
    CatenaxCertificateUnavailable,
    certificate_payload,
)
from certification.models import Certificate
from portal.tenancy.models import OrganizationKind, Role
from tests.factories import OrganizationFactory, SiteFactory, member

from .conftest import approve_with_site
from .stored_documents import STAND_IN_PDF, store_document

SHARED_SCHEMA = Path("/work/shared/catenax-data/certificate/BusinessPartnerCertificate-schema.json")
PDF = STAND_IN_PDF


@dataclass
class StoredDocument:
    """The attributes of a certificate document that the mapping reads, without a database row."""

    content: bytes = PDF
    public_id: UUID = field(default_factory=uuid4)
    created_at: datetime = field(default_factory=timezone.now)
    content_type: str = "application/pdf"
    sha256: str = ""

    def __post_init__(self) -> None:
        self.file = ContentFile(self.content, name="certificate.pdf")
        self.sha256 = self.sha256 or hashlib.sha256(self.content).hexdigest()


def schema_errors(payload: dict) -> list[str]:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = Draft4Validator(schema, format_checker=FormatChecker())
    return [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(payload)]


@pytest.fixture
def site(company_a):
    return SiteFactory(organization=company_a, name="Werk Salzgitter")


@pytest.fixture
def certificate(draft, admin_a, lead, reviewer, site) -> Certificate:
    return approve_with_site(draft, site, admin=admin_a, lead=lead, reviewer=reviewer)


def test_the_schema_is_shipped_verbatim():
    assert SCHEMA_PATH.is_file()
    if SHARED_SCHEMA.is_file():
        assert SCHEMA_PATH.read_bytes() == SHARED_SCHEMA.read_bytes()


def test_the_payload_of_a_bpnl_holder_is_valid(certificate, company_a, site, scope_model):
    document = StoredDocument()
    payload = certificate_payload(certificate, document)
    assert schema_errors(payload) == []
    assert payload["businessPartnerNumber"] == company_a.bpnl
    assert payload["registrationNumber"] == certificate.number
    assert payload["type"] == {
        "certificateType": certificate.scheme.name,
        "certificateVersion": certificate.scheme_version,
    }
    assert payload["enclosedSites"] == [{"enclosedSiteBpn": site.bpn}]
    assert "CX-0160" in payload["areaOfApplication"] and scope_model.name in payload["areaOfApplication"]
    assert payload["validFrom"] == certificate.valid_from.isoformat()
    assert payload["validUntil"] == certificate.valid_until.isoformat()
    assert payload["issuer"] == {"issuerName": "Cert Body GmbH", "issuerBpn": certificate.issuing_body.bpnl}
    assert payload["trustLevel"] == "high"
    assert payload["validator"] == {"validatorName": "PassBridge"}
    assert base64.b64decode(payload["document"]["contentBase64"]) == PDF
    assert payload["document"]["documentID"] == str(document.public_id)
    assert payload["document"]["contentType"] == "application/pdf"


def test_the_recognised_certificate_maps_too(certificate):
    recognised = certificate.recognised.get()
    payload = certificate_payload(recognised, StoredDocument())
    assert schema_errors(payload) == []
    assert payload["registrationNumber"] == recognised.number
    assert payload["type"]["certificateType"] == recognised.scheme.name


def _refusal(certificate: Certificate) -> CatenaxCertificateUnavailable:
    certificate.refresh_from_db()
    with pytest.raises(CatenaxCertificateUnavailable) as caught:
        certificate_payload(certificate, StoredDocument())
    return caught.value


def test_a_suspended_certificate_is_refused_with_date_and_reason(certificate, lead):
    """The model has no status: a payload would carry the original validUntil and be read as valid."""
    services.certificate_suspend(actor=lead, certificate=certificate, reason="Audit overdue.")
    refusal = _refusal(certificate)
    assert refusal.code == "suspended"
    assert "Audit overdue." in refusal.message
    assert timezone.localdate().isoformat() in refusal.message
    # The recognised certificate follows its origin, and so does its export.
    assert _refusal(certificate.recognised.get()).code == "suspended"


def test_a_revoked_certificate_is_refused(certificate, lead):
    services.certificate_revoke(actor=lead, certificate=certificate, reason="Site closed.")
    refusal = _refusal(certificate)
    assert refusal.code == "revoked"
    assert "Site closed." in refusal.message


def test_an_expired_certificate_is_refused_before_the_hourly_expiry_runs(certificate):
    yesterday = timezone.localdate() - timedelta(days=1)
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_from=yesterday - timedelta(days=365), valid_until=yesterday
    )
    refusal = _refusal(certificate)
    assert refusal.code == "expired"
    assert yesterday.isoformat() in refusal.message


def test_a_reinstated_certificate_is_exported_again(certificate, lead):
    services.certificate_suspend(actor=lead, certificate=certificate, reason="Audit overdue.")
    services.certificate_reinstate(actor=lead, certificate=certificate, reason="Audit done.")
    certificate.refresh_from_db()
    payload = certificate_payload(certificate, StoredDocument())
    assert payload["trustLevel"] == "high"
    assert schema_errors(payload) == []


def test_an_issuer_without_bpnl_is_named_only(certificate):
    body = certificate.issuing_body
    body.bpnl, body.lei = None, "529900TESTVERIFY0012"  # every organization keeps one identifier
    body.save(update_fields=["bpnl", "lei"])
    certificate.refresh_from_db()
    payload = certificate_payload(certificate, StoredDocument())
    assert payload["issuer"] == {"issuerName": "Cert Body GmbH"}
    assert schema_errors(payload) == []


def test_sites_without_bpn_are_left_out(certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        scope={**certificate.scope, "sites": [{"name": "Lager", "bpn": ""}]}
    )
    certificate.refresh_from_db()
    payload = certificate_payload(certificate, StoredDocument())
    assert payload["enclosedSites"] == []
    assert schema_errors(payload) == []


def test_a_document_that_changed_since_it_was_recorded_is_refused(certificate):
    tampered = StoredDocument(content=PDF + b"% appended", sha256=hashlib.sha256(PDF).hexdigest())
    with pytest.raises(CatenaxCertificateUnavailable) as caught:
        certificate_payload(certificate, tampered)
    assert caught.value.code == "document_integrity"


def test_without_document_there_is_no_payload(certificate):
    """The model requires the document: a payload without it would not be valid."""
    with pytest.raises(CatenaxCertificateUnavailable) as caught:
        certificate_payload(certificate)
    assert caught.value.code == "document_missing"
    without = {k: v for k, v in certificate_payload(certificate, StoredDocument()).items() if k != "document"}
    assert any("'document' is a required property" in e for e in schema_errors(without))


def test_a_holder_without_bpnl_has_no_payload(certificate):
    Certificate.objects.filter(pk=certificate.pk).update(holder_bpnl="")
    certificate.refresh_from_db()
    with pytest.raises(CatenaxCertificateUnavailable) as caught:
        certificate_payload(certificate, StoredDocument())
    assert caught.value.code == "no_bpnl"


# ---- the endpoint ---------------------------------------------------------------------------------------


@pytest.fixture
def audiences(admin_a, viewer_a, admin_b, lead, reviewer, inspector, operator, catenax) -> dict:
    other_body = OrganizationFactory(kind=OrganizationKind.CERTIFICATION_BODY, legal_name="Other Body KK")
    return {
        "holder admin": admin_a,
        "holder viewer": viewer_a,
        "issuing lead": lead,
        "issuing reviewer": reviewer,
        "inspector": inspector,
        "operator": operator,
        "other company": admin_b,
        "other body": member(Role.LEAD, other_body, username="other-lead"),
    }


SEES = {"holder admin", "holder viewer", "issuing lead", "issuing reviewer", "inspector", "operator"}


def url(number: str) -> str:
    return f"/api/v1/certificates/{number}/catenax/"


@pytest.mark.parametrize(
    "audience",
    [
        "holder admin",
        "holder viewer",
        "issuing lead",
        "issuing reviewer",
        "inspector",
        "operator",
        "other company",
        "other body",
    ],
)
def test_access_matrix(certificate, audiences, audience):
    client = APIClient()
    client.force_login(audiences[audience])
    for number in (certificate.number, certificate.recognised.get().number):
        response = client.get(url(number))
        if audience in SEES:
            # Until its document is rendered, a readable certificate answers 409 with the reason.
            assert response.status_code == 409, response.content
            assert response.json()["code"] == "document_missing"
        else:
            assert response.status_code == 404
            assert certificate.holder_name not in response.content.decode()
    assert client.get(url("CATX-NOPE-0000001")).status_code == 404


def test_the_endpoint_serves_a_valid_payload_with_the_stored_document(certificate, admin_a, inspector):
    document = store_document(certificate)
    for user in (admin_a, inspector):
        client = APIClient()
        client.force_login(user)
        response = client.get(url(certificate.number))
        assert response.status_code == 200, response.content
        payload = response.json()
        assert schema_errors(payload) == []
        assert payload["registrationNumber"] == certificate.number
        assert base64.b64decode(payload["document"]["contentBase64"]) == PDF
        assert payload["document"]["documentID"] == document.sha256
        assert payload["document"]["creationDate"].startswith(document.rendered_at.date().isoformat())


def test_a_document_still_being_rendered_is_missing(certificate, admin_a):
    store_document(certificate, ready=False)
    client = APIClient()
    client.force_login(admin_a)
    response = client.get(url(certificate.number))
    assert response.status_code == 409
    assert response.json()["code"] == "document_missing"


def test_anonymous_callers_are_refused(certificate):
    assert APIClient().get(url(certificate.number)).status_code in {401, 403}


def test_the_endpoint_explains_a_missing_bpnl(certificate, admin_a):
    Certificate.objects.filter(pk=certificate.pk).update(holder_bpnl="")
    client = APIClient()
    client.force_login(admin_a)
    response = client.get(url(certificate.number))
    assert response.status_code == 409
    assert response.json()["code"] == "no_bpnl"
    assert "BPNL" in response.json()["detail"]


def test_api_and_page_apply_the_same_rule(certificate, admin_a, lead, client):
    store_document(certificate)
    api = APIClient()
    api.force_login(admin_a)
    client.force_login(admin_a)
    page_url = f"/certification/certificates/{certificate.number}/"
    page = client.get(page_url).content.decode()
    assert url(certificate.number) in page and 'id="catenax-unavailable"' not in page
    assert api.get(url(certificate.number)).status_code == 200

    services.certificate_revoke(actor=lead, certificate=certificate, reason="Site closed.")
    response = api.get(url(certificate.number))
    assert response.status_code == 409
    assert response.json()["code"] == "revoked"
    page = client.get(page_url).content.decode()
    assert url(certificate.number) not in page
    assert 'id="catenax-unavailable"' in page and "Site closed." in page
