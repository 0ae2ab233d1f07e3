"""Checking an uploaded certificate PDF: the service (`verify_upload.document_verify`), the public pages
(`/verify/` and `/verify/<number>/`, POST) and the API (`POST /api/v1/verify/document/`).

Genuine means signed by the platform's CA over the whole file and byte for byte a stored certificate
document; the answer then tells the certificate's current status. Forged, altered and foreign PDFs are not
genuine, with the reason; non-PDF, empty, missing and oversized uploads are field errors (never a 500).

One real certificate document is rendered per module (the first test that needs it); later tests store
the same signed bytes as their own certificate's document, since the database is rolled back after each.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from pyhanko.pdf_utils.generic import NameObject, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfWriter
from rest_framework.test import APIClient

from certification import services
from certification.documents import verify_upload
from certification.documents.services import document_render
from certification.documents.signature import sign_pdf
from certification.documents.verify_upload import Reason
from certification.models import Certificate
from portal.signing import create_development_ca
from tests.factories import SiteFactory

from .conftest import SUPPLIER_MARKER, approve_with_site
from .stored_documents import store_document

pytestmark = pytest.mark.usefixtures("generous_verify_allowance")

CONDITIONS = "CONDITIONS-NOT-PUBLIC-5813"
REASON = "REASON-FOR-SUSPENSION-5813"
API_URL = "/api/v1/verify/document/"


@pytest.fixture
def certificate(company_a, draft, admin_a, lead, reviewer) -> Certificate:
    """Company A's Catena-X certificate (with its recognised Ouranos one)."""
    site = SiteFactory(organization=company_a, name="Werk Salzgitter")
    return approve_with_site(draft, site, admin=admin_a, lead=lead, reviewer=reviewer, conditions=CONDITIONS)


@pytest.fixture
def recognised(certificate) -> Certificate:
    return certificate.recognised.get()


@pytest.fixture(scope="module")
def _rendered_once() -> dict[str, bytes]:
    return {}


@pytest.fixture
def genuine(certificate, _rendered_once) -> bytes:
    """The certificate's signed document: rendered for real by the first test of the module that asks."""
    if "pdf" not in _rendered_once:
        document = document_render(certificate_id=certificate.pk)
        with document.file.open("rb") as handle:
            _rendered_once["pdf"] = handle.read()
    else:
        store_document(certificate, content=_rendered_once["pdf"])
    return _rendered_once["pdf"]


def blank_pdf() -> bytes:
    """An unsigned one-page PDF."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def signed_by_another_ca(pdf: bytes, directory: Path) -> bytes:
    """`pdf` signed with a key of a self-made CA that is not the platform's (the forger's own)."""
    key, cert, ca = directory / "key.pem", directory / "cert.pem", directory / "ca.pem"
    directory.mkdir()
    create_development_ca(key, cert, ca)
    with override_settings(
        PASSBRIDGE_SIGNING_KEY=key, PASSBRIDGE_SIGNING_CERT=cert, PASSBRIDGE_SIGNING_CA=ca
    ):
        return sign_pdf(pdf)


def flip_byte(pdf: bytes) -> bytes:
    position = pdf.index(b"/Title") + 8  # inside the document title, well within the signed bytes
    return pdf[:position] + bytes([pdf[position] ^ 0x01]) + pdf[position + 1 :]


def incremental_update(pdf: bytes) -> bytes:
    """A new revision appended after the signature, as a PDF editor saves a change."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root[NameObject("/Lang")] = pdf_string("de")
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def upload(content: bytes, name: str = "certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def post_page(content: bytes, number: str | None = None, client: Client | None = None, **extra):
    url = f"/verify/{number}/" if number else "/verify/"
    return (client or Client()).post(url, {"file": upload(content, **extra)}, HTTP_ACCEPT_LANGUAGE="en")


def post_api(content: bytes | None, client: APIClient | None = None, name: str = "certificate.pdf"):
    data = {} if content is None else {"file": upload(content, name)}
    return (client or APIClient()).post(API_URL, data, format="multipart")


def result_of(response) -> dict[str, str]:
    """The data attributes of the upload result on a page."""
    match = re.search(r'<section[^>]*data-testid="upload-result"[^>]*>', response.content.decode())
    assert match, response.content.decode()[:2000]
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', match.group(0)))


# ---- the service -------------------------------------------------------------------------------------------


def test_a_genuine_document_is_recognised_with_its_current_status(genuine, certificate, lead):
    result = verify_upload.document_verify(data=genuine)
    assert result.genuine and result.reason is Reason.GENUINE
    assert result.certificate.number == certificate.number and result.certificate.status == "valid"
    assert result.sha256 == hashlib.sha256(genuine).hexdigest()
    # The PDF was signed while valid; the answer is today's status.
    services.certificate_suspend(actor=lead, certificate=certificate, reason=REASON)
    assert verify_upload.document_verify(data=genuine).certificate.status == "suspended"
    services.certificate_revoke(actor=lead, certificate=certificate, reason=REASON)
    assert verify_upload.document_verify(data=genuine).certificate.status == "revoked"


def test_an_expired_certificate_is_told_as_expired(genuine, certificate):
    today = timezone.localdate()
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_from=today - timedelta(days=30), valid_until=today - timedelta(days=1)
    )
    result = verify_upload.document_verify(data=genuine)
    assert result.genuine and result.certificate.status == "expired"


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (flip_byte, Reason.SIGNATURE_INVALID),
        (incremental_update, Reason.MODIFIED),
        (lambda pdf: pdf + b"\n% appended after signing\n", Reason.MODIFIED),
        (lambda pdf: pdf[: len(pdf) // 2], Reason.UNREADABLE),
    ],
    ids=["byte-flipped", "incremental-update", "appended-bytes", "truncated"],
)
def test_an_altered_document_is_not_genuine(genuine, tamper, reason):
    result = verify_upload.document_verify(data=tamper(genuine))
    assert (result.genuine, result.reason, result.certificate) == (False, reason, None)


