"""Passport completeness evaluated by the database, so that a list can filter thousands of passports by it.

The same question as `completeness.completeness()`, asked of the values a passport shows its owner:
`{**battery_model.data, **latest_version.data, "battery_status": passport.status}`, where the latest
version is the one with the highest number, draft or published. The keys come from
`completeness.strictly_required_keys`, so the Python check and this filter cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.db import NotSupportedError
from django.db.models import BooleanField, Exists, Expression, F, OuterRef, Q, QuerySet
from django.db.models.lookups import In

from .catalogue import Category
from .completeness import obligation_day, strictly_required_keys
from .models import Passport, PassportVersion
from .services import STATUS_KEY

# JSON values `completeness._empty` counts as no value, in their canonical JSON text. Both vendors
# render an extracted value in this form (PostgreSQL compares jsonb by value; SQLite's `->` returns
# minified JSON text), so the string "[]" is not mistaken for an empty list.
_EMPTY_JSON = ("null", '""', "[]", "{}")


class EmptyValue(Expression):
    """True when `key` has no value in the merge of the JSON objects `sources` (first wins, like
    `{**last, ..., **first}`): absent from all of them, or JSON null, "", [] or {} in the first that has
    the key. A key present with an empty value hides a value further down, as in the Python merge.

    Never NULL, so it can be negated safely. PostgreSQL and SQLite (3.38+ for `->`) only."""

    output_field = BooleanField()

    def __init__(self, key: str, *sources: Any) -> None:
        super().__init__()
        self.key = key
        self.sources = [s if hasattr(s, "resolve_expression") else F(s) for s in sources]

    def get_source_expressions(self) -> list[Any]:
        return self.sources

    def set_source_expressions(self, exprs: list[Any]) -> None:
        self.sources = list(exprs)

    def _sql(self, compiler, connection, key_param: str, json_cast: str) -> tuple[str, list[Any]]:
        # `->` yields SQL NULL only for an absent key (JSON null is the JSON value null), so COALESCE
        # picks the first object that has the key, exactly like the dict merge.
        parts, params = [], []
        for source in self.sources:
            sql, source_params = compiler.compile(source)
            parts.append(f"({sql} -> %s)")
            params += [*source_params, key_param]
        # The constants are written into the SQL (they hold no "%"), so the statement stays readable.
        candidates = ", ".join([*parts, f"'null'{json_cast}"])
        choices = ", ".join(f"'{value}'{json_cast}" for value in _EMPTY_JSON)
        return f"(COALESCE({candidates}) IN ({choices}))", params

    def as_postgresql(self, compiler, connection, **extra_context: Any) -> tuple[str, list[Any]]:
        return self._sql(compiler, connection, self.key, "::jsonb")

    def as_sqlite(self, compiler, connection, **extra_context: Any) -> tuple[str, list[Any]]:
        return self._sql(compiler, connection, connection.ops.compile_json_path([self.key]), "")

    def as_sql(self, compiler, connection, **extra_context: Any) -> tuple[str, list[Any]]:
        raise NotSupportedError(f"EmptyValue is not implemented for {connection.vendor}.")


def _keys_by_categories(on: date) -> list[tuple[list[str], list[str]]]:
    """(categories, keys): each strictly required key once, with the categories requiring it, so the SQL
    tests every key once instead of once per category."""
    grouped: dict[frozenset[str], list[str]] = {}
    categories_of: dict[str, set[str]] = {}
    for category in Category:
        for key in strictly_required_keys(category.value, on):
            categories_of.setdefault(key, set()).add(category.value)
    for key, categories in categories_of.items():
        grouped.setdefault(frozenset(categories), []).append(key)
    return [(sorted(categories), keys) for categories, keys in grouped.items()]


def _any_empty(
    groups: Iterable[tuple[list[str], list[str]]], category: Any, sources: tuple[Any, ...]
) -> Q | None:
    conditions = [
        Q(In(category, categories)) & reduce(or_, (Q(EmptyValue(key, *sources)) for key in keys))
        for categories, keys in groups
        if keys
    ]
    return reduce(or_, conditions) if conditions else None


def lacking_values(on: date) -> Q:
    """A filter on `Passport`: the passports that lack a strictly required value on `on`."""
    groups = _keys_by_categories(on)
    # The battery status is a column of the passport, not a JSON value; it overrides whatever the
    # versions hold under that key.
    status_categories = [c for categories, keys in groups if STATUS_KEY in keys for c in categories]
    groups = [(categories, [k for k in keys if k != STATUS_KEY]) for categories, keys in groups]
    newer = PassportVersion.objects.filter(passport=OuterRef("passport"), number__gt=OuterRef("number"))
    in_latest = _any_empty(
        groups, OuterRef("battery_model__category"), (F("data"), OuterRef("battery_model__data"))
    )
    # Every write path creates version 1 with the passport, yet nothing in the schema forbids a passport
    # without versions: its values are then the model's (and the status), as in the Python check.
    in_model = _any_empty(groups, F("battery_model__category"), (F("battery_model__data"),))
    lacking = Q(pk__in=[])  # always false: nothing is required
    if status_categories:
        lacking |= Q(battery_model__category__in=status_categories, status="")
    if in_latest is not None and in_model is not None:
        latest = PassportVersion.objects.filter(passport=OuterRef("pk")).exclude(Exists(newer))
        lacking |= Q(Exists(latest.filter(in_latest)))
        lacking |= ~Q(Exists(PassportVersion.objects.filter(passport=OuterRef("pk")))) & in_model
    return lacking


def passports_by_completeness(
    queryset: QuerySet[Passport], *, complete: bool, on: date | None = None
) -> QuerySet[Passport]:
    """`queryset` narrowed to the passports that are complete (or incomplete) on `on`, by default
    `completeness.obligation_day()` evaluated now, so a requirement that starts at a date applies from
    that day on without stored state. Scoping to the caller's own passports is the caller's job."""
    lacking = lacking_values(on or obligation_day())
    return queryset.exclude(lacking) if complete else queryset.filter(lacking)
