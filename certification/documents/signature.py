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
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from portal.signing import SigningMaterial, load_signing_material, trusted_roots

FIELD_NAME = "PassBridgeSignature"


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


def sign_pdf(pdf: bytes, *, reason: str = "Certificate issued by PassBridge") -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    output = outside_event_loop(signers.sign_pdf, writer, meta, signer=signer_for(load_signing_material()))
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
