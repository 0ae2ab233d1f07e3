"""Certificates as W3C Verifiable Credentials, and the status lists that publish revocation and suspension.

Verified the way an outside verifier would, independently of the code that signs: jwcrypto checks the
JWS against the key from the issuer document, `cryptography` checks that key's certificate chain up to
the platform CA, and the bitstring is decoded by hand (base64url, gunzip, bit i = left-most first)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from jwcrypto import jwk, jws
from rest_framework.test import APIClient

from certification import services
from certification.credentials.status_list import LIST_SIZE, encode_bitstring
from certification.models import Certificate, CertificateStatus
from portal.signing import load_signing_material

from .conftest import SUPPLIER_MARKER, meet_all
from .stored_documents import store_document

PREFIX = "/api/v1/"
REASON = "Audit finding 17"


@pytest.fixture(autouse=True)
def _own_signing_key(settings, tmp_path):
    """A signing key of this test's own: the issuer document must name exactly the key that signs."""
    settings.PASSBRIDGE_SIGNING_KEY = str(tmp_path / "signing" / "key.pem")
    settings.PASSBRIDGE_SIGNING_CERT = str(tmp_path / "signing" / "cert.pem")
    settings.PASSBRIDGE_SIGNING_CA = str(tmp_path / "signing" / "ca.pem")


@pytest.fixture
def certificate(draft, admin_a, lead, reviewer) -> Certificate:
    services.application_submit(actor=admin_a, application=draft, declaration_name="Anna Admin")
    services.application_assign(actor=lead, application=draft, reviewer=reviewer)
    meet_all(draft, reviewer)
    return services.application_approve(actor=reviewer, application=draft, conditions="")


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issuer_key() -> jwk.JWK:
    """The issuer's key as a verifier finds it: from the issuer document, trusted through its chain."""
    response = client_for().get(PREFIX + "credentials/issuer/")
    assert response.status_code == 200
    document = response.json()
    (method,) = document["verificationMethod"]
    assert document["assertionMethod"] == [method["id"]]
    assert method["controller"] == document["id"]
    public = method["publicKeyJwk"]
    assert "d" not in public  # never the private part
    chain = [x509.load_der_x509_certificate(base64.b64decode(item)) for item in public["x5c"]]
    signer, *cas = chain
    root = load_signing_material().root
    assert cas[-1] == root
    signer.verify_directly_issued_by(cas[0])
    numbers = signer.public_key().public_numbers()
    assert isinstance(signer.public_key(), ec.EllipticCurvePublicKey)
    assert b64url_decode(public["x"]) == numbers.x.to_bytes(32, "big")
    assert b64url_decode(public["y"]) == numbers.y.to_bytes(32, "big")
    return jwk.JWK(**{k: public[k] for k in ("kty", "crv", "x", "y")})


def verified_payload(token: str, key: jwk.JWK) -> tuple[dict, dict]:
    signed = jws.JWS()
    signed.deserialize(token)
    signed.verify(key, alg="ES256")  # raises on a bad signature
    return signed.jose_header, json.loads(signed.payload)


def bit(encoded_list: str, index: int) -> bool:
    assert encoded_list.startswith("u")
    bits = gzip.decompress(b64url_decode(encoded_list[1:]))
    assert len(bits) * 8 >= LIST_SIZE
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_bits(credential: dict, key: jwk.JWK) -> dict[str, bool]:
    """Follow each credentialStatus entry to its list, verify the list, read the bit."""
    found = {}
    for entry in credential["credentialStatus"]:
        assert entry["type"] == "BitstringStatusListEntry"
        url = entry["statusListCredential"]
        assert url.startswith("http")
        response = client_for().get(urlsplit(url).path)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/vc+jwt"
        header, status_list = verified_payload(response.content.decode(), key)
        assert header["typ"] == "vc+jwt"
        assert status_list["id"] == url
        assert "BitstringStatusListCredential" in status_list["type"]
        subject = status_list["credentialSubject"]
        assert subject["type"] == "BitstringStatusList"
        assert subject["statusPurpose"] == entry["statusPurpose"]
        found[entry["statusPurpose"]] = bit(subject["encodedList"], int(entry["statusListIndex"]))
    return found


def fetch_credential(user, number: str):
    return client_for(user).get(f"{PREFIX}certificates/{number}/credential/")


