"""The certification journey in a real browser (issue 4).

In the demo world (`manage.py load_demo`), `jp-maker` applies under the Ouranos scheme through the pages:
scheme, body, scope (battery model and site), an answer to every criterion, a PDF as evidence, the signed
declaration. `certifier-jp` (lead of the Japan Battery Assurance Institute) assigns the application to
herself, reads the criteria beside the answers and the confidential supply chain of the battery model in
scope, records every verdict of the round with one form (a note missing on the criterion not met is shown
on that criterion and nothing is saved until it is given) and requests changes; `jp-maker` reads the
message, edits an answer and resubmits; `certifier-jp` records the second round's verdicts and approves.
`jp-maker` then holds the new Ouranos certificate and the Catena-X certificate recognised from it,
`regulator` finds both in the certificate list, and the supply chain is gone from `certifier-jp`'s pages
once the review has closed. The workspace stays short (the passport data folded) and fits a phone.

jp-maker keeps Japanese (its preferred language), so its pages are driven by ids, names and the user's own
values; certifier-jp switches to English with the header switcher. Every step is a click or a keystroke.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from certification.demo import BODY_JP, JP_MAKER
from certification.initial_schemes import OURANOS
from certification.models import Application, ApplicationState, Certificate, CertificateStatus
from passports.demo import JP_SUPPLY_CHAIN
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import UNLABELLED_CONTROLS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

SCHEME = OURANOS["code"]
CRITERIA = [criterion[0] for criterion in OURANOS["criteria"]]
CHANGED = "OU-DD-02"  # the criterion the reviewer sends back in round 1
MODEL_NAME = "Sakura SD-60 LFP blade pack"
SITE_NAME = "Himeji Cell Plant"
SUPPLIER = JP_SUPPLY_CHAIN[0]["supplier_name"]
EVIDENCE_NAME = "ou-cfp-01-calculation-report.pdf"
# Markers: unique texts whose presence on the other side's pages proves what travels where.
CHANGES_MESSAGE = "Please attach the third-party verification report of the risk assessment (journey)."
VERDICT_NOTE = "The verification report is missing (journey)."
NEW_ANSWER = "Risk assessment 2026 verified by Kansai Assurance LLC, report JRN-2026-17 attached (journey)."
RESUBMIT_MESSAGE = "The verification report JRN-2026-17 is now referenced under OU-DD-02 (journey)."
CONDITIONS = "Journey condition: re-verify the carbon footprint at every change of cell supplier."

# The smallest file the upload check accepts as a PDF (it reads the magic bytes, not the name).
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
)


def _ja_catalog_compiled() -> bool:
    return (Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.mo").exists()


def _in(language: str, text: str, **values: str) -> str:
    """A UI string as the pages print it in `language` (translated or not, the test stays true)."""
    with translation.override(language):
        translated = gettext(text)
    return translated % values if values else translated


def _state(language: str, state: ApplicationState) -> str:
    with translation.override(language):
        return str(state.label)


def _use_english(page: Page) -> None:
    page.locator("select#language-select").select_option("en")
    html = page.locator("html")
    try:
        expect(html).to_have_attribute("lang", "en", timeout=3_000)
    except AssertionError:
        with page.expect_navigation():
            page.locator("form:has(select#language-select) [type=submit]").click()
    expect(html).to_have_attribute("lang", "en")


def _assert_sound(page: Page) -> None:
    """Every control labelled, one page heading, and the page never scrolls sideways."""
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    expect(page.locator("h1")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _assert_cards_padded(page: Page) -> None:
    """The criteria are cards: their text keeps clear of the card's border, and cards do not touch."""
    cards = page.locator("li.criterion.card")
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    heading = cards.nth(0).locator("h3").bounding_box()
    assert first and second and heading
    assert heading["x"] - first["x"] >= 8, (first, heading)
    assert second["y"] - (first["y"] + first["height"]) >= 8, (first, second)


def _no_errors(page: Page) -> None:
    expect(page.locator(".form-errors")).to_have_count(0)
    expect(page.locator(".message-error")).to_have_count(0)


