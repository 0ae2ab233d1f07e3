"""Fixtures of the canary crawl: one user per audience, company A's planted data, the crawl targets.

The world is planted once per module (and test process) inside a transaction that is rolled back when the
module ends: every test runs in a savepoint within it, so what a crawl writes (sessions, last logins,
audit rows) is undone before the next test, and the eleven audience crawls share one planting instead of
building it eleven times.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test.utils import override_settings

from portal.celery import app as celery_app
from portal.tenancy.models import OrganizationKind, Role
from tests.factories import OrganizationFactory, UserFactory, member

from .crawler import TargetSet, build_targets
from .registry import (
    ANONYMOUS,
    AUTHORITY,
    CERTIFIER,
    CERTIFIER_AFTER_REVIEW,
    COMPANY_A,
    COMPANY_A_VIEWER,
    COMPANY_B,
    EXCHANGE_CUSTOMER,
    EXCHANGE_SUPPLIER,
    OPERATOR,
    PARTNER_MODEL,
    PARTNER_PASSPORT,
    World,
    plant_all,
)


@dataclass(frozen=True)
class CanaryState:
    world: World
    targets: TargetSet


def _users() -> tuple:
    """One user per audience (``None`` is the anonymous visitor). The partners, the exchange partners and
    the reviewer after review get their standing towards company A from the planters."""
    company_a = OrganizationFactory(legal_name="Company A GmbH")
    company_b = OrganizationFactory(
        legal_name="Company B KK", country="JP", bpnl=None, corporate_number="1180301018771"
    )
    body = OrganizationFactory(kind=OrganizationKind.CERTIFICATION_BODY, legal_name="Cert Body GmbH")
    closed_body = OrganizationFactory(
        kind=OrganizationKind.CERTIFICATION_BODY, legal_name="Closed Review Cert SA"
    )
    authority = OrganizationFactory(kind=OrganizationKind.AUTHORITY, legal_name="Market Surveillance")
    users = {
        ANONYMOUS: None,
        COMPANY_A: member(Role.ADMIN, company_a, username="admin-a"),
        COMPANY_A_VIEWER: member(Role.VIEWER, company_a, username="viewer-a"),
        COMPANY_B: member(Role.ADMIN, company_b, username="admin-b"),
        CERTIFIER: member(Role.REVIEWER, body, username="reviewer"),
        AUTHORITY: member(Role.INSPECTOR, authority, username="inspector"),
        OPERATOR: UserFactory(username="operator", is_staff=True, is_superuser=True),
        CERTIFIER_AFTER_REVIEW: member(Role.REVIEWER, closed_body, username="reviewer-after-review"),
    }
    for audience, name, kind in (
        (PARTNER_PASSPORT, "Passport Partner Oy", None),
        (PARTNER_MODEL, "Model Partner AB", None),
        (EXCHANGE_SUPPLIER, "Exchange Upstream Oy", OrganizationKind.SUPPLIER),
        (EXCHANGE_CUSTOMER, "Exchange Downstream GmbH", OrganizationKind.SUPPLIER),
    ):
        organization = OrganizationFactory(legal_name=name, **({"kind": kind} if kind else {}))
        users[audience] = member(Role.ADMIN, organization, username=audience.replace("_", "-"))
    return company_a, users


@pytest.fixture(scope="module")
def canary_state(django_db_setup, django_db_blocker) -> Iterator[CanaryState]:
    # Users are created for the crawl, not to test PBKDF2; tasks run in-process as in every test.
    celery_app.conf.task_always_eager = True
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        company_a, users = _users()
        world = plant_all(World(company_a=company_a, users=users))
        yield CanaryState(world, build_targets(world))
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """A crawl that logs in again (after a GET ended the session) need not pay for PBKDF2 either."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def canary_world(canary_state, db) -> World:
    """Company A's data planted by every registered capability, with the URL kwargs they provide."""
    return canary_state.world


@pytest.fixture
def canary_targets(canary_state, db) -> TargetSet:
    return canary_state.targets
