"""The public passport page, its JSON, the QR code and look-ups: public values of the latest published
version only, whoever asks, in the visitor's language."""

from __future__ import annotations

import io
import json
import uuid

import pytest
import segno
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import translation

from passports import policies, qr, selectors, services
from passports.catalogue import Viewer, attribute
from tests.factories import BEFORE_OBLIGATIONS

pytestmark = pytest.mark.django_db

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
JSON = "application/json"
PUBLIC_MODEL = "PUBLICMARK-chemistry-7f3a"
PUBLIC_DOC = "PUBLICMARK-doc-header-91c2"
LI_MARK = "LIMARK-cathode-55d1"
LI_DOC = "LIMARK-dismantling-0b7e"
AUTHORITY_MARK = "AUTHMARK-test-report-c4e8"
DRAFT_MARK = "DRAFTMARK-place-2a9f"
SUPPLIER_MARK = "SUPPLIERMARK-name-6d0b"
SECRET_MARKS = (LI_MARK, LI_DOC, AUTHORITY_MARK, DRAFT_MARK, SUPPLIER_MARK, "987654.321", "987,654.321")
UID = "urn:epc:A-PUBLIC-0001"
SERIAL = "SN-4711-PUB"


def _doc(header: str, url: str) -> list[dict[str, str]]:
    return [{"header": header, "content_type": "URL", "content": url}]


@pytest.fixture
def published(admin_a, battery_model):
    """Company A's passport: published v1 (public, LI, authority and confidential values), then a draft v2."""
    services.battery_model_update(
        actor=admin_a,
        battery_model=battery_model,
        values={
            "chemistry": PUBLIC_MODEL,
            "eu_declaration_of_conformity": _doc(PUBLIC_DOC, "https://example.com/doc.pdf"),
            "weight": "412.5",
            "weight_unit": "unit:kilogram",
            "intended_purposes": ["automotive"],
            "carbon_footprint": [
                {"lifecycle_stage": "total", "impact_category": "Climate Change Total", "value": "61.2"}
            ],
            "cathode_composition": LI_MARK,
            "dismantling_information": _doc(LI_DOC, "https://example.com/dismantling.pdf"),
            "test_reports": _doc(AUTHORITY_MARK, "https://example.com/report.pdf"),
        },
    )
    services.supply_chain_replace(
        actor=admin_a,
        battery_model=battery_model,
        rows=[
            {
                "material": "cobalt",
                "country_of_origin": "CD",
                "supplier_name": SUPPLIER_MARK,
                "procurement_amount": "987654.321",
                "procurement_unit": "t",
                "procurement_period_start": "2026-01-01",
                "procurement_period_end": "2026-06-30",
            }
        ],
    )
    passport = services.passport_create(
        actor=admin_a,
        battery_model=battery_model,
        values={
            "unique_identifier": UID,
            "serial_identifiers": [{"key": "partInstanceId", "value": SERIAL}],
            "manufacturing_date": "2026-03-14",
            "put_into_service_date": "2026-05-01",
        },
    )
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    services.passport_update(actor=admin_a, passport=passport, values={"manufacturing_place": DRAFT_MARK})
    return passport


@pytest.fixture
def draft_only(admin_a, battery_model):
    return services.passport_create(
        actor=admin_a, battery_model=battery_model, values={"unique_identifier": "urn:epc:A-DRAFT-0002"}
    )


def _client(user=None, **cookies) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    for name, value in cookies.items():
        client.cookies[name] = value
    return client


def _url(passport_id) -> str:
    return f"/p/{passport_id}/"


def _assert_public_only(text: str) -> None:
    for mark in SECRET_MARKS:
        assert mark.lower() not in text.lower(), mark


@pytest.fixture
def partner(admin_a, admin_b, company_b, published):
    services.grant_legitimate_interest(actor=admin_a, target=published, organization=company_b)
    assert policies.viewer_kind(admin_b, published) is Viewer.PARTNER
    return admin_b


@pytest.mark.parametrize("who", ["anonymous", "owner", "partner", "inspector", "reviewer", "operator"])
def test_page_shows_public_values_of_latest_published_version_only_whoever_asks(
    who, request, published, partner, inspector
):
    user = {"anonymous": None, "owner": "admin_a", "partner": "partner", "inspector": "inspector"}.get(
        who, who
    )
    user = request.getfixturevalue(user) if isinstance(user, str) else user
    response = _client(user).get(_url(published.public_id), HTTP_ACCEPT=HTML)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert PUBLIC_MODEL in text and PUBLIC_DOC in text and UID in text and SERIAL in text
    assert 'href="https://example.com/doc.pdf"' in text
    _assert_public_only(text)
    # The wider audiences really can see more elsewhere: this page deliberately shows less.
    if who in ("partner", "inspector"):
        assert (
            LI_MARK in selectors.passport_view(actor=user, passport=published).values["cathode_composition"]
        )


