"""End of life and the authorities' oversight: transfers, the cube built from companies' data under
disclosure control, alerts, and who may read which page."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pypdf
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils import timezone

from endoflife import services as eol
from oversight.models import Alert, AlertKind, CubeCell, FlaggedTransfer
from oversight.worker import alerts, cube
from passports import services as passport_services
from portal.audit.models import AuditEvent
from portal.tenancy.models import CorporateGroup, OrganizationKind, Role
from tests.factories import BEFORE_OBLIGATIONS, OrganizationFactory, member

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
YEAR = TODAY.year
COMPOSITION = [{"material": "Lithium", "cas_number": "7439-93-2", "share": Decimal("2")}]


def _maker(
    country: str = "DE",
    *,
    group: CorporateGroup | None = None,
    mines=("Mine A",),
    batteries: int = 2,
    weight: str = "500",
    origins=("AU",),
):
    """An economic operator with one model (500 kg, 2 % lithium = 10 kg each), supply chain from `origins`
    (one mine each) and `batteries` published passports placed on the market this year."""
    organization = OrganizationFactory(country=country, corporate_group=group)
    user = member(Role.ADMIN, organization)
    model = passport_services.battery_model_create(
        actor=user,
        organization=organization,
        values={
            "model_name": "Pack",
            "manufacturer_part_id": f"P-{organization.pk}",
            "battery_category": "ev",
            "weight": Decimal(weight),
            "weight_unit": "unit:kilogram",
            "critical_raw_materials": COMPOSITION,
            "lithium_recycled_share": Decimal(4),
        },
    )
    passport_services.supply_chain_replace(
        actor=user,
        battery_model=model,
        rows=[
            {
                "material": "lithium",
                "country_of_origin": origin,
                "mine_or_extraction_site": mine,
                "refiner_processor": "",
                "refiner_country": "",
                "supplier_name": "Secret Trader AG",
                "supplier_identifier": "",
                "procurement_amount": Decimal("987.654"),
                "procurement_unit": "t",
                "procurement_period_start": datetime.date(YEAR, 1, 1),
                "procurement_period_end": datetime.date(YEAR, 12, 31),
                "recycled_share": Decimal(0),
                "assurance_scheme": "",
            }
            for origin, mine in zip(origins, mines, strict=True)
        ],
    )
    for n in range(batteries):
        passport = passport_services.passport_create(
            actor=user,
            battery_model=model,
            values={
                "unique_identifier": f"B-{organization.pk}-{n}",
                "placed_on_market_date": datetime.date(YEAR, 1, 20),
            },
        )
        passport_services.passport_publish(actor=user, passport=passport, on=BEFORE_OBLIGATIONS)
    return organization, user, model


def _three_makers() -> None:
    """Three makers of three groups, each from its own Australian mine: enough for safe cells."""
    for mine in ("Mine A", "Mine B", "Mine C"):
        _maker(mines=(mine,))


def _black_mass(user, **changes):
    """Waste black mass shipped to India yesterday or today (hazardous waste to a non-OECD country)."""
    values = {
        "content": "black_mass",
        "mass_kg": "1200",
        "recipient_name": "Trader",
        "destination_country": "IN",
        "condition": "waste",
        "waste_code": "19 12 11*",
        "treatment": "recycling",
        "shipped_on": TODAY,
    }
    return eol.transfer_record(actor=user, values={**values, **changes})


def _cells(build, **lookup) -> dict[str, CubeCell]:
    return {cell.category: cell for cell in CubeCell.objects.filter(build=build, **lookup)}


def _build():
    return cube.build_cube(cube.request_build(YEAR).pk)


def test_three_groups_make_a_country_cell_safe_and_only_rounded_values_are_stored():
    _three_makers()
    build = _build()
    cells = _cells(
        build, table="origins", material="lithium", stage="extraction", period=str(YEAR), market="EU"
    )
    assert not cells["AU"].suppressed
    assert cells["AU"].value == Decimal(60)  # 3 makers x 2 batteries x 10 kg
    assert cells["AU"].share == 100 and cells["AU"].band == "3-4"
    # Nothing exact that is not also rounded, and the suppressed cells carry no value at all.
    assert not CubeCell.objects.filter(build=build, suppressed=True, value__isnull=False).exists()


def test_three_companies_of_one_group_count_once():
    group = CorporateGroup.objects.create(name="One Holding")
    for mine in ("Mine A", "Mine B", "Mine C"):
        _maker(mines=(mine,), group=group)
    build = _build()
    cells = _cells(
        build, table="origins", material="lithium", stage="extraction", period=str(YEAR), market="EU"
    )
    assert cells["AU"].suppressed and cells["AU"].value is None
    assert cells["TOTAL"].suppressed


def test_one_mine_for_three_groups_is_withheld_on_the_facility_side():
    for _ in range(3):
        _maker(mines=("Only Mine",))
    build = _build()
    cells = _cells(
        build, table="origins", material="lithium", stage="extraction", period=str(YEAR), market="EU"
    )
    assert cells["AU"].suppressed


def test_a_dominant_contributor_is_protected_and_its_cell_cannot_be_recovered_from_the_total():
    _maker(mines=("Mine A",), batteries=40)
    _maker(mines=("Mine B",), batteries=1)
    _maker(mines=("Mine C",), batteries=1)
    for country, mine in (("CL", "Salar 1"), ("CL", "Salar 2"), ("CL", "Salar 3")):
        _maker(mines=(mine,), origins=(country,), batteries=3)
    build = _build()
    cells = _cells(
        build, table="origins", material="lithium", stage="extraction", period=str(YEAR), market="EU"
    )
    assert cells["AU"].suppressed  # p %-rule: one maker holds nearly all of it
    # Secondary suppression: with AU hidden, CL or the totals above it must be hidden too.
    assert cells["CL"].suppressed or cells["@NON_OECD"].suppressed or cells["TOTAL"].suppressed


def test_no_supplier_name_or_procurement_amount_reaches_the_cube():
    _three_makers()
    build = _build()
    texts = {str(v) for row in CubeCell.objects.filter(build=build).values_list() for v in row}
    assert not any("Secret Trader" in text or "987.654" in text or "987654" in text for text in texts)


def _recycler(country="DE"):
    organization = OrganizationFactory(kind=OrganizationKind.RECYCLER, country=country)
    return organization, member(Role.EDITOR, organization)


def test_a_transfer_names_one_recipient_and_a_waste_code_for_waste_and_stores_nothing_on_error():
    organization, user, _model = _maker()
    with pytest.raises(ValidationError) as error:
        eol.transfer_record(
            actor=user,
            values={
                "content": "batteries",
                "battery_count": 0,
                "mass_kg": "-1",
                "destination_country": "XX",
                "condition": "waste",
                "treatment": "recycling",
                "shipped_on": "2999-01-01",
            },
        )
    fields = set(error.value.error_dict)
    assert {
        "battery_count",
        "mass_kg",
        "destination_country",
        "waste_code",
        "recipient",
        "shipped_on",
    } <= fields
    assert not organization.transfers_sent.exists()


def test_a_recycler_receiving_a_battery_for_recycling_closes_its_passport():
    _organization, user, model = _maker(batteries=1)
    recycler, recycler_user = _recycler()
    passport = model.passports.get()
    transfer = eol.transfer_record(
        actor=user,
        values={
            "content": "battery",
            "passport": passport.public_id,
            "recipient": recycler,
            "destination_country": "DE",
            "condition": "waste",
            "waste_code": "16 06 05",
            "treatment": "recycling",
            "shipped_on": TODAY,
        },
    )
    assert transfer.mass_kg == Decimal(500)  # from the model's weight
    passport.refresh_from_db()
    assert passport.status == "waste" and passport.closed_at is None
    eol.transfer_receive(actor=recycler_user, transfer=transfer)
    passport.refresh_from_db()
    assert passport.closed_at is not None


def test_black_mass_to_a_non_oecd_country_raises_a_high_alert_for_the_enforcement_list():
    recycler, user = _recycler()
    transfer = _black_mass(
        user, shipped_on=max(TODAY - datetime.timedelta(days=1), datetime.date(2026, 11, 9))
    )
    alert = alerts.flag_transfer(transfer)
    assert alert.kind == AlertKind.WASTE_TO_NON_OECD and alert.severity == "high"
    flagged = FlaggedTransfer.objects.get(transfer_id=transfer.public_id)
    assert flagged.operator_name == recycler.legal_name and flagged.destination_country == "IN"
    # The same transfer checked again (the sweep) raises nothing new.
    alerts.flag_transfers()
    assert Alert.objects.filter(kind=AlertKind.WASTE_TO_NON_OECD).count() == 1


def test_a_used_battery_to_an_oecd_country_raises_nothing():
    _organization, user, _model = _maker()
    transfer = eol.transfer_record(
        actor=user,
        values={
            "content": "batteries",
            "battery_count": 3,
            "mass_kg": "1500",
            "recipient_name": "Second life Inc.",
            "destination_country": "US",
            "condition": "used",
            "treatment": "repurposing",
            "shipped_on": TODAY,
        },
    )
    assert alerts.flag_transfer(transfer) is None


OVERSIGHT_URLS = [
    "/oversight/",
    "/oversight/materials/lithium/",
    "/oversight/end-of-life/",
    "/oversight/alerts/",
    "/oversight/methodology/",
    "/oversight/export/origins.csv",
    "/oversight/enforcement/",
]


@pytest.mark.parametrize("who", ["anonymous", "company", "certifier", "operator"])
def test_everyone_but_authorities_gets_404(client, who, admin_a, reviewer, operator):
    _three_makers()
    _build()
    user = {"anonymous": None, "company": admin_a, "certifier": reviewer, "operator": operator}[who]
    if user is not None:
        client.force_login(user)
    for url in OVERSIGHT_URLS:
        assert client.get(url).status_code == 404, url


def test_an_inspector_reads_the_cube_and_each_read_is_logged_with_its_version(client, inspector):
    _three_makers()
    build = _build()
    client.force_login(inspector)
    for url in OVERSIGHT_URLS[:-1]:
        takes_year = not url.endswith(("/alerts/", "/methodology/"))
        assert client.get(url, {"year": YEAR} if takes_year else {}).status_code == 200, url
    page = client.get("/oversight/materials/lithium/", {"year": YEAR, "market": "EU"}).content.decode()
    assert "Australia" in page
    # The page's own links and year choices carry the year as a plain number (no thousands separator).
    assert f'value="{YEAR}"' in page and f"?year={YEAR}&amp;market=EU" in page
    assert 'src="data:image/svg+xml;base64,' in page  # the chart, drawn on the server
    assert "Minimums of Article 8" in page and "6 % from" in page  # lithium: 6 % from 18 August 2031
    report = client.get("/oversight/report.pdf", {"year": YEAR})
    assert report.status_code == 200 and report.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(report.content)).pages)
    assert "Mineral flows" in text and str(YEAR) in text and "Lithium" in text
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get("/oversight/export/origins.xlsx", {"year": YEAR}).content)
    )
    rows = list(sheet.active.iter_rows(values_only=True))
    assert rows[0][0] == "table" and any(row[5] == "AU" and row[6] == 60 for row in rows[1:])
    csv = client.get("/oversight/export/origins.csv", {"year": YEAR}).content.decode()
    assert f'"{build.version}"' in csv
    reads = AuditEvent.objects.filter(action="oversight.read")
    assert reads.count() == len(OVERSIGHT_URLS) + 3
    assert {read.details["format"] for read in reads} == {"html", "csv", "xlsx", "pdf"}
    assert all(event.details["cube_version"] in (build.version, None) for event in reads)
    # The enforcement list needs its own permission.
    assert client.get("/oversight/enforcement/").status_code == 404
    inspector.user_permissions.add(Permission.objects.get(codename="enforce"))
    inspector = type(inspector).objects.get(pk=inspector.pk)
    client.force_login(inspector)
    assert client.get("/oversight/enforcement/").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"company": "1"},
        {"from": "2026-01-01", "to": "2026-02-01"},
        {"year": "1999"},
        {"year": "20x6"},
        {"market": "US"},
        {"facility": "Mine A"},
    ],
)
def test_filters_on_companies_facilities_or_date_ranges_answer_400(client, inspector, query):
    _three_makers()
    _build()
    client.force_login(inspector)
    assert client.get("/oversight/materials/lithium/", query).status_code == 400


def test_oversight_pages_read_a_constant_number_of_queries(client, inspector, django_assert_max_num_queries):
    _three_makers()
    _build()
    client.force_login(inspector)
    client.get("/oversight/")
    with django_assert_max_num_queries(16):
        assert client.get("/oversight/materials/lithium/", {"year": YEAR}).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get("/oversight/", {"year": YEAR}).status_code == 200


API = [
    "/api/v1/oversight/cubes/",
    "/api/v1/oversight/tables/origins/",
    "/api/v1/oversight/alerts/",
    "/api/v1/oversight/enforcement/",
]


@pytest.mark.parametrize("who", ["anonymous", "company", "certifier", "operator"])
def test_the_oversight_api_does_not_exist_for_anyone_but_authorities(
    api_client, who, admin_a, reviewer, operator
):
    _build()
    user = {"anonymous": None, "company": admin_a, "certifier": reviewer, "operator": operator}[who]
    if user is not None:
        api_client.force_authenticate(user)
    for url in API:
        assert api_client.get(url).status_code == 404, url


def test_the_oversight_api_answers_from_the_cube_with_marks_and_logs_each_answer(api_client, inspector):
    group = CorporateGroup.objects.create(name="Holding")
    _three_makers()
    _maker(mines=("Salar",), origins=("CL",), group=group)
    build = _build()
    api_client.force_authenticate(inspector)
    cubes = api_client.get("/api/v1/oversight/cubes/").json()
    assert cubes[0]["year"] == YEAR and cubes[0]["version"] == build.version
    answer = api_client.get(
        "/api/v1/oversight/tables/origins/", {"year": YEAR, "market": "EU", "material": "lithium"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["cube"]["version"] == build.version
    cells = {(c["stage"], c["period"], c["category"]): c for c in body["cells"]}
    total = cells[("extraction", str(YEAR), "TOTAL")]
    assert total["value"] == "80" and total["contributors"] == "3-4"  # 4 makers x 2 batteries x 10 kg
    assert all((c["value"] is None) == c["confidential"] for c in body["cells"])
    chile = cells[("extraction", str(YEAR), "CL")]
    assert chile["confidential"] and chile["value"] is None and chile["share"] is None
    assert api_client.get("/api/v1/oversight/tables/origins/", {"company": "x"}).status_code == 400
    assert api_client.get("/api/v1/oversight/tables/nothing/").status_code == 404
    assert api_client.get("/api/v1/oversight/enforcement/").status_code == 404
    logged = AuditEvent.objects.filter(action="oversight.read", details__view="api:table")
    assert logged.count() == 1 and logged.get().details["cube_version"] == build.version


def test_the_oversight_api_is_in_the_openapi_schema(client, operator):
    client.force_login(operator)
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/oversight/tables/{table}/" in schema


def test_authority_members_get_one_digest_of_new_alerts_by_count_only(inspector, admin_a, mailoutbox):
    from oversight.digest import send_digest
    from portal.notifications.models import Notification

    recycler, user = _recycler()
    transfer = _black_mass(user, recipient_name="Trader Secretname")
    alerts.flag_transfer(transfer)
    assert send_digest() == 1
    note = Notification.objects.get(recipient=inspector, event="oversight.alert_digest")
    assert note.url == "/oversight/alerts/" and "1" in note.title
    assert not Notification.objects.filter(recipient=admin_a, event="oversight.alert_digest").exists()
    assert send_digest() == 0  # each alert is digested once
    assert all("Secretname" not in mail.body and recycler.legal_name not in mail.body for mail in mailoutbox)


def test_a_company_records_a_transfer_in_the_browser_form_naming_the_recipient_by_identifier(client):
    organization, user, model = _maker(batteries=1)
    recycler, _recycler_user = _recycler()
    client.force_login(user)
    values = {
        "content": "battery",
        "passport": str(model.passports.get().public_id),
        "recipient": "nobody",
        "destination_country": "DE",
        "condition": "waste",
        "waste_code": "16 06 05",
        "treatment": "recycling",
        "shipped_on": TODAY.isoformat(),
        "lithium_based": "on",
    }
    refused = client.post("/end-of-life/transfers/new/", values)
    assert refused.status_code == 400 and "BPNL, corporate number or LEI" in refused.content.decode()
    assert not organization.transfers_sent.exists()
    done = client.post("/end-of-life/transfers/new/", {**values, "recipient": recycler.bpnl.lower()})
    assert done.status_code == 302
    transfer = organization.transfers_sent.get()
    assert transfer.recipient == recycler
    assert client.get(done["Location"]).status_code == 200
    # The recipient sees it among what it received; another company does not find it at all.
    other = member(Role.ADMIN, OrganizationFactory())
    client.force_login(other)
    assert client.get(done["Location"]).status_code == 404


def test_waste_to_an_eu_member_state_outside_the_oecd_is_an_intra_eu_shipment():
    _recycler_org, user = _recycler()
    transfer = _black_mass(user, mass_kg="800", recipient_name="Plovdiv smelter", destination_country="BG")
    assert alerts.flag_transfer(transfer) is None


def test_flows_and_concentration_pages_read_the_cube(client, inspector):
    for mine in ("Mine A", "Mine B", "Mine C"):
        _organization, _user, model = _maker(mines=(mine,))
        model.supply_chain.update(refiner_country="CN", refiner_processor=f"Refinery {mine}")
    build = _build()
    flows = _cells(build, table="flows", material="lithium", stage="@NON_OECD", period=str(YEAR), market="EU")
    assert flows["AU"].value == Decimal(60) and not flows["AU"].suppressed
    client.force_login(inspector)
    page = client.get("/oversight/materials/lithium/flows/", {"year": YEAR, "market": "EU"})
    assert page.status_code == 200 and "Australia" in page.content.decode()
    series = client.get("/oversight/materials/lithium/concentration/", {"market": "EU"})
    assert series.status_code == 200
    text = series.content.decode()
    assert "China: 100 %" in text  # processed in China only: a breach of the 65 % line, and the cell is safe
    assert client.get("/oversight/materials/lithium/concentration/", {"year": YEAR}).status_code == 400
    assert Alert.objects.filter(
        kind=AlertKind.CONCENTRATION_BREACH,
        material="lithium",
        stage="processing",
        market="EU",
        country="CN",
        share=100,
    ).exists()


def test_charts_merge_withheld_cells_into_one_bar_computed_from_published_figures_only():
    from oversight import charts, presentation, selectors
    from oversight.models import CubeBuild

    build = CubeBuild(pk=1, year=YEAR)
    year = str(YEAR)

    def row(category, value, suppressed=False):
        cell = CubeCell(
            period=year,
            category=category,
            suppressed=suppressed,
            value=None if suppressed else Decimal(value),
        )
        return selectors.Row(category, {year: cell})

    slice_ = selectors.Slice(
        build,
        "origins",
        "lithium",
        "extraction",
        "EU",
        [year],
        [row("AU", 600), row("CL", 0, True), row("AR", 0, True), row("TOTAL", 1000)],
    )
    data = charts.chart_data(slice_, "t", label=presentation.category_name)
    assert data.bars == [("Australia", 600.0)] and data.other == 400.0
    # Without a published total there is no chart at all (the rest could not be told from the table).
    withheld_total = selectors.Slice(
        build,
        "origins",
        "lithium",
        "extraction",
        "EU",
        [year],
        [row("AU", 600), row("CL", 0, True), row("TOTAL", 0, True)],
    )
    assert charts.chart_data(withheld_total, "t", label=presentation.category_name) is None


def test_withheld_cells_are_marked_c_in_english_and_german_and_x_in_japanese(client, inspector):
    from django.utils import translation

    from oversight.presentation import confidential_mark

    for language, mark in (("en", ":c"), ("de", ":c"), ("ja", "x")):
        with translation.override(language):
            assert confidential_mark() == mark
    group = CorporateGroup.objects.create(name="Alone")
    _maker(mines=("Salar",), origins=("CL",), group=group)
    _build()
    inspector.preferred_language = "ja"
    inspector.save()
    client.force_login(inspector)
    page = client.get("/oversight/materials/lithium/", {"year": YEAR}).content.decode()
    assert '<td class="num">x</td>' in page and '<td class="num">:c</td>' not in page
