"""Fixtures of the canary crawl: one user per audience, company A's planted data, the crawl targets."""

from __future__ import annotations

import pytest

from .crawler import TargetSet, build_targets
from .registry import (
    ANONYMOUS,
    AUTHORITY,
    CERTIFIER,
    COMPANY_A,
    COMPANY_A_VIEWER,
    COMPANY_B,
    OPERATOR,
    World,
    plant_all,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are created per test and audience; PBKDF2's cost is not what the crawl tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def canary_users(admin_a, viewer_a, admin_b, reviewer, inspector, operator) -> dict:
    """One user per audience (``None`` is the anonymous visitor)."""
    return {
        ANONYMOUS: None,
        COMPANY_A: admin_a,
        COMPANY_A_VIEWER: viewer_a,
        COMPANY_B: admin_b,
        CERTIFIER: reviewer,
        AUTHORITY: inspector,
        OPERATOR: operator,
    }


@pytest.fixture
def canary_world(company_a, canary_users) -> World:
    """Company A's data planted by every registered capability, with the URL kwargs they provide."""
    return plant_all(World(company_a=company_a, users=canary_users))


@pytest.fixture
def canary_targets(canary_world) -> TargetSet:
    return build_targets(canary_world)
