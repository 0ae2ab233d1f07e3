"""The passport journey in a real browser (issue 3).

`eu-maker` (admin of an economic operator in the demo world) fills the battery model's steps, among them
inline rows (a carbon footprint per manufacturing site, a critical raw material) and the confidential
supply chain, creates a passport, fills its steps, reads the completeness panel and the review page,
publishes and grants `supplier` legitimate-interest access on the sharing page. `supplier` then sees the
legitimate-interest values but none of the supply chain, and an anonymous visitor opens the public page
of the QR code in Japanese and sees the public values only. Every step of eu-maker's is a click or a
keystroke, but one: the publication gate refuses the passport first, eu-maker follows a link of the
completeness box and fills that attribute, and the thirty-odd other mandatory values are then given
through the service (`tests.passports.completion.fill_missing`) rather than typed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from passports.catalogue import attribute
from passports.models import Passport, PassportVersion, SupplyChainEntry, VersionState
from portal.tenancy.demo import load_demo_world
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import UNLABELLED_CONTROLS
from tests.passports.completion import fill_missing

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

MODEL_NAME = "Journey EP-60 NMC traction pack"
PART_ID = "JRN-EP60-NMC"
IDENTIFIER = "JRN-EP60-00042"
PLANT = "BPNA00000000E1X5"  # syntactically valid BPNA (check characters are not part of the format)
# Markers: each value is unique, so its presence or absence on a page proves who sees what.
SUPPLIER_NAME = "Ostrava Journey Lithium s.r.o."
PROCUREMENT_AMOUNT = "4321.75"
CATHODE = "JOURNEY-CATHODE NMC 811 on aluminium foil"  # legitimate interest
SELF_DISCHARGE = "2.75"  # legitimate interest, battery level
IN_SERVICE = "2026-06-20"  # legitimate interest
MANUFACTURER = "Elektra Batteriewerk GmbH (journey)"  # public
CHEMISTRY = "Lithium nickel manganese cobalt oxide (NMC 811)"  # public
MINE = "Greenbushes journey pit, Western Australia"  # confidential, like the supplier and the amount


def _ja_catalog_compiled() -> bool:
    return (Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.mo").exists()


def _use_english(page: Page) -> None:
    """Demo users keep their own language (eu-maker: German): the journey reads English labels."""
    if page.locator("html").get_attribute("lang") == "en":
        return
    page.locator("select#language-select").select_option("en")
    html = page.locator("html")
    try:
        expect(html).to_have_attribute("lang", "en", timeout=3_000)
    except AssertionError:
        with page.expect_navigation():
            page.locator("form:has(select#language-select) [type=submit]").click()
    expect(html).to_have_attribute("lang", "en")


def _assert_labelled(page: Page) -> None:
    assert page.evaluate(UNLABELLED_CONTROLS) == []


def _assert_fits_the_window(page: Page) -> None:
    """Wide row tables scroll inside their box; the page itself never scrolls sideways."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _save_and_continue(page: Page, expected_step: str) -> None:
    _assert_labelled(page)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Save and (continue|finish)$")).click()
    expect(page.locator(".form-errors")).to_have_count(0)
    if expected_step:
        expect(page.get_by_role("heading", level=2, name=expected_step)).to_be_visible()