def test_page_renders_clusters_units_choices_groups_and_dates(published):
    text = _client().get(_url(published.public_id), HTTP_ACCEPT=HTML).content.decode()
    assert "General and manufacturer information" in text and "Carbon footprint" in text
    assert "412.5 kg" in text  # the unit chosen in weight_unit, by its label
    assert "Total (whole life cycle)" in text and "Climate change, total" in text  # choice labels
    assert "<table>" in text and "61.2" in text  # carbon footprint rows as a table
    assert "March 14, 2026" in text  # localized date
    assert "unit:kilogram" not in text
    assert f'src="/p/{published.public_id}/qr.svg"' in text
    # The print layout is in the page's own stylesheet (the Content-Security-Policy allows no inline style).
    assert 'href="/static/css/passport-public.css"' in text
    assert "@media print" in (settings.BASE_DIR / "static" / "css" / "passport-public.css").read_text()


def test_json_answers_public_keys_of_latest_published_version(published, partner):
    for user in (None, partner):
        response = _client(user).get(_url(published.public_id), HTTP_ACCEPT=JSON)
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        document = json.loads(response.content)
        assert set(document) == {"passport_id", "version", "published_at", "status", "values"}
        assert document["passport_id"] == str(published.public_id)
        assert document["version"] == 1 and document["status"] == "active"
        assert set(document["values"]) <= policies.visible_keys(Viewer.PUBLIC)
        assert document["values"]["chemistry"] == PUBLIC_MODEL
        assert "cathode_composition" not in document["values"] and "test_reports" not in document["values"]
        assert "battery_status" not in document["values"]  # legitimate interest (Annex XIII 4(c))
        _assert_public_only(response.content.decode())
    # The same values as the one policy gives an anonymous reader.
    view = selectors.passport_view(actor=AnonymousUser(), passport=published)
    assert document["values"] == json.loads(json.dumps(view.values))


def test_both_variants_vary_on_accept_and_language(published):
    for accept in (HTML, JSON):
        response = _client().get(_url(published.public_id), HTTP_ACCEPT=accept)
        vary = {part.strip().lower() for part in response["Vary"].split(",")}
        assert {"accept", "accept-language"} <= vary
    missing = _client().get(_url(uuid.uuid4()), HTTP_ACCEPT=JSON)
    assert missing.status_code == 404 and "Accept" in missing["Vary"]


def test_japanese_visitor_gets_japanese_labels(published):
    response = _client(django_language="ja").get(_url(published.public_id), HTTP_ACCEPT=HTML)
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="ja"' in text
    with translation.override("ja"):
        label, cluster = str(attribute("chemistry").label), "一般情報・製造者情報"
    if label != "Battery chemistry":  # translated: the page must use it
        assert label in text
    assert cluster in text
    assert "2026年3月14日" in text  # the date in the Japanese format
    _assert_public_only(text)


@pytest.mark.parametrize("accept", [HTML, JSON])
def test_unknown_draft_only_and_malformed_ids_answer_404(accept, published, draft_only):
    client = _client()
    for path in (_url(uuid.uuid4()), _url(draft_only.public_id), "/p/not-a-uuid/", "/p/12345/"):
        response = client.get(path, HTTP_ACCEPT=accept)
        assert response.status_code == 404, path
        assert "urn:epc:A-DRAFT-0002" not in response.content.decode()
    assert client.get(_url(draft_only.public_id), HTTP_ACCEPT=JSON).json() == {"detail": "Not found."}


def test_the_owner_gets_404_too_for_a_draft_only_passport(admin_a, draft_only):
    assert _client(admin_a).get(_url(draft_only.public_id), HTTP_ACCEPT=HTML).status_code == 404


