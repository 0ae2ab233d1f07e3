"""Passport pages: create, edit per cluster, review, publish, completeness, diff, status, dynamic data."""

from __future__ import annotations

import pytest
from django.utils import timezone

from passports import services
from passports.models import DynamicDataPoint, Passport, PassportVersion
from tests.factories import BEFORE_OBLIGATIONS
from tests.passports.completion import fill_missing

pytestmark = pytest.mark.django_db


def url(passport: Passport, suffix: str = "") -> str:
    return f"/passports/{passport.public_id}/{suffix}"


def test_create_passport_from_a_model(login, editor_a, battery_model):
    browser = login(editor_a)
    page = browser.get(f"/passports/new/?model={battery_model.public_id}")
    assert page.status_code == 200
    assert 'name="unique_identifier"' in page.content.decode()
    response = browser.post(
        f"/passports/new/?model={battery_model.public_id}",
        {
            "unique_identifier": "urn:epc:A-0100",
            "manufacturing_date": "2026-03-01",
            "manufacturing_country": "DE",
            "serial_identifiers-TOTAL": "1",
            "serial_identifiers-0-key": "partInstanceId",
            "serial_identifiers-0-value": "SN-0100",
            "batch_identifiers-TOTAL": "0",
            "go": "next",
        },
    )
    passport = Passport.objects.get(unique_identifier="urn:epc:A-0100")
    assert response["Location"] == url(passport, "edit/performance/")
    draft = passport.versions.get()
    assert draft.data["manufacturing_country"] == "DE"
    assert draft.data["serial_identifiers"] == [{"key": "partInstanceId", "value": "SN-0100"}]
    # Dynamic data and the status have their own forms: they are not on the steps.
    html = browser.get(url(passport, "edit/performance/")).content.decode()
    assert 'name="state_of_health"' not in html and 'name="battery_status"' not in html
    assert 'name="negative_events-TOTAL"' in html


