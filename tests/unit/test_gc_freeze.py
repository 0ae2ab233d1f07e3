"""The web worker freezes its long-lived objects while it warms up (portal/gc_freeze.py)."""

from __future__ import annotations

import gc
import weakref

import pytest

from portal.gc_freeze import FREEZE_AFTER, FreezeWarmObjects


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def _hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def test_objects_are_frozen_after_the_warm_up_requests_only(unfrozen):
    application = FreezeWarmObjects(_hello)
    frozen_after = []
    for served in range(1, 1_001):
        before = gc.get_freeze_count()
        assert application({}, lambda status, headers: None) == [b"hello"]
        if gc.get_freeze_count() > before:
            frozen_after.append(served)
        gc.unfreeze()
    assert frozen_after == sorted(FREEZE_AFTER)


class _Node:
    pass


def test_the_requests_own_garbage_is_collected_before_freezing(unfrozen):
    refs: list[weakref.ref] = []

    def leaves_a_cycle(environ, start_response):
        node = _Node()
        node.itself = node  # garbage only the cyclic collector can free
        refs.append(weakref.ref(node))
        start_response("200 OK", [])
        return [b""]

    gc.disable()  # no collection but the one before freezing
    try:
        FreezeWarmObjects(leaves_a_cycle)({}, lambda status, headers: None)
    finally:
        gc.enable()
    assert refs[0]() is None


def test_a_failing_request_still_counts(unfrozen):
    def fails(environ, start_response):
        raise RuntimeError("boom")

    application = FreezeWarmObjects(fails)
    with pytest.raises(RuntimeError):
        application({}, lambda status, headers: None)
    assert application.served == 1
    assert gc.get_freeze_count() > 0