def test_a_pdf_signed_by_another_ca_is_not_genuine_even_when_its_hash_is_known(recognised, tmp_path):
    forged = signed_by_another_ca(blank_pdf(), tmp_path / "forger")
    # Even a stored document with exactly these bytes would not make it ours: the signature decides first.
    store_document(recognised, content=forged)
    result = verify_upload.document_verify(data=forged)
    assert (result.genuine, result.reason, result.certificate) == (False, Reason.UNTRUSTED_SIGNER, None)


def test_a_pdf_signed_by_the_platform_but_never_issued_is_unknown(db):
    result = verify_upload.document_verify(data=sign_pdf(blank_pdf()))
    assert (result.genuine, result.reason, result.certificate) == (False, Reason.UNKNOWN_DOCUMENT, None)


def test_a_document_stays_genuine_after_its_signing_certificate_expired(certificate, tmp_path, settings):
    """Judged as of when the portal signed it (our record), not as of today."""
    directory, now = tmp_path / "short-lived", timezone.now()
    directory.mkdir()
    paths = {name: directory / f"{name}.pem" for name in ("key", "cert", "ca")}
    # The platform's signing certificate was valid from ten days ago until yesterday.
    create_development_ca(
        *paths.values(), valid_from=now - timedelta(days=10), signer_lifetime=timedelta(days=9)
    )
    settings.PASSBRIDGE_SIGNING_KEY, settings.PASSBRIDGE_SIGNING_CERT = paths["key"], paths["cert"]
    settings.PASSBRIDGE_SIGNING_CA = paths["ca"]
    signed = sign_pdf(blank_pdf())
    document = store_document(certificate, content=signed)
    type(document).objects.filter(pk=document.pk).update(rendered_at=now - timedelta(days=5))
    result = verify_upload.document_verify(data=signed)
    assert (result.reason, result.certificate.number) == (Reason.GENUINE, certificate.number)
    # Our record decides, not the file: signed (by the record) after the expiry, it is not trusted.
    type(document).objects.filter(pk=document.pk).update(rendered_at=now)
    assert verify_upload.document_verify(data=signed).reason is Reason.UNTRUSTED_SIGNER
    # A file the portal never issued is judged as of today: the certificate has expired.
    stray = sign_pdf(blank_pdf())  # other bytes: its own signing time and signature
    assert verify_upload.document_verify(data=stray).reason is Reason.UNTRUSTED_SIGNER


