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

from .crawler import TargetSet, build_targets
from .registry import World
from .world import planted_world


@dataclass(frozen=True)
class CanaryState:
    world: World
    targets: TargetSet


@pytest.fixture(scope="module")
def canary_state(django_db_setup, django_db_blocker) -> Iterator[CanaryState]:
    with planted_world(django_db_blocker) as world:
        yield CanaryState(world, build_targets(world))


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
