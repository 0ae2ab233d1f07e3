"""Company A's planted world, once per module: one user per audience and every capability's data, in a
transaction rolled back when the module ends. The canary crawl and the API fuzzer (tests/api) share it, so a
new capability is crawled and fuzzed on real objects without a second world to keep in step."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.test.utils import override_settings

from portal.celery import app as celery_app
from portal.tenancy.models import OrganizationKind, Role
from tests.factories import OrganizationFactory, UserFactory, member

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


def _audience_users() -> tuple:
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


@contextmanager
def planted_world(django_db_blocker) -> Iterator[World]:
    """For a module-scoped fixture: every test then runs in a savepoint within this transaction, so what a
    test writes is undone before the next one and the world is planted once."""
    # Users are created for the tests, not to test PBKDF2; tasks run in-process as in every test.
    celery_app.conf.task_always_eager = True
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        company_a, users = _audience_users()
        yield plant_all(World(company_a=company_a, users=users))
        transaction.set_rollback(True)