def test_qr_svg_and_png_encode_the_public_url(settings, published, draft_only):
    settings.SITE_URL = "https://passbridge.example"
    url = f"https://passbridge.example/p/{published.public_id}/"
    assert qr.passport_url(published.public_id) == url
    expected = segno.make(url, error="m", micro=False)
    assert qr.qr_code(published.public_id) == expected  # the same symbol, bit for bit

    client = _client()
    svg = client.get(f"/p/{published.public_id}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert svg.content.decode() == qr.qr_svg(published.public_id)
    assert svg.content.startswith(b"<svg") and b'xmlns="http://www.w3.org/2000/svg"' in svg.content
    assert url.encode() in svg.content  # in the <title>
    assert "max-age=86400" in svg["Cache-Control"] and "public" in svg["Cache-Control"]
    assert svg["Content-Disposition"] == f'inline; filename="passport-{published.public_id}.svg"'

    png = client.get(f"/p/{published.public_id}/qr.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    buffer = io.BytesIO()
    expected.save(buffer, kind="png", scale=qr.PNG_SCALE, border=qr.BORDER)
    assert png.content == buffer.getvalue()

    for path in (f"/p/{draft_only.public_id}/qr.svg", f"/p/{uuid.uuid4()}/qr.png", "/p/nope/qr.png"):
        assert client.get(path).status_code == 404


def test_qr_svg_helper_is_embeddable_by_staff_pages(published):
    svg = qr.qr_svg(published.public_id)
    assert "<svg" in svg and qr.passport_url(published.public_id) in svg


def test_lookup_by_unique_identifier_and_catenax_form(published, battery_model):
    client = _client()
    target = _url(published.public_id)
    part = battery_model.manufacturer_part_id
    for path in (
        f"/p/lookup/?id={UID}",
        f"/p/lookup/?id=CX:{part}:{UID}",
        f"/p/lookup/?id=cx:{part}:{SERIAL}",  # the published serial with key partInstanceId
        f"/p/id/{UID}/",
        f"/p/id/CX:{part}:{SERIAL}/",
    ):
        response = client.get(path, HTTP_ACCEPT=HTML)
        assert response.status_code == 302, path
        assert response["Location"] == target
    assert client.get(f"/p/lookup/?id={UID}", HTTP_ACCEPT=JSON)["Location"] == target


def test_lookup_unknown_draft_only_and_ambiguous_identifiers_answer_404(
    published, draft_only, battery_model, admin_b, company_b
):
    client = _client()
    for identifier in ("urn:epc:unknown", "urn:epc:A-DRAFT-0002", f"CX:other-part:{UID}", "CX::", "CX:x"):
        response = client.get("/p/lookup/", {"id": identifier}, HTTP_ACCEPT=HTML)
        assert response.status_code == 404, identifier
        assert client.get("/p/lookup/", {"id": identifier}, HTTP_ACCEPT=JSON).json() == {
            "detail": "Not found."
        }
    # Identifiers are unique per economic operator only: another owner uses the same one.
    model_b = services.battery_model_create(
        actor=admin_b,
        organization=company_b,
        values={"model_name": "B Pack", "manufacturer_part_id": "B-1", "battery_category": "ev"},
    )
    other = services.passport_create(actor=admin_b, battery_model=model_b, values={"unique_identifier": UID})
    assert client.get("/p/lookup/", {"id": UID}).status_code == 302  # B's is still a draft
    services.passport_publish(actor=admin_b, passport=other, on=BEFORE_OBLIGATIONS)
    assert client.get("/p/lookup/", {"id": UID}).status_code == 404
    assert client.get(f"/p/id/{UID}/").status_code == 404
    # The Catena-X form names the model, so it still finds exactly one.
    found = client.get("/p/lookup/", {"id": f"CX:{battery_model.manufacturer_part_id}:{UID}"})
    assert found.status_code == 302 and found["Location"] == _url(published.public_id)


def test_lookup_form_and_bad_input(published):
    client = _client()
    page = client.get("/p/lookup/", HTTP_ACCEPT=HTML)
    assert page.status_code == 200 and 'name="id"' in page.content.decode()
    assert client.get("/p/lookup/", HTTP_ACCEPT=JSON).status_code == 400
    for bad in ("urn:\x00epc", "x" * 501):
        assert client.get("/p/lookup/", {"id": bad}, HTTP_ACCEPT=HTML).status_code == 400
        assert client.get("/p/lookup/", {"id": bad}, HTTP_ACCEPT=JSON).status_code == 400
    assert client.post("/p/lookup/", {"id": UID}).status_code == 405


def test_successor_and_predecessor_links_and_closed_notice(admin_a, published):
    successor = services.passport_change_status(
        actor=admin_a, passport=published, status="repurposed", new_unique_identifier="urn:epc:A-SECOND"
    )
    client = _client()
    page = client.get(_url(published.public_id)).content.decode()
    assert _url(successor.public_id) not in page  # the successor is a draft: not linked yet

    services.passport_publish(actor=admin_a, passport=successor, on=BEFORE_OBLIGATIONS)
    page = client.get(_url(published.public_id)).content.decode()
    assert f'href="{_url(successor.public_id)}"' in page
    successor_page = client.get(_url(successor.public_id)).content.decode()
    assert f'href="{_url(published.public_id)}"' in successor_page
    assert "recycled" not in successor_page

    services.passport_change_status(actor=admin_a, passport=successor, status="waste", recycled=True)
    closed = client.get(_url(successor.public_id))
    assert "This battery has been recycled" in closed.content.decode()
    assert client.get(_url(successor.public_id), HTTP_ACCEPT=JSON).json()["status"] == "closed"


def test_partner_grant_does_not_widen_the_public_json(published, partner, inspector):
    for user in (partner, inspector):
        document = _client(user).get(_url(published.public_id), HTTP_ACCEPT=JSON).json()
        assert "cathode_composition" not in document["values"]
        assert "dismantling_information" not in document["values"]
