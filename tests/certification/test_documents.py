"""The signed certificate document: content (facts, Japanese, nothing confidential), PDF/A-3 with the
embedded JSON, the PAdES signature checked by an independent pyHanko validation, the idempotent task and
its sweep, and the permission-checked downloads with the authorities' access log."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader
from rest_framework.test import APIClient

from certification import services, tasks
from certification.documents.models import CertificateDocument, DocumentStatus
from certification.documents.render import html_to_pdf
from certification.documents.services import (
    MAX_ATTEMPTS,
    document_render,
    documents_enqueue_issued,
    documents_missing,
)
from certification.models import Certificate
from portal.audit.models import AuditEvent
from portal.audit.selectors import audit_events_for
from portal.enqueue import _queue
from portal.pdf import fonts
from portal.pdf.fetcher import CertificateURLFetcher, RefusedResource
from portal.signing import create_development_ca
from portal.storage import private_storage
from portal.tenancy.models import OrganizationKind, Role
from tests.factories import OrganizationFactory, SiteFactory, member
from tests.pdf_qr import qr_texts

from .conftest import SUPPLIER_MARKER, approve_with_site, meet_all

CONDITIONS = "Annual surveillance audit of line 3."
LEI = "529900TESTDOCUMENT88"


@pytest.fixture
def site(company_a):
    return SiteFactory(organization=company_a, name="Werk Salzgitter")


@pytest.fixture
def certificate(company_a, draft, admin_a, lead, reviewer, site) -> Certificate:
    """Company A's Catena-X certificate (its recognised Ouranos one comes with it), not yet rendered: the
    test transaction never commits, so the after-commit enqueue does not run unless a test asks."""
    company_a.lei = LEI
    company_a.save(update_fields=["lei"])
    return approve_with_site(draft, site, admin=admin_a, lead=lead, reviewer=reviewer, conditions=CONDITIONS)


@pytest.fixture
def recognised(certificate) -> Certificate:
    return certificate.recognised.get()


@pytest.fixture
def rendered(recognised) -> tuple[Certificate, CertificateDocument, bytes]:
    """The recognised certificate's document (it carries every fact, the origin's included)."""
    document = document_render(certificate_id=recognised.pk)
    with document.file.open("rb") as handle:
        return recognised, document, handle.read()


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def dev_ca_root() -> asn1_x509.Certificate:
    """The trust root read straight from the configured CA file (not through the portal's loader)."""
    data = Path(settings.PASSBRIDGE_SIGNING_CA).read_bytes()
    _type, _headers, der = pem.unarmor(data)
    return asn1_x509.Certificate.load(der)


def validate(pdf: bytes, root: asn1_x509.Certificate):
    reader = PdfFileReader(io.BytesIO(pdf))
    (signature,) = reader.embedded_signatures
    context = ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail")
    return validate_pdf_signature(signature, context)


# --- Issue: rendered after commit, once ---------------------------------------------------------------


def test_issuing_renders_the_origin_and_recognised_documents_after_commit(
    draft, admin_a, lead, reviewer, django_capture_on_commit_callbacks
):
    services.application_submit(actor=admin_a, application=draft, declaration_name="Anna Admin")
    services.application_assign(actor=lead, application=draft, reviewer=reviewer)
    meet_all(draft, reviewer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        origin = services.application_approve(actor=reviewer, application=draft)
        # Inside the transaction nothing is queued yet: the worker could not see the certificate.
        assert not CertificateDocument.objects.exists()
    queued = [c.args[0].func for c in callbacks if getattr(c, "func", None) is _queue]
    assert queued.count(documents_enqueue_issued) == 1
    recognised = origin.recognised.get()
    for certificate in (origin, recognised):
        document = CertificateDocument.objects.get(certificate=certificate)
        assert document.status == DocumentStatus.READY and document.attempts == 1
        content = document.file.read()
        assert document.size == len(content) and document.sha256 == hashlib.sha256(content).hexdigest()
        assert content.startswith(b"%PDF-")


def test_the_task_is_idempotent(recognised):
    first = tasks.render_certificate_document.delay(recognised.pk).get()
    second = tasks.render_certificate_document.delay(recognised.pk).get()
    assert first == second
    document = CertificateDocument.objects.get(certificate=recognised)
    assert document.attempts == 1 and document.sha256 == first
    stored = [p for p in Path(private_storage.location).rglob("*.pdf")]
    assert [p.name for p in stored] == [f"{recognised.number}.pdf"]
    assert tasks.render_certificate_document.delay(999_999).get() is None


def test_a_file_left_by_a_killed_render_is_replaced_not_kept_beside(recognised):
    """A worker killed between writing the PDF and committing its row left a file nothing points at."""
    target = f"certificates/{recognised.issued_at:%Y}/{recognised.number}.pdf"
    assert private_storage.save(target, ContentFile(b"")) == target
    document = document_render(certificate_id=recognised.pk)
    assert document.status == DocumentStatus.READY and document.file.name == target
    stored = list(Path(private_storage.location).rglob("*.pdf"))
    assert [p.name for p in stored] == [f"{recognised.number}.pdf"]
    assert stored[0].stat().st_size == document.size > 0


def test_a_status_change_does_not_rewrite_the_document(rendered, lead):
    certificate, document, content = rendered
    services.certificate_suspend(actor=lead, certificate=certificate.origin, reason="Audit overdue")
    assert tasks.sweep_certificate_documents.delay().get() == [certificate.origin.pk]  # never rendered
    document.refresh_from_db()
    assert document.file.read() == content and document.rendered_at is not None
    # The PDF still states the status at issue: verification tells the current one.
    assert "Status at issue 発行時の状態 Valid / 有効" in text_of(content)


def test_the_sweep_renders_what_is_missing_and_leaves_running_renders_alone(certificate, recognised):
    assert documents_missing() == sorted([certificate.pk, recognised.pk])
    # A render started a moment ago may still be running in a worker; one stuck for long is taken again.
    running = CertificateDocument.objects.create(certificate=certificate, attempts=1)
    assert documents_missing() == [recognised.pk]
    CertificateDocument.objects.filter(pk=running.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert tasks.sweep_certificate_documents.delay().get() == sorted([certificate.pk, recognised.pk])
    assert set(CertificateDocument.objects.values_list("status", flat=True)) == {DocumentStatus.READY}
    assert documents_missing() == []


def test_a_missing_font_fails_loudly_and_is_counted(recognised, monkeypatch):
    missing = fonts.FontFace("PassBridge Japanese", Path("/nonexistent/ipaexg.ttf"))
    monkeypatch.setattr(fonts, "FONT_FACES", (*fonts.FONT_FACES[:2], missing))
    with pytest.raises(ImproperlyConfigured, match=r"ipaexg\.ttf"):
        document_render(certificate_id=recognised.pk)
    document = CertificateDocument.objects.get(certificate=recognised)
    assert (document.status, document.attempts, document.last_error) == (
        DocumentStatus.PENDING,
        1,
        "ImproperlyConfigured",
    )
    assert not list(Path(private_storage.location).rglob("*.pdf"))
    # After MAX_ATTEMPTS the sweep gives up on it (an operator reads last_error).
    CertificateDocument.objects.filter(pk=document.pk).update(attempts=MAX_ATTEMPTS - 1)
    with pytest.raises(ImproperlyConfigured):
        document_render(certificate_id=recognised.pk)
    assert CertificateDocument.objects.get(pk=document.pk).status == DocumentStatus.FAILED
    assert recognised.pk not in documents_missing()


# --- Content ------------------------------------------------------------------------------------------


def test_the_pdf_states_the_certificate_facts_in_english_and_japanese(rendered, company_a):
    certificate, document, content = rendered
    origin = certificate.origin
    text = text_of(content)
    expected = [
        certificate.number,
        "Valid / 有効",
        company_a.legal_name,
        company_a.bpnl,
        LEI,
        certificate.scheme.name,
        f"version {certificate.scheme_version}",
        "Certified Pack 80",
        "CP-80",
        "Werk Salzgitter",
        CONDITIONS,
        _written_out(certificate.valid_from),
        _written_out(certificate.valid_until),
        f"{certificate.valid_from.year}年{certificate.valid_from.month}月{certificate.valid_from.day}日",
        "UTC",
        certificate.issuing_body_name,
        certificate.reviewer_name,
        origin.number,
        origin.scheme.name,
        f"{settings.SITE_URL}/verify/{certificate.number}/",
        document.data_sha256,
        "適合証明書",
        "保有者",
        "有効期間",
    ]
    for standard in certificate.standards:
        expected += [standard["code"], f"version {standard['version']}"]
    passports = certificate.scope.get("passports", [])
    expected += [passport["unique_identifier"] for passport in passports]
    for fact in expected:
        assert fact in text, fact
    assert SUPPLIER_MARKER not in text and "1234.5" not in text and "cobalt" not in text.lower()
    # Issue 16: no raw timestamp, no scheme code, no category code, no empty lines.
    assert certificate.issued_at.isoformat() not in text
    assert f"({certificate.scheme.code})" not in text
    assert "• -" not in text and ", ev" not in text


def _written_out(day) -> str:
    return f"{day.day} {day:%B} {day.year}"


def test_the_qr_code_opens_the_verification_page(rendered, client):
    certificate, _document, content = rendered
    (url,) = qr_texts(content)
    assert url == f"{settings.SITE_URL}/verify/{certificate.number}/"
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200 and certificate.number in page.content.decode()


def test_pdfa_metadata_and_the_embedded_json(rendered):
    certificate, document, content = rendered
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata.title == f"PassBridge certificate {certificate.number}"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part[^0-9]*3", xmp) and re.search(r"pdfaid:conformance[^A-Z]*B", xmp)
    # PDF/A-3: the attachment is an associated file of the document, described as its data.
    associated = {
        (a.get_object()["/F"], a.get_object()["/AFRelationship"]) for a in reader.trailer["/Root"]["/AF"]
    }
    assert associated == {("certificate.json", "/Data")}
    assert list(reader.attachments) == ["certificate.json"]
    data = reader.attachments["certificate.json"][0]
    assert hashlib.sha256(data).hexdigest() == document.data_sha256
    assert document.data_sha256 in text_of(content)
    facts = json.loads(data)
    assert facts["number"] == certificate.number and facts["statusAtIssue"] == "valid"
    assert facts["holder"]["lei"] == LEI and facts["origin"]["number"] == certificate.origin.number
    assert facts["validUntil"] == certificate.valid_until.isoformat()
    assert SUPPLIER_MARKER not in data.decode()


def test_only_the_project_fonts_are_used_and_all_are_embedded(rendered):
    _certificate, _document, content = rendered
    reader = PdfReader(io.BytesIO(content))
    families = set()
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        families.add(str(font["/BaseFont"]).split("+", 1)[1])
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor  # embedded (a subset), not left to the reader's fonts
    assert families == {
        "PassBridge-Latin",
        "PassBridge-Latin-Bold",
        "PassBridge-Japanese",
        "PassBridge-Japanese-Bold",
    }


def test_the_signature_validates_against_the_platform_ca_and_breaks_on_any_change(rendered, tmp_path):
    _certificate, _document, content = rendered
    status = validate(content, dev_ca_root())
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    # One byte of the page content changed: the digest no longer matches.
    position = content.index(b"/Title") + 8
    tampered = content[:position] + bytes([content[position] ^ 0x01]) + content[position + 1 :]
    assert not validate(tampered, dev_ca_root()).intact
    # A chain that does not end at the platform's CA is not trusted.
    other = tmp_path / "other"
    create_development_ca(other / "k.pem", other / "c.pem", other / "ca.pem")
    stranger = asn1_x509.Certificate.load(pem.unarmor((other / "ca.pem").read_bytes())[2])
    assert not validate(content, stranger).trusted


def test_the_fetcher_allows_only_static_files_and_the_fonts(tmp_path):
    fetcher = CertificateURLFetcher()
    static_file = next(p for p in Path(settings.STATICFILES_DIRS[0]).rglob("*") if p.is_file())
    assert fetcher.allows(fonts.IPAEX_GOTHIC.as_uri()) and fetcher.allows(static_file.as_uri())
    assert fetcher.allows("data:text/plain,hello")
    for refused in (
        "https://example.com/logo.png",
        "http://127.0.0.1:8000/static/css/portal.css",
        "file:///etc/passwd",
        (Path(settings.STATICFILES_DIRS[0]) / ".." / "portal" / "settings.py").as_uri(),
        "ftp://example.com/x",
    ):
        assert not fetcher.allows(refused), refused
    with pytest.raises(RefusedResource, match=r"example\.com"):
        html_to_pdf('<html><body><img src="https://example.com/x.png"></body></html>', b"{}")


# --- Downloads ----------------------------------------------------------------------------------------


@pytest.fixture
def audiences(admin_a, viewer_a, admin_b, lead, reviewer, inspector, operator, catenax):
    other_body = OrganizationFactory(kind=OrganizationKind.CERTIFICATION_BODY, legal_name="Other Body")
    return {
        "holder_admin": admin_a,
        "holder_viewer": viewer_a,
        "issuing_lead": lead,
        "issuing_reviewer": reviewer,
        "inspector": inspector,
        "operator": operator,
        "other_company": admin_b,
        "other_body": member(Role.LEAD, other_body, username="other-lead"),
        "anonymous": None,
    }


ALLOWED = {"holder_admin", "holder_viewer", "issuing_lead", "issuing_reviewer", "inspector", "operator"}


def _client(cls, user):
    client = cls()
    if user is not None:
        client.force_login(user)
    return client


def test_download_permission_matrix_api_and_html(rendered, audiences):
    certificate, _document, content = rendered
    for name, user in audiences.items():
        api = _client(APIClient, user).get(f"/api/v1/certificates/{certificate.number}/pdf/")
        page = _client(Client, user).get(f"/certification/certificates/{certificate.number}/pdf/")
        if name in ALLOWED:
            for response in (api, page):
                assert response.status_code == 200, name
                assert response["Content-Type"] == "application/pdf"
                assert response["Content-Disposition"] == f'attachment; filename="{certificate.number}.pdf"'
                assert response["X-Content-Type-Options"] == "nosniff"
                assert response["Cache-Control"] == "private, no-store"
                assert response.content == content
        elif name == "anonymous":
            assert api.status_code in (401, 403)
            assert page.status_code == 302 and "/login" in page["Location"]
        else:
            assert (api.status_code, page.status_code) == (404, 404), name


def test_the_certificate_page_links_the_download_once_ready(certificate, admin_a):
    client = _client(Client, admin_a)
    url = f"/certification/certificates/{certificate.number}/"
    pdf_url = f"{url}pdf/"
    assert pdf_url not in client.get(url).content.decode()
    # Not rendered yet: the API says so (409, retry later), the page sends the reader back with a message.
    api = _client(APIClient, admin_a).get(f"/api/v1/certificates/{certificate.number}/pdf/")
    assert api.status_code == 409 and api["Retry-After"] and api.json()["code"] == "document_pending"
    assert client.get(pdf_url).status_code == 302
    document_render(certificate_id=certificate.pk)
    assert pdf_url in client.get(url).content.decode()


def test_downloads_by_an_authority_are_in_the_holders_access_log(
    rendered, inspector, admin_a, lead, operator
):
    certificate, document, _content = rendered
    _client(Client, admin_a).get(f"/certification/certificates/{certificate.number}/pdf/")
    _client(APIClient, lead).get(f"/api/v1/certificates/{certificate.number}/pdf/")
    assert not AuditEvent.objects.filter(action="certificate.downloaded").exists()
    _client(APIClient, inspector).get(f"/api/v1/certificates/{certificate.number}/pdf/")
    _client(Client, inspector).get(f"/certification/certificates/{certificate.number}/pdf/")
    entries = AuditEvent.objects.filter(action="certificate.downloaded")
    assert entries.count() == 2
    entry = entries.first()
    assert entry.actor == inspector and entry.organization == certificate.holder
    assert entry.object_label == certificate.number
    assert entry.details["document_sha256"] == document.sha256
    # Visible to the holder's administrators and to operators.
    for reader in (admin_a, operator):
        assert audit_events_for(actor=reader).filter(action="certificate.downloaded").count() == 2
