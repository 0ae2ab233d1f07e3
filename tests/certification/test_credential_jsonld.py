"""Every credential the platform issues is valid JSON-LD that a processor in safe mode accepts: every term
it uses is defined by a context in its @context (VC Data Model 2.0, section 5.2.1), none by a catch-all
@vocab, and expansion drops nothing.

The processor is pyld. It has no `safeMode` option (3.3.0, the latest, would silently ignore one), so
`safe_expand` applies safe mode's rules itself, as jsonld.js defines them: a property that expands to no
absolute IRI (pyld drops it and reports it to `on_property_dropped`) and a relative @type or @id (kept
as they are by pyld) are errors. On top of that every leaf value of the credential must be found in the
expansion, as many times as in the credential.

Contexts are loaded the way a verifier would, without the network: the W3C base context from a local copy
of the published file (tests/certification/jsonld/, checked against the digest the specification
publishes), the platform's own from the platform, through its public URL (so the test also proves that
it is served)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from pyld import jsonld
from pyld.context_resolver import ContextResolver
from rest_framework.test import APIClient

from certification import services
from certification.credentials.context_views import CERTIFICATE_V1, VOCABULARY
from certification.credentials.credential import certificate_credential
from certification.credentials.status_list import VC_CONTEXT
from certification.models import Certificate
from tests.factories import SiteFactory

from .conftest import approve_with_site, meet_all
from .stored_documents import store_document

#: The copy of https://www.w3.org/ns/credentials/v2, byte for byte, and the SHA-256 digest of that file
#: as published in the VC Data Model 2.0 Recommendation (appendix B.1, "Base Context").
VC_V2_FILE = Path(__file__).parent / "jsonld" / "credentials-v2.jsonld"
VC_V2_SHA256 = "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"
CONTEXT_PATH = "/verify/contexts/certificate/v1"
LEI = "529900TESTJSONLD0017"
CORPORATE_NUMBER = "1180301018771"


class UnsafeJsonLd(AssertionError):
    """What a JSON-LD processor in safe mode refuses."""


@pytest.fixture(autouse=True)
def _own_signing_key(settings, tmp_path):
    """A signing key of this test's own (as in test_credentials.py): no key shared between tests."""
    settings.PASSBRIDGE_SIGNING_KEY = str(tmp_path / "signing" / "key.pem")
    settings.PASSBRIDGE_SIGNING_CERT = str(tmp_path / "signing" / "cert.pem")
    settings.PASSBRIDGE_SIGNING_CA = str(tmp_path / "signing" / "ca.pem")


class DocumentLoader:
    """pyld's document loader: the base context from the local copy, the platform's contexts from the
    platform (anonymously, as anyone on the web would fetch them), and nothing else."""

    def __init__(self) -> None:
        self.fetched: list[str] = []

    def __call__(self, url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        self.fetched.append(url)
        if url == VC_CONTEXT:
            document = json.loads(VC_V2_FILE.read_bytes())
        elif url.startswith(settings.SITE_URL + "/"):
            response = Client().get(urlsplit(url).path, HTTP_ACCEPT="application/ld+json")
            assert response.status_code == 200, url
            assert response["Content-Type"] == "application/ld+json"
            document = json.loads(response.content)
        else:
            raise UnsafeJsonLd(f"a context from outside the platform and the W3C base context: {url}")
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": document,
        }


def _is_absolute(iri: str) -> bool:
    """An IRI with a scheme (RFC 3986), or a blank node identifier."""
    return iri.startswith("_:") or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri) is not None


def _check_iris(node: Any) -> None:
    """Safe mode's rules that pyld leaves to the caller: no relative @type or @id."""
    if isinstance(node, list):
        for item in node:
            _check_iris(item)
        return
    if not isinstance(node, dict):
        return
    if "@value" not in node:  # a value object's @type is the context's coercion, checked by pyld
        for type_iri in node.get("@type", []):
            if not _is_absolute(type_iri):
                raise UnsafeJsonLd(f"relative @type reference: {type_iri}")
    if "@id" in node and not _is_absolute(node["@id"]):
        raise UnsafeJsonLd(f"relative @id reference: {node['@id']}")
    for key, value in node.items():
        if key not in ("@value", "@type", "@id", "@language"):
            _check_iris(value)


