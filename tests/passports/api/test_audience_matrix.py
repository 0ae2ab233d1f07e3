"""Every passport and battery-model endpoint x every audience: status codes, and for reads exactly which
audience classes of values appear (public, legitimate interest, authority-only, confidential, draft)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from passports.models import Passport, PassportVersion, StatusEvent, SupplyChainEntry
from tests.passports.completion import fill_missing

from .conftest import (
    ANONYMOUS,
    AUDIENCES,
    AUTH_MARK,
    AUTHORITY,
    CERTIFIER,
    DRAFT_MARK,
    IDENTIFIER,
    LI_MARK,
    OWNER_ADMIN,
    OWNER_EDITOR,
    OWNER_VIEWER,
    OWNERS,
    PARTNER,
    PUBLIC_MARK,
    SC_MARKS,
    SC_SUPPLIER,
    STRANGER,
    SUPPLY_ROW,
)

pytestmark = pytest.mark.django_db

# Who may see which class of values (the policy's audiences, spelled out independently here).
SEES_PUBLIC = {*OWNERS, CERTIFIER, AUTHORITY, PARTNER}
SEES_LI = {*OWNERS, CERTIFIER, AUTHORITY, PARTNER}
SEES_AUTHORITY_ONLY = {*OWNERS, CERTIFIER, AUTHORITY}
SEES_CONFIDENTIAL = {*OWNERS, CERTIFIER}
SEES_DRAFTS = {*OWNERS, CERTIFIER}
IN_SCOPE = SEES_PUBLIC

NOT_LOGGED_IN = 401  # IsActiveMember refuses before any lookup; token auth asks for credentials


def _passport_url(world, suffix: str = "") -> str:
    return f"/api/v1/passports/{world.passport.public_id}/{suffix}"


def _model_url(world, suffix: str = "") -> str:
    return f"/api/v1/battery-models/{world.battery_model.public_id}/{suffix}"


def assert_audience_classes(audience: str, body: str) -> None:
    """The response text holds exactly the classes of values this audience may see."""
    assert (PUBLIC_MARK in body) is (audience in SEES_PUBLIC), "public"
    assert (LI_MARK in body) is (audience in SEES_LI), "legitimate interest"
    assert (AUTH_MARK in body) is (audience in SEES_AUTHORITY_ONLY), "authority only"
    for marker in SC_MARKS:
        assert (marker in body) is (audience in SEES_CONFIDENTIAL), "confidential"


def _status_for(audience: str, *, ok: int, owner_roles=OWNERS) -> int:
    """Visibility first: outside the scope 404; in scope but not allowed to act 403 (another organization's
    reader as much as an owner's member without the role)."""
    if audience == ANONYMOUS:
        return NOT_LOGGED_IN
    if audience in owner_roles:
        return ok
    if audience in IN_SCOPE:
        return 403
    return 404


# ---- passport reads ------------------------------------------------------------------------------------
@pytest.mark.parametrize("audience", AUDIENCES)
def test_passport_detail(world, audience):
    response = world.client(audience).get(_passport_url(world))
    expected = NOT_LOGGED_IN if audience == ANONYMOUS else (200 if audience in IN_SCOPE else 404)
    assert response.status_code == expected
    body = response.content.decode()
    if expected != 200:
        assert_audience_classes(ANONYMOUS, body)  # nothing at all
        assert IDENTIFIER not in body
        return
    assert_audience_classes(audience, body)
    data = response.json()
    assert data["id"] == str(world.passport.public_id)
    assert data["unique_identifier"] == IDENTIFIER
    assert data["battery_model"] == {"id": str(world.battery_model.public_id), "name": "Canary Pack 75"}
    assert ("supply_chain" in data) is (audience in SEES_CONFIDENTIAL)
    if audience in SEES_CONFIDENTIAL:
        assert data["supply_chain"][0]["supplier_name"] == SC_SUPPLIER
    assert ("put_into_service_date" in data["values"]) is (audience in SEES_LI)
    assert ("state_of_health" in data["dynamic"]) is (audience in SEES_LI)
    if audience in SEES_DRAFTS:
        assert (data["version"], data["state"]) == (2, "draft")
        assert data["values"]["manufacturing_place"] == DRAFT_MARK
    else:
        assert (data["version"], data["state"]) == (1, "published")
        assert data["values"]["manufacturing_place"] == "Salzgitter"
        assert DRAFT_MARK not in body


@pytest.mark.parametrize("audience", AUDIENCES)
def test_passport_list_and_search(world, audience):
    client = world.client(audience)
    for url in (
        "/api/v1/passports/",
        f"/api/v1/passports/?search={IDENTIFIER}",
        "/api/v1/passports/?search=canary pack",
        "/api/v1/passports/?ordering=unique_identifier&category=ev&status=original",
    ):
        response = client.get(url)
        if audience == ANONYMOUS:
            assert response.status_code == NOT_LOGGED_IN
            continue
        assert response.status_code == 200, url
        body = response.content.decode()
        ids = [row["id"] for row in response.json()["results"]]
        assert (str(world.passport.public_id) in ids) is (audience in IN_SCOPE), url
        # List rows carry public identity facts only: no value of any restricted class, no draft value.
        for marker in (LI_MARK, AUTH_MARK, DRAFT_MARK, *SC_MARKS):
            assert marker not in body
        if ids:
            row = response.json()["results"][0]
            assert row["latest_published_version"] == 1
            assert row["draft_version"] == (2 if audience in OWNERS else None)
            assert row["is_own"] is (audience in OWNERS)
    # Search never reaches a confidential or restricted value, not even for the owner.
    for term in (SC_SUPPLIER, LI_MARK.split()[0], AUTH_MARK.split()[0], DRAFT_MARK.split()[0]):
        response = client.get("/api/v1/passports/", {"search": term})
        if audience != ANONYMOUS:
            assert response.json()["count"] == 0, term


@pytest.mark.parametrize("audience", AUDIENCES)
def test_passport_versions(world, audience):
    client = world.client(audience)
    listing = client.get(_passport_url(world, "versions/"))
    published = client.get(_passport_url(world, "versions/1/"))
    draft = client.get(_passport_url(world, "versions/2/"))
    if audience == ANONYMOUS:
        assert {listing.status_code, published.status_code, draft.status_code} == {NOT_LOGGED_IN}
        return
    if audience not in IN_SCOPE:
        assert {listing.status_code, published.status_code, draft.status_code} == {404}
        return
    numbers = [v["number"] for v in listing.json()]
    assert numbers == ([2, 1] if audience in SEES_DRAFTS else [1])
    assert published.status_code == 200
    assert published.json()["values"]["manufacturing_place"] == "Salzgitter"
    assert_audience_classes(audience, published.content.decode())
    if audience in SEES_DRAFTS:
        assert draft.status_code == 200
        assert draft.json()["values"]["manufacturing_place"] == DRAFT_MARK
    else:
        assert draft.status_code == 404
        assert DRAFT_MARK not in draft.content.decode()
    assert client.get(_passport_url(world, "versions/9/")).status_code == 404


@pytest.mark.parametrize("audience", AUDIENCES)
def test_passport_completeness(world, audience):
    response = world.client(audience).get(_passport_url(world, "completeness/"))
    assert response.status_code == _status_for(audience, ok=200)
    if response.status_code == 200:
        data = response.json()
        assert data["category"] == "ev"
        assert set(data) == {"category", "checked_on", "complete", "missing", "conditional", "pending"}
        for group in ("missing", "conditional", "pending"):
            assert all(set(item) == {"key", "label"} for item in data[group])
        # Checked against the date passports become mandatory: an almost empty passport lacks things.
        assert not data["complete"] and data["missing"]


# ---- passport writes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("audience", AUDIENCES)
def test_passport_patch(world, audience):
    response = world.client(audience).patch(
        _passport_url(world), {"values": {"manufacturing_place": "Wolfsburg"}}, format="json"
    )
    assert response.status_code == _status_for(audience, ok=200, owner_roles=(OWNER_ADMIN, OWNER_EDITOR))
    draft = PassportVersion.objects.get(passport=world.passport, state="draft")
    changed = draft.data["manufacturing_place"] == "Wolfsburg"
    assert changed is (response.status_code == 200)
    if response.status_code == 200:
        assert response.json()["values"]["manufacturing_place"] == "Wolfsburg"


@pytest.mark.parametrize("audience", AUDIENCES)
def test_passport_delete_of_a_published_passport_is_refused(world, audience):
    response = world.client(audience).delete(_passport_url(world))
    # The owner's editors reach the service, which refuses: a published passport is never deleted.
    assert response.status_code == _status_for(audience, ok=400, owner_roles=(OWNER_ADMIN, OWNER_EDITOR))
    assert Passport.objects.filter(pk=world.passport.pk).exists()


@pytest.mark.parametrize("audience", AUDIENCES)
def test_passport_publish(world, audience):
    fill_missing(world.users[OWNER_ADMIN], world.passport)  # the gate passes: who may publish decides
    response = world.client(audience).post(_passport_url(world, "publish/"))
    assert response.status_code == _status_for(audience, ok=200, owner_roles=(OWNER_ADMIN,)), response.json()
    published = PassportVersion.objects.filter(passport=world.passport, state="published").count()
    assert published == (2 if response.status_code == 200 else 1)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_passport_status(world, audience):
    response = world.client(audience).post(
        _passport_url(world, "status/"), {"status": "re-used", "note": "second life"}, format="json"
    )
    assert response.status_code == _status_for(audience, ok=200, owner_roles=(OWNER_ADMIN, OWNER_EDITOR))
    world.passport.refresh_from_db()
    assert (world.passport.status == "re-used") is (response.status_code == 200)
    assert StatusEvent.objects.filter(passport=world.passport).exists() is (response.status_code == 200)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_passport_dynamic_data(world, audience):
    measured_at = (timezone.now() - timedelta(minutes=5)).isoformat()
    response = world.client(audience).post(
        _passport_url(world, "dynamic-data/"),
        {"key": "full_cycles", "value": 120, "measured_at": measured_at},
        format="json",
    )
    assert response.status_code == _status_for(audience, ok=201, owner_roles=(OWNER_ADMIN, OWNER_EDITOR))
    stored = world.passport.dynamic_data.filter(key="full_cycles").exists()
    assert stored is (response.status_code == 201)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_passport_grants(world, audience):
    client = world.client(audience)
    expected = lambda ok: _status_for(audience, ok=ok, owner_roles=(OWNER_ADMIN,))  # noqa: E731
    listing = client.get(_passport_url(world, "grants/"))
    assert listing.status_code == expected(200)
    if listing.status_code == 200:
        assert [o["legal_name"] for o in listing.json()] == ["Partner Co SA"]
    stranger_id = str(world.organizations["stranger"].public_id)
    given = client.post(_passport_url(world, "grants/"), {"organization": stranger_id}, format="json")
    assert given.status_code == expected(200)
    partner_id = str(world.organizations["partner"].public_id)
    revoked = client.delete(_passport_url(world, f"grants/?organization={partner_id}"))
    assert revoked.status_code == expected(204)
    stranger_sees = world.client(STRANGER).get(_passport_url(world)).status_code
    partner_sees = world.client(PARTNER).get(_passport_url(world)).status_code
    if audience == OWNER_ADMIN:
        assert [o["legal_name"] for o in given.json()] == ["Partner Co SA", "Stranger Co KK"]
        assert (stranger_sees, partner_sees) == (200, 200)  # the partner still has the model grant
    else:
        assert (stranger_sees, partner_sees) == (404, 200)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_passport_create(world, audience):
    response = world.client(audience).post(
        "/api/v1/passports/",
        {"battery_model": str(world.battery_model.public_id), "values": {"unique_identifier": "urn:epc:new"}},
        format="json",
    )
    if audience == ANONYMOUS:
        expected = NOT_LOGGED_IN
    elif audience in (OWNER_ADMIN, OWNER_EDITOR):
        expected = 201
    elif audience == OWNER_VIEWER:
        expected = 403
    else:  # a model of another company cannot be chosen, whether the caller can see it or not
        expected = 400
    assert response.status_code == expected
    assert Passport.objects.filter(unique_identifier="urn:epc:new").exists() is (expected == 201)
    if expected == 400:
        assert set(response.json()) == {"battery_model"}
        assert_audience_classes(ANONYMOUS, response.content.decode())


# ---- battery models ------------------------------------------------------------------------------------
@pytest.mark.parametrize("audience", AUDIENCES)
def test_battery_model_detail_and_list(world, audience):
    client = world.client(audience)
    detail = client.get(_model_url(world))
    listing = client.get("/api/v1/battery-models/")
    search = client.get("/api/v1/battery-models/", {"search": "CP-75"})
    confidential_search = client.get("/api/v1/battery-models/", {"search": SC_SUPPLIER})
    if audience == ANONYMOUS:
        assert {detail.status_code, listing.status_code} == {NOT_LOGGED_IN}
        return
    assert detail.status_code == (200 if audience in IN_SCOPE else 404)
    ids = [row["id"] for row in listing.json()["results"]]
    assert (str(world.battery_model.public_id) in ids) is (audience in IN_SCOPE)
    assert (search.json()["count"] == 1) is (audience in IN_SCOPE)
    assert confidential_search.json()["count"] == 0
    for response in (listing, search):
        for marker in (LI_MARK, AUTH_MARK, *SC_MARKS):
            assert marker not in response.content.decode()
    if detail.status_code == 200:
        assert_audience_classes(audience, detail.content.decode())
        assert ("supply_chain" in detail.json()) is (audience in SEES_CONFIDENTIAL)
    else:
        assert_audience_classes(ANONYMOUS, detail.content.decode())


@pytest.mark.parametrize("audience", AUDIENCES)
def test_battery_model_patch(world, audience):
    response = world.client(audience).patch(
        _model_url(world), {"values": {"manufacturer_email": "info@example.com"}}, format="json"
    )
    assert response.status_code == _status_for(audience, ok=200, owner_roles=(OWNER_ADMIN, OWNER_EDITOR))
    world.battery_model.refresh_from_db()
    assert ("manufacturer_email" in world.battery_model.data) is (response.status_code == 200)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_battery_model_delete_with_passports_is_refused(world, audience):
    response = world.client(audience).delete(_model_url(world))
    assert response.status_code == _status_for(audience, ok=409, owner_roles=(OWNER_ADMIN,))
    if response.status_code == 409:
        assert "A battery model with passports cannot be deleted." in str(response.json())
    assert type(world.battery_model).objects.filter(pk=world.battery_model.pk).exists()


@pytest.mark.parametrize("audience", AUDIENCES)
def test_battery_model_supply_chain(world, audience):
    client = world.client(audience)
    read = client.get(_model_url(world, "supply-chain/"))
    if audience == ANONYMOUS:
        assert read.status_code == NOT_LOGGED_IN
    else:
        assert read.status_code == (200 if audience in SEES_CONFIDENTIAL else 404)
    body = read.content.decode()
    for marker in SC_MARKS:
        assert (marker in body) is (audience in SEES_CONFIDENTIAL)
    if read.status_code == 200:
        assert read.json()["rows"][0]["supplier_name"] == SC_SUPPLIER
    if audience != ANONYMOUS:
        # The owner's shortcut (no subqueries) answers what the rule answers, for every audience.
        user, model = world.users[audience], world.battery_model
        assert set(SupplyChainEntry.objects.of_model(user, model)) == set(
            SupplyChainEntry.objects.restrict(user, "view").filter(battery_model=model)
        )

    new_row = {**SUPPLY_ROW, "supplier_name": "Replaced Supplier", "procurement_amount": "5"}
    write = client.put(_model_url(world, "supply-chain/"), {"rows": [new_row]}, format="json")
    assert write.status_code == _status_for(audience, ok=200, owner_roles=(OWNER_ADMIN, OWNER_EDITOR))
    names = list(SupplyChainEntry.objects.values_list("supplier_name", flat=True))
    assert names == (["Replaced Supplier"] if write.status_code == 200 else [SC_SUPPLIER])
    for marker in SC_MARKS:
        assert marker not in write.content.decode() or audience in SEES_CONFIDENTIAL


@pytest.mark.parametrize("audience", AUDIENCES)
def test_battery_model_grants(world, audience):
    client = world.client(audience)
    expected = lambda ok: _status_for(audience, ok=ok, owner_roles=(OWNER_ADMIN,))  # noqa: E731
    listing = client.get(_model_url(world, "grants/"))
    assert listing.status_code == expected(200)
    if listing.status_code == 200:
        assert [o["legal_name"] for o in listing.json()] == ["Partner Co SA"]
    stranger_id = str(world.organizations["stranger"].public_id)
    given = client.post(_model_url(world, "grants/"), {"organization": stranger_id}, format="json")
    assert given.status_code == expected(200)
    stranger_sees = world.client(STRANGER).get(_model_url(world)).status_code
    assert stranger_sees == (200 if audience == OWNER_ADMIN else 404)
    partner_id = str(world.organizations["partner"].public_id)
    revoked = client.delete(_model_url(world, "grants/"), {"organization": partner_id}, format="json")
    assert revoked.status_code == expected(204)
    partner_sees = world.client(PARTNER).get(_model_url(world)).status_code
    assert partner_sees == (404 if audience == OWNER_ADMIN else 200)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_battery_model_create(world, audience):
    values = {"model_name": "New", "manufacturer_part_id": "NEW-1", "battery_category": "lmt"}
    response = world.client(audience).post("/api/v1/battery-models/", {"values": values}, format="json")
    if audience == ANONYMOUS:
        expected = NOT_LOGGED_IN
    elif audience in (OWNER_ADMIN, OWNER_EDITOR, STRANGER, PARTNER):  # company admins and editors
        expected = 201
    else:  # a viewer, a certification body and an authority own no battery models
        expected = 403
    assert response.status_code == expected
    if expected == 201:
        assert response.json()["values"]["model_name"] == "New"
        assert "supply_chain" in response.json()
