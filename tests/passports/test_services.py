"""Passport writes: drafts, immutable versions, successors, supply chain, grants and the audience policy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from passports import selectors, services
from passports.catalogue import Viewer
from passports.models import Passport, PassportVersion, SupplyChainEntry
from portal.tenancy.models import Role
from tests.factories import BEFORE_OBLIGATIONS, member
from tests.passports.completion import complete_passport

pytestmark = pytest.mark.django_db

SUPPLY_ROW = {
    "material": "cobalt",
    "country_of_origin": "CD",
    "mine_or_extraction_site": "Kolwezi",
    "refiner_processor": "Refinery X",
    "refiner_country": "FI",
    "supplier_name": "CANARY-SUPPLIER",
    "supplier_identifier": "BPNL00000000SPU7",
    "procurement_amount": "120.5",
    "procurement_unit": "t",
    "procurement_period_start": "2026-01-01",
    "procurement_period_end": "2026-06-30",
    "recycled_share": "12",
    "assurance_scheme": "RMAP",
}


def test_draft_publish_freezes_an_immutable_version_and_later_edits_start_a_new_draft(admin_a, passport):
    services.passport_update(actor=admin_a, passport=passport, values={"manufacturing_place": "Salzgitter"})
    first = services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    assert (first.number, first.state) == (1, "published")
    assert first.data["manufacturing_place"] == "Salzgitter"
    assert first.data["model_name"] == "CANARY Pack 75"  # the model's values are frozen into the version
    assert first.data["passport_id"] == str(passport.public_id)

    draft = services.passport_update(
        actor=admin_a, passport=passport, values={"manufacturing_place": "Kassel"}
    )
    assert draft.number == 2 and draft.state == "draft"
    first.refresh_from_db()
    assert first.data["manufacturing_place"] == "Salzgitter"
    second = services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    assert second.number == 2 and second.data["manufacturing_place"] == "Kassel"
    with pytest.raises(ValidationError):  # nothing left to publish
        services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)


def test_roles_viewer_reads_editor_edits_admin_publishes(company_a, passport):
    viewer = member(Role.VIEWER, company_a)
    editor = member(Role.EDITOR, company_a)
    with pytest.raises(PermissionDenied):
        services.passport_update(actor=viewer, passport=passport, values={"manufacturing_place": "X"})
    services.passport_update(actor=editor, passport=passport, values={"manufacturing_place": "X"})
    with pytest.raises(PermissionDenied):
        services.passport_publish(actor=editor, passport=passport, on=BEFORE_OBLIGATIONS)


def test_bad_values_are_refused_per_field_and_nothing_is_stored(admin_a, passport):
    with pytest.raises(ValidationError) as excinfo:
        services.passport_update(
            actor=admin_a, passport=passport, values={"manufacturing_date": "7172-75-08", "passport_id": "x"}
        )
    assert {"passport_id", "manufacturing_date"} <= set(excinfo.value.message_dict)
    assert PassportVersion.objects.get(passport=passport).data == {"unique_identifier": "urn:epc:A-0001"}


def test_unique_identifier_is_unique_per_organization_only(
    admin_a, admin_b, company_b, battery_model, passport
):
    with pytest.raises(ValidationError):
        services.passport_create(
            actor=admin_a, battery_model=battery_model, values={"unique_identifier": "urn:epc:A-0001"}
        )
    assert Passport.objects.filter(unique_identifier="urn:epc:A-0001").count() == 1
    model_b = services.battery_model_create(
        actor=admin_b,
        organization=company_b,
        values={"model_name": "B", "manufacturer_part_id": "B-1", "battery_category": "lmt"},
    )
    services.passport_create(
        actor=admin_b, battery_model=model_b, values={"unique_identifier": "urn:epc:A-0001"}
    )


def test_repurposing_creates_a_successor_and_recycling_closes(admin_a, passport):
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    successor = services.passport_change_status(
        actor=admin_a, passport=passport, status="repurposed", new_unique_identifier="urn:epc:A-0001-R"
    )
    assert successor.pk != passport.pk and successor.predecessor_id == passport.pk
    assert successor.status == "repurposed"
    closed = services.passport_change_status(actor=admin_a, passport=successor, status="waste", recycled=True)
    assert closed.closed_at is not None
    with pytest.raises(ValidationError):
        services.passport_update(actor=admin_a, passport=closed, values={"manufacturing_place": "X"})


def test_future_dynamic_data_is_refused(admin_a, passport):
    with pytest.raises(ValidationError):
        services.dynamic_data_append(
            actor=admin_a,
            passport=passport,
            key="state_of_health",
            value="95",
            measured_at=timezone.now() + timedelta(days=1),
        )
    point = services.dynamic_data_append(
        actor=admin_a, passport=passport, key="state_of_health", value="95", measured_at=timezone.now()
    )
    assert point.value == "95"


def test_a_deleted_recorder_leaves_its_points_without_a_name(passport):
    """The recorder of a dynamic data point has no database constraint (the import's cost). Users are not
    deleted (the append-only audit trail names them), but one without audit entries deleted through Django
    still leaves its points without a name, as the constraint's SET NULL did."""
    from django.db import connection

    from passports.models import DynamicDataPoint

    recorder = member(Role.ADMIN, passport.organization)
    point = DynamicDataPoint.objects.create(
        passport=passport, key="state_of_health", value="95", measured_at=timezone.now(), recorded_by=recorder
    )

    recorder.delete()

    point.refresh_from_db()
    assert point.recorded_by_id is None and point.value == "95"
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, point._meta.db_table)
    foreign = {tuple(c["columns"]) for c in constraints.values() if c["foreign_key"]}
    assert ("passport_id",) in foreign and ("recorded_by_id",) not in foreign