def safe_expand(document: dict[str, Any], loader: DocumentLoader) -> list[dict[str, Any]]:
    def dropped(term: str | None) -> None:
        raise UnsafeJsonLd(f"a term no context defines: {term}")

    options = {
        "documentLoader": loader,
        # No base IRI: a relative @type or @id then stays relative, for _check_iris to find (without one,
        # pyld would resolve it against its placeholder http://example.org/base/).
        "base": None,
        # A resolver of its own: pyld's default one caches contexts for the process, so a later test
        # would not fetch the platform's context from the platform again.
        "contextResolver": ContextResolver({}, loader),
    }
    expanded = jsonld.expand(document, options, on_property_dropped=dropped)
    _check_iris(expanded)
    return expanded


def _leaf(value: Any) -> str:
    return json.dumps(value)


def compact_leaves(node: Any, *, key: str | None = None) -> tuple[Counter[str], int]:
    """The credential's leaf values (besides its types) and the number of its type values. null is no
    value in JSON-LD (an absent statement: `origin` of a certificate without one) and has no leaf."""
    values: Counter[str] = Counter()
    types = 0
    if isinstance(node, dict):
        for child_key, child in node.items():
            if child_key == "@context":
                continue
            child_values, child_types = compact_leaves(child, key=child_key)
            values += child_values
            types += child_types
    elif isinstance(node, list):
        for item in node:
            item_values, item_types = compact_leaves(item, key=key)
            values += item_values
            types += item_types
    elif node is not None:
        if key == "type":  # the VC context's alias of @type
            types += 1
        else:
            values[_leaf(node)] += 1
    return values, types


def expanded_leaves(node: Any) -> tuple[Counter[str], int]:
    """The expansion's values (@value and @id) and the number of node types."""
    values: Counter[str] = Counter()
    types = 0
    if isinstance(node, list):
        for item in node:
            item_values, item_types = expanded_leaves(item)
            values += item_values
            types += item_types
    elif isinstance(node, dict):
        for key, child in node.items():
            if key in ("@value", "@id"):
                values[_leaf(child)] += 1
            elif key == "@type":
                if "@value" not in node:
                    types += len(child)
            elif key != "@language":
                child_values, child_types = expanded_leaves(child)
                values += child_values
                types += child_types
    return values, types


def assert_expands_without_loss(credential: dict[str, Any]) -> list[dict[str, Any]]:
    loader = DocumentLoader()
    expanded = safe_expand(credential, loader)
    assert len(expanded) == 1  # one credential node, nothing left floating
    original_values, original_types = compact_leaves(credential)
    values, types = expanded_leaves(expanded)
    assert values == original_values
    assert types == original_types
    assert set(loader.fetched) == set(credential["@context"])
    return expanded


