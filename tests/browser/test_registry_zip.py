"""The registry's ZIP in a real browser: an inspector filters the certificates, ticks them all with the
"select all" box, asks for a ZIP, watches the progress bar (static/js/certificate-registry.js polling the
status endpoint) until a real Celery worker has built it, and downloads it."""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import Page, expect

from certification.initial_schemes import CATENA_X, OURANOS, add_initial_schemes
from certification.models import Scheme
from tests.browser.conftest import log_in
from tests.certification.registry_world import attach_document, build_world
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker, pytest.mark.usefixtures("transactional_db")]


def test_an_inspector_downloads_a_zip_of_the_ticked_certificates(
    page: Page,
    settings,
    tmp_path,
    company_a,
    company_b,
    certification_body,
    inspector,
    live_celery_worker,
):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    add_initial_schemes()  # a transactional test starts with empty tables
    world = build_world(
        catenax=Scheme.objects.get(code=CATENA_X["code"]),
        ouranos=Scheme.objects.get(code=OURANOS["code"]),
        company_a=company_a,
        company_b=company_b,
        certification_body=certification_body,
    )
    attach_document(world.cx1)  # OU1 has no document yet: the README says so
    log_in(page, inspector.username, PASSWORD)

    page.goto("/certification/certificates/")
    page.locator("#filter-country").select_option("DE")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    page.get_by_label("Select all certificates on this page").check()  # shown by the script
    expect(page.locator('input[name="certificate"]:checked')).to_have_count(2)
    page.get_by_role("button", name="Download selected as ZIP").click()

    expect(page.get_by_role("heading", name="Certificate ZIP")).to_be_visible()
    download_link = page.get_by_role("link", name="Download the ZIP")
    expect(download_link).to_be_visible(timeout=30_000)  # the page polled until the worker was done
    expect(page.locator("#bundle-progress-bar")).to_have_attribute("value", "2")
    expect(page.locator("[data-bundle-done]")).to_have_text("2 of 2 certificates")
    expect(page.locator("[data-bundle-missing-list]")).to_have_text(world.ou1.number)
    with page.expect_download() as info:
        download_link.click()
    content = info.value.path().read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert sorted(archive.namelist()) == ["CATX-CBG-0000001.pdf", "README.txt"]
    assert info.value.suggested_filename.startswith("certificates-")