def test_create_refuses_a_duplicate_identifier_on_its_field(login, admin_a, battery_model, passport):
    response = login(admin_a).post(
        f"/passports/new/?model={battery_model.public_id}",
        {"unique_identifier": passport.unique_identifier, "manufacturing_date": "2026-02-31", "go": "next"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "manufacturing_date" in errors  # an impossible date
    assert Passport.objects.count() == 1


def test_edit_saves_the_draft_and_viewer_cannot_edit(login, editor_a, viewer_a, passport):
    response = login(editor_a).post(
        url(passport, "edit/general/"), {"manufacturing_place": "Salzgitter", "go": "stay"}
    )
    assert response.status_code == 302
    assert passport.versions.get().data["manufacturing_place"] == "Salzgitter"
    assert login(viewer_a).get(url(passport, "edit/general/")).status_code == 403
    assert (
        login(viewer_a).post(url(passport, "edit/general/"), {"manufacturing_place": "X"}).status_code == 403
    )
    viewer_page = login(viewer_a).get(url(passport)).content.decode()
    assert "/edit/" not in viewer_page and 'action="/passports/' not in viewer_page


def test_review_shows_every_value_with_its_audience_and_admin_publishes(
    login, admin_a, editor_a, viewer_a, passport
):
    services.supply_chain_replace(
        actor=admin_a,
        battery_model=passport.battery_model,
        rows=[
            {
                "material": "lithium",
                "country_of_origin": "AU",
                "supplier_name": "CANARY-SUPPLIER",
                "procurement_amount": "10",
                "procurement_unit": "t",
                "procurement_period_start": "2026-01-01",
                "procurement_period_end": "2026-02-01",
            }
        ],
    )
    review = login(viewer_a).get(url(passport, "review/"))
    html = review.content.decode()
    assert review.status_code == 200
    assert "LI-CATHODE-MARKER" in html and "audience-legitimate_interest" in html
    assert "audience-public" in html and "audience-confidential" in html and "CANARY-SUPPLIER" in html
    assert "Publish this version" not in html  # a viewer reads only
    assert "Publish this version" not in login(editor_a).get(url(passport, "review/")).content.decode()
    assert login(editor_a).post(url(passport, "publish/")).status_code == 403
    assert "Publish this version" in login(admin_a).get(url(passport, "review/")).content.decode()

    fill_missing(admin_a, passport)
    response = login(admin_a).post(url(passport, "publish/"), follow=True)
    assert "Version 1 published." in [str(m) for m in response.context["messages"]]
    version = PassportVersion.objects.get(passport=passport)
    assert version.state == "published" and version.published_by == admin_a
    assert "CANARY-SUPPLIER" not in str(version.data)
    page = login(viewer_a).get(url(passport)).content.decode()
    assert "<svg" in page and f"/p/{passport.public_id}/" in page  # the QR code of the public page


def test_completeness_panel(login, admin_a, company_a, passport):
    html = login(admin_a).get(url(passport)).content.decode()
    assert "Completeness" in html
    assert "need a battery passport" in html
    assert "18 February 2027" in html or "Feb. 18, 2027" in html
    assert "Manufacturer postal address" in html  # mandatory from 2027, still missing
    assert "pending in law" in html and "Carbon footprint" in html
    # A portable battery needs none; the panel says so.
    portable = services.battery_model_create(
        actor=admin_a,
        organization=company_a,
        values={"model_name": "Cell", "manufacturer_part_id": "P-1", "battery_category": "portable"},
    )
    page = login(admin_a).get(f"/passports/models/{portable.public_id}/").content.decode()
    assert "need no battery passport" in page


def test_diff_between_two_versions(login, admin_a, passport):
    services.passport_update(actor=admin_a, passport=passport, values={"manufacturing_place": "Salzgitter"})
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    services.passport_update(actor=admin_a, passport=passport, values={"manufacturing_place": "Kassel"})
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    response = login(admin_a).get(url(passport, "diff/?a=1&b=2"))
    assert response.status_code == 200
    changes = {str(c["label"]): c for c in response.context["changes"]}
    assert changes["Place of manufacture"]["old"]["text"] == "Salzgitter"
    assert changes["Place of manufacture"]["new"]["text"] == "Kassel"
    assert "Model name" not in " ".join(changes)  # unchanged values are not listed
    assert login(admin_a).get(url(passport, "diff/?a=1&b=9")).status_code == 404
    assert login(admin_a).get(url(passport, "diff/?a=x")).status_code == 404


def test_status_change_creates_a_linked_successor(login, admin_a, passport):
    browser = login(admin_a)
    today = timezone.localdate().isoformat()
    missing = browser.post(url(passport, "status/"), {"status": "repurposed", "occurred_on": today})
    assert missing.status_code == 400
    assert "new_unique_identifier" in missing.context["status_form"].errors
    assert Passport.objects.count() == 1

    response = browser.post(
        url(passport, "status/"),
        {"status": "repurposed", "occurred_on": today, "new_unique_identifier": "urn:epc:A-0001-R"},
    )
    successor = Passport.objects.get(unique_identifier="urn:epc:A-0001-R")
    assert response["Location"] == url(successor)
    assert successor.predecessor == passport
    html = browser.get(url(successor)).content.decode()
    assert "urn:epc:A-0001" in html and url(passport) in html


def test_recycling_closes_and_dynamic_data_is_recorded(login, admin_a, passport):
    browser = login(admin_a)
    response = browser.post(
        url(passport, "dynamic-data/"),
        {"key": "state_of_health", "value": "97.5", "measured_at": "2026-01-05T10:30"},
    )
    assert response.status_code == 302
    point = DynamicDataPoint.objects.get(passport=passport)
    assert point.key == "state_of_health" and point.value == "97.5"
    bad = browser.post(
        url(passport, "dynamic-data/"),
        {"key": "state_of_health", "value": "140", "measured_at": "2026-01-05T10:30"},
    )
    assert bad.status_code == 400 and bad.context["dynamic_form"].errors
    today = timezone.localdate().isoformat()
    browser.post(url(passport, "status/"), {"status": "waste", "occurred_on": today, "recycled": "on"})
    passport.refresh_from_db()
    assert passport.closed_at is not None
    assert "was recycled" in browser.get(url(passport)).content.decode()


def test_delete_only_never_published_passports(login, admin_a, viewer_a, battery_model, passport):
    assert login(viewer_a).post(url(passport, "delete/")).status_code == 403
    response = login(admin_a).post(url(passport, "delete/"))
    assert response["Location"] == "/passports/"
    assert not Passport.objects.exists()
    other = services.passport_create(
        actor=admin_a, battery_model=battery_model, values={"unique_identifier": "X-2"}
    )
    services.passport_publish(actor=admin_a, passport=other, on=BEFORE_OBLIGATIONS)
    login(admin_a).post(url(other, "delete/"))
    assert Passport.objects.filter(pk=other.pk).exists()