def payload(response) -> dict[str, Any]:
    """The claims of a compact JWS as served (the signature is checked in test_credentials.py)."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    encoded = response.content.decode().split(".")[1]
    return json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def served_credential(user, certificate: Certificate) -> dict[str, Any]:
    client = APIClient()
    client.force_authenticate(user)
    return payload(client.get(f"/api/v1/certificates/{certificate.number}/credential/"))


@pytest.fixture
def plain_certificate(draft, admin_a, lead, reviewer) -> Certificate:
    """A certificate with the fewest optional facts: its holder has a BPNL alone, no site, no conditions,
    no rendered PDF, no origin."""
    services.application_submit(actor=admin_a, application=draft, declaration_name="Anna Admin")
    services.application_assign(actor=lead, application=draft, reviewer=reviewer)
    meet_all(draft, reviewer)
    return services.application_approve(actor=reviewer, application=draft, conditions="")


@pytest.fixture
def full_certificate(company_a, draft, admin_a, lead, reviewer) -> Certificate:
    """A certificate with every optional fact: BPNL, corporate number and LEI, a site, conditions, and
    its signed PDF as a related resource (its recognised certificate also has an origin)."""
    company_a.lei = LEI
    company_a.corporate_number = CORPORATE_NUMBER
    company_a.save(update_fields=["lei", "corporate_number"])
    site = SiteFactory(organization=company_a, name="Werk Salzgitter")
    certificate = approve_with_site(
        draft, site, admin=admin_a, lead=lead, reviewer=reviewer, conditions="Annual surveillance audit."
    )
    store_document(certificate)
    return certificate


def test_the_base_context_copy_is_the_published_file():
    assert hashlib.sha256(VC_V2_FILE.read_bytes()).hexdigest() == VC_V2_SHA256


def test_the_context_is_served_publicly_and_cacheable_for_good(db):
    response = Client().get(CONTEXT_PATH)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response.content == CERTIFICATE_V1.path.read_bytes()  # byte for byte: a digest can pin it
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=31536000", "immutable"} <= cache_control
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response

    revalidated = Client().get(CONTEXT_PATH, HTTP_IF_NONE_MATCH=response["ETag"])
    assert revalidated.status_code == 304
    assert revalidated["Access-Control-Allow-Origin"] == "*"
    assert revalidated["Cache-Control"] == response["Cache-Control"]

    assert Client().head(CONTEXT_PATH).status_code == 200
    assert Client().post(CONTEXT_PATH).status_code == 405


def test_the_context_defines_every_term_explicitly():
    document = json.loads(CERTIFICATE_V1.path.read_bytes())
    context = document["@context"]
    assert context["@protected"] is True
    text = json.dumps(document)
    assert "@vocab" not in text  # no catch-all: a term the context does not name stays undefined
    assert VOCABULARY in text


def test_a_certificate_credential_expands_in_safe_mode(plain_certificate, admin_a):
    credential = served_credential(admin_a, plain_certificate)
    assert credential["@context"] == [VC_CONTEXT, settings.SITE_URL + CONTEXT_PATH]
    subject = credential["credentialSubject"]
    assert "corporateNumber" not in subject and "lei" not in subject and "relatedResource" not in credential
    assert subject["certificate"]["origin"] is None

    (node,) = assert_expands_without_loss(credential)
    assert node["@type"] == [
        "https://www.w3.org/2018/credentials#VerifiableCredential",
        VOCABULARY + "PassBridgeCertificateCredential",
    ]
    (expanded_subject,) = node["https://www.w3.org/2018/credentials#credentialSubject"]
    assert expanded_subject["@type"] == [VOCABULARY + "CertifiedOrganization"]
    (facts,) = expanded_subject[VOCABULARY + "certificate"]
    assert facts["@type"] == [VOCABULARY + "PassBridgeCertificate"]
    assert facts[VOCABULARY + "validFrom"] == [
        {"@value": plain_certificate.valid_from.isoformat(), "@type": "http://www.w3.org/2001/XMLSchema#date"}
    ]


def test_a_credential_with_every_optional_fact_expands_in_safe_mode(full_certificate, admin_a):
    credential = served_credential(admin_a, full_certificate)
    subject = credential["credentialSubject"]
    assert {"bpnl", "corporateNumber", "lei"} <= subject.keys()
    facts = subject["certificate"]
    assert facts["holder"]["lei"] == LEI and facts["holder"]["corporateNumber"] == CORPORATE_NUMBER
    assert facts["standards"] and facts["scope"]["batteryModels"] and facts["scope"]["sites"]
    assert facts["conditions"]
    (resource,) = credential["relatedResource"]
    assert resource["digestSRI"].startswith("sha256-")
    assert_expands_without_loss(credential)

    # Its recognised certificate names it as its origin (a nested scheme of its own).
    recognised = served_credential(admin_a, full_certificate.recognised.get())
    assert recognised["credentialSubject"]["certificate"]["origin"]["number"] == full_certificate.number
    assert_expands_without_loss(recognised)


@pytest.mark.parametrize("purpose", ["revocation", "suspension"])
def test_status_list_credentials_expand_in_safe_mode(plain_certificate, purpose):
    credential = payload(APIClient().get(f"/api/v1/credentials/status/{purpose}/0/"))
    assert credential["@context"] == [VC_CONTEXT]  # the base context defines every term of a list
    assert_expands_without_loss(credential)


def test_safe_mode_refuses_what_no_context_defines(full_certificate):
    """The check has teeth: the credential as it was before the platform's context (the VC context
    alone), or with a fact the context does not know, is refused."""
    credential = certificate_credential(full_certificate)
    with pytest.raises(UnsafeJsonLd):
        safe_expand({**credential, "@context": [VC_CONTEXT]}, DocumentLoader())

    credential["credentialSubject"]["certificate"]["unknownFact"] = "x"
    with pytest.raises(UnsafeJsonLd, match="unknownFact"):
        safe_expand(credential, DocumentLoader())

    retyped = certificate_credential(full_certificate)
    retyped["type"] = ["VerifiableCredential", "SomeOtherCredential"]
    with pytest.raises(UnsafeJsonLd, match="relative @type"):
        safe_expand(retyped, DocumentLoader())
