"""The platform as a credential issuer: its identifier, its public key as a JWK and compact JWS signing
(ES256 with the EC P-256 key that also signs the certificate PDFs)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.urls import reverse

from portal.signing import SigningMaterial, load_signing_material

ALGORITHM = "ES256"
#: Media types of VC-JOSE-COSE: a secured credential, and the payload it carries.
VC_JWT_TYPE = "vc+jwt"
VC_CONTENT_TYPE = "vc"
MEDIA_TYPE = "application/vc+jwt"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def issuer_url() -> str:
    """The issuer's identifier: a URL that answers with its verification methods."""
    return settings.SITE_URL + reverse("api:credential-issuer")


def _coordinates(public_key: ec.EllipticCurvePublicKey) -> tuple[str, str]:
    numbers = public_key.public_numbers()
    return b64url(numbers.x.to_bytes(32, "big")), b64url(numbers.y.to_bytes(32, "big"))


def thumbprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256): changes with the key, so a verifier never mixes up two keys."""
    x, y = _coordinates(public_key)
    canonical = json.dumps({"crv": "P-256", "kty": "EC", "x": x, "y": y}, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode()).digest())


def key_id(material: SigningMaterial | None = None) -> str:
    material = material or load_signing_material()
    return f"{issuer_url()}#{thumbprint(material.key.public_key())}"


def certificate_chain(material: SigningMaterial) -> list[str]:
    """The signing certificate and its CA chain (x5c: base64 DER, the signer first)."""
    return [
        base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")
        for cert in (material.certificate, *material.chain)
    ]


def public_jwk(material: SigningMaterial | None = None) -> dict[str, Any]:
    material = material or load_signing_material()
    x, y = _coordinates(material.key.public_key())
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": x,
        "y": y,
        "alg": ALGORITHM,
        "use": "sig",
        "kid": key_id(material),
        "x5c": certificate_chain(material),
    }


def sign(payload: dict[str, Any]) -> str:
    """The payload as a compact JWS (`vc+jwt`), with the key id and the certificate chain in the header so
    that a verifier can trust the key either through the issuer's document or through the platform CA."""
    material = load_signing_material()
    headers = {
        "typ": VC_JWT_TYPE,
        "cty": VC_CONTENT_TYPE,
        "kid": key_id(material),
        "x5c": certificate_chain(material),
    }
    return jwt.encode(payload, material.key, algorithm=ALGORITHM, headers=headers)