def test_documents_signed_under_an_earlier_ca_verify_once_it_is_listed(recognised, tmp_path, settings):
    earlier = signed_by_another_ca(blank_pdf(), tmp_path / "earlier")  # the platform's CA before a change
    store_document(recognised, content=earlier)
    assert verify_upload.document_verify(data=earlier).reason is Reason.UNTRUSTED_SIGNER
    settings.PASSBRIDGE_SIGNING_EARLIER_CAS = str(tmp_path / "earlier" / "ca.pem")
    result = verify_upload.document_verify(data=earlier)
    assert (result.reason, result.certificate.number) == (Reason.GENUINE, recognised.number)
    # Documents of the current CA still verify beside it.
    current = sign_pdf(blank_pdf())
    assert verify_upload.document_verify(data=current).reason is Reason.UNKNOWN_DOCUMENT
    settings.PASSBRIDGE_SIGNING_EARLIER_CAS = str(tmp_path / "missing.pem")
    with pytest.raises(ImproperlyConfigured, match="PASSBRIDGE_SIGNING_EARLIER_CAS"):
        verify_upload.document_verify(data=earlier)


def test_the_signing_key_check_names_the_earlier_cas_and_refuses_a_missing_bundle(tmp_path, settings):
    signed_by_another_ca(blank_pdf(), tmp_path / "earlier")
    settings.PASSBRIDGE_SIGNING_EARLIER_CAS = str(tmp_path / "earlier" / "ca.pem")
    output = io.StringIO()
    call_command("ensure_signing_key", stdout=output)
    assert "earlier CA" in output.getvalue() and "Development Root CA" in output.getvalue()
    settings.PASSBRIDGE_SIGNING_EARLIER_CAS = str(tmp_path / "missing.pem")
    with pytest.raises(ImproperlyConfigured, match=r"missing\.pem"):
        call_command("ensure_signing_key", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (blank_pdf(), Reason.NO_SIGNATURE),
        (b"%PDF-1.7\nnot really a PDF\n%%EOF\n", Reason.UNREADABLE),
        (b"%PDF-", Reason.UNREADABLE),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, Reason.NOT_PDF),
        (b"", Reason.NOT_PDF),
    ],
    ids=["unsigned", "broken", "header-only", "png", "empty"],
)
def test_unsigned_and_broken_files(db, content, reason):
    result = verify_upload.document_verify(data=content)
    assert (result.genuine, result.reason) == (False, reason)
    assert result.title and result.explanation  # every reason has a message


# ---- the pages ---------------------------------------------------------------------------------------------


def test_the_entry_page_offers_the_number_look_up_and_the_upload(db):
    response = Client().get("/verify/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="verify-number-form"' in body and 'data-testid="verify-upload-form"' in body
    assert 'enctype="multipart/form-data"' in body and "csrfmiddlewaretoken" in body
    assert 'name="number"' in body and 'type="file" name="file"' in body
    assert "no-cache" in response["Cache-Control"]


def test_the_number_look_up_redirects_to_the_certificate_page(certificate):
    response = Client().get("/verify/", {"number": f"  {certificate.number} "})
    assert response.status_code == 302 and response["Location"] == f"/verify/{certificate.number}/"
    for malformed in ("CATX 0001", "<script>", "x" * 65, "a\x00b"):
        response = Client().get("/verify/", {"number": malformed}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, malformed
        assert 'class="form-errors"' in response.content.decode()


def test_the_certificate_page_offers_the_upload(certificate):
    body = Client().get(f"/verify/{certificate.number}/").content.decode()
    assert 'data-testid="verify-upload-form"' in body
    assert f'action="/verify/{certificate.number}/"' in body


def test_uploading_a_genuine_document_shows_it_with_its_current_status(genuine, certificate, lead):
    response = post_page(genuine)
    assert response.status_code == 200
    assert result_of(response) == {
        "testid": "upload-result",
        "reason": "genuine",
        "genuine": "true",
        "status": "valid",
    }
    body = response.content.decode()
    assert "Genuine PassBridge certificate document" in body
    assert f'href="/verify/{certificate.number}/"' in body and "Company A GmbH" in body
    assert '<span class="badge badge-active">Valid</span>' in body
    services.certificate_revoke(actor=lead, certificate=certificate, reason=REASON)
    response = post_page(genuine)
    assert result_of(response)["status"] == "revoked"
    assert '<span class="badge badge-revoked">Revoked</span>' in response.content.decode()
    assert "This certificate was revoked and is no longer valid." in response.content.decode()


def test_the_certificate_page_says_when_the_pdf_belongs_to_another_certificate(
    genuine, certificate, recognised, lead
):
    services.certificate_suspend(actor=lead, certificate=certificate, reason=REASON)
    own = post_page(genuine, certificate.number)
    assert result_of(own)["reason"] == "genuine" and result_of(own)["status"] == "suspended"
    assert 'data-testid="other-certificate"' not in own.content.decode()
    other = post_page(genuine, recognised.number)
    assert other.status_code == 200 and result_of(other)["genuine"] == "true"
    body = other.content.decode()
    assert 'data-testid="other-certificate"' in body
    assert f"This PDF is the document of certificate {certificate.number}" in body
    assert 'data-testid="verification-status" data-status="suspended"' in body  # the page's own facts


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [(flip_byte, "signature_invalid"), (incremental_update, "modified")],
    ids=["byte-flipped", "incremental-update"],
)
def test_uploading_an_altered_document_says_it_is_not_genuine(genuine, certificate, tamper, reason):
    response = post_page(tamper(genuine), certificate.number)
    assert response.status_code == 200
    assert result_of(response) == {"testid": "upload-result", "reason": reason, "genuine": "false"}
    assert 'data-testid="upload-status"' not in response.content.decode()


def test_uploading_an_unsigned_pdf_says_so(db):
    response = post_page(blank_pdf())
    assert response.status_code == 200 and result_of(response)["reason"] == "no_signature"
    assert "The PDF carries no digital signature." in response.content.decode()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"Just some text, not a PDF.", "certificate.pdf", "Only PDF files can be uploaded."),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image.png", "Only PDF files can be uploaded."),
        (b"", "certificate.pdf", "The file is empty."),
    ],
    ids=["text", "png", "empty"],
)
def test_non_pdf_uploads_get_a_form_error(db, content, name, message):
    response = post_page(content, name=name)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="form-errors"' in body and message in body
    assert 'data-testid="upload-result"' not in body


