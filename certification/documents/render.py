"""Certificate HTML -> PDF/A-3b with the machine-readable JSON attached (WeasyPrint)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML, Attachment
from weasyprint.urls import FatalURLFetchingError

from portal.pdf.fetcher import CertificateURLFetcher, RefusedResource
from portal.pdf.fonts import font_faces

from ..models import Certificate
from .facts import canonical_json, certificate_data, sha256_hex, template_context, verification_url

if TYPE_CHECKING:
    import pydyf
    from weasyprint import Document

TEMPLATE = "certification/pdf/certificate.html"
DATA_NAME = "certificate.json"
PDF_VARIANT = "pdf/a-3b"
#: PDF/A-3 is built on PDF 1.7 (ISO 32000-1): pinned so that no other default can put a 2.0 header under
#: the pdfaid:part 3 identification. The signature keeps it (signature.py).
PDF_VERSION = "1.7"


@dataclass(frozen=True)
class RenderedDocument:
    pdf: bytes
    data: bytes
    data_sha256: str


def _qr(url: str) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", border=2, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def certificate_html(certificate: Certificate) -> tuple[str, bytes, str]:
    """The document's HTML, the embedded JSON and its SHA-256 (printed on the page)."""
    data = certificate_data(certificate)
    raw = canonical_json(data)
    digest = sha256_hex(raw)
    context = template_context(certificate, data, digest)
    context.update(fonts=font_faces(), qr_data_uri=_qr(verification_url(certificate)))
    # Fixed bilingual labels; dates and numbers must not follow the language of whoever triggered it.
    with translation.override("en"):
        html = render_to_string(TEMPLATE, context)
    return html, raw, digest


def _associated_files_once(_document: Document, pdf: pydyf.PDF) -> None:
    """WeasyPrint 70's PDF/A-3 step fills the catalog's /AF from both the /EmbeddedFiles name tree and the
    file specifications themselves, so each attachment is listed twice (Kozea/WeasyPrint#2917). Runs as
    WeasyPrint's finisher, before the file is written and long before it is signed; a no-op once fixed."""
    associated = pdf.catalog.get("AF")
    if associated:
        associated[:] = dict.fromkeys(associated)


def html_to_pdf(html: str, data: bytes, *, created=None) -> bytes:
    fetcher = CertificateURLFetcher()
    attachment = Attachment(
        file_obj=io.BytesIO(data),
        url_fetcher=fetcher,
        name=DATA_NAME,
        description="Machine-readable certificate (PassBridge)",
        created=created,
        modified=created,
        relationship="Data",
    )
    base_url = (
        settings.STATICFILES_DIRS[0] if settings.STATICFILES_DIRS else settings.BASE_DIR
    ).as_uri() + "/"
    try:
        return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
            finisher=_associated_files_once,
            pdf_variant=PDF_VARIANT,
            pdf_version=PDF_VERSION,
            attachments=[attachment],
            custom_metadata=True,
        )
    except FatalURLFetchingError as exc:
        # WeasyPrint's fatal error is a BaseException: turn it into an ordinary failure of this render.
        raise RefusedResource(f"{exc} ({exc.__cause__})") from exc


def render_certificate(certificate: Certificate) -> RenderedDocument:
    html, data, digest = certificate_html(certificate)
    return RenderedDocument(
        pdf=html_to_pdf(html, data, created=certificate.issued_at), data=data, data_sha256=digest
    )
