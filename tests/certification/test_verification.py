"""Public certificate verification: `/verify/<number>/` (HTML) and `/api/v1/verify/<number>/` (JSON).

Anyone may look a certificate up without signing in and sees its public facts and today's status; unknown
and malformed numbers give the same plain 404; look-ups are rate limited per client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from certification import selectors, services
from certification.models import Certificate, CertificateStatus
from tests.factories import SiteFactory

from .conftest import SUPPLIER_MARKER, approve_with_site
from .stored_documents import store_document

pytestmark = pytest.mark.usefixtures("generous_verify_allowance")

LEI = "529900TESTVERIFY0012"
CONDITIONS = "CONDITIONS-NOT-PUBLIC-4711"
REASON = "REASON-FOR-SUSPENSION-2231"


@pytest.fixture
def site(company_a):
    return SiteFactory(organization=company_a, name="Werk Salzgitter")


@pytest.fixture
def certificate(company_a, draft, admin_a, lead, reviewer, site) -> Certificate:
    """Company A's Catena-X certificate (with its recognised Ouranos one) for a battery model and a site;
    the holder has a BPNL and an LEI."""
    company_a.lei = LEI
    company_a.save(update_fields=["lei"])
    return approve_with_site(draft, site, admin=admin_a, lead=lead, reviewer=reviewer, conditions=CONDITIONS)


@pytest.fixture
def recognised(certificate) -> Certificate:
    return certificate.recognised.get()


def page(number: str, language: str = "en", client: Client | None = None):
    return (client or Client()).get(f"/verify/{number}/", HTTP_ACCEPT_LANGUAGE=language)


def api(number: str, client: Client | None = None):
    return (client or Client()).get(f"/api/v1/verify/{number}/", HTTP_ACCEPT="application/json")


def text(response) -> str:
    return response.content.decode()


# ---- content --------------------------------------------------------------------------------------------


def test_page_shows_the_public_facts_without_login(certificate, recognised, company_a, scope_model):
    response = page(certificate.number)
    assert response.status_code == 200
    body = text(response)
    assert 'data-status="valid"' in body
    for fact in (
        certificate.number,
        "Company A GmbH",
        company_a.bpnl,
        LEI,
        "Germany",
        certificate.scheme.name,
        certificate.scheme_version,
        "CX-0160",
        certificate.issuing_body_name,
        scope_model.name,
        "Werk Salzgitter",
        recognised.number,
    ):
        assert fact in body, fact
    assert certificate.valid_until.strftime("%Y") in body
    assert "The certificate document is not available yet." in body
    assert response["Cache-Control"].startswith("no-cache") or "no-cache" in response["Cache-Control"]


def test_json_shows_the_public_facts_without_login(certificate, recognised, company_a, scope_model):
    response = api(certificate.number)
    assert response.status_code == 200
    data = response.json()
    assert data["number"] == certificate.number
    assert data["status"] == "valid"
    assert data["holder"] == {
        "name": "Company A GmbH",
        "country": "DE",
        "bpnl": company_a.bpnl,
        "corporate_number": None,
        "lei": LEI,
    }
    assert data["scheme"] == {
        "code": certificate.scheme.code,
        "name": certificate.scheme.name,
        "version": certificate.scheme_version,
    }
    assert [s["code"] for s in data["standards"]] == [s["code"] for s in certificate.standards]
    assert data["scope"] == {"battery_models": [scope_model.name], "sites": ["Werk Salzgitter"]}
    assert data["valid_from"] == certificate.valid_from.isoformat()
    assert data["valid_until"] == certificate.valid_until.isoformat()
    assert data["issuing_body"] == certificate.issuing_body_name
    assert data["recognised_from"] is None
    assert [link["number"] for link in data["recognised_as"]] == [recognised.number]
    assert data["recognised_as"][0]["status"] == "valid"
    assert data["recognised_as"][0]["verification_url"].endswith(f"/verify/{recognised.number}/")
    assert data["document_sha256"] is None  # no document rendered (yet)
    assert data["verification_url"].endswith(f"/verify/{certificate.number}/")


def test_a_recognised_certificate_links_back_to_its_origin(certificate, recognised):
    body = text(page(recognised.number))
    assert 'data-testid="recognised-from"' in body
    assert f'href="/verify/{certificate.number}/"' in body
    data = api(recognised.number).json()
    assert data["recognised_from"]["number"] == certificate.number
    assert data["recognised_from"]["scheme"] == certificate.scheme.name
    assert data["recognised_as"] == []
    # ... and the origin links forward to it.
    assert f'href="/verify/{recognised.number}/"' in text(page(certificate.number))


def test_the_page_shows_no_confidential_or_review_data(certificate, recognised, draft):
    """Supply chain of the certified model, answers, verdicts, conditions, reviewer: never public."""
    forbidden = [SUPPLIER_MARKER, CONDITIONS, "We meet", "see the evidence", certificate.reviewer_name]
    forbidden += [answer.text for answer in draft.answers.all()]
    forbidden += [e.file_name for e in draft.evidence.all()]
    for number in (certificate.number, recognised.number):
        for response in (page(number), api(number)):
            assert response.status_code == 200
            body = text(response)
            for value in forbidden:
                assert value not in body, value
            assert "1234.5" not in body  # the procurement amount


def test_the_document_hash_is_shown_once_the_document_is_ready(certificate, recognised):
    pending = store_document(recognised, ready=False)
    assert api(recognised.number).json()["document_sha256"] is None
    assert pending.sha256 == ""
    document = store_document(certificate)
    assert len(document.sha256) == 64
    assert api(certificate.number).json()["document_sha256"] == document.sha256
    assert f'data-testid="document-sha256">{document.sha256}<' in text(page(certificate.number))


def test_the_selector_returns_certificate_facts_only(certificate):
    view = selectors.certificate_public(certificate.number)
    assert view is not None
    assert not hasattr(view, "conditions") and not hasattr(view, "reviewer_name")
    assert view.document_sha256 == ""


# ---- every status, recognised pair both ways ------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (None, CertificateStatus.VALID),
        ("suspend", CertificateStatus.SUSPENDED),
        ("revoke", CertificateStatus.REVOKED),
        ("expire", CertificateStatus.EXPIRED),
    ],
)
def test_every_status_for_origin_and_recognised(certificate, recognised, lead, action, expected):
    if action == "suspend":
        services.certificate_suspend(actor=lead, certificate=certificate, reason=REASON)
    elif action == "revoke":
        services.certificate_revoke(actor=lead, certificate=certificate, reason=REASON)
    elif action == "expire":
        services.certificates_expire(today=certificate.valid_until + timedelta(days=1))
    for item in (certificate, recognised):
        item.refresh_from_db()
        assert item.status == expected
        body = text(page(item.number))
        assert f'data-status="{expected}"' in body
        assert REASON not in body  # the reason is the body's business, not the public's
        data = api(item.number).json()
        assert data["status"] == expected
    assert api(certificate.number).json()["recognised_as"][0]["status"] == expected
    assert api(recognised.number).json()["recognised_from"]["status"] == expected


def test_expired_before_the_beat_has_run(certificate, recognised):
    """The beat expires certificates hourly; a verifier is told "expired" the day after the end anyway."""
    yesterday = timezone.localdate() - timedelta(days=1)
    Certificate.objects.filter(pk__in=[certificate.pk, recognised.pk]).update(
        valid_from=yesterday - timedelta(days=30), valid_until=yesterday
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID  # not yet applied by the beat
    assert 'data-status="expired"' in text(page(certificate.number))
    assert api(certificate.number).json()["status"] == "expired"
    assert api(recognised.number).json()["recognised_from"]["status"] == "expired"


def test_the_last_day_of_validity_is_still_valid(certificate):
    today = timezone.localdate()
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_from=today - timedelta(days=5), valid_until=today
    )
    assert api(certificate.number).json()["status"] == "valid"


def test_revoking_the_origin_shows_revoked_on_both(certificate, recognised, lead):
    assert api(recognised.number).json()["status"] == "valid"
    services.certificate_revoke(actor=lead, certificate=certificate, reason=REASON)
    assert 'data-status="revoked"' in text(page(recognised.number))
    assert api(recognised.number).json()["status"] == "revoked"


# ---- languages ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "labels", "status"),
    [
        ("en", ["Valid until", "Issuing body", "Country"], "Valid"),
        ("ja", ["有効期限", "発行機関", "国"], "有効"),
        ("de", ["Gültig bis", "Ausstellende Stelle", "Land"], "Gültig"),
    ],
)
def test_the_page_speaks_the_visitors_language(certificate, language, labels, status):
    response = page(certificate.number, language=language)
    body = text(response)
    assert f'<html lang="{language}"' in body
    for label in labels:
        assert label in body, label
    assert f'class="badge badge-active">{status}</span>' in body
    assert "Accept-Language" in response["Vary"]


def test_japanese_visitors_see_the_japanese_scheme_name(certificate):
    assert certificate.scheme.name_ja
    assert certificate.scheme.name_ja in text(page(certificate.number, language="ja"))


# ---- not found ------------------------------------------------------------------------------------------


NOT_NUMBERS = [
    "CATX-NOPE-0000001",  # well formed, unknown
    "A" * 65,  # too long
    "A" * 5000,
    "CATX%00CBG",  # NUL byte
    "%00",
    "CATX-CBG-%27%20OR%201%3D1",  # quote, space, equals
    "%3Cscript%3E",
    "%E6%9C%89%E5%8A%B9",  # non-ASCII
    "CATX_CBG_0000001",
    "..",
]


@pytest.mark.parametrize("number", NOT_NUMBERS)
def test_unknown_and_malformed_numbers_are_a_plain_404(certificate, number):
    html = Client().get(f"/verify/{number}/")
    assert html.status_code == 404
    assert certificate.holder_name not in text(html)
    json = Client().get(f"/api/v1/verify/{number}/", HTTP_ACCEPT="application/json")
    assert json.status_code == 404
    assert json.json() == {"detail": "Not found."}


def test_an_unknown_number_gets_the_look_up_page_with_the_reason(certificate, settings):
    settings.DEBUG = True  # what the issue saw: the debug 404 page; the portal's own page is the answer
    response = page("CATX-NOPE-0000001")
    assert response.status_code == 404
    assert "No certificate has this number" in text(response)
    assert 'name="number"' in text(response) and 'value="CATX-NOPE-0000001"' in text(response)
    assert "Page not found at" not in text(response)  # not Django's technical 404


def test_a_number_typed_in_lower_case_goes_to_its_certificate(certificate):
    response = page(certificate.number.lower())
    assert response.status_code == 302 and response["Location"] == f"/verify/{certificate.number}/"
    assert page("catx-nope-0000001").status_code == 404


def test_the_selector_rejects_malformed_numbers_before_the_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        for number in ("A" * 65, "CATX\x00CBG", "", "ÄÖÜ", "a b"):
            assert selectors.certificate_public(number) is None


def test_only_get_and_the_pdf_upload_are_allowed(certificate):
    # The page takes a certificate PDF to check (tests/certification/test_verify_upload.py): a POST without
    # one is a form error; nothing else may change anything.
    assert Client().post(f"/verify/{certificate.number}/").status_code == 400
    for method in ("put", "patch", "delete"):
        assert getattr(Client(), method)(f"/verify/{certificate.number}/").status_code == 405
    assert Client().post(f"/api/v1/verify/{certificate.number}/").status_code in {403, 405}


# ---- rate limit -----------------------------------------------------------------------------------------


def test_too_many_lookups_from_one_address_get_429(certificate, settings):
    settings.CERTIFICATE_VERIFY_RATE_PER_MINUTE = 3
    visitor = Client(REMOTE_ADDR="203.0.113.7")
    assert page(certificate.number, client=visitor).status_code == 200
    assert page("CATX-NOPE-0000001", client=visitor).status_code == 404  # misses count too
    assert api(certificate.number, client=visitor).status_code == 200  # the page and the API share it
    limited = page(certificate.number, client=visitor)
    assert limited.status_code == 429
    assert "Too many certificate look-ups" in text(limited)
    assert certificate.holder_name not in text(limited)
    assert 0 < int(limited["Retry-After"]) <= 60
    limited_json = api(certificate.number, client=visitor)
    assert limited_json.status_code == 429
    assert "Too many certificate look-ups" in limited_json.json()["detail"]
    assert "Retry-After" in limited_json
    # Another address still gets its answers.
    assert page(certificate.number, client=Client(REMOTE_ADDR="198.51.100.1")).status_code == 200


def test_signed_in_users_are_counted_per_account(certificate, settings, admin_b, admin_a):
    settings.CERTIFICATE_VERIFY_RATE_PER_MINUTE = 1
    first, second = Client(), Client()
    first.force_login(admin_b)
    second.force_login(admin_a)
    assert api(certificate.number, client=first).status_code == 200
    assert api(certificate.number, client=first).status_code == 429
    assert api(certificate.number, client=second).status_code == 200


# ---- OpenAPI --------------------------------------------------------------------------------------------


def test_the_verification_endpoint_is_in_the_openapi_schema(operator):
    client = Client()
    client.force_login(operator)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/verify/{number}/"]["get"]
    assert {"200", "404", "429"} <= set(operation["responses"])
    assert operation.get("security") is None or {} in operation["security"]
    assert "/api/v1/certificates/{number}/catenax/" in schema["paths"]
