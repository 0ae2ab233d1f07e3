"""PAdES signature of the certificate PDF by the platform key (pyHanko), and its validation."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.constants import ESIC_EXTENSION_1
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from portal.signing import SigningMaterial, load_signing_material, trusted_roots

FIELD_NAME = "PassBridgeSignature"
#: Digests that PDF 1.7 itself allows in a signature: with these, nothing needs PDF 2.0.
PDF17_DIGESTS = frozenset({"sha256", "sha384", "sha512"})


def outside_event_loop[T](function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call one of pyHanko's synchronous functions. They wrap `asyncio.run()`, which refuses to start inside
    a running event loop (an async caller, a test driving a browser): there, the call gets a thread of its
    own. Signing and validation never touch the database, so the thread needs no connection."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(function, *args, **kwargs).result()


def _asn1_cert(certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def signer_for(material: SigningMaterial) -> signers.SimpleSigner:
    key = asn1_keys.PrivateKeyInfo.load(
        material.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return signers.SimpleSigner(
        signing_cert=_asn1_cert(material.certificate),
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in material.chain]),
    )


class VersionKeepingPdfSigner(signers.PdfSigner):
    """A PAdES signer that leaves a PDF 1.7 document at 1.7.

    pyHanko declares ISO/TS 32002 for an ECDSA key on a NIST or Brainpool curve (the platform key is P-256),
    and that extension's base version makes it raise the catalog's /Version to 2.0: a certificate
    identified as PDF/A-3 (a PDF 1.7 profile) would then claim PDF 2.0. On PDF 1.7 the ESIC extension
    declares the ETSI.CAdES.detached (PAdES) signature, and PAdES admits ECDSA on these curves: a 1.7
    document keeps that declaration alone. SHA-3 digests, which do need PDF 2.0, and documents already at
    2.0 keep pyHanko's own registration."""

    def register_extensions(self, pdf_out: BasePdfFileWriter, *, md_algorithm: str) -> None:
        if pdf_out.output_version >= (2, 0) or md_algorithm not in PDF17_DIGESTS:
            super().register_extensions(pdf_out, md_algorithm=md_algorithm)
            return
        pdf_out.ensure_output_version(version=(1, 7))
        pdf_out.register_extension(ESIC_EXTENSION_1)


def _producer_as_pyhanko_writes_it(writer: IncrementalPdfFileWriter) -> None:
    """The signing revision rewrites the XMP packet with pdf:Producer set to pyHanko alone, while it appends
    itself to the info dictionary's /Producer ("WeasyPrint 70.0; pyHanko 0.38.0"): PDF/A wants the two
    equal. Setting /Producer to pyHanko's name, in the revision the signature covers, makes pyHanko keep it
    as it is, so both name the processor that wrote the final file."""
    if "/Metadata" not in writer.root or "/Info" not in writer.trailer:
        return  # without XMP, or without an info dictionary, there are not two producers to disagree
    info_ref = writer.trailer.raw_get("/Info")
    info = info_ref.get_object()
    info[generic.NameObject("/Producer")] = generic.TextStringObject(VENDOR)
    writer.mark_update(info_ref)


def sign_pdf(pdf: bytes, *, reason: str = "Certificate issued by PassBridge") -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    _producer_as_pyhanko_writes_it(writer)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    signer = VersionKeepingPdfSigner(meta, signer_for(load_signing_material()))
    output = outside_event_loop(signer.sign_pdf, writer)
    return output.getvalue()


def validation_context(trust_roots=None, moment: datetime | None = None) -> ValidationContext:
    """Offline validation against the platform's CAs, the current and the earlier ones (no revocation
    fetching: the dev CA publishes none), of certificates as they were at `moment` (default now)."""
    if trust_roots is None:
        trust_roots = [_asn1_cert(root) for root in trusted_roots()]
    return ValidationContext(
        trust_roots=trust_roots, allow_fetching=False, revocation_mode="soft-fail", moment=moment
    )


def signature_is_valid(pdf: bytes, trust_roots=None) -> bool:
    """True when the PDF carries exactly the platform signature, intact, covering the whole file, by a
    certificate that chains to the platform's CA."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
        if len(signatures) != 1:
            return False
        status = outside_event_loop(validate_pdf_signature, signatures[0], validation_context(trust_roots))
    except Exception:  # a forged or broken file is "not valid", whatever the parser's complaint
        return False
    return bool(status.bottom_line and status.coverage.name == "ENTIRE_FILE")
