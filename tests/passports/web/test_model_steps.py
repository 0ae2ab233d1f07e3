"""Battery model forms: the multi-step form per cluster, inline rows, per-field errors, supply chain."""

from __future__ import annotations

import pytest

from passports import services
from passports.models import BatteryModel, SupplyChainEntry
from portal.tenancy.models import Role
from tests.factories import BEFORE_OBLIGATIONS, member

from .conftest import SUPPLY_ROW

pytestmark = pytest.mark.django_db

GENERAL = {
    "model_name": "Pack 90",
    "manufacturer_part_id": "EP-90-LFP",
    "battery_category": "ev",
    "manufacturer_name": "Company A GmbH",
    "weight": "412.5",
    "weight_unit": "unit:kilogram",
    "product_codes-TOTAL": "2",
    "product_codes-0-key": "GTIN",
    "product_codes-0-value": "04012345678901",
    "product_codes-1-key": "",
    "product_codes-1-value": "",
    "go": "next",
}


def _model_url(model: BatteryModel, step: str) -> str:
    return f"/passports/models/{model.public_id}/edit/{step}/"


def test_create_through_the_steps(login, admin_a, company_a):
    browser = login(admin_a)
    page = browser.get("/passports/models/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-current="step"' in html
    assert 'type="number"' in html and 'step="any"' in html  # decimals
    assert "kg" in html and 'name="weight_unit"' in html  # unit selector next to the weight

    response = browser.post("/passports/models/new/", GENERAL)
    model = BatteryModel.objects.get(organization=company_a)
    assert response.status_code == 302
    assert response["Location"] == _model_url(model, "labels")
    assert model.data["weight"] == "412.5"
    assert model.data["product_codes"] == [{"key": "GTIN", "value": "04012345678901"}]

    # Materials: an inline row with a nested identifier row and a document row.
    materials = {
        "chemistry": "LFP",
        "hazardous_substances-TOTAL": "1",
        "hazardous_substances-0-identifiers-TOTAL": "1",
        "hazardous_substances-0-identifiers-0-scheme": "CAS",
        "hazardous_substances-0-identifiers-0-identifier": "7440-48-4",
        "hazardous_substances-0-identifiers-0-name": "Cobalt",
        "hazardous_substances-0-hazard_class": "Carc. 1B",
        "hazardous_substances-0-concentration": "0.5",
        "hazardous_substances-0-concentration_unit": "unit:percent",
        "hazardous_substances-0-documents-TOTAL": "1",
        "hazardous_substances-0-documents-0-header": "Safety data sheet",
        "hazardous_substances-0-documents-0-content_type": "",
        "hazardous_substances-0-documents-0-content": "https://example.com/sds.pdf",
        "go": "previous",
    }
    response = browser.post(_model_url(model, "materials"), materials)
    assert response.status_code == 302
    assert response["Location"] == _model_url(model, "due_diligence")  # "previous" goes one step back
    model.refresh_from_db()
    row = model.data["hazardous_substances"][0]
    assert row["identifiers"] == [{"scheme": "CAS", "identifier": "7440-48-4", "name": "Cobalt"}]
    assert row["documents"] == [
        {"header": "Safety data sheet", "content_type": "URL", "content": "https://example.com/sds.pdf"}
    ]
    assert model.data["chemistry"] == "LFP"

    # The stored row is shown again, with one empty row to add another; the step is marked current.
    html = browser.get(_model_url(model, "materials")).content.decode()
    assert 'value="7440-48-4"' in html
    assert 'name="hazardous_substances-TOTAL" value="2"' in html
    assert '<span aria-current="step">Materials and composition</span>' in html

    # Ticking "remove" drops a row.
    response = browser.post(
        _model_url(model, "materials"), {**materials, "hazardous_substances-0-DELETE": "on", "go": "stay"}
    )
    assert response["Location"] == _model_url(model, "materials")
    model.refresh_from_db()
    assert "hazardous_substances" not in model.data


def test_invalid_input_gives_per_field_errors_and_stores_nothing(login, admin_a, company_a):
    browser = login(admin_a)
    response = browser.post(
        "/passports/models/new/",
        {
            **GENERAL,
            "model_name": "",
            "weight": "-3",
            "manufacturer_email": "not-an-address",
            "product_codes-0-value": "x" * 200,
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"model_name", "weight", "manufacturer_email"}
    assert "negative" in " ".join(form.errors["weight"])
    cell = form.rowsets["product_codes"].rows[0].cell("value")
    assert cell.errors and "characters" in cell.errors[0]
    html = response.content.decode()
    assert 'role="alert"' in html and 'href="#id_product_codes-0-value"' in html
    assert 'value="GTIN"' in html  # the typed rows come back
    assert not BatteryModel.objects.exists()


def test_row_error_on_an_edit_step_keeps_the_stored_values(login, admin_a, battery_model):
    browser = login(admin_a)
    before = dict(battery_model.data)
    response = browser.post(
        _model_url(battery_model, "materials"),
        {
            "chemistry": "NMC",
            "hazardous_substances-TOTAL": "2",
            "hazardous_substances-0-hazard_class": "",  # an empty row is ignored ...
            "hazardous_substances-0-identifiers-TOTAL": "0",
            "hazardous_substances-0-documents-TOTAL": "0",
            "hazardous_substances-1-identifiers-TOTAL": "1",
            "hazardous_substances-1-identifiers-0-scheme": "CAS",
            "hazardous_substances-1-identifiers-0-identifier": "7440-48-5",  # wrong check digit
            "hazardous_substances-1-documents-TOTAL": "0",
            "hazardous_substances-1-concentration": "150",
            "hazardous_substances-1-concentration_unit": "unit:percent",
            "go": "next",
        },
    )
    assert response.status_code == 400
    rowset = response.context["form"].rowsets["hazardous_substances"]
    # ... so errors of the second submitted row land on the second displayed row and its nested cell.
    nested = rowset.rows[1].cell("identifiers").rowset
    assert "check digit" in nested.rows[0].errors[0]  # a rule between scheme and identifier: the row
    battery_model.refresh_from_db()
    assert battery_model.data == before


def test_roles_and_scope_on_model_steps(login, admin_a, viewer_a, admin_b, company_b, battery_model):
    assert login(viewer_a).get(_model_url(battery_model, "general")).status_code == 403
    assert login(viewer_a).get("/passports/models/new/").status_code == 403
    assert login(admin_b).get(_model_url(battery_model, "general")).status_code == 404
    assert login(admin_b).get(f"/passports/models/{battery_model.public_id}/").status_code == 404
    services.grant_legitimate_interest(actor=admin_a, target=battery_model, organization=company_b)
    # Granted, but no passport of the model is published: it does not exist for the partner yet.
    assert login(admin_b).get(_model_url(battery_model, "general")).status_code == 404
    assert login(admin_b).get(f"/passports/models/{battery_model.public_id}/").status_code == 404
    passport = services.passport_create(
        actor=admin_a,
        battery_model=battery_model,
        values={"unique_identifier": "urn:epc:steps-1", "put_into_service_date": "2026-03-01"},
    )
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    assert login(admin_b).get(_model_url(battery_model, "general")).status_code == 403
    assert login(admin_b).get(_model_url(battery_model, "supply_chain")).status_code == 404
    services.battery_model_update(
        actor=admin_a, battery_model=battery_model, values={"cathode_composition": "UNPUBLISHED-CATHODE"}
    )
    detail = login(admin_b).get(f"/passports/models/{battery_model.public_id}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    # The partner reads the values as last published, never what the owner saved since.
    assert "UNPUBLISHED-CATHODE" not in body and "Values as last published" in body


class TestSupplyChain:
    def _rows(self, **changes):
        row = {**SUPPLY_ROW, **changes}
        data = {f"supply_chain-0-{key}": value for key, value in row.items()}
        return {"supply_chain-TOTAL": "1", **data, "go": "stay"}

    def test_rows_are_saved_and_shown_as_confidential(self, login, admin_a, battery_model):
        browser = login(admin_a)
        page = browser.get(_model_url(battery_model, "supply_chain")).content.decode()
        assert "Supply chain (confidential)" in page
        assert "Seen only by your company and the certifier reviewing it" in page
        response = browser.post(_model_url(battery_model, "supply_chain"), self._rows())
        assert response.status_code == 302
        entry = SupplyChainEntry.objects.get(battery_model=battery_model)
        assert entry.supplier_name == "CANARY-SUPPLIER" and str(entry.procurement_amount) == "120.500"
        assert (
            'value="CANARY-SUPPLIER"'
            in browser.get(_model_url(battery_model, "supply_chain")).content.decode()
        )

    def test_negative_amount_is_refused_on_its_cell(self, login, admin_a, battery_model):
        browser = login(admin_a)
        browser.post(_model_url(battery_model, "supply_chain"), self._rows())
        response = browser.post(
            _model_url(battery_model, "supply_chain"), self._rows(procurement_amount="-5")
        )
        assert response.status_code == 400
        cell = response.context["rowset"].rows[0].cell("procurement_amount")
        assert cell.errors and "negative" in cell.errors[0]
        assert SupplyChainEntry.objects.get(battery_model=battery_model).procurement_amount == 120.5

    def test_viewer_reads_editor_writes_others_never_see_it(
        self, login, admin_a, viewer_a, editor_a, admin_b, company_b, battery_model
    ):
        login(editor_a).post(_model_url(battery_model, "supply_chain"), self._rows())
        viewer_page = login(viewer_a).get(_model_url(battery_model, "supply_chain"))
        assert viewer_page.status_code == 200
        html = viewer_page.content.decode()
        assert "CANARY-SUPPLIER" in html and "<input" not in html.split("<main", 1)[1].split("</main>")[0]
        assert (
            login(viewer_a).post(_model_url(battery_model, "supply_chain"), self._rows()).status_code == 403
        )
        services.grant_legitimate_interest(actor=admin_a, target=battery_model, organization=company_b)
        assert login(admin_b).get(_model_url(battery_model, "supply_chain")).status_code == 404
        stranger = member(Role.ADMIN)
        assert login(stranger).get(_model_url(battery_model, "supply_chain")).status_code == 404
