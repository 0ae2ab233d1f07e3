"""Is an uploaded PDF a genuine, unmodified PassBridge certificate document, and what is the status of its
certificate today?

Genuine means both: the PAdES signature is intact, made by a key that chains to the platform's CA (the
current one or an earlier one, `PASSBRIDGE_SIGNING_EARLIER_CAS`) and covers the whole file (nothing appended
since, no incremental update), and the file's SHA-256 equals the stored hash of a certificate document (the
stored bytes are exactly what the portal serves). The signing certificate is judged as it was when the
portal signed the file, so documents stay verifiable for as long as their certificates matter. The signed PDF
states the status at issue only; the answer carries the certificate's current public facts
(`selectors.certificate_public`), nothing else.

The checks run in the order a forger's attempts fail them, so the reason names the first problem: not a
PDF, unreadable, unsigned, signature broken, signed by someone else, modified after signing, or signed by
us but not one of our documents (for example a document of another PassBridge installation).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from portal.uploads import PDF, SNIFF_BYTES, check_upload, sniff

from .. import selectors as certification_selectors
from . import selectors
from .signature import outside_event_loop, validation_context


class Reason(StrEnum):
    GENUINE = "genuine"
    NOT_PDF = "not_pdf"
    UNREADABLE = "unreadable"
    NO_SIGNATURE = "no_signature"
    SIGNATURE_INVALID = "signature_invalid"
    UNTRUSTED_SIGNER = "untrusted_signer"
    MODIFIED = "modified"
    UNKNOWN_DOCUMENT = "unknown_document"


#: A short title and an explanation per reason, in the reader's language.
MESSAGES: dict[Reason, tuple[Promise, Promise]] = {
    Reason.GENUINE: (
        _("Genuine PassBridge certificate document"),
        _(
            "The signature is valid and the file is exactly the document PassBridge issued for this "
            "certificate. The document states the status at issue; the current status is shown here."
        ),
    ),
    Reason.NOT_PDF: (
        _("Not a PDF document"),
        _("The file is not a PDF document, so it cannot be a PassBridge certificate."),
    ),
    Reason.UNREADABLE: (
        _("Unreadable PDF"),
        _("The file starts like a PDF but cannot be read: it is damaged or incomplete."),
    ),
    Reason.NO_SIGNATURE: (
        _("Not signed"),
        _(
            "The PDF carries no digital signature. Every PassBridge certificate document is signed, so "
            "this is not one."
        ),
    ),
    Reason.SIGNATURE_INVALID: (
        _("Signature broken"),
        _(
            "The signature does not match the content of the file: the document was changed after it was "
            "signed. Do not rely on it."
        ),
    ),
    Reason.UNTRUSTED_SIGNER: (
        _("Not signed by PassBridge"),
        _(
            "The PDF is signed, but not with a key certified by the PassBridge platform. It is not a "
            "certificate document issued by PassBridge."
        ),
    ),
    Reason.MODIFIED: (
        _("Modified after signing"),
        _(
            "The file contains a signed PassBridge document, but something was added to the file after it "
            "was signed, so it is not the document PassBridge issued. Do not rely on it."
        ),
    ),
    Reason.UNKNOWN_DOCUMENT: (
        _("Unknown document"),
        _(
            "The signature is valid, but this file is not one of the certificate documents PassBridge "
            "issued. Look the certificate up by its number instead."
        ),
    ),
}


@dataclass(frozen=True)
class DocumentVerification:
    reason: Reason
    #: SHA-256 (hex) of the uploaded bytes.
    sha256: str
    #: The certificate's public facts and current status, only for a genuine document.
    certificate: certification_selectors.PublicCertificate | None = None

    @property
    def genuine(self) -> bool:
        return self.reason is Reason.GENUINE

    @property
    def title(self) -> str:
        return str(MESSAGES[self.reason][0])

    @property
    def explanation(self) -> str:
        return str(MESSAGES[self.reason][1])


def max_upload_bytes() -> int:
    return int(settings.CERTIFICATE_VERIFY_UPLOAD_MAX_BYTES)


def read_upload(upload: Any) -> bytes:
    """The bytes of an uploaded file to verify. Raises `ValidationError` keyed "file" when it is missing,
    empty, larger than the limit or not a PDF (by its first bytes; the name does not matter), so forms and
    the API show a field error.
    The upload must already be cut while it was received (`limit_uploads`): this only reads what arrived."""
    check_upload(upload, kinds=(PDF,), limit=max_upload_bytes(), keeps_name=False)
    upload.seek(0)
    return upload.read()


def _signature_problem(data: bytes, signed_at: datetime | None) -> Reason | None:
    """Why the file is not intact and signed by the platform, or None when it is. The signing certificate
    is judged as it was at `signed_at` (default now)."""
    try:
        signatures = PdfFileReader(io.BytesIO(data)).embedded_signatures
    except Exception:  # a broken or hostile file: whatever the parser's complaint, it cannot be read
        return Reason.UNREADABLE
    if not signatures:
        return Reason.NO_SIGNATURE
    context = validation_context(moment=signed_at)  # outside the try: a configuration error is no forgery
    try:
        # Without difference analysis: any revision after our signature already disqualifies the file,
        # and analysing an attacker's revisions would only cost time.
        status = outside_event_loop(validate_pdf_signature, signatures[0], context, skip_diff=True)
    except Exception:  # a malformed signature dictionary or CMS blob
        return Reason.SIGNATURE_INVALID
    if not (status.intact and status.valid):
        return Reason.SIGNATURE_INVALID
    if not status.trusted:
        return Reason.UNTRUSTED_SIGNER
    if len(signatures) > 1 or status.coverage is not SignatureCoverageLevel.ENTIRE_FILE:
        return Reason.MODIFIED
    return None


def document_verify(*, data: bytes) -> DocumentVerification:
    """Verify uploaded bytes as a PassBridge certificate document (public: no actor, no side effects)."""
    digest = hashlib.sha256(data).hexdigest()
    if sniff(data[:SNIFF_BYTES]) is not PDF:
        return DocumentVerification(Reason.NOT_PDF, digest)
    issued = selectors.issued_document(sha256=digest)
    # A file the portal issued is judged as of when the portal signed it, by our record: it stays genuine
    # after the signing certificate expires. Any other file as of now.
    problem = _signature_problem(data, issued.signed_at if issued else None)
    if problem is not None:
        return DocumentVerification(problem, digest)
    view = certification_selectors.certificate_public(issued.certificate_number) if issued else None
    if view is None:
        return DocumentVerification(Reason.UNKNOWN_DOCUMENT, digest)
    return DocumentVerification(Reason.GENUINE, digest, view)