# ---- jp-maker ---------------------------------------------------------------------------------------
def _apply(maker: Page) -> str:
    """Choose the scheme, body and scope; returns the application's public id."""
    nav_link = maker.locator("nav.main-nav a[href$='/certification/applications/']")
    expect(nav_link).to_have_text(_in("ja", "Certification"))
    with maker.expect_navigation(url=re.compile(r"/certification/applications/$")):
        nav_link.click()
    expect(maker.locator("html")).to_have_attribute("lang", "ja")
    expect(maker.get_by_role("heading", level=1)).to_have_text(_in("ja", "Certification applications"))
    _assert_sound(maker)
    maker.locator("a[href$='/certification/applications/new/']").first.click()
    expect(maker.get_by_role("heading", level=1)).to_have_text(_in("ja", "Apply for certification"))
    scheme_card = maker.locator(f"section[aria-labelledby='scheme-{SCHEME}']")
    # The scheme's criteria are shown in Japanese: the criterion's own translation, not the UI catalogue.
    first_ja = OURANOS["criteria"][0][2]
    expect(scheme_card.get_by_text(first_ja)).to_have_count(1)
    with maker.expect_navigation(url=re.compile(rf"\?scheme={SCHEME}$")):
        scheme_card.locator(f"a[href$='?scheme={SCHEME}']").click()
    _assert_sound(maker)

    body = maker.locator("#id_body")
    value = body.locator("option", has_text=BODY_JP).get_attribute("value")
    body.select_option(value)
    maker.locator("#id_battery_models").get_by_label(re.compile(re.escape(MODEL_NAME))).check()
    maker.locator("#id_sites").get_by_label(re.compile(re.escape(SITE_NAME))).check()
    with maker.expect_navigation(url=re.compile(r"/self-assessment/$")):
        maker.locator("form.stacked-form button[type=submit]").click()
    return re.search(r"/applications/([0-9a-f-]{36})/self-assessment/$", maker.url).group(1)


