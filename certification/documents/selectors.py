"""Reading certificate documents (the caller has already checked the certificate is visible)."""

from __future__ import annotations

from ..models import Certificate
from .models import CertificateDocument, DocumentStatus


def ready_document(certificate: Certificate) -> CertificateDocument | None:
    """The signed document when it is ready, else None (not rendered yet, or being rendered)."""
    return CertificateDocument.objects.filter(certificate=certificate, status=DocumentStatus.READY).first()


def document_bytes(document: CertificateDocument) -> bytes | None:
    try:
        with document.file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def certificate_number_for_document(*, sha256: str) -> str | None:
    """The number of the certificate whose ready signed document has exactly this SHA-256 (hex), or None.
    Public by design: whoever holds the file may learn which certificate it is."""
    return (
        CertificateDocument.objects.filter(sha256=sha256.lower(), status=DocumentStatus.READY)
        .values_list("certificate__number", flat=True)
        .first()
    )
