"""Passport API journeys: publish, delete drafts only, versions, successors, dynamic data, grants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from passports.models import Passport, PassportVersion, StatusEvent
from tests.passports.completion import fill_missing

from .conftest import AUTHORITY, OWNER_ADMIN, OWNER_EDITOR, PARTNER, STRANGER, make_passport

pytestmark = pytest.mark.django_db


def test_create_edit_publish_and_version_via_the_api(world):
    admin = world.client(OWNER_ADMIN)
    model = admin.post(
        "/api/v1/battery-models/",
        {"values": {"model_name": "Flow Pack", "manufacturer_part_id": "FP-1", "battery_category": "lmt"}},
        format="json",
    )
    assert model.status_code == 201
    model_id = model.json()["id"]
    created = admin.post(
        "/api/v1/passports/",
        {"battery_model": model_id, "values": {"unique_identifier": "urn:epc:flow-1"}},
        format="json",
    )
    assert created.status_code == 201
    data = created.json()
    assert (data["version"], data["state"], data["published_at"]) == (1, "draft", None)
    assert data["battery_model"]["name"] == "Flow Pack"
    url = f"/api/v1/passports/{data['id']}/"

    # A draft is invisible to the partner even with a grant on the model, and to authorities.
    admin.post(
        f"/api/v1/battery-models/{model_id}/grants/",
        {"organization": str(world.organizations["partner"].public_id)},
        format="json",
    )
    for outsider in (PARTNER, AUTHORITY):
        assert world.client(outsider).get(url).status_code == 404
        listed = world.client(outsider).get("/api/v1/passports/", {"search": "flow-1"}).json()
        assert listed["count"] == 0

    patched = admin.patch(url, {"values": {"manufacturing_date": "2026-01-15"}}, format="json")
    assert patched.status_code == 200
    assert patched.json()["values"]["manufacturing_date"] == "2026-01-15"
    assert admin.get(url + "completeness/").status_code == 200

    refused = admin.post(url + "publish/")  # the gate: what is mandatory is missing
    assert refused.status_code == 400 and "weight" in refused.json(), refused.json()
    assert not PassportVersion.objects.filter(passport__public_id=data["id"], state="published").exists()
    fill_missing(world.users[OWNER_ADMIN], Passport.objects.get(public_id=data["id"]))

    published = admin.post(url + "publish/")
    assert published.status_code == 200, published.json()
    assert (published.json()["version"], published.json()["state"]) == (1, "published")
    assert published.json()["values"]["passport_id"] == data["id"]
    assert admin.post(url + "publish/").status_code == 400  # nothing left to publish
    assert world.client(PARTNER).get(url).status_code == 200

    admin.patch(url, {"values": {"manufacturing_place": "Leipzig"}}, format="json")
    versions = admin.get(url + "versions/").json()
    assert [(v["number"], v["state"]) for v in versions] == [(2, "draft"), (1, "published")]
    assert admin.get(url + "versions/1/").json()["values"]["manufacturing_place"] == "Salzgitter"
    assert world.client(PARTNER).get(url).json()["version"] == 1
    assert [v["number"] for v in world.client(PARTNER).get(url + "versions/").json()] == [1]

    listed = admin.get("/api/v1/passports/", {"state": "draft", "battery_model": model_id}).json()
    assert [row["unique_identifier"] for row in listed["results"]] == ["urn:epc:flow-1"]
    partner_drafts = world.client(PARTNER).get("/api/v1/passports/", {"state": "draft"}).json()
    assert partner_drafts["count"] == 0


def test_only_drafts_are_deleted(world):
    admin = world.client(OWNER_ADMIN)
    draft = make_passport(world.users[OWNER_ADMIN], world.battery_model, "urn:epc:draft-only")
    assert world.client(STRANGER).delete(f"/api/v1/passports/{draft.public_id}/").status_code == 404
    assert admin.delete(f"/api/v1/passports/{draft.public_id}/").status_code == 204
    assert not Passport.objects.filter(pk=draft.pk).exists()
    refused = admin.delete(f"/api/v1/passports/{world.passport.public_id}/")
    assert refused.status_code == 400
    assert "non_field_errors" in refused.json()
    assert Passport.objects.filter(pk=world.passport.pk).exists()


def test_repurposing_creates_a_linked_successor_and_recycling_closes(world):
    editor = world.client(OWNER_EDITOR)
    url = f"/api/v1/passports/{world.passport.public_id}/status/"
    missing = editor.post(url, {"status": "repurposed"}, format="json")
    assert missing.status_code == 400
    assert "new_unique_identifier" in missing.json()
    assert not StatusEvent.objects.exists()  # nothing half-stored
    world.passport.refresh_from_db()
    assert world.passport.status == "original"

    response = editor.post(
        url,
        {"status": "repurposed", "note": "stationary storage", "new_unique_identifier": "urn:epc:canary-R"},
        format="json",
    )
    assert response.status_code == 201
    successor = response.json()
    assert successor["id"] != str(world.passport.public_id)
    assert successor["unique_identifier"] == "urn:epc:canary-R"
    assert successor["status"] == "repurposed"
    assert Passport.objects.get(public_id=successor["id"]).predecessor_id == world.passport.pk
    original = editor.get(f"/api/v1/passports/{world.passport.public_id}/").json()
    assert [event["status"] for event in original["status_history"]] == ["repurposed"]

    successor_url = f"/api/v1/passports/{successor['id']}/"
    world.client(OWNER_ADMIN).post(successor_url + "publish/")
    closed = editor.post(successor_url + "status/", {"status": "waste", "recycled": True}, format="json")
    assert closed.status_code == 200
    assert Passport.objects.get(public_id=successor["id"]).closed_at is not None
    again = editor.patch(successor_url, {"values": {"manufacturing_place": "X"}}, format="json")
    assert again.status_code == 400
    bad = editor.post(url.replace("status/", "status/"), {"status": "teleported"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()


def test_dynamic_data_is_appended_with_its_time(world):
    editor = world.client(OWNER_EDITOR)
    url = f"/api/v1/passports/{world.passport.public_id}/dynamic-data/"
    measured_at = timezone.now() - timedelta(minutes=1)
    response = editor.post(
        url,
        {"key": "state_of_health", "value": "95.5", "measured_at": measured_at.isoformat()},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["key"] == "state_of_health"
    dynamic = editor.get(f"/api/v1/passports/{world.passport.public_id}/").json()["dynamic"]
    assert [point["value"] for point in dynamic["state_of_health"]] == ["95.5", "97"]  # newest first
    partner_view = world.client(PARTNER).get(f"/api/v1/passports/{world.passport.public_id}/").json()
    assert len(partner_view["dynamic"]["state_of_health"]) == 2

    future = (timezone.now() + timedelta(days=1)).isoformat()
    for body, field in (
        ({"key": "state_of_health", "value": "90", "measured_at": future}, "measured_at"),
        ({"key": "state_of_health", "value": "101", "measured_at": measured_at.isoformat()}, "value"),
        ({"key": "manufacturing_place", "value": "x", "measured_at": measured_at.isoformat()}, "key"),
        ({"key": "state_of_health", "value": "90", "measured_at": "2026-02-30T10:00:00Z"}, "measured_at"),
    ):
        refused = editor.post(url, body, format="json")
        assert refused.status_code == 400, body
        assert field in refused.json() or any(field in str(v) for v in refused.json().values()), (
            refused.json()
        )
    assert world.passport.dynamic_data.count() == 2


def test_grant_input_is_checked(world):
    admin = world.client(OWNER_ADMIN)
    url = f"/api/v1/passports/{world.passport.public_id}/grants/"
    for organization in ("not-a-uuid", "00000000-0000-4000-8000-000000000000", "\x00"):
        response = admin.post(url, {"organization": organization}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"organization"}
    own = admin.post(url, {"organization": str(world.organizations["owner"].public_id)}, format="json")
    assert own.status_code == 400 and "organization" in own.json()
    assert [o["legal_name"] for o in admin.get(url).json()] == ["Partner Co SA"]


def test_authority_sees_every_published_passport_without_a_grant(world):
    other = fill_missing(
        world.users[OWNER_ADMIN],
        make_passport(world.users[OWNER_ADMIN], world.battery_model, "urn:epc:other"),
    )
    inspector = world.client(AUTHORITY)
    assert inspector.get(f"/api/v1/passports/{other.public_id}/").status_code == 404  # a draft
    assert world.client(OWNER_ADMIN).post(f"/api/v1/passports/{other.public_id}/publish/").status_code == 200
    assert inspector.get(f"/api/v1/passports/{other.public_id}/").status_code == 200
    rows = inspector.get("/api/v1/passports/", {"ordering": "unique_identifier"}).json()["results"]
    assert [row["unique_identifier"] for row in rows] == ["urn:epc:canary-0001", "urn:epc:other"]
    assert all(row["draft_version"] is None for row in rows)
    assert PassportVersion.objects.filter(passport=other, state="published").count() == 1


def test_completeness_of_a_draft_counts_the_battery_status(world):
    """A draft's values do not hold the status (it is the passport's column): it is never reported missing."""
    draft = make_passport(world.users[OWNER_ADMIN], world.battery_model, "urn:epc:status-draft")
    data = world.client(OWNER_ADMIN).get(f"/api/v1/passports/{draft.public_id}/completeness/").json()
    assert data["missing"] and "battery_status" not in {item["key"] for item in data["missing"]}