def _answer_and_submit(maker: Page, application_id: str) -> None:
    _assert_sound(maker)
    _assert_cards_padded(maker)
    # The criteria in the applicant's language, each with its answer field.
    expect(maker.get_by_text(OURANOS["criteria"][2][2])).to_be_visible()
    for code, *_rest in OURANOS["criteria"]:
        maker.locator(f"#id_answer_{code}").fill(
            f"{code}: see the attached documents, data room section {code}."
        )
    maker.locator(f"#id_evidence_{CRITERIA[0]}").set_input_files(
        {"name": EVIDENCE_NAME, "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    with maker.expect_navigation(url=re.compile(r"/submit/$")):
        maker.locator("button[name=go][value=declare]").click()
    _no_errors(maker)
    _assert_sound(maker)
    expect(maker.locator(".notice-warning")).to_have_count(0)  # nothing mandatory left unanswered
    expect(maker.locator("#scope-title + dl")).to_contain_text(MODEL_NAME)
    expect(maker.locator("#scope-title + dl")).to_contain_text(SITE_NAME)

    maker.locator("#id_declaration_name").fill("Haruto Sato")
    maker.locator("#id_confirm").check()
    with maker.expect_navigation(url=re.compile(rf"/applications/{application_id}/$")):
        maker.locator(f"form[action$='/{application_id}/submit/'] button[type=submit]").click()
    _no_errors(maker)
    expect(maker.locator(".page-header .badge")).to_have_text(_state("ja", ApplicationState.SUBMITTED))
    # The evidence is listed with the criterion it supports.
    expect(maker.locator(f"#criterion-{CRITERIA[0]}").get_by_role("link", name=EVIDENCE_NAME)).to_be_visible()


def _resubmit(maker: Page, application_id: str) -> None:
    maker.goto("/certification/applications/")
    row = maker.get_by_role("row").filter(has=maker.locator(f"a[href$='/{application_id}/']"))
    expect(row).to_contain_text(_state("ja", ApplicationState.CHANGES_REQUESTED))
    with maker.expect_navigation(url=re.compile(rf"/{application_id}/$")):
        row.locator(f"a[href$='/{application_id}/']").click()
    changes = maker.locator("section[aria-labelledby=changes-title]")
    expect(changes).to_contain_text(CHANGES_MESSAGE)
    expect(maker.locator(f"#criterion-{CHANGED}")).to_contain_text(VERDICT_NOTE)

    with maker.expect_navigation(url=re.compile(r"/self-assessment/$")):
        maker.locator(f"a[href$='/{application_id}/self-assessment/']").first.click()
    _assert_sound(maker)
    expect(maker.locator("section[aria-labelledby=changes-title]")).to_contain_text(CHANGES_MESSAGE)
    maker.locator(f"#id_answer_{CHANGED}").fill(NEW_ANSWER)
    with maker.expect_navigation(url=re.compile(r"/submit/$")):
        maker.locator("button[name=go][value=declare]").click()
    _no_errors(maker)
    _assert_sound(maker)
    expect(maker.locator("section[aria-labelledby=changes-title]")).to_contain_text(VERDICT_NOTE)
    maker.locator("#id_declaration_name").fill("Haruto Sato")
    maker.locator("#id_confirm").check()
    maker.locator("#id_message").fill(RESUBMIT_MESSAGE)
    with maker.expect_navigation(url=re.compile(rf"/applications/{application_id}/$")):
        maker.locator(f"form[action$='/{application_id}/submit/'] button[type=submit]").click()
    _no_errors(maker)
    expect(maker.locator(f"#criterion-{CHANGED}")).to_contain_text(NEW_ANSWER)


# ---- certifier-jp -----------------------------------------------------------------------------------
def _assign_to_herself(certifier: Page, application_id: str) -> None:
    certifier.get_by_role("link", name="Review queue").first.click()
    expect(certifier.get_by_role("heading", level=1)).to_have_text("Review queue")
    _assert_sound(certifier)
    row = certifier.get_by_role("row").filter(has=certifier.locator(f"a[href$='/{application_id}/']"))
    expect(row).to_contain_text(JP_MAKER)
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text("Not assigned")
    with certifier.expect_navigation(url=re.compile(rf"/{application_id}/#assign$")):
        row.get_by_role("link", name="Assign").click()
    _assert_sound(certifier)
    certifier.get_by_label("Reviewer", exact=True).select_option(label="Yui Tanaka")
    with certifier.expect_navigation(url=re.compile(rf"/{application_id}/$")):
        certifier.locator("#assign").get_by_role("button", name="Assign").click()
    expect(certifier.get_by_text("Yui Tanaka reviews this application.")).to_be_visible()
    with certifier.expect_navigation(url=re.compile(rf"/{application_id}/review/$")):
        certifier.get_by_role("link", name="Review workspace").click()


def _progress(done: int) -> str:
    return f"{done} of {len(CRITERIA)} criteria {'has' if done == 1 else 'have'} a verdict of this round."


def _assert_progress(certifier: Page, done: int) -> None:
    """The round's progress, near the top and again by the decision buttons."""
    for where in ("#progress", "#decision-progress"):
        expect(certifier.locator(where)).to_contain_text(_progress(done))


def _fill_verdicts(certifier: Page, verdicts: dict[str, tuple[str, str]]) -> None:
    for code, (value, notes) in verdicts.items():
        criterion = certifier.locator(f"#criterion-{code}")
        criterion.locator(f"input[name='verdict-{code}-value'][value='{value}']").check()
        criterion.get_by_label(re.compile(r"^Notes")).fill(notes)


def _save_verdicts(certifier: Page, saved: int) -> None:
    """The one submit of the workspace's verdict form."""
    with certifier.expect_navigation(url=re.compile(r"/review/$")):
        certifier.locator("#verdicts-form").get_by_role("button", name="Save verdicts").click()
    _no_errors(certifier)
    expect(certifier.get_by_text(f"{saved} verdicts saved.")).to_be_visible()
    _assert_progress(certifier, len(CRITERIA))


def _review_round_1(certifier: Page) -> None:
    expect(certifier.get_by_role("heading", level=1)).to_have_text(f"Review of {JP_MAKER}")
    _assert_sound(certifier)
    _assert_cards_padded(certifier)
    # Each criterion beside the applicant's answer and evidence.
    for code in CRITERIA:
        criterion = certifier.locator(f"#criterion-{code}")
        expect(criterion.locator("p.answer")).to_contain_text(f"data room section {code}")
    expect(
        certifier.locator(f"#criterion-{CRITERIA[0]}").get_by_role("link", name=EVIDENCE_NAME)
    ).to_be_visible()
    # The confidential supply chain of the battery model in scope (need to know, while the review is open),
    # folded under the model's name so that the page stays short.
    data = certifier.locator("section[aria-labelledby=passport-data-title]")
    model = data.get_by_role("heading", name=re.compile(re.escape(MODEL_NAME)))
    expect(model).to_be_visible()
    supply = data.locator("section.confidential-box")
    expect(supply).to_contain_text(SUPPLIER)
    supply_heading = supply.get_by_role("heading", name=re.compile(r"Supply chain \(confidential\)"))
    expect(supply_heading).to_be_hidden()
    _assert_compact(certifier)
    model.click()
    expect(supply_heading).to_be_visible()
    _assert_progress(certifier, 0)

    # Every verdict in one form: the note of the criterion not met is forgotten, so nothing is saved and
    # the error stands on that criterion; with the note, one submit saves them all.
    verdicts = {code: ("met", "") for code in CRITERIA}
    verdicts[CHANGED] = ("not_met", "")
    _fill_verdicts(certifier, verdicts)
    with certifier.expect_navigation(url=re.compile(r"/review/verdicts/$")):
        certifier.locator("#verdicts-form").get_by_role("button", name="Save verdicts").click()
    expect(certifier.locator(".form-errors")).to_contain_text("No verdict was saved.")
    expect(certifier.locator(f"#criterion-{CHANGED} .field-error")).to_have_text(
        "Say why the criterion is not met."
    )
    expect(certifier.locator(".field-error")).to_have_count(1)
    assert not Application.objects.get(public_id=_application_id(certifier)).verdicts.exists()
    _assert_progress(certifier, 0)
    # What was chosen is kept: only the note is added.
    expect(certifier.locator(f"input[name='verdict-{CRITERIA[0]}-value'][value='met']")).to_be_checked()
    certifier.locator(f"#criterion-{CHANGED}").get_by_label(re.compile(r"^Notes")).fill(VERDICT_NOTE)
    _save_verdicts(certifier, len(CRITERIA))
    expect(certifier.locator(f"#criterion-{CHANGED}")).to_contain_text(VERDICT_NOTE)
    expect(certifier.locator(f"input[name='verdict-{CHANGED}-value'][value='not_met']")).to_be_checked()
    expect(certifier.locator("#decision-title ~ .notice-warning")).to_contain_text(CHANGED)

    certifier.locator("#request-changes").get_by_label("What the applicant must change").fill(CHANGES_MESSAGE)
    with certifier.expect_navigation(url=re.compile(r"/applications/[0-9a-f-]{36}/$")):
        certifier.locator("#request-changes").get_by_role("button", name="Request changes").click()
    expect(certifier.get_by_text(f"Changes requested from {JP_MAKER}.")).to_be_visible()


def _review_round_2_and_approve(certifier: Page, application_id: str) -> None:
    certifier.get_by_role("link", name="Review queue").first.click()
    row = certifier.get_by_role("row").filter(has=certifier.locator(f"a[href$='/{application_id}/']"))
    expect(row).to_contain_text("In review")
    expect(row).to_contain_text("round 2")
    row.get_by_role("link", name=JP_MAKER).click()
    with certifier.expect_navigation(url=re.compile(rf"/{application_id}/review/$")):
        certifier.get_by_role("link", name="Review workspace").click()
    _assert_sound(certifier)
    expect(certifier.locator("section[aria-labelledby=facts-title]")).to_contain_text(RESUBMIT_MESSAGE)
    expect(certifier.locator(f"#criterion-{CHANGED} p.answer")).to_have_text(NEW_ANSWER)
    expect(certifier.locator("section.confidential-box")).to_contain_text(SUPPLIER)
    # Every criterion needs a verdict of this round before approval; round 1's are not pre-filled.
    expect(certifier.locator("#decision-title ~ .notice-warning")).to_contain_text(CRITERIA[0])
    _assert_progress(certifier, 0)
    expect(certifier.locator(f"input[name='verdict-{CHANGED}-value']:checked")).to_have_count(0)

    _fill_verdicts(certifier, {code: ("met", "") for code in CRITERIA})
    _save_verdicts(certifier, len(CRITERIA))
    expect(certifier.locator("#decision-title ~ .notice-warning")).to_have_count(0)
    approve = certifier.locator("#approve")
    approve.get_by_label("Conditions of the certificate").fill(CONDITIONS)
    with certifier.expect_navigation(url=re.compile(rf"/{application_id}/$")):
        approve.get_by_role("button", name="Approve").click()
    expect(
        certifier.get_by_text(re.compile(r"^Approved: certificate OUR-JBAI-\d{4}-\d{6} issued\.$"))
    ).to_be_visible()


def _application_id(page: Page) -> str:
    return re.search(r"/applications/([0-9a-f-]{36})/", page.url).group(1)


def _assert_compact(certifier: Page) -> None:
    """The workspace needs no long scrolling (it was some 24,000 px with the passport data unfolded) and
    fits a 390 px phone without sideways scrolling."""
    height = certifier.evaluate("document.documentElement.scrollHeight")
    assert height < 2_000 + 800 * len(CRITERIA), height
    certifier.set_viewport_size({"width": 390, "height": 844})
    try:
        assert certifier.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        certifier.set_viewport_size({"width": 1280, "height": 900})


def _assert_no_supply_chain(page: Page) -> None:
    assert SUPPLIER not in page.content()
    for entry in JP_SUPPLY_CHAIN:
        assert entry["supplier_name"] not in page.content()
    expect(page.locator("section.confidential-box")).to_have_count(0)


# ---- the journey ------------------------------------------------------------------------------------
def test_jp_maker_is_certified_under_ouranos_and_recognised_under_catena_x(new_page):
    call_command("load_demo", stdout=io.StringIO())
    demo_numbers = set(Certificate.objects.values_list("number", flat=True))

    # (1) jp-maker applies in Japanese: scheme, body, scope, every answer, a PDF, the declaration.
    maker = new_page()
    log_in(maker, "jp-maker")
    expect(maker.locator("html")).to_have_attribute("lang", "ja")
    if _ja_catalog_compiled():
        expect(maker.get_by_role("link", name="認証", exact=True)).to_be_visible()
    application_id = _apply(maker)
    _answer_and_submit(maker, application_id)
    application = Application.objects.get(public_id=application_id)
    assert application.state == ApplicationState.SUBMITTED
    assert application.body.legal_name == BODY_JP
    assert [m.name for m in application.battery_models.all()] == [MODEL_NAME]
    assert [s.name for s in application.sites.all()] == [SITE_NAME]
    assert application.declaration_name == "Haruto Sato"
    [evidence] = application.evidence.all()
    assert evidence.file_name == EVIDENCE_NAME and evidence.criterion.code == CRITERIA[0]

    # (2) certifier-jp assigns the application to herself, reviews and requests changes.
    certifier = new_page()
    log_in(certifier, "certifier-jp")
    _use_english(certifier)
    _assign_to_herself(certifier, application_id)
    _review_round_1(certifier)
    application.refresh_from_db()
    assert application.state == ApplicationState.CHANGES_REQUESTED
    assert application.reviewer.username == "certifier-jp"

    # (3) jp-maker reads the message, changes the answer and resubmits.
    _resubmit(maker, application_id)
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW and application.round == 2
    assert application.answers.get(criterion__code=CHANGED).text == NEW_ANSWER

    # (4) certifier-jp records the second round's verdicts and approves.
    _review_round_2_and_approve(certifier, application_id)
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    origin = Certificate.objects.get(application=application, origin__isnull=True)
    [recognised] = Certificate.objects.filter(origin=origin)
    assert set(Certificate.objects.values_list("number", flat=True)) - demo_numbers == {
        origin.number,
        recognised.number,
    }
    assert origin.scheme.code == SCHEME and origin.status == CertificateStatus.VALID
    assert recognised.number.startswith("CATX-JBAI-") and recognised.status == CertificateStatus.VALID
    assert origin.conditions == CONDITIONS

    # (5) jp-maker sees the new Ouranos certificate and the Catena-X certificate recognised from it.
    maker.goto(f"/certification/applications/{application_id}/")
    certificate_box = maker.locator("section[aria-labelledby=certificate-title]")
    expect(certificate_box.get_by_role("link", name=origin.number)).to_be_visible()
    expect(certificate_box.get_by_role("link", name=recognised.number)).to_be_visible()
    with maker.expect_navigation(url=re.compile(r"/certification/applications/$")):
        maker.locator("nav.main-nav a[href$='/certification/applications/']").click()
    with maker.expect_navigation(url=re.compile(r"/certification/certificates/$")):
        maker.locator(".page-header a[href$='/certification/certificates/']").click()
    expect(maker.get_by_role("heading", level=1)).to_have_text(_in("ja", "Certificates"))
    _assert_sound(maker)
    recognised_row = maker.get_by_role("row").filter(has=maker.get_by_role("link", name=recognised.number))
    expect(recognised_row).to_contain_text(_in("ja", "recognised from %(origin)s", origin=origin.number))
    origin_row = maker.get_by_role("row").filter(
        has=maker.get_by_role("link", name=origin.number, exact=True)
    )
    expect(origin_row).to_contain_text(_in("ja", "recognised as %(numbers)s", numbers=recognised.number))
    with maker.expect_navigation(url=re.compile(rf"/certificates/{recognised.number}/$")):
        recognised_row.get_by_role("link", name=recognised.number).click()
    _assert_sound(maker)
    notice = maker.locator("p.notice").filter(has=maker.get_by_role("link", name=origin.number))
    expect(notice).to_contain_text(_in("ja", "Recognised from"))
    expect(maker.get_by_text(CONDITIONS)).to_be_visible()
    with maker.expect_navigation(url=re.compile(rf"/certificates/{origin.number}/$")):
        notice.get_by_role("link", name=origin.number).click()
    expect(maker.get_by_role("heading", level=1)).to_contain_text(origin.number)

    # (6) The regulator finds both in the certificate list.
    regulator = new_page()
    log_in(regulator, "regulator")
    regulator.get_by_role("link", name="Certificates", exact=True).first.click()
    expect(regulator.get_by_role("heading", level=1)).to_have_text("Certificates")
    _assert_sound(regulator)
    for number in (origin.number, recognised.number):
        expect(regulator.get_by_role("link", name=number, exact=True)).to_be_visible()
    regulator.get_by_role("searchbox", name="Search").fill(JP_MAKER)
    with regulator.expect_navigation():
        regulator.get_by_role("button", name="Apply").click()
    rows = regulator.locator("tbody tr")
    expect(rows.filter(has=regulator.get_by_role("link", name=recognised.number))).to_contain_text(
        f"recognised from {origin.number}"
    )
    _assert_no_supply_chain(regulator)

    # (7) The review has closed: certifier-jp no longer sees the supply chain.
    certifier.goto(f"/certification/applications/{application_id}/review/")
    expect(certifier.get_by_role("heading", level=1)).to_have_text(f"Review of {JP_MAKER}")
    expect(certifier.locator("section[aria-labelledby=passport-data-title]")).to_contain_text(MODEL_NAME)
    _assert_no_supply_chain(certifier)
    certifier.goto(f"/certification/applications/{application_id}/")
    expect(certifier.get_by_role("link", name=origin.number)).to_be_visible()
    _assert_no_supply_chain(certifier)