def test_supply_chain_is_confidential(
    admin_a, admin_b, company_b, reviewer, inspector, battery_model, passport
):
    services.supply_chain_replace(actor=admin_a, battery_model=battery_model, rows=[SUPPLY_ROW])
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    assert SupplyChainEntry.objects.count() == 1
    assert "CANARY-SUPPLIER" not in str(SupplyChainEntry.objects.get())

    owner_view = selectors.passport_view(actor=admin_a, passport=passport)
    assert owner_view.viewer is Viewer.OWNER
    assert owner_view.supply_chain[0]["supplier_name"] == "CANARY-SUPPLIER"
    for outsider, kind in (
        (admin_b, Viewer.PUBLIC),
        (reviewer, Viewer.PUBLIC),
        (inspector, Viewer.AUTHORITY),
    ):
        view = selectors.passport_view(actor=outsider, passport=passport)
        assert view.viewer is kind
        assert view.supply_chain is None
        assert "CANARY-SUPPLIER" not in repr(view)
        assert selectors.supply_chain_for(actor=outsider, battery_model=battery_model) == []


def test_supply_chain_rows_are_validated(admin_a, battery_model):
    for bad in (
        {"procurement_amount": "-1"},
        {"recycled_share": "101"},
        {"procurement_period_end": "2025-01-01"},
        {"material": "unobtainium"},
    ):
        with pytest.raises(ValidationError):
            services.supply_chain_replace(
                actor=admin_a, battery_model=battery_model, rows=[{**SUPPLY_ROW, **bad}]
            )
    assert not SupplyChainEntry.objects.exists()


def test_legitimate_interest_grant_makes_a_partner_and_revoke_removes_it(
    admin_a, admin_b, company_b, passport
):
    services.passport_update(actor=admin_a, passport=passport, values={"put_into_service_date": "2026-03-01"})
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    assert selectors.passport_get(actor=admin_b, public_id=passport.public_id) is None
    assert "put_into_service_date" not in selectors.passport_view(actor=admin_b, passport=passport).values

    services.grant_legitimate_interest(actor=admin_a, target=passport, organization=company_b)
    assert selectors.passport_get(actor=admin_b, public_id=passport.public_id) == passport
    view = selectors.passport_view(actor=admin_b, passport=passport)
    assert view.viewer is Viewer.PARTNER
    assert view.values["put_into_service_date"] == "2026-03-01"

    services.revoke_legitimate_interest(actor=admin_a, target=passport, organization=company_b)
    assert selectors.passport_get(actor=admin_b, public_id=passport.public_id) is None


