"""The regulator registry page: every filter and sort, invalid input shown as form errors, scoping per
audience in the list and both exports, CSV and XLSX content with formula cells neutralised, and the
ZIP requests (who may ask, the bound, the requester-only pages)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from certification.bundles.models import BundleStatus, CertificateBundle
from certification.models import Certificate
from certification.registry_export import neutralise, neutralise_csv
from portal.tenancy.models import Role
from tests.factories import member

from ..conftest import CATENA_X, OURANOS
from ..registry_world import FORMULA_BODY, FORMULA_HOLDER, LEI_A, make_certificate

pytestmark = pytest.mark.django_db

LIST = reverse("certification:certificate_list")
CSV_URL = reverse("certification:certificate_export_csv")
XLSX_URL = reverse("certification:certificate_export_xlsx")
BUNDLE_URL = reverse("certification:bundle_create")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


NUMBER = re.compile(r'href="/certification/certificates/([A-Z0-9-]+)/"')


def listed(client: Client, query: str = "", status: int = 200) -> list[str]:
    """The certificate numbers of the list page, in page order."""
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == status, (query, response.status_code)
    return NUMBER.findall(response.content.decode())


def numbers_of(*certificates) -> list[str]:
    return [c.number for c in certificates]


# --- Filters -------------------------------------------------------------------------------------------


def test_each_filter(world, inspector, company_a, company_b):
    client = login(inspector)
    w = world
    cases = {
        "": {w.cx1, w.ou1, w.ou2, w.cx2},
        "q=company+a": {w.cx1, w.ou1},
        "q=CATX-CBG": {w.cx1},
        f"q={company_a.bpnl}": {w.cx1, w.ou1},
        f"q={company_b.corporate_number}": {w.ou2},
        f"q={LEI_A}": {w.cx1, w.ou1},
        "q=nobody-of-that-name": set(),
        "status=suspended": {w.ou2},
        "status=expired": {w.cx2},
        f"scheme={CATENA_X}": {w.cx1, w.cx2},
        f"scheme={OURANOS}": {w.ou1, w.ou2},
        "kind=recognised": {w.ou1},
        "kind=origin": {w.cx1, w.ou2, w.cx2},
        "country=JP": {w.ou2},
        "country=jp": {w.ou2},
        "country=FR": {w.cx2},
        "issued_from=2025-01-01": {w.cx1, w.ou1, w.ou2},
        "issued_to=2025-03-01": {w.cx1, w.ou1, w.cx2},
        "issued_from=2025-03-01&issued_to=2025-03-01": {w.cx1, w.ou1},
        "expires_from=2027-03-01&expires_to=2028-12-31": {w.cx1, w.ou1},
        "expires_to=2025-06-01": {w.cx2},
        f"issuing_body={w.body2.public_id}": {w.ou2, w.cx2},
        f"issuing_body={w.body1.public_id}": {w.cx1, w.ou1},
        "issuing_body=00000000-0000-4000-8000-000000000000": set(),
        f"scheme={OURANOS}&country=DE": {w.ou1},
    }
    for query, expected in cases.items():
        assert set(listed(client, query)) == {c.number for c in expected}, query


def test_the_page_offers_every_filter_with_the_current_values(world, inspector):
    html = login(inspector).get(f"{LIST}?country=JP&status=suspended&issued_from=2026-01-01").content.decode()
    for name in ("q", "status", "scheme", "kind", "country", "issuing_body", "issued_from", "issued_to"):
        assert f'name="{name}"' in html, name
    assert 'name="expires_from"' in html and 'name="expires_to"' in html and 'name="ordering"' in html
    assert '<option value="JP" selected>' in html
    assert '<option value="suspended" selected>' in html
    assert 'value="2026-01-01"' in html
    # Only bodies and countries of visible certificates are offered.
    assert world.body2.legal_name in html and "France" in html


def test_sorting(world, inspector):
    client = login(inspector)
    w = world
    assert listed(client) == numbers_of(w.ou2, w.ou1, w.cx1, w.cx2)  # newest first by default
    assert listed(client, "ordering=number") == sorted(c.number for c in w.all)
    assert listed(client, "ordering=-number") == sorted((c.number for c in w.all), reverse=True)
    assert listed(client, "ordering=issued_at") == numbers_of(w.cx2, w.cx1, w.ou1, w.ou2)
    assert listed(client, "ordering=-issued_at") == numbers_of(w.ou2, w.ou1, w.cx1, w.cx2)
    assert listed(client, "ordering=valid_until") == numbers_of(w.cx2, w.ou1, w.cx1, w.ou2)
    assert listed(client, "ordering=-valid_until") == numbers_of(w.ou2, w.cx1, w.ou1, w.cx2)
    assert listed(client, f"ordering=holder_name&scheme={OURANOS}") == numbers_of(w.ou1, w.ou2)
    assert listed(client, f"ordering=-holder_name&scheme={OURANOS}") == numbers_of(w.ou2, w.ou1)


def test_column_headers_sort_and_toggle(world, inspector):
    client = login(inspector)
    html = client.get(f"{LIST}?ordering=number&status=valid").content.decode()
    assert 'aria-sort="ascending"><a href="?ordering=-number&amp;status=valid"' in html
    assert 'aria-sort="none"><a href="?ordering=valid_until&amp;status=valid"' in html
    html = client.get(f"{LIST}?ordering=-number").content.decode()
    assert 'aria-sort="descending"><a href="?ordering=number"' in html


def test_pagination_keeps_the_filter(world, inspector, company_b):
    for index in range(30):
        make_certificate(
            number=f"OUR-OTH-2026-{index + 100:06d}",
            scheme=world.ouranos,
            holder=company_b,
            body=world.body2,
            issued=date(2026, 2, 1),
            valid_until=date(2029, 2, 1),
        )
    client = login(inspector)
    first = listed(client, "country=JP&ordering=number")
    second = listed(client, "country=JP&ordering=number&page=2")
    assert len(first) == 25 and len(second) == 6
    assert not set(first) & set(second)
    html = client.get(f"{LIST}?country=JP&ordering=number").content.decode()
    assert "?country=JP&amp;ordering=number&amp;page=2" in html
    assert "31 certificates" in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("status=lost", "status", "Select a valid choice"),
        ("scheme=no-such-scheme", "scheme", "Select a valid choice"),
        ("scheme=a%00b", "scheme", "Select a valid choice"),
        ("kind=perhaps", "kind", "Select a valid choice"),
        ("recognised=perhaps", "recognised", "Select a valid choice"),
        ("country=XX", "country", "Enter a two-letter country code"),
        ("country=Germany", "country", "at most 2 characters"),
        ("issued_from=2025-13-45", "issued_from", "Enter a valid date"),
        ("expires_to=tomorrow", "expires_to", "Enter a valid date"),
        (
            "issued_from=2026-01-01&issued_to=2025-01-01",
            "issued_to",
            "The end of the range is before its start",
        ),
        ("expires_from=2026-01-01&expires_to=2025-01-01", "expires_to", "before its start"),
        ("issuing_body=not-a-uuid", "issuing_body", "Enter a valid UUID"),
        ("ordering=conditions", "ordering", "Select a valid choice"),
        ("ordering=holder_name,secret", "ordering", "Select a valid choice"),
        ("q=a%00b", "q", "Null characters are not allowed"),
        ("q=a%07b", "q", "Remove control characters"),
        ("q=" + "x" * 201, "q", "at most 200 characters"),
        ("kind=origin&recognised=yes", "recognised", "contradicts"),
    ],
)
def test_invalid_filters_are_shown_not_ignored(world, inspector, query, field, message):
    response = login(inspector).get(f"{LIST}?{query}")
    html = response.content.decode()
    assert response.status_code == 400
    assert "The filter could not be applied" in html
    assert f'id="filter-{field}-error"' in html or f'href="#filter-{field}"' in html
    assert message in html
    assert NUMBER.findall(html) == []  # nothing listed as if it were filtered
    assert "Export as CSV" not in html and "Download all" not in html


# --- Scoping -------------------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def xlsx_rows(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


def test_each_audience_lists_and_exports_only_what_it_may_see(
    world, inspector, operator, admin_a, viewer_a, admin_b, lead
):
    w = world
    expected = {
        inspector: {w.cx1, w.ou1, w.ou2, w.cx2},
        operator: {w.cx1, w.ou1, w.ou2, w.cx2},
        admin_a: {w.cx1, w.ou1},
        viewer_a: {w.cx1, w.ou1},
        admin_b: {w.ou2},
        w.admin_c: {w.cx2},
        lead: {w.cx1, w.ou1},  # the issuing body
    }
    for user, certificates in expected.items():
        client = login(user)
        numbers = {c.number for c in certificates}
        assert set(listed(client)) == numbers, user
        # Filtering for another holder's certificate never reveals it.
        assert set(listed(client, "q=OUR-OTH")) == numbers & {w.ou2.number}, user
        assert {row[0] for row in csv_rows(client.get(CSV_URL))[1:]} == numbers, user
        assert {row[0] for row in xlsx_rows(client.get(XLSX_URL))[1:]} == numbers, user
        html = client.get(LIST).content.decode()
        assert ("Download selected as ZIP" in html) is (user in (inspector, operator)), user


def test_outsiders_are_sent_to_log_in(world):
    for url in (LIST, CSV_URL, XLSX_URL):
        response = Client().get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    assert Client().post(BUNDLE_URL, {"mode": "all"}).status_code == 302
    assert not CertificateBundle.objects.exists()


# --- CSV and XLSX --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_formula_starts(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Company A", "", "1+1", "a=b", "'quoted"])
def test_neutralise_leaves_plain_text(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("separator", [",", ";", "\t", "|"])
def test_csv_cells_stay_text_whatever_separator_a_spreadsheet_splits_on(separator):
    """OWASP CSV injection: a program that splits on another separator than ours, ignoring our quotes,
    must still never see a piece that starts a formula (issue 15: German Excel splits on ";")."""
    hostile = f"Elektra{separator}=cmd|' /C calc'!A0{separator}=1+1{separator}@SUM(A1){separator}-2"
    cell = neutralise_csv(hostile)
    for piece in cell.split(separator):
        assert not piece.startswith(("=", "+", "-", "@")), cell


def test_csv_export(world, inspector, company_a):
    response = login(inspector).get(f"{CSV_URL}?ordering=number")
    today = timezone.localdate().isoformat()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="certificates-{today}.csv"'
    assert (
        response["Cache-Control"] == "private, no-store" and response["X-Content-Type-Options"] == "nosniff"
    )
    raw = b"".join(response.streaming_content).decode("utf-8")
    assert raw.startswith("\ufeff")
    raw_lines = raw[1:].splitlines()
    assert len(raw_lines) > 2 and all(line.startswith('"') and line.endswith('"') for line in raw_lines)
    rows = list(csv.reader(io.StringIO(raw[1:])))
    header, *body = rows
    assert header[:3] == ["Certificate number", "Scheme", "Scheme version"]
    assert [row[0] for row in body] == sorted(c.number for c in world.all)
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    cx1 = by_number[world.cx1.number]
    assert cx1["Holder"] == "Company A GmbH" and cx1["Country"] == "DE"
    assert cx1["BPNL"] == company_a.bpnl and cx1["LEI"] == LEI_A
    assert cx1["Status"] == "Valid" and cx1["Issued or recognised"] == "Issued on review"
    assert (cx1["Issued"], cx1["Valid from"], cx1["Valid until"]) == (
        "2025-03-01",
        "2025-03-01",
        "2028-02-29",
    )
    ou1 = by_number[world.ou1.number]
    assert ou1["Issued or recognised"] == "Recognised" and ou1["Recognised from"] == world.cx1.number
    cx2 = by_number[world.cx2.number]
    assert cx2["Holder"] == "'" + FORMULA_HOLDER
    assert cx2["Issuing body"] == "'" + FORMULA_BODY
    assert cx2["Status"] == "Expired"
    # The filter applies to the export exactly as to the page.
    filtered = csv_rows(login(inspector).get(f"{CSV_URL}?country=FR"))
    assert [row[0] for row in filtered[1:]] == [world.cx2.number]


def test_xlsx_export(world, inspector):
    response = login(inspector).get(f"{XLSX_URL}?ordering=number")
    today = timezone.localdate().isoformat()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="certificates-{today}.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "Certificate number"
    rows = {
        row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert list(rows) == sorted(c.number for c in world.all)
    cx2 = rows[world.cx2.number]
    assert cx2["Holder"] == "'" + FORMULA_HOLDER
    assert cx2["Issuing body"] == "'" + FORMULA_BODY
    assert cx2["Valid until"].date() == date(2025, 6, 1)  # a real date cell
    # No cell is a formula.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    filtered = xlsx_rows(login(inspector).get(f"{XLSX_URL}?status=suspended"))
    assert [row[0] for row in filtered[1:]] == [world.ou2.number]


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_exports_are_bounded(world, inspector, settings, url):
    settings.CERTIFICATE_EXPORT_MAX_ROWS = 3
    client = login(inspector)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == LIST
    (message,) = get_messages(response.wsgi_request)
    assert "4 certificates match, but an export holds at most 3 rows. Narrow the filter" in str(message)
    assert client.get(f"{url}?country=DE").status_code == 200


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_exports_refuse_an_invalid_filter(world, inspector, url):
    response = login(inspector).get(f"{url}?status=lost&country=DE")
    assert response.status_code == 302 and response["Location"] == f"{LIST}?status=lost&country=DE"
    (message,) = get_messages(response.wsgi_request)
    assert "Correct the filter" in str(message)


def test_export_links_keep_the_filter(world, inspector):
    html = login(inspector).get(f"{LIST}?country=DE&ordering=number&page=1").content.decode()
    assert f'href="{CSV_URL}?country=DE&amp;ordering=number"' in html
    assert f'href="{XLSX_URL}?country=DE&amp;ordering=number"' in html


# --- ZIP requests --------------------------------------------------------------------------------------


def test_ticked_certificates_make_a_bundle(world, inspector, authority):
    client = login(inspector)
    response = client.post(
        BUNDLE_URL, {"mode": "selected", "certificate": [world.ou2.number, world.cx1.number], "query": ""}
    )
    bundle = CertificateBundle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("certification:bundle_detail", args=[bundle.public_id])
    assert bundle.requested_by == inspector and bundle.organization == authority
    assert bundle.status == BundleStatus.QUEUED and bundle.total == 2 and bundle.done == 0
    assert sorted(bundle.certificate_ids) == sorted([world.ou2.pk, world.cx1.pk])
    assert bundle.expires_at > timezone.now()


def test_all_results_of_the_filter_make_a_bundle(world, operator):
    response = login(operator).post(BUNDLE_URL, {"mode": "all", "query": f"scheme={CATENA_X}&page=2"})
    bundle = CertificateBundle.objects.get()
    assert response.status_code == 302
    assert sorted(bundle.certificate_ids) == sorted([world.cx1.pk, world.cx2.pk])
    assert bundle.organization is None  # operators have no membership


def _refused(client: Client, data: dict, expected_message: str, back: str = LIST) -> None:
    response = client.post(BUNDLE_URL, data)
    assert response.status_code == 302 and response["Location"] == back
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(expected_message in m for m in messages), messages
    assert not CertificateBundle.objects.exists()


def test_a_bundle_larger_than_the_bound_asks_to_narrow_the_filter(world, inspector, settings):
    settings.CERTIFICATE_BUNDLE_MAX = 2
    client = login(inspector)
    _refused(
        client,
        {"mode": "all", "query": "issued_to=2025-03-01&ordering=number"},
        "3 certificates match, but a ZIP holds at most 2.",
        back=f"{LIST}?issued_to=2025-03-01&ordering=number",
    )
    _refused(client, {"mode": "all", "query": ""}, "4 certificates match, but a ZIP holds at most 2. Narrow")
    _refused(
        client,
        {"mode": "selected", "certificate": [c.number for c in world.all[:3]]},
        "3 certificates match, but a ZIP holds at most 2.",
    )
    assert client.post(BUNDLE_URL, {"mode": "all", "query": "country=DE"}).status_code == 302
    assert CertificateBundle.objects.get().total == 2


def test_bad_bundle_requests_say_why(world, inspector):
    client = login(inspector)
    _refused(client, {"mode": "selected"}, "Tick at least one certificate")
    _refused(client, {"mode": "selected", "certificate": ["NO-SUCH-1"]}, "not found: NO-SUCH-1")
    _refused(client, {"mode": "selected", "certificate": ["bad number\x00"]}, "not certificate numbers")
    _refused(client, {"mode": "nonsense"}, "Choose the ticked certificates or all results")
    _refused(
        client,
        {"mode": "all", "query": "status=lost"},
        "Correct the filter",
        back=f"{LIST}?status=lost",
    )
    _refused(
        client, {"mode": "all", "query": "country=IT"}, "No certificates to put", back=f"{LIST}?country=IT"
    )


def test_open_bundles_per_person_are_bounded(world, inspector, settings):
    settings.CERTIFICATE_BUNDLE_OPEN_PER_USER = 2
    client = login(inspector)
    for _ in range(2):
        client.post(BUNDLE_URL, {"mode": "selected", "certificate": [world.cx1.number]})
    response = client.post(BUNDLE_URL, {"mode": "selected", "certificate": [world.cx1.number]})
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("You already have 2 ZIPs being prepared" in m for m in messages), messages
    assert CertificateBundle.objects.count() == 2


def test_company_users_cannot_ask_for_a_bundle(world, admin_a, lead):
    for user in (admin_a, lead):
        response = login(user).post(BUNDLE_URL, {"mode": "selected", "certificate": [world.cx1.number]})
        assert response.status_code == 403
        assert login(user).post(BUNDLE_URL, {"mode": "all", "query": ""}).status_code == 403
    assert not CertificateBundle.objects.exists()


def test_bundle_pages_belong_to_the_requester(world, inspector, authority, operator, admin_a):
    client = login(inspector)
    client.post(BUNDLE_URL, {"mode": "selected", "certificate": [world.cx1.number]})
    bundle = CertificateBundle.objects.get()
    urls = [
        reverse(f"certification:bundle_{name}", args=[bundle.public_id])
        for name in ("detail", "status", "download")
    ]
    colleague = member(Role.INSPECTOR, authority, username="colleague")
    for user in (colleague, operator, admin_a):
        for url in urls:
            assert login(user).get(url).status_code == 404, (user, url)
    detail = client.get(urls[0])
    assert detail.status_code == 200
    html = detail.content.decode()
    assert 'data-bundle-status-url="' + urls[1] + '"' in html
    assert "js/certificate-registry.js" in html and "<progress" in html
    assert "<script>" not in html  # no inline script
    status = client.get(urls[1])
    assert status["Cache-Control"] == "private, no-store"
    assert status.json() == {
        "status": "queued",
        "status_label": "Queued",
        "done": 0,
        "total": 1,
        "percent": 0,
        "included": 0,
        "missing": [],
        "error": "",
        "download_url": None,
        "expires_at": bundle.expires_at.isoformat(),
    }
    assert client.get(urls[2]).status_code == 404  # not ready yet
    # Unknown ids and the list page's summary of the requester's ZIPs.
    assert client.get(reverse("certification:bundle_detail", args=[_zero_uuid()])).status_code == 404
    assert urls[0] in client.get(LIST).content.decode()
    assert urls[0] not in login(colleague).get(LIST).content.decode()


def _zero_uuid() -> str:
    return "00000000-0000-4000-8000-000000000000"


def test_thousands_of_results_are_refused_without_building_anything(world, inspector, company_b):
    """The default bound (500): the web process only counts; nothing is stored or queued."""
    template = world.ou2
    Certificate.objects.bulk_create(
        [
            Certificate(
                **{
                    field.attname: getattr(template, field.attname)
                    for field in Certificate._meta.concrete_fields
                    if field.attname not in ("id", "public_id", "number")
                },
                number=f"OUR-OTH-2027-{index:06d}",
            )
            for index in range(1200)
        ]
    )
    client = login(inspector)
    html = client.get(f"{LIST}?country=JP").content.decode()
    assert "1,201 certificates" in html
    assert "A ZIP holds at most 500 certificates: narrow the filter" in html
    _refused(
        client,
        {"mode": "all", "query": "country=JP"},
        "1,201 certificates match, but a ZIP holds at most 500. Narrow the filter",
        back=f"{LIST}?country=JP",
    )