def _fill_battery_model(page: Page) -> str:
    page.goto("/passports/models/")
    page.get_by_role("link", name="New battery model").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New battery model")

    # Step 1: general and manufacturer information (units shown next to the inputs).
    page.get_by_label("Battery category").select_option("ev")
    page.get_by_label("Battery model name").fill(MODEL_NAME)
    page.get_by_label("Model identifier (manufacturer part ID)").fill(PART_ID)
    page.get_by_label("Manufacturer name").fill(MANUFACTURER)
    page.get_by_label("Manufacturer postal address").fill("Industriestraße 12\n38440 Wolfsburg\nGermany")
    page.get_by_label("Weight", exact=True).fill("412.5")
    page.get_by_label("Weight unit").select_option("unit:kilogram")
    _save_and_continue(page, "Symbols, labels and conformity")
    expect(page.get_by_text("Battery model created as a draft.")).to_be_visible()
    model_url = page.url

    # Step 2: a document row (title, type, link).
    declaration = page.locator("#rows-eu_declaration_of_conformity")
    declaration.get_by_label("Title, row 1").fill("EU declaration of conformity")
    declaration.get_by_label("Content type, row 1").fill("URL")
    declaration.get_by_label("Link (URL), row 1").fill("https://elektra-batteriewerk.example/journey/doc.pdf")
    _save_and_continue(page, "Carbon footprint")

    # Step 3: the carbon footprint of one manufacturing site (an inline row).
    rows = page.locator("#rows-carbon_footprint")
    rows.get_by_label("Life-cycle stage, row 1").select_option("total")
    rows.get_by_label("Impact category, row 1").select_option("Climate Change Total")
    rows.get_by_label(re.compile(r"^Value, row 1")).fill("61.4")
    rows.get_by_label("Manufacturing plants (BPNA), row 1").fill(PLANT)
    rows.get_by_label("Public carbon footprint study, row 1").fill(
        "https://elektra-batteriewerk.example/journey/cfp-study.pdf"
    )
    _save_and_continue(page, "Supply chain due diligence")
    _save_and_continue(page, "Materials and composition")

    # Step 5: materials, with a critical raw material row and the legitimate-interest composition.
    page.get_by_label("Battery chemistry").fill(CHEMISTRY)
    materials = page.locator("#rows-critical_raw_materials")
    materials.get_by_label("Material, row 1").fill("Cobalt")
    materials.get_by_label("CAS number, row 1").fill("7440-48-4")
    materials.get_by_label(re.compile(r"^Share by weight, row 1")).fill("4.2")
    # A yes/no question left alone stays unanswered (it is not stored, let alone published, as "No").
    page.get_by_label("Cobalt: critical raw material").select_option(label="Yes")
    page.get_by_label("Cathode materials").fill(CATHODE)
    _save_and_continue(page, "Circularity and resource efficiency")
    _save_and_continue(page, "Performance and durability")

    # Step 7: performance, with units next to the inputs.
    expect(page.locator(".field:has(#id_rated_capacity) .unit")).to_have_text("Ah")
    page.get_by_label(re.compile(r"^Rated capacity")).first.fill("180")
    page.get_by_label(re.compile(r"^Rated energy")).first.fill("64.8")
    page.get_by_label(re.compile(r"^Nominal voltage")).fill("360")
    _save_and_continue(page, "")

    # Step 8: the confidential supply chain, one row with a unique supplier.
    expect(
        page.get_by_role("heading", level=2, name=re.compile("Supply chain \\(confidential\\)"))
    ).to_be_visible()
    chain = page.locator("#rows-supply_chain")
    chain.get_by_label("Material, row 1").select_option("lithium")
    chain.get_by_label("Country of origin, row 1").select_option("AU")
    chain.get_by_label("Mine or extraction site, row 1").fill(MINE)
    chain.get_by_label("Supplier, row 1").fill(SUPPLIER_NAME)
    chain.get_by_label("Procurement amount, row 1").fill(PROCUREMENT_AMOUNT)
    chain.get_by_label("Unit, row 1").select_option("t")
    chain.get_by_label("Procurement period from, row 1").fill("2026-01-01")
    chain.get_by_label("Procurement period to, row 1").fill("2026-06-30")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and finish").click()
    expect(page.get_by_text("Supply chain saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Battery model {MODEL_NAME}")
    return model_url


def _create_passport(page: Page) -> str:
    page.get_by_role("link", name="New passport of this model").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New battery passport")
    page.get_by_label("Unique battery identifier").fill(IDENTIFIER)
    serials = page.locator("#rows-serial_identifiers")
    serials.get_by_label("Key, row 1").fill("partInstanceId")
    serials.get_by_label("Serial number, row 1").fill(f"SN-{IDENTIFIER}")
    page.get_by_label("Date of manufacture").fill("2026-03-12")
    page.get_by_label("Place of manufacture").fill("Salzgitter")
    page.get_by_label("Country of manufacture").select_option("DE")
    page.get_by_label("Date put into service").fill(IN_SERVICE)
    _save_and_continue(page, "Performance and durability")
    expect(page.get_by_text("Passport created as a draft.")).to_be_visible()
    page.get_by_label(re.compile(r"^Self-discharge rate")).fill(SELF_DISCHARGE)
    with page.expect_navigation(url=re.compile(r"/passports/[0-9a-f-]{36}/$")):
        page.get_by_role("button", name="Save and finish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Battery passport {IDENTIFIER}")
    return re.search(r"/passports/([0-9a-f-]{36})/$", page.url).group(1)


def _review_and_publish(page: Page) -> None:
    # The completeness panel on the passport page, checked against the rules of the obligation date.
    panel = page.locator("section.completeness")
    expect(panel.get_by_role("heading", name="Completeness")).to_be_visible()
    expect(panel).to_contain_text("Batteries of this category need a battery passport.")
    expect(panel.get_by_role("heading", name=re.compile(r"mandatory attributes? missing"))).to_be_visible()
    expect(panel.get_by_role("link", name="EU declaration of conformity number")).to_be_visible()

    page.get_by_role("link", name="Review and publish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review passport {IDENTIFIER}")
    expect(page.locator("section.completeness")).to_be_visible()
    expect(page.get_by_text(CATHODE)).to_be_visible()
    values = page.locator("dl.passport-values")
    expect(values.locator("dt").filter(has_text="Cobalt: critical raw material")).to_have_count(1)
    expect(values.locator("dt").filter(has_text="Lithium: critical raw material")).to_have_count(0)
    expect(values.locator("dd").filter(has_text="EU declaration of conformity")).to_have_text(
        "EU declaration of conformity (URL)"
    )
    address = values.locator("dd").filter(has_text="Industriestraße 12")
    expect(address.locator("br")).to_have_count(2)  # the address keeps its lines
    _assert_fits_the_window(page)
    supply = page.locator("section.confidential-box")
    expect(supply).to_contain_text(SUPPLIER_NAME)  # the owner sees its own supply chain
    expect(supply).to_contain_text("Not part of the published passport")

    # The publication gate: what is mandatory on the obligation day is missing, so nothing is published;
    # the owner is told how much, and the completeness box links each attribute to its step.
    page.once("dialog", lambda dialog: dialog.accept())  # "Publish this version?"
    with page.expect_navigation(url=re.compile(r"/passports/[0-9a-f-]{36}/review/$")):
        page.get_by_role("button", name="Publish this version").click()
    expect(page.get_by_text("The passport was not published:")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^\d+ mandatory attributes have no value"))).to_be_visible()
    assert not PassportVersion.objects.filter(passport__unique_identifier=IDENTIFIER, state="published")
    _assert_fits_the_window(page)

    # Following one link opens the step with that attribute; the number is typed there.
    page.locator("section.completeness").get_by_role(
        "link", name="EU declaration of conformity number"
    ).click()
    page.get_by_label("EU declaration of conformity number").fill("DoC-EP-JOURNEY-1")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Save and (continue|finish)$")).click()
    expect(page.locator(".form-errors")).to_have_count(0)

    # The remaining thirty-odd values would be typed the same way; they come from the demo pack here.
    passport = Passport.objects.get(unique_identifier=IDENTIFIER)
    fill_missing(passport.organization.memberships.get(user__username="eu-maker").user, passport)
    page.goto(f"/passports/{passport.public_id}/review/")
    expect(page.locator("section.completeness").get_by_text("Complete", exact=True)).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation(url=re.compile(r"/passports/[0-9a-f-]{36}/$")):
        page.get_by_role("button", name="Publish this version").click()
    expect(page.get_by_text("Version 1 published.")).to_be_visible()
    expect(page.get_by_role("link", name="Open the public passport page")).to_be_visible()


def _grant_supplier(page: Page) -> None:
    page.get_by_role("link", name="Sharing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sharing of passport {IDENTIFIER}")
    expect(page.get_by_text("No other organization has access.")).to_be_visible()
    page.get_by_label("Organization name or identifier").fill("BPNL00000000SPU7")  # the supplier's BPNL
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    result = page.locator("li.result-row").filter(has_text="Nordic Cathode Materials Oy")
    expect(result).to_have_count(1)
    with page.expect_navigation():
        result.get_by_role("button", name=re.compile(r"^Give access")).click()
    expect(
        page.get_by_text("Nordic Cathode Materials Oy now has legitimate-interest access.")
    ).to_be_visible()
    grantees = page.locator("section[aria-labelledby=grantees-title]")
    expect(grantees.get_by_role("rowheader", name=re.compile("Nordic Cathode Materials Oy"))).to_be_visible()


def _assert_no_supply_chain(page: Page) -> None:
    content = page.content()
    # The amount in any notation a page could print it (stored as 4321.750; English, German grouping).
    for marker in (SUPPLIER_NAME, MINE, "4321.75", "4,321.75", "4321,75", "4.321,75"):
        assert marker not in content, marker
    expect(page.get_by_text("Supply chain (confidential)")).to_have_count(0)


def _label(key: str, language: str) -> str:
    with translation.override(language):
        return str(attribute(key).label)


def test_maker_publishes_and_shares_supplier_reads_and_the_public_page_speaks_japanese(
    new_page, browser: Browser, live_server
):
    load_demo_world()

    # (1) eu-maker fills the battery model, creates and fills a passport, reviews, publishes, shares.
    maker = new_page()
    log_in(maker, "eu-maker")
    _use_english(maker)
    _fill_battery_model(maker)
    passport_id = _create_passport(maker)
    _review_and_publish(maker)
    _grant_supplier(maker)

    passport = Passport.objects.get(public_id=passport_id)
    assert passport.unique_identifier == IDENTIFIER
    assert passport.organization.legal_name == "Elektra Batteriewerk GmbH"
    [version] = passport.versions.all()
    assert version.state == VersionState.PUBLISHED
    assert version.data["cathode_composition"] == CATHODE
    assert version.data["carbon_footprint"][0]["manufacturing_plants"] == [PLANT]
    assert version.data["critical_raw_materials"][0]["cas_number"] == "7440-48-4"
    [entry] = SupplyChainEntry.objects.filter(battery_model=passport.battery_model)
    assert entry.supplier_name == SUPPLIER_NAME and entry.procurement_amount == Decimal(PROCUREMENT_AMOUNT)

    # (2) supplier finds the shared passport in its list: legitimate-interest values, no supply chain.
    supplier = new_page()
    log_in(supplier, "supplier")
    _use_english(supplier)
    supplier.get_by_role("navigation", name="Main").get_by_role("link", name="Battery passports").click()
    shared = supplier.get_by_role("row").filter(has_text=IDENTIFIER)
    expect(shared).to_contain_text("Shared with your organization")
    shared.get_by_role("link", name=IDENTIFIER).click()
    expect(supplier.get_by_role("heading", level=1)).to_have_text(f"Battery passport {IDENTIFIER}")
    expect(supplier.get_by_text(CATHODE)).to_be_visible()  # legitimate interest: model level
    expect(supplier.get_by_role("definition").filter(has_text=SELF_DISCHARGE)).to_have_count(1)
    put_into_service = supplier.locator("dt").filter(has_text="Date put into service")
    expect(put_into_service).to_have_count(1)
    expect(supplier.locator("dd").filter(has_text=IN_SERVICE)).to_have_count(1)
    expect(supplier.get_by_text(MANUFACTURER).first).to_be_visible()  # public
    _assert_no_supply_chain(supplier)
    _assert_fits_the_window(supplier)
    expect(supplier.get_by_role("link", name="Review")).to_have_count(0)
    expect(supplier.get_by_role("link", name="Sharing")).to_have_count(0)
    response = supplier.goto(f"/passports/models/{passport.battery_model.public_id}/edit/supply_chain/")
    assert response is not None and response.status == 404
    _assert_no_supply_chain(supplier)

    # (3) An anonymous visitor opens the QR page in Japanese: Japanese labels, public values only.
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", extra_http_headers={
        "Accept-Language": "ja,en;q=0.5"})  # fmt: skip
    try:
        visitor = context.new_page()
        response = visitor.goto(f"/p/{passport_id}/")
        assert response is not None and response.status == 200
        expect(visitor.locator("html")).to_have_attribute("lang", "ja")
        expect(visitor.get_by_role("heading", level=1)).to_have_text(MODEL_NAME)
        if _ja_catalog_compiled():
            expect(visitor.get_by_text("EUバッテリーパスポート")).to_be_visible()
            expect(visitor.locator("dt").filter(has_text="製造者名").first).to_be_visible()
            expect(visitor.get_by_text("EU battery passport", exact=True)).to_have_count(0)
            assert _label("manufacturer_name", "ja") == "製造者名"
        terms = visitor.locator("dt")
        for key in ("manufacturer_name", "chemistry", "rated_capacity"):
            expect(terms.filter(has_text=_label(key, "ja")).first).to_be_visible()
        expect(visitor.get_by_text(MANUFACTURER).first).to_be_visible()
        expect(visitor.get_by_text(CHEMISTRY).first).to_be_visible()
        # Legitimate-interest attributes: neither their labels (in either language) nor their values.
        for key in ("cathode_composition", "put_into_service_date", "self_discharge_rate", "battery_status"):
            for language in ("ja", "en"):
                expect(terms.filter(has_text=_label(key, language))).to_have_count(0)
        _assert_no_supply_chain(visitor)
        assert CATHODE not in visitor.content()
    finally:
        context.close()
