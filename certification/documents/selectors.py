"""Reading certificate documents (the caller has already checked the certificate is visible)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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


@dataclass(frozen=True)
class IssuedDocument:
    #: The number of the certificate the document belongs to.
    certificate_number: str
    #: When the portal signed it (our record, not the file's claim).
    signed_at: datetime | None


def issued_document(*, sha256: str) -> IssuedDocument | None:
    """The ready signed document with exactly this SHA-256 (hex): its certificate's number and when it was
    signed; None when the portal issued no such file. Public by design: whoever holds the file may learn
    which certificate it is."""
    row = (
        CertificateDocument.objects.filter(sha256=sha256.lower(), status=DocumentStatus.READY)
        .values_list("certificate__number", "rendered_at")
        .first()
    )
    return IssuedDocument(*row) if row else None
