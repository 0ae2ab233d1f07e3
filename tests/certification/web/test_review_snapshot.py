"""Leak 3 of issue 12: after its review has ended, a certification body must not read the applicant's
current working data in the review workspace (HTML) or the application's API detail. While the review is
open it reads the live draft; when the review closes, what it saw is recorded (`ReviewSnapshot`) and from
then on it reads that snapshot, labelled "as reviewed on", whatever the applicant types afterwards."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from certification import selectors, services
from certification.models import ApplicationState, ReviewSnapshot
from passports import services as passport_services

from ..audiences import ADMIN_A, LEAD, REVIEWER
from ..conftest import SUPPLIER_MARKER, approve

pytestmark = pytest.mark.django_db

DURING = "CANARY-DURING-REVIEW-cathode-4411"
AFTER = "CANARY-AFTER-REVIEW-cathode-9923"
PLACE_DURING = "CANARY-Place-During-3301"
PLACE_AFTER = "CANARY-Place-After-7702"
SUPPLIER_AFTER = "CANARY-SUPPLIER-After-5150"


def _type_values(admin, application, *, cathode: str, place: str) -> None:
    """The applicant types into the battery model in scope and into (a new draft of) the passport."""
    model = application.battery_models.get()
    # A legitimate-interest value and a public one: before snapshots, the public working value reached the
    # body's workspace after its review (the passport policy showed public working values to everyone).
    passport_services.battery_model_update(
        actor=admin,
        battery_model=model,
        values={"cathode_composition": cathode, "chemistry": f"{cathode}-chem"},
    )
    passport_services.passport_update(
        actor=admin, passport=application.passports.get(), values={"manufacturing_place": place}
    )


def _workspace(browser, audience: str, application) -> str:
    response = browser(audience).get(reverse("certification:review", args=[application.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def _api(users, audience: str, application) -> dict:
    client = APIClient()
    client.force_login(users[audience])
    response = client.get(f"/api/v1/applications/{application.public_id}/")
    assert response.status_code == 200
    return response.json()


def test_the_body_reads_the_live_draft_while_the_review_is_open(browser, users, in_review):
    _type_values(users[ADMIN_A], in_review, cathode=DURING, place=PLACE_DURING)
    for audience in (REVIEWER, LEAD):
        page = _workspace(browser, audience, in_review)
        assert DURING in page and PLACE_DURING in page, audience
        scope_data = _api(users, audience, in_review)["scope_data"]
        assert scope_data["source"] == "live"
        assert scope_data["battery_models"][0]["values"]["cathode_composition"] == DURING
        assert scope_data["passports"][0]["values"]["manufacturing_place"] == PLACE_DURING
    assert not ReviewSnapshot.objects.exists()


def test_after_approval_the_body_reads_the_snapshot_not_the_new_values(browser, users, in_review):
    admin = users[ADMIN_A]
    _type_values(admin, in_review, cathode=DURING, place=PLACE_DURING)
    approve(in_review, users[REVIEWER])
    snapshot = ReviewSnapshot.objects.get(application=in_review)
    assert (snapshot.round, snapshot.closed_as, snapshot.body_id) == (1, "approved", in_review.body_id)

    # The applicant goes on working: new model values, a new passport draft, a new supply chain.
    _type_values(admin, in_review, cathode=AFTER, place=PLACE_AFTER)
    passport_services.supply_chain_replace(
        actor=admin,
        battery_model=in_review.battery_models.get(),
        rows=[
            {
                "material": "lithium",
                "country_of_origin": "AU",
                "supplier_name": SUPPLIER_AFTER,
                "procurement_amount": "10",
                "procurement_unit": "t",
                "procurement_period_start": "2027-01-01",
                "procurement_period_end": "2027-12-31",
            }
        ],
    )

    for audience in (REVIEWER, LEAD):
        page = _workspace(browser, audience, in_review)
        assert "As reviewed on" in page and 'id="review-snapshot"' in page, audience
        assert DURING in page and PLACE_DURING in page
        assert f"{DURING}-chem" in page
        # The confidential supply chain leaves the body with its grants: not even the one it reviewed.
        assert SUPPLIER_MARKER not in page
        assert AFTER not in page and PLACE_AFTER not in page and SUPPLIER_AFTER not in page

        body = _api(users, audience, in_review)
        text = str(body)
        assert body["scope_data"]["source"] == "snapshot" and body["scope_data"]["recorded_at"]
        assert body["scope_data"]["battery_models"][0]["values"]["cathode_composition"] == DURING
        assert body["scope_data"]["passports"][0]["values"]["manufacturing_place"] == PLACE_DURING
        assert AFTER not in text and PLACE_AFTER not in text and SUPPLIER_AFTER not in text

    # The applicant itself keeps reading its own live data (on its passport pages, not the workspace).
    assert "scope_data" not in _api(users, ADMIN_A, in_review)
    assert in_review.battery_models.get().data["cathode_composition"] == AFTER


def test_after_closing_the_passport_view_models_are_not_asked_again(users, in_review, monkeypatch):
    approve(in_review, users[REVIEWER])
    in_review.refresh_from_db()

    def refuse(**kwargs):
        raise AssertionError("the live passport view-model was asked after the review closed")

    monkeypatch.setattr(selectors.passport_selectors, "passport_view", refuse)
    monkeypatch.setattr(selectors.passport_selectors, "battery_model_view", refuse)
    scope = selectors.review_scope_for(actor=users[REVIEWER], application=in_review)
    assert scope is not None and scope.source == selectors.SCOPE_SNAPSHOT


@pytest.mark.parametrize("closing", ["reject", "withdraw"])
def test_every_closing_records_the_snapshot_before_the_grants_go(users, in_review, closing):
    if closing == "reject":
        services.application_reject(actor=users[REVIEWER], application=in_review, reason="Not met.")
    else:
        services.application_withdraw(actor=users[ADMIN_A], application=in_review)
    snapshot = ReviewSnapshot.objects.get(application=in_review)
    assert snapshot.closed_as == {"reject": "rejected", "withdraw": "withdrawn"}[closing]
    # Taken while the grant was held (the working values), without the confidential supply chain.
    assert snapshot.data["battery_models"] and "supply_chain" not in snapshot.data["battery_models"][0]
    assert SUPPLIER_MARKER not in str(snapshot.data)
    assert not selectors.review_is_open(in_review)


def test_a_draft_withdrawn_before_the_body_saw_it_has_no_snapshot(users, draft):
    withdrawn = services.application_withdraw(actor=users[ADMIN_A], application=draft)
    assert withdrawn.state == ApplicationState.WITHDRAWN
    assert not ReviewSnapshot.objects.exists()


def test_closed_before_snapshots_existed_shows_a_note_and_no_working_data(browser, users, in_review):
    _type_values(users[ADMIN_A], in_review, cathode=DURING, place=PLACE_DURING)
    approve(in_review, users[REVIEWER])
    ReviewSnapshot.objects.all().delete()  # as for an application closed before this change
    _type_values(users[ADMIN_A], in_review, cathode=AFTER, place=PLACE_AFTER)
    page = _workspace(browser, REVIEWER, in_review)
    assert 'id="review-no-snapshot"' in page and "No snapshot was recorded" in page
    for marker in (DURING, AFTER, PLACE_DURING, PLACE_AFTER, SUPPLIER_MARKER):
        assert marker not in page, marker
    scope_data = _api(users, REVIEWER, in_review)["scope_data"]
    assert scope_data["source"] == "published" and scope_data["recorded_at"] is None
    for marker in (DURING, AFTER, PLACE_DURING, PLACE_AFTER, SUPPLIER_MARKER):
        assert marker not in str(scope_data), marker
