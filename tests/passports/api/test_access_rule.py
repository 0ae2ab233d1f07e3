"""`Passport.objects.restrict()` and `BatteryModel.objects.restrict()` (passports.access): the one rule,
checked against a table written out here for every audience, grant and publication state; and every other
path that answers the same question (per-object policies, the viewer kind, the public fast path) agrees
with it row by row."""

from __future__ import annotations

import itertools

import pytest
from guardian.shortcuts import assign_perm

from passports import policies, selectors, services
from passports.catalogue import Viewer
from passports.models import BatteryModel, Passport
from portal.tenancy.groups import organization_group
from tests.factories import BEFORE_OBLIGATIONS

from .conftest import (
    AUDIENCES,
    AUTHORITY,
    CERTIFIER,
    MODEL_VALUES,
    OWNER_ADMIN,
    OWNER_EDITOR,
    OWNER_VIEWER,
    OWNERS,
    PARTNER,
    STRANGER,
    make_passport,
)

pytestmark = pytest.mark.django_db

STATES = ("never_published", "published", "published_with_draft")
GRANTS = ("none", "li_passport", "li_model", "review_passport", "review_model")


@pytest.fixture
def grid(world):
    """One passport per (grant, state), each on its own battery model so that model grants stay apart."""
    admin = world.users[OWNER_ADMIN]
    owner, partner, body = (world.organizations[k] for k in ("owner", "partner", "body"))
    cells = {}
    for n, (grant, state) in enumerate(itertools.product(GRANTS, STATES)):
        model = services.battery_model_create(
            actor=admin, organization=owner, values={**MODEL_VALUES, "manufacturer_part_id": f"GRID-{n}"}
        )
        passport = make_passport(admin, model, f"urn:epc:grid-{n}", put_into_service_date="2026-03-01")
        if state != "never_published":
            services.passport_publish(actor=admin, passport=passport, on=BEFORE_OBLIGATIONS)
        if state == "published_with_draft":
            services.passport_update(actor=admin, passport=passport, values={"manufacturing_place": "Kassel"})
        if grant == "li_passport":
            services.grant_legitimate_interest(actor=admin, target=passport, organization=partner)
        elif grant == "li_model":
            services.grant_legitimate_interest(actor=admin, target=model, organization=partner)
        elif grant == "review_passport":
            assign_perm("view_confidential_passport", organization_group(body), passport)
        elif grant == "review_model":
            assign_perm("view_confidential_batterymodel", organization_group(body), model)
        cells[(grant, state)] = passport
    return cells


def _expected_viewer(audience: str, grant: str, state: str) -> Viewer | None:
    """Who reads the passport as what (None: it does not exist for them), stated independently."""
    published = state != "never_published"
    if audience in OWNERS:
        return Viewer.OWNER
    if audience == CERTIFIER and grant.startswith("review_"):
        return Viewer.CERTIFIER
    if audience == AUTHORITY and published:
        return Viewer.AUTHORITY
    if audience == PARTNER and grant.startswith("li_") and published:
        return Viewer.PARTNER
    return None


@pytest.mark.parametrize("audience", [a for a in AUDIENCES if a != "anonymous"])
def test_passport_view_rule_matches_the_table(world, grid, audience):
    user = world.users[audience]
    visible = set(Passport.objects.restrict(user, "view").filter(pk__in=[p.pk for p in grid.values()]))
    for (grant, state), passport in grid.items():
        expected = _expected_viewer(audience, grant, state)
        assert (passport in visible) is (expected is not None), (grant, state)
        # The per-object answers are the same rule asked of one row.
        assert policies.can_view(user, passport) is (expected is not None), (grant, state)
        assert policies.viewer_kind(user, passport) is (expected or Viewer.PUBLIC), (grant, state)
        # The owner's answer is read off the row without a query: the same as every arm in SQL.
        assert Passport.objects.audience_by_query(user, passport) is policies.viewer_kind(user, passport)
        assert (selectors.passport_get(actor=user, public_id=passport.public_id) is not None) is (
            expected is not None
        )


@pytest.mark.parametrize("audience", [a for a in AUDIENCES if a != "anonymous"])
def test_battery_model_view_rule_matches_the_table(world, grid, audience):
    """A model is read as its passports' model: by the owner, a body reviewing the model, and once one of
    its passports is published by authorities and partners holding the model grant."""
    user = world.users[audience]
    visible = set(BatteryModel.objects.restrict(user, "view"))
    for (grant, state), passport in grid.items():
        model, published = passport.battery_model, state != "never_published"
        expected = (
            audience in OWNERS
            or (audience == CERTIFIER and grant == "review_model")
            or (audience == AUTHORITY and published)
            or (audience == PARTNER and grant == "li_model" and published)
        )
        assert (model in visible) is expected, (grant, state)
        assert policies.can_view(user, model) is expected, (grant, state)
        assert BatteryModel.objects.audience_by_query(user, model) is policies.viewer_kind(user, model)
        assert (policies.viewer_kind(user, model) is Viewer.OWNER) is (audience in OWNERS)


@pytest.mark.parametrize(
    ("audience", "change", "publish"),
    [
        (OWNER_ADMIN, True, True),
        (OWNER_EDITOR, True, False),
        (OWNER_VIEWER, False, False),
        (PARTNER, False, False),
        (CERTIFIER, False, False),
        (AUTHORITY, False, False),
        (STRANGER, False, False),
    ],
)
def test_actions_are_the_owner_roles(world, grid, audience, change, publish):
    user = world.users[audience]
    for passport in grid.values():
        for obj in (passport, passport.battery_model):
            assert policies.can_edit(user, obj) is change
            assert policies.can_publish(user, obj) is publish
            assert policies.can_grant(user, obj) is publish
    assert Passport.objects.restrict(user, "change").exists() is change


def test_public_reads_published_passports_and_the_fast_path_agrees(grid):
    public = set(Passport.objects.restrict(None, "view"))
    for (_grant, state), passport in grid.items():
        published = state != "never_published"
        assert (passport in public) is published
        # The QR page's hand-written query and the ORM look-up answer the same.
        assert (selectors.public_publication(passport.public_id) is not None) is published
        assert (selectors.published_passport(passport.public_id) is not None) is published
    assert not BatteryModel.objects.restrict(None, "view").exists()


def test_unknown_action_is_a_programming_error(world):
    with pytest.raises(ValueError, match="no action"):
        Passport.objects.restrict(world.users[OWNER_ADMIN], "delete-everything")


def test_operators_oversee_every_row_and_read_none_of_them(world, grid, operator, client):
    """The admin lists passports and models through `restrict(actor, "oversee")`: every row for operators,
    none for anyone else; "view" (values) stays closed to operators, who hold no organization."""
    every = Passport.objects.count()
    assert Passport.objects.restrict(operator, "oversee").count() == every
    assert BatteryModel.objects.restrict(operator, "oversee").count() == BatteryModel.objects.count()
    assert not Passport.objects.restrict(operator, "view").exists()
    for audience in (OWNER_ADMIN, AUTHORITY, PARTNER):
        assert not Passport.objects.restrict(world.users[audience], "oversee").exists()
    client.force_login(operator)
    listed = client.get("/admin/passports/passport/")
    assert listed.status_code == 200 and listed.context["cl"].result_count == every