def test_a_missing_file_gets_a_form_error(db):
    response = Client().post("/verify/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Choose the certificate PDF to check." in response.content.decode()


def test_an_oversized_upload_is_cut_off_while_received_and_refused(db, settings, monkeypatch):
    settings.CERTIFICATE_VERIFY_UPLOAD_MAX_BYTES = 2048
    received: list[int] = []
    real_read_upload = verify_upload.read_upload

    def spy(file):
        received.append(file.size)
        return real_read_upload(file)

    monkeypatch.setattr(verify_upload, "read_upload", spy)
    oversized = blank_pdf() + b"%" * 100_000
    page = post_page(oversized)
    assert page.status_code == 400 and "The file is too large: at most 2.0" in page.content.decode()
    api = post_api(oversized)
    assert api.status_code == 400 and "too large" in api.json()["file"][0]
    # Both saw only the limit plus one byte of the 100 kB: the rest was dropped as it arrived.
    assert received == [2049, 2049]


def test_uploads_need_the_csrf_token_but_no_login(db):
    client = Client(enforce_csrf_checks=True)
    assert post_page(blank_pdf(), client=client).status_code == 403
    client.get("/verify/")
    token = client.cookies["csrftoken"].value
    response = client.post("/verify/", {"file": upload(blank_pdf()), "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and result_of(response)["reason"] == "no_signature"


def test_the_result_shows_no_confidential_data(genuine, certificate, draft):
    forbidden = [SUPPLIER_MARKER, CONDITIONS, "We meet", "see the evidence", certificate.reviewer_name]
    forbidden += [answer.text for answer in draft.answers.all()]
    for response in (post_page(genuine), post_page(genuine, certificate.number), post_api(genuine)):
        assert response.status_code == 200
        body = response.content.decode()
        for value in forbidden:
            assert value not in body, value
        assert "1234.5" not in body


def test_uploads_for_an_unknown_certificate_page_are_not_found(db):
    assert post_page(blank_pdf(), "CATX-NOPE-0000001").status_code == 404


# ---- the API -----------------------------------------------------------------------------------------------


def test_the_api_answers_a_genuine_document_with_the_public_facts(genuine, certificate, lead):
    response = post_api(genuine)
    assert response.status_code == 200
    data = response.json()
    assert data["genuine"] is True and data["reason"] == "genuine" and data["message"]
    assert data["certificate"]["number"] == certificate.number
    assert data["certificate"]["status"] == "valid"
    assert data["certificate"]["document_sha256"] == hashlib.sha256(genuine).hexdigest()
    # The same public facts as the look-up by number.
    assert data["certificate"] == APIClient().get(f"/api/v1/verify/{certificate.number}/").json()
    assert "no-cache" in response["Cache-Control"]
    services.certificate_suspend(actor=lead, certificate=certificate, reason=REASON)
    assert post_api(genuine).json()["certificate"]["status"] == "suspended"
    # Only the content counts: the same PDF under a misleading or missing extension is still recognised.
    for name in ("certificate.jpg", "scan.png", "download"):
        assert post_api(genuine, name=name).json()["reason"] == "genuine", name
    assert result_of(post_page(genuine, name="certificate.jpg"))["reason"] == "genuine"


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (flip_byte, "signature_invalid"),
        (incremental_update, "modified"),
        (lambda pdf: pdf + b"\0\0\0", "modified"),
    ],
    ids=["byte-flipped", "incremental-update", "appended-bytes"],
)
def test_the_api_refuses_altered_documents(genuine, tamper, reason):
    response = post_api(tamper(genuine))
    assert response.status_code == 200
    assert response.json() == {
        "genuine": False,
        "reason": reason,
        "message": response.json()["message"],
        "certificate": None,
    }


def test_the_api_on_foreign_and_unsigned_pdfs(db, tmp_path):
    assert post_api(blank_pdf()).json()["reason"] == "no_signature"
    forged = post_api(signed_by_another_ca(blank_pdf(), tmp_path / "forger")).json()
    assert (forged["genuine"], forged["reason"], forged["certificate"]) == (False, "untrusted_signer", None)
    assert post_api(b"%PDF-1.7\ngarbage").json()["reason"] == "unreadable"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "No file was submitted."),
        (b"", "The file is empty."),
        (b"<html>not a pdf</html>", "Only PDF files can be uploaded."),
        (b"\xff\xd8\xff\xe0 a JPEG", "Only PDF files can be uploaded."),
    ],
    ids=["missing", "empty", "html", "jpeg"],
)
def test_the_api_answers_bad_uploads_with_400_on_file(db, content, message):
    response = post_api(content)
    assert response.status_code == 400
    assert list(response.json()) == ["file"] and message in response.json()["file"][0]


