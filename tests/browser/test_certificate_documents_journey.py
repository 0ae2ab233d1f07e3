"""The certificate-document journey in a real browser (issue 5), in the demo world (`manage.py load_demo`,
tasks in-process as `make run` has them, so every issued certificate has its signed PDF when it finishes).

`regulator` searches the registry for the Catena-X certificate recognised for `jp-maker`, opens it,
downloads its PDF and a ZIP with it; the QR code printed in the PDF (rasterised and decoded as a phone
would) opens the public verification page, which says "valid". `certifier-jp` then revokes the Ouranos
origin on its certificate page, and the same verification page says "revoked" for both certificates.
"""

from __future__ import annotations

import io
import zipfile
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from certification.demo import JP_MAKER
from certification.documents.models import DocumentStatus
from certification.initial_schemes import CATENA_X
from certification.models import Certificate
from tests.browser.conftest import log_in
from tests.pdf_qr import qr_texts

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

REASON = "The carbon footprint verification statement was withdrawn (journey)."


def _verification_status(page: Page, path: str) -> str:
    page.goto(path)
    return page.get_by_test_id("verification-status").get_attribute("data-status") or ""


def test_regulator_downloads_and_verifies_a_recognised_certificate_then_sees_it_revoked(
    new_page, settings, tmp_path
):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("load_demo", stdout=io.StringIO())
    documents = Certificate.objects.values_list("document__status", flat=True)
    assert documents and set(documents) == {DocumentStatus.READY}, "every demo certificate has its PDF"
    recognised = Certificate.objects.get(holder__legal_name=JP_MAKER, scheme__code=CATENA_X["code"])
    origin = recognised.origin

    regulator = new_page()
    log_in(regulator, "regulator")
    regulator.get_by_role("link", name="Certificates").first.click()
    regulator.locator("#filter-q").fill("Sakura")
    regulator.locator("#filter-scheme").select_option(CATENA_X["code"])
    regulator.locator("#filter-kind").select_option("recognised")
    regulator.get_by_role("button", name="Apply").click()
    rows = regulator.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(origin.number)  # the row names the origin it was recognised from

    # A ZIP of the result, built by the task and offered on its progress page.
    regulator.locator(f'input[name="certificate"][value="{recognised.number}"]').check()
    regulator.get_by_role("button", name="Download selected as ZIP").click()
    zip_link = regulator.get_by_role("link", name="Download the ZIP")
    expect(zip_link).to_be_visible(timeout=30_000)
    with regulator.expect_download() as zip_download:
        zip_link.click()
    archive = zipfile.ZipFile(io.BytesIO(zip_download.value.path().read_bytes()))
    assert f"{recognised.number}.pdf" in archive.namelist()

    # The certificate's page and its PDF.
    regulator.go_back()
    regulator.goto("/certification/certificates/?q=Sakura&kind=recognised")
    regulator.get_by_role("link", name=recognised.number).click()
    expect(regulator.get_by_role("heading", level=1)).to_contain_text(recognised.number)
    with regulator.expect_download() as pdf_download:
        regulator.get_by_role("link", name="Download PDF").click()
    pdf = pdf_download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert archive.read(f"{recognised.number}.pdf") == pdf  # the same signed bytes both ways

    # The QR code, as a phone reads it, opens the public verification page: valid.
    (qr_url,) = qr_texts(pdf)
    recognised_path = urlsplit(qr_url).path
    assert recognised_path == f"/verify/{recognised.number}/"
    anyone = new_page()
    assert _verification_status(anyone, recognised_path) == "valid"
    expect(anyone.get_by_test_id("certificate-verification")).to_contain_text(JP_MAKER)

    # certifier-jp revokes the origin (her pages are in Japanese); the recognised certificate follows it.
    certifier = new_page()
    log_in(certifier, "certifier-jp")
    certifier.goto(f"/certification/certificates/{origin.number}/")
    revoke = certifier.locator("#revoke")
    revoke.locator("textarea[name=revoke-reason]").fill(REASON)
    certifier.once("dialog", lambda dialog: dialog.accept())  # "Revoke this certificate?"
    revoke.locator("button[type=submit]").click()  # certifier-jp reads the portal in Japanese
    expect(certifier.locator("#revoke")).to_have_count(0)  # nothing left to revoke

    assert _verification_status(anyone, recognised_path) == "revoked"
    expect(anyone.get_by_test_id("verification-status")).to_contain_text("revoked")
    assert _verification_status(anyone, f"/verify/{origin.number}/") == "revoked"
