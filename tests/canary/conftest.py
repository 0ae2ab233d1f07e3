"""Fixtures of the canary crawl: one user per audience, company A's planted data, the crawl targets."""

from __future__ import annotations

import pytest

from portal.tenancy.models import OrganizationKind, Role
from tests.factories import OrganizationFactory, member

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


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are created per test and audience; PBKDF2's cost is not what the crawl tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def canary_partners(db) -> dict:
    """Administrators of two partner companies; the grants that make them partners are the planters'."""
    return {
        audience: member(
            Role.ADMIN, OrganizationFactory(legal_name=name), username=audience.replace("_", "-")
        )
        for audience, name in (
            (PARTNER_PASSPORT, "Passport Partner Oy"),
            (PARTNER_MODEL, "Model Partner AB"),
        )
    }


@pytest.fixture
def exchange_partners(db) -> dict:
    """Administrators of company A's supplier and of its customer; the requests and answers that link
    them to company A are the exchange planter's (``capabilities/exchange.py``)."""
    return {
        audience: member(
            Role.ADMIN,
            OrganizationFactory(legal_name=name, kind=OrganizationKind.SUPPLIER),
            username=audience.replace("_", "-"),
        )
        for audience, name in (
            (EXCHANGE_SUPPLIER, "Exchange Upstream Oy"),
            (EXCHANGE_CUSTOMER, "Exchange Downstream GmbH"),
        )
    }


@pytest.fixture
def reviewer_after_review(db):
    """A reviewer at a second certification body; its (closed) review is the planters'."""
    body = OrganizationFactory(kind=OrganizationKind.CERTIFICATION_BODY, legal_name="Closed Review Cert SA")
    return member(Role.REVIEWER, body, username="reviewer-after-review")


@pytest.fixture
def canary_users(
    admin_a,
    viewer_a,
    admin_b,
    reviewer,
    inspector,
    operator,
    canary_partners,
    reviewer_after_review,
    exchange_partners,
) -> dict:
    """One user per audience (``None`` is the anonymous visitor)."""
    return {
        ANONYMOUS: None,
        COMPANY_A: admin_a,
        COMPANY_A_VIEWER: viewer_a,
        COMPANY_B: admin_b,
        CERTIFIER: reviewer,
        AUTHORITY: inspector,
        OPERATOR: operator,
        **canary_partners,
        CERTIFIER_AFTER_REVIEW: reviewer_after_review,
        **exchange_partners,
    }


@pytest.fixture
def canary_world(company_a, canary_users) -> World:
    """Company A's data planted by every registered capability, with the URL kwargs they provide."""
    return plant_all(World(company_a=company_a, users=canary_users))


@pytest.fixture
def canary_targets(canary_world) -> TargetSet:
    return build_targets(canary_world)
