"""The platform's signing key: an EC P-256 key with its certificate and CA chain, read from the paths in
settings (PASSBRIDGE_SIGNING_KEY, PASSBRIDGE_SIGNING_CERT, PASSBRIDGE_SIGNING_CA).

Certificate PDFs are signed with it (PAdES, certification.documents.signature) and credentials can reuse
`load_signing_material()`. Outside production a development CA, key and certificate are created on first
use, so `make run` signs without any set-up; production refuses to start signing without real files.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEV_CA_NAME = "PassBridge Development Root CA"
DEV_SIGNER_NAME = "PassBridge Document Signing (development)"


@dataclass(frozen=True)
class SigningMaterial:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    #: The CA certificates above the signing certificate, the trust root last.
    chain: tuple[x509.Certificate, ...]

    @property
    def root(self) -> x509.Certificate:
        return self.chain[-1] if self.chain else self.certificate


def signing_paths() -> tuple[Path, Path, Path]:
    return (
        Path(settings.PASSBRIDGE_SIGNING_KEY),
        Path(settings.PASSBRIDGE_SIGNING_CERT),
        Path(settings.PASSBRIDGE_SIGNING_CA),
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PassBridge"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, mode: int = 0o644) -> None:
    # Written beside and renamed: a reader never sees half a file.
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def create_development_ca(
    key_path: Path,
    cert_path: Path,
    ca_path: Path,
    *,
    valid_from: dt.datetime | None = None,
    signer_lifetime: dt.timedelta = dt.timedelta(days=1825),
) -> None:
    """A self-made root CA (ten years) and a document-signing certificate it issued (`signer_lifetime`),
    both EC P-256 and valid from `valid_from` (a few minutes ago by default)."""
    now = valid_from or dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(DEV_CA_NAME)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(DEV_SIGNER_NAME))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + signer_lifetime)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    for path in (key_path, cert_path, ca_path):
        path.parent.mkdir(parents=True, exist_ok=True)
    # The CA's own key is not kept: the development CA issues this one certificate and nothing else.
    _write(ca_path, ca_cert.public_bytes(serialization.Encoding.PEM))
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    _write(key_path, _pem_key(key), mode=0o600)


def ensure_signing_material() -> bool:
    """Create the development CA and key when they are missing (never in production). True if created."""
    key_path, cert_path, ca_path = signing_paths()
    if key_path.exists() and cert_path.exists() and ca_path.exists():
        return False
    if not settings.PASSBRIDGE_SIGNING_CREATE_DEV_CA:
        missing = ", ".join(str(p) for p in (key_path, cert_path, ca_path) if not p.exists())
        raise ImproperlyConfigured(f"The platform signing key material is missing: {missing}")
    key_path.parent.mkdir(parents=True, exist_ok=True)
    # The web process and a worker may both start signing first: one creates, the other waits and reads.
    with open(key_path.parent / ".signing.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if key_path.exists() and cert_path.exists() and ca_path.exists():
            return False
        create_development_ca(key_path, cert_path, ca_path)
    return True


_cache: dict[tuple, SigningMaterial] = {}


def load_signing_material() -> SigningMaterial:
    """The key, its certificate and the chain; parsed once per process and file version."""
    ensure_signing_material()
    key_path, cert_path, ca_path = signing_paths()
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in (key_path, cert_path, ca_path))
    cached = _cache.get(stamp)
    if cached is not None:
        return cached
    password = settings.PASSBRIDGE_SIGNING_KEY_PASSWORD or None
    key = serialization.load_pem_private_key(
        key_path.read_bytes(), password=password.encode() if password else None
    )
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ImproperlyConfigured("The platform signing key must be an EC P-256 key.")
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    chain = tuple(x509.load_pem_x509_certificates(ca_path.read_bytes()))
    if certificate.public_key().public_numbers() != key.public_key().public_numbers():
        raise ImproperlyConfigured("The platform signing certificate does not match the signing key.")
    material = SigningMaterial(key=key, certificate=certificate, chain=chain)
    _cache.clear()
    _cache[stamp] = material
    return material


def trusted_roots() -> list[x509.Certificate]:
    """The CA certificates a PassBridge document may chain to: the current chain's root, and the earlier
    roots in PASSBRIDGE_SIGNING_EARLIER_CAS (a PEM bundle), so documents signed before a change of CA stay
    verifiable."""
    roots = [load_signing_material().root]
    earlier = settings.PASSBRIDGE_SIGNING_EARLIER_CAS
    if earlier:
        try:
            roots += x509.load_pem_x509_certificates(Path(earlier).read_bytes())
        except (OSError, ValueError) as exc:
            message = f"PASSBRIDGE_SIGNING_EARLIER_CAS: cannot read {earlier}: {exc}"
            raise ImproperlyConfigured(message) from exc
    return roots