def test_credential_is_a_signed_vc_with_the_certificate_facts(certificate, admin_a):
    key = issuer_key()
    response = fetch_credential(admin_a, certificate.number)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    header, credential = verified_payload(response.content.decode(), key)
    assert header["alg"] == "ES256"
    assert header["typ"] == "vc+jwt"
    assert header["kid"].startswith(credential["issuer"]["id"] + "#")
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert credential["type"] == ["VerifiableCredential", "PassBridgeCertificateCredential"]
    assert credential["id"] == f"urn:uuid:{certificate.public_id}"
    assert credential["validFrom"] == f"{certificate.valid_from.isoformat()}T00:00:00Z"
    assert credential["validUntil"] == f"{certificate.valid_until.isoformat()}T23:59:59Z"
    subject = credential["credentialSubject"]
    assert subject["legalName"] == certificate.holder_name
    assert subject["certificate"]["number"] == certificate.number
    assert subject["certificate"]["scheme"]["code"] == certificate.scheme.code
    assert {e["statusPurpose"] for e in credential["credentialStatus"]} == {"revocation", "suspension"}
    assert "relatedResource" not in credential  # the PDF is not rendered in this test
    assert SUPPLIER_MARKER not in response.content.decode()
    assert SUPPLIER_MARKER not in json.dumps(credential)


def test_credential_names_the_signed_pdf_by_digest(certificate, admin_a):
    content = b"%PDF-1.7\n% stand-in for the signed document\n%%EOF\n"
    store_document(certificate, content=content)
    _, credential = verified_payload(
        fetch_credential(admin_a, certificate.number).content.decode(), issuer_key()
    )
    (resource,) = credential["relatedResource"]
    assert resource["id"].endswith(f"/api/v1/certificates/{certificate.number}/pdf/")
    assert resource["digestSRI"] == "sha256-" + base64.b64encode(hashlib.sha256(content).digest()).decode()


def test_status_lists_follow_suspension_reinstatement_and_revocation(certificate, admin_a, lead):
    key = issuer_key()
    _, credential = verified_payload(fetch_credential(admin_a, certificate.number).content.decode(), key)
    assert status_bits(credential, key) == {"revocation": False, "suspension": False}

    services.certificate_suspend(actor=lead, certificate=certificate, reason=REASON)
    assert status_bits(credential, key) == {"revocation": False, "suspension": True}

    certificate.refresh_from_db()
    services.certificate_reinstate(actor=lead, certificate=certificate, reason=REASON)
    assert status_bits(credential, key) == {"revocation": False, "suspension": False}

    certificate.refresh_from_db()
    services.certificate_revoke(actor=lead, certificate=certificate, reason=REASON)
    assert status_bits(credential, key) == {"revocation": True, "suspension": False}
    # Revoking the origin revokes its recognised certificate: its own credential says so too.
    recognised = certificate.recognised.get()
    assert recognised.status == CertificateStatus.REVOKED
    _, recognised_credential = verified_payload(
        fetch_credential(admin_a, recognised.number).content.decode(), key
    )
    assert status_bits(recognised_credential, key)["revocation"] is True


def test_a_tampered_credential_fails_verification(certificate, admin_a):
    token = fetch_credential(admin_a, certificate.number).content.decode()
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["validUntil"] = "2099-12-31T23:59:59Z"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(jws.InvalidJWSSignature):
        verified_payload(f"{header}.{forged}.{signature}", issuer_key())


def test_credential_only_for_those_who_see_the_certificate(
    certificate, admin_a, admin_b, inspector, reviewer
):
    assert fetch_credential(admin_b, certificate.number).status_code == 404
    assert fetch_credential(None, certificate.number).status_code in (401, 403)
    assert fetch_credential(admin_a, "CATX-NOPE-1").status_code == 404
    for user in (admin_a, inspector, reviewer):
        assert fetch_credential(user, certificate.number).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["credentials/status/expiry/0/", "credentials/status/revocation/99999/", "credentials/status/x/-1/"],
)
def test_unknown_status_lists_are_404(db, path):
    assert client_for().get(PREFIX + path).status_code == 404


def test_bitstring_encoding_is_left_most_bit_first():
    encoded = encode_bitstring([0, 9, LIST_SIZE - 1])
    assert bit(encoded, 0) and bit(encoded, 9) and bit(encoded, LIST_SIZE - 1)
    assert not bit(encoded, 1) and not bit(encoded, 8)
    raw = gzip.decompress(b64url_decode(encoded[1:]))
    assert raw[0] == 0x80 and raw[1] == 0x40 and raw[-1] == 0x01


def test_certificate_page_offers_the_credential_to_signed_in_readers(certificate, admin_a, client):
    client.force_login(admin_a)
    page = client.get(f"/certification/certificates/{certificate.number}/")
    url = f"/api/v1/certificates/{certificate.number}/credential/"
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    _, credential = verified_payload(response.content.decode(), issuer_key())
    assert credential["credentialSubject"]["certificate"]["number"] == certificate.number
