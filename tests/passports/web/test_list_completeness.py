"""The list's "complete" / "incomplete" filters: evaluated by the database, with exactly the answer of the
Python `completeness()` for the values the owner sees, in a constant number of queries."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from passports import services
from passports.catalogue import Category
from passports.completeness import completeness, obligation_day, strictly_required_keys
from passports.completeness_query import passports_by_completeness
from passports.models import BatteryModel, Passport, PassportVersion, VersionState

pytestmark = pytest.mark.django_db

ON = obligation_day()
REQUIRED = {
    category: [k for k in strictly_required_keys(category.value, ON) if k != services.STATUS_KEY]
    for category in Category
}
ALL_KEYS = sorted({key for keys in REQUIRED.values() for key in keys})
FULL: dict[str, Any] = {key: "x" for key in ALL_KEYS}
KEY = "manufacturer_address"  # required for every category that has a passport
EV_ONLY = sorted(set(REQUIRED[Category.EV]) - set(REQUIRED[Category.LMT]))
EMPTY_VALUES = (None, "", [], {})
NOT_EMPTY_VALUES = ("[]", "{}", "null", '""', " ", 0, False)


def _without(*keys: str) -> dict[str, Any]:
    return {key: value for key, value in FULL.items() if key not in keys}


def _with(**values: Any) -> dict[str, Any]:
    return {**FULL, **values}


def _model(organization, category: Category, data: dict[str, Any]) -> BatteryModel:
    """A battery model whose stored values are exactly `data` (services would drop empty values)."""
    return BatteryModel.objects.create(
        organization=organization,
        name=f"Model {category.value} {BatteryModel.objects.count()}",
        manufacturer_part_id=f"P-{BatteryModel.objects.count()}",
        category=category.value,
        data=data,
    )


def _passport(
    admin,
    model: BatteryModel,
    identifier: str,
    versions: list[tuple[str, dict[str, Any]]] | None,
    status: str = "original",
) -> Passport:
    """A passport whose versions hold exactly `versions` ((state, data), oldest first); None: no version."""
    passport = services.passport_create(
        actor=admin, battery_model=model, values={"unique_identifier": identifier}
    )
    PassportVersion.objects.filter(passport=passport).delete()
    for number, (state, data) in enumerate(versions or [], start=1):
        PassportVersion.objects.create(
            passport=passport,
            number=number,
            state=state,
            data=data,
            published_at=timezone.now() if state == VersionState.PUBLISHED else None,
        )
    if status != passport.status:
        Passport.objects.filter(pk=passport.pk).update(status=status)
    return passport


DRAFT, PUBLISHED = VersionState.DRAFT, VersionState.PUBLISHED


def _cases() -> list[tuple[str, Category, dict[str, Any], list | None, str, bool]]:
    """(identifier, category, model data, versions, status, complete?)."""
    half = len(ALL_KEYS) // 2
    model_half = {key: "x" for key in ALL_KEYS[:half]}
    version_half = {key: "x" for key in ALL_KEYS[half:]}
    ev = Category.EV
    cases = [
        ("split-between-model-and-version", ev, model_half, [(DRAFT, version_half)], "original", True),
        ("only-in-model", ev, FULL, [(DRAFT, {})], "original", True),
        ("key-missing-everywhere", ev, _without(KEY), [(DRAFT, {})], "original", False),
        ("version-fills-null-of-model", ev, _with(**{KEY: None}), [(DRAFT, {KEY: "x"})], "original", True),
        ("status-empty", ev, FULL, [(DRAFT, {})], "", False),
        ("status-key-in-data-ignored", ev, FULL, [(DRAFT, {services.STATUS_KEY: None})], "original", True),
        ("unknown-keys-ignored", ev, FULL, [(DRAFT, {"no_such_key": None})], "original", True),
        ("draft-newer-empties", ev, FULL, [(PUBLISHED, {KEY: "x"}), (DRAFT, {KEY: None})], "original", False),
        ("draft-newer-fills", ev, _without(KEY), [(PUBLISHED, {}), (DRAFT, {KEY: "x"})], "original", True),
        ("latest-published-fills", ev, _without(KEY), [(PUBLISHED, {}), (PUBLISHED, {KEY: "x"})], "original",
         True),
        ("older-published-ignored", ev, _without(KEY), [(PUBLISHED, {KEY: "x"}), (PUBLISHED, {})], "original",
         False),
        ("no-version-complete", ev, FULL, None, "original", True),
        ("no-version-incomplete", ev, _without(KEY), None, "original", False),
        ("no-version-empty-status", ev, FULL, None, "", False),
        ("sli-nothing-required", Category.SLI, {}, [(DRAFT, {})], "original", True),
        ("portable-nothing-required", Category.PORTABLE, {}, [(DRAFT, {KEY: None})], "", True),
    ]  # fmt: skip
    for n, value in enumerate(EMPTY_VALUES):
        cases += [
            (f"model-empty-{n}", ev, _with(**{KEY: value}), [(DRAFT, {})], "original", False),
            (f"version-empty-overrides-model-{n}", ev, FULL, [(DRAFT, {KEY: value})], "original", False),
        ]
    for n, value in enumerate(NOT_EMPTY_VALUES):
        cases.append((f"not-empty-{n}", ev, _without(KEY), [(DRAFT, {KEY: value})], "original", True))
    for category in (Category.LMT, Category.INDUSTRIAL, Category.STATIONARY):
        cases += [
            (f"{category.value}-complete", category, FULL, [(DRAFT, {})], "original", True),
            (f"{category.value}-incomplete", category, _without(KEY), [(DRAFT, {})], "original", False),
        ]
    if EV_ONLY:  # a key one category requires and another does not
        cases += [
            ("ev-lacks-ev-only-key", ev, _without(EV_ONLY[0]), [(DRAFT, {})], "original", False),
            ("lmt-lacks-ev-only-key", Category.LMT, _without(EV_ONLY[0]), [(DRAFT, {})], "original", True),
        ]
    return cases


def _python_complete(passport: Passport) -> bool:
    latest = passport.versions.order_by("-number").first()
    values = {
        **passport.battery_model.data,
        **(latest.data if latest else {}),
        services.STATUS_KEY: passport.status,
    }
    return completeness(passport.battery_model.category, values).complete


def _identifiers(queryset) -> set[str]:
    return set(queryset.values_list("unique_identifier", flat=True))


def test_sql_filter_agrees_with_python_completeness(login, admin_a, admin_b, company_a, company_b):
    expected: dict[str, bool] = {}
    for identifier, category, model_data, versions, status, complete in _cases():
        _passport(admin_a, _model(company_a, category, model_data), identifier, versions, status)
        expected[identifier] = complete
    # Another company's passports: complete and incomplete, one shared with company A so it is listed.
    foreign = _passport(admin_b, _model(company_b, Category.EV, FULL), "foreign-complete", [(DRAFT, {})])
    _passport(admin_b, _model(company_b, Category.EV, {}), "foreign-incomplete", [(DRAFT, {})])
    services.grant_legitimate_interest(actor=admin_b, target=foreign, organization=company_a)

    everyone = Passport.objects.select_related("battery_model")
    python = {p.unique_identifier: _python_complete(p) for p in everyone}
    # The hand-written expectations are what the Python check says; the SQL must say the same.
    assert {k: v for k, v in python.items() if k in expected} == expected
    assert _identifiers(passports_by_completeness(everyone, complete=True)) == {
        k for k, v in python.items() if v
    }
    assert _identifiers(passports_by_completeness(everyone, complete=False)) == {
        k for k, v in python.items() if not v
    }

    # Through the list: only the caller's own passports, every page (the paginator's whole queryset).
    browser = login(admin_a)
    listed = _identifiers(browser.get("/passports/").context["page"].paginator.object_list)
    # Granted to the caller but never published: it does not exist for company A.
    assert "foreign-complete" not in listed and "draft-newer-fills" in listed
    for state, wanted in (("complete", True), ("incomplete", False)):
        response = browser.get("/passports/", {"state": state})
        assert _identifiers(response.context["page"].paginator.object_list) == {
            k for k, v in expected.items() if v is wanted
        }
        for row in response.context["rows"]:  # the per-row count agrees with the filter
            assert (row["missing"] == 0) is wanted


def test_requirements_follow_the_evaluation_day(admin_a, company_a):
    model = _model(company_a, Category.EV, {})
    _passport(admin_a, model, "empty", [(DRAFT, {})])
    passports = Passport.objects.all()
    assert _identifiers(passports_by_completeness(passports, complete=False)) == {"empty"}
    # Before the obligation date nothing is mandatory yet.
    before = date(2026, 1, 1)
    assert not strictly_required_keys(Category.EV.value, before)
    assert _identifiers(passports_by_completeness(passports, complete=True, on=before)) == {"empty"}


def _count_queries(browser, state: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = browser.get("/passports/", {"state": state})
    assert response.status_code == 200
    return len(queries)


def _some(admin, model: BatteryModel, count: int, start: int) -> None:
    for n in range(start, start + count):
        _passport(admin, model, f"urn:epc:Q-{n:04d}", [(DRAFT, {} if n % 2 else {KEY: None})])


def test_completeness_filters_run_a_constant_number_of_queries(login, admin_a, company_a):
    model = _model(company_a, Category.EV, FULL)
    browser = login(admin_a)
    _some(admin_a, model, 4, 0)
    browser.get("/passports/")  # first request: session and the organization's grant group are set up
    few = {state: _count_queries(browser, state) for state in ("complete", "incomplete")}
    _some(admin_a, model, 60, 4)
    many = {state: _count_queries(browser, state) for state in ("complete", "incomplete")}
    assert few == many
    assert max(many.values()) <= 15
    response = browser.get("/passports/", {"state": "complete"})
    assert response.context["page"].paginator.count == 32 and len(response.context["rows"]) == 25