def test_the_api_takes_multipart_only_and_keeps_the_number_look_up(certificate):
    assert APIClient().post(API_URL, {"file": "x"}, format="json").status_code == 415
    # "document" is this endpoint, never a certificate number.
    assert APIClient().get(API_URL).status_code == 405
    assert APIClient().get(f"/api/v1/verify/{certificate.number}/").status_code == 200
    assert APIClient().get("/api/v1/verify/CATX-NOPE-0000001/").status_code == 404


def test_uploads_count_against_the_verification_rate_limit(settings, certificate):
    settings.CERTIFICATE_VERIFY_RATE_PER_MINUTE = 3
    client, api = Client(), APIClient()
    assert client.get(f"/verify/{certificate.number}/").status_code == 200
    assert post_page(blank_pdf(), client=client).status_code == 200
    assert post_api(blank_pdf(), client=api).status_code == 200
    # The allowance of the minute is used up, whichever way the next look-up comes.
    refused_api = post_api(blank_pdf(), client=api)
    assert refused_api.status_code == 429 and int(refused_api["Retry-After"]) > 0
    assert "Too many certificate look-ups" in refused_api.json()["detail"]
    refused_page = post_page(blank_pdf(), client=client)
    assert refused_page.status_code == 429 and 'data-testid="rate-limited"' in refused_page.content.decode()
    assert post_page(blank_pdf(), certificate.number, client=client).status_code == 429
    assert client.get(f"/verify/{certificate.number}/").status_code == 429


def test_the_upload_is_documented_in_the_openapi_schema(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][API_URL]["post"]
    body = operation["requestBody"]["content"]
    assert list(body) == ["multipart/form-data"]
    # Its own answers, plus what every operation of its kind can answer (portal.openapi_errors): an invalid
    # token (401), a session post without its CSRF token (403), an Accept it cannot serve (406), a body that
    # is not multipart (415).
    assert set(operation["responses"]) == {"200", "400", "401", "403", "406", "415", "429"}
    assert "get" not in schema["paths"][API_URL]