def test_grant_on_battery_model_covers_its_published_passports(
    admin_a, admin_b, company_b, battery_model, passport
):
    services.grant_legitimate_interest(actor=admin_a, target=battery_model, organization=company_b)
    # Never published: the passport does not exist for the partner yet.
    assert selectors.passport_view(actor=admin_b, passport=passport).viewer is Viewer.PUBLIC
    assert selectors.passport_get(actor=admin_b, public_id=passport.public_id) is None
    services.passport_update(actor=admin_a, passport=passport, values={"put_into_service_date": "2026-03-01"})
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    assert selectors.passport_view(actor=admin_b, passport=passport).viewer is Viewer.PARTNER
    assert selectors.passport_get(actor=admin_b, public_id=passport.public_id) == passport


def test_public_sees_only_published_public_values(admin_a, passport):
    assert selectors.published_passport(passport.public_id) is None
    services.passport_update(
        actor=admin_a,
        passport=passport,
        values={"put_into_service_date": "2026-03-01", "manufacturing_date": "2026-01-15"},
    )
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    from django.contrib.auth.models import AnonymousUser

    view = selectors.passport_view(actor=AnonymousUser(), passport=passport)
    assert view.viewer is Viewer.PUBLIC
    assert view.values["manufacturing_date"] == "2026-01-15"
    assert "put_into_service_date" not in view.values
    assert date.fromisoformat(view.values["passport_issue_date"]) == timezone.localdate()


AFTER_OBLIGATION = date(2027, 3, 1)  # the battery status is mandatory from 2027-02-18


def test_publishing_after_the_status_obligation_counts_the_passport_status(admin_a, company_a):
    passport = complete_passport(admin_a, company_a)
    draft = passport.versions.get()
    assert "battery_status" not in draft.data  # the status lives on the passport, not in the draft

    version = services.passport_publish(actor=admin_a, passport=passport, on=AFTER_OBLIGATION)

    assert version.state == "published"
    assert version.data["battery_status"] == "original"


def test_publishing_after_the_obligation_still_refuses_what_is_missing(admin_a, company_a):
    passport = complete_passport(admin_a, company_a)
    services.battery_model_update(
        actor=admin_a, battery_model=passport.battery_model, values={"weight": None}
    )
    with pytest.raises(ValidationError) as excinfo:
        services.passport_publish(actor=admin_a, passport=passport, on=AFTER_OBLIGATION)
    assert set(excinfo.value.message_dict) == {"weight"}
    assert passport.versions.filter(state="draft").count() == 1


def test_model_identity_stays_once_a_passport_of_it_is_published(admin_a, battery_model, passport):
    """Name, part id and category are shown to every reader from the model's columns: before any
    publication they may change, afterwards they are published facts and the change is refused whole."""
    services.battery_model_update(
        actor=admin_a, battery_model=battery_model, values={"model_name": "Pack 80"}
    )
    services.passport_update(actor=admin_a, passport=passport, values={"put_into_service_date": "2026-03-01"})
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    for key, value in (
        ("model_name", "Pack 90"),
        ("manufacturer_part_id", "EP-90"),
        ("battery_category", "lmt"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.battery_model_update(
                actor=admin_a, battery_model=battery_model, values={key: value, "cathode_composition": "NMC"}
            )
        assert set(refused.value.message_dict) == {key}
    battery_model.refresh_from_db()
    assert (battery_model.name, battery_model.manufacturer_part_id) == ("Pack 80", "EP-75-NMC")
    assert "cathode_composition" not in battery_model.data  # nothing of the refused change was kept
    # Other working values still change (readers see them at the next publication).
    services.battery_model_update(
        actor=admin_a,
        battery_model=battery_model,
        values={"cathode_composition": "NMC", "model_name": "Pack 80"},
    )
    battery_model.refresh_from_db()
    assert battery_model.data["cathode_composition"] == "NMC"
