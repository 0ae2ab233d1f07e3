"""A certificate's document stored as the render task leaves it, for tests about what is done with the
stored bytes rather than about rendering (rendering and signing are tested in test_documents.py)."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from certification.documents.models import CertificateDocument, DocumentStatus
from certification.models import Certificate

#: A stand-in for a signed document where a test is about what is done with its bytes, not the render.
STAND_IN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def store_document(
    certificate: Certificate, *, ready: bool = True, content: bytes = STAND_IN_PDF
) -> CertificateDocument:
    """Store the certificate's document row as the render task leaves it (ready), or as it is while
    being rendered (ready=False, no file yet)."""
    if not ready:
        return CertificateDocument.objects.create(certificate=certificate)
    return CertificateDocument.objects.create(
        certificate=certificate,
        file=ContentFile(content, name=f"{certificate.number}.pdf"),
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        data_sha256="0" * 64,
        status=DocumentStatus.READY,
        rendered_at=timezone.now(),
    )
