"""The battery model page's Catena-X PCF: a download for those who see the footprint, an upload form for
those who may change the model, with the document's errors shown next to the file field."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from passports import services
from tests.passports.test_model_pcf import assert_schema_valid, footprint, official_example

pytestmark = pytest.mark.django_db

DOWNLOAD = "Download carbon footprint (Catena-X PCF)"


@pytest.fixture
def model_with_footprint(admin_a, battery_model):
    return services.battery_model_update(
        actor=admin_a, battery_model=battery_model, values={"carbon_footprint": footprint()}
    )


def _page(model) -> str:
    return f"/passports/models/{model.public_id}/"


def _upload(browser, model, content: bytes, name: str = "pcf.json"):
    file = SimpleUploadedFile(name, content, content_type="application/json")
    return browser.post(f"/passports/models/{model.public_id}/pcf/", {"file": file})


def test_the_owner_downloads_the_footprint_and_sees_the_upload_form(login, admin_a, model_with_footprint):
    browser = login(admin_a)
    html = browser.get(_page(model_with_footprint)).content.decode()

    assert DOWNLOAD in html and 'enctype="multipart/form-data"' in html and 'name="file"' in html
    answer = browser.get(f"/passports/models/{model_with_footprint.public_id}/pcf.json")
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="EP-75-NMC-pcf.json"'
    assert answer["Cache-Control"] == "private, no-store"
    assert_schema_valid(json.loads(answer.content))


def test_a_viewer_downloads_but_has_no_form_and_may_not_upload(login, viewer_a, model_with_footprint):
    browser = login(viewer_a)
    html = browser.get(_page(model_with_footprint)).content.decode()
    before = copy.deepcopy(model_with_footprint.data)

    assert DOWNLOAD in html and 'name="file"' not in html
    assert _upload(browser, model_with_footprint, json.dumps(official_example()).encode()).status_code == 403
    model_with_footprint.refresh_from_db()
    assert model_with_footprint.data == before


def test_no_download_link_without_a_footprint(login, admin_a, battery_model):
    html = login(admin_a).get(_page(battery_model)).content.decode()

    assert DOWNLOAD not in html and 'name="file"' in html


def test_an_upload_replaces_the_footprint(login, admin_a, model_with_footprint):
    browser = login(admin_a)

    answer = _upload(browser, model_with_footprint, json.dumps(official_example()).encode())

    assert answer.status_code == 302 and answer["Location"] == _page(model_with_footprint)
    assert "Carbon footprint imported" in browser.get(answer["Location"]).content.decode()
    model_with_footprint.refresh_from_db()
    rows = {row["lifecycle_stage"]: row["value"] for row in model_with_footprint.data["carbon_footprint"]}
    assert rows == {"cradle-to-gate": "2.9"}


@pytest.mark.parametrize(
    ("content", "shown"),
    [
        (b"{not json", "The file is not valid JSON"),
        (json.dumps({"general": []}).encode(), "$: Does not match the io.catenax.pcf 9.0.0 schema"),
    ],
)
def test_a_bad_file_shows_its_error_and_stores_nothing(login, admin_a, model_with_footprint, content, shown):
    browser = login(admin_a)
    before = copy.deepcopy(model_with_footprint.data)

    answer = _upload(browser, model_with_footprint, content)

    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'class="form-errors"' in html and shown in html and 'id="id_file_error"' in html
    model_with_footprint.refresh_from_db()
    assert model_with_footprint.data == before


def test_another_company_gets_404(login, admin_b, model_with_footprint):
    browser = login(admin_b)

    assert browser.get(f"/passports/models/{model_with_footprint.public_id}/pcf.json").status_code == 404
    upload = _upload(browser, model_with_footprint, json.dumps(official_example()).encode())
    assert upload.status_code == 404
