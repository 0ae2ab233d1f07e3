"""The publication gate (issue 16): a passport publishes only when every attribute mandatory for its category
on the day passports are judged (`completeness.obligation_day`, the day the completeness box names) has a
value and every rule between values holds; the owner is told what is missing, each linked to its step.
The public page shows the battery's status, never the record's workflow word."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from passports import services
from passports.completeness import completeness, obligation_day
from passports.models import Passport, PassportVersion
from tests.passports.completion import complete_passport, fill_missing

pytestmark = pytest.mark.django_db


def _published(passport: Passport) -> bool:
    return PassportVersion.objects.filter(passport=passport, state="published").exists()


def _values(passport: Passport) -> dict:
    draft = passport.versions.get(state="draft")
    return {**passport.battery_model.data, **draft.data, services.STATUS_KEY: passport.status}


def test_an_incomplete_passport_is_refused_naming_exactly_what_the_box_names(admin_a, passport):
    report = completeness(passport.battery_model.category, _values(passport))
    assert report.checked_on == obligation_day() and len(report.missing) > 10

    with pytest.raises(ValidationError) as refused:
        services.passport_publish(actor=admin_a, passport=passport)

    assert set(refused.value.message_dict) == {a.key for a in report.missing}
    assert {e.code for errors in refused.value.error_dict.values() for e in errors} == {services.MISSING_CODE}
    assert not _published(passport)


def test_a_complete_passport_publishes_with_the_battery_status(admin_a, company_a):
    passport = complete_passport(admin_a, company_a)
    version = services.passport_publish(actor=admin_a, passport=passport)
    assert version.state == "published" and version.data["battery_status"] == "original"


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        (
            {"manufacturing_date": "2026-03-12", "placed_on_market_date": "2026-03-01"},
            "placed_on_market_date",
            "placed on the market before it is made",
        ),
        (
            {"manufacturing_date": "2026-01-12", "put_into_service_date": "2026-01-02"},
            "put_into_service_date",
            "put into service before it is made",
        ),
        (
            {"placed_on_market_date": "2026-02-01", "put_into_service_date": "2026-01-30"},
            "put_into_service_date",
            "put into service before it is placed on the market",
        ),
    ],
)
def test_a_battery_is_made_then_placed_on_the_market_then_put_into_service(
    admin_a, company_a, values, key, message
):
    passport = complete_passport(admin_a, company_a)
    with pytest.raises(ValidationError) as refused:
        services.passport_update(actor=admin_a, passport=passport, values=values)
    assert set(refused.value.message_dict) == {key}
    assert message in refused.value.message_dict[key][0]


def test_an_impossible_order_already_stored_is_refused_at_publication(admin_a, company_a):
    """Dates saved in two steps (each valid alone) meet at publication."""
    passport = complete_passport(admin_a, company_a)
    draft = passport.versions.get(state="draft")
    draft.data = {**draft.data, "placed_on_market_date": "2025-12-01"}  # before 2026-01-12, as once saved
    draft.save(update_fields=["data"])
    with pytest.raises(ValidationError) as refused:
        services.passport_publish(actor=admin_a, passport=passport)
    assert set(refused.value.message_dict) == {"placed_on_market_date"}
    assert not _published(passport)


@pytest.mark.parametrize("year", ["0001", "1989", "7172"])
def test_dates_outside_a_plausible_range_are_refused(admin_a, passport, year):
    with pytest.raises(ValidationError) as refused:
        services.passport_update(
            actor=admin_a, passport=passport, values={"manufacturing_date": f"{year}-03-12"}
        )
    assert "not a plausible date" in refused.value.message_dict["manufacturing_date"][0]


def test_parts_of_a_whole_cannot_exceed_one_hundred_percent(admin_a, company_a):
    passport = complete_passport(admin_a, company_a)
    model = passport.battery_model
    shares = [
        {"material": "Cobalt", "cas_number": "7440-48-4", "share": "60"},
        {"material": "Nickel", "cas_number": "7440-02-0", "share": "45"},
    ]
    with pytest.raises(ValidationError) as refused:
        services.battery_model_update(
            actor=admin_a, battery_model=model, values={"critical_raw_materials": shares}
        )
    assert "add up to more than 100 %" in refused.value.message_dict["critical_raw_materials"][0]

    def row(location: str, concentration: str) -> dict:
        return {"location": location, "concentration": concentration, "concentration_unit": "unit:percent"}

    over = [row("Cathode", "70"), row("cathode ", "40"), row("Anode", "90")]
    with pytest.raises(ValidationError) as refused:
        services.battery_model_update(
            actor=admin_a, battery_model=model, values={"material_composition": over}
        )
    assert refused.value.message_dict["material_composition"] == [
        "The concentrations in percent of Cathode add up to more than 100 %."
    ]
    # Each component's own percentages may add up to 100 % (they are not shares of one whole battery).
    within = [row("Cathode", "70"), row("Cathode", "30"), row("Anode", "90")]
    services.battery_model_update(actor=admin_a, battery_model=model, values={"material_composition": within})
    model.refresh_from_db()
    assert [Decimal(r["concentration"]) for r in model.data["material_composition"]] == [70, 30, 90]


def test_the_owner_sees_a_summary_and_the_missing_attributes_linked_to_their_steps(login, admin_a, passport):
    page = login(admin_a).post(f"/passports/{passport.public_id}/publish/", follow=True)

    texts = [str(m) for m in page.context["messages"]]
    report = completeness(passport.battery_model.category, _values(passport))
    assert texts[0] == "The passport was not published:"
    assert texts[1].startswith(f"{len(report.missing)} mandatory attributes have no value")
    assert len(texts) == 2  # not one line per missing attribute
    html = page.content.decode()
    assert f"{len(report.missing)} mandatory attributes missing" in html
    assert html.count('href="/passports/models/') + html.count(f'href="/passports/{passport.public_id}/') > 10
    assert not _published(passport)


def test_the_api_answers_400_with_each_missing_attribute(admin_a, passport):
    client = APIClient()
    client.force_authenticate(admin_a)
    response = client.post(f"/api/v1/passports/{passport.public_id}/publish/")
    report = completeness(passport.battery_model.category, _values(passport))
    assert response.status_code == 400
    assert set(response.json()) == {a.key for a in report.missing}
    assert not _published(passport)


def test_the_public_page_shows_the_battery_status_not_a_workflow_word(client, admin_a, company_a):
    passport = complete_passport(admin_a, company_a)
    services.passport_publish(actor=admin_a, passport=passport)
    html = client.get(f"/p/{passport.public_id}/", HTTP_ACCEPT="text/html").content.decode()
    assert "Original" in html
    assert "Approved" not in html and "Passport status" not in html
    # The Catena-X record keeps its metadata status (partners' systems read it).
    data = client.get(f"/p/{passport.public_id}/", HTTP_ACCEPT="application/json").json()
    assert "approved" in str(data)


def test_filling_what_is_missing_is_what_lets_it_publish(admin_a, passport):
    with pytest.raises(ValidationError):
        services.passport_publish(actor=admin_a, passport=passport)
    fill_missing(admin_a, passport)
    assert services.passport_publish(actor=admin_a, passport=passport).number == 1
