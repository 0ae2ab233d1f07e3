"""Which mandatory attributes a passport still lacks, and which are pending in law, for its category."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from .catalogue import (
    PASSPORT_OBLIGATION_DATE,
    Attribute,
    Condition,
    mandatory_attributes,
    pending_attributes,
)
from .catalogue import requirement as requirement_of


@dataclass(frozen=True)
class Completeness:
    category: str
    checked_on: date
    missing: tuple[Attribute, ...]  # in force on `checked_on`, no value
    conditional: tuple[Attribute, ...]  # required "where applicable" or once in service, no value
    pending: tuple[Attribute, ...]  # the EU act is not adopted yet

    @property
    def complete(self) -> bool:
        return not self.missing


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _checked_attributes(category: str, on: date) -> list[tuple[Attribute, bool]]:
    """The attributes a passport's own values are checked for, each with whether it is strictly required
    (False: required only where applicable or once in service). Rows (grouped attributes) and values the
    portal sets itself are checked elsewhere."""
    return [
        (
            attribute,
            requirement_of(attribute.key).condition not in (Condition.IF_APPLICABLE, Condition.IN_SERVICE),
        )
        for attribute in mandatory_attributes(category, on)
        if attribute.group is None and not attribute.system
    ]


def strictly_required_keys(category: str, on: date) -> tuple[str, ...]:
    """The keys whose empty value makes a passport of `category` incomplete on `on`: exactly what
    `completeness()` reports as `missing`, also used to evaluate completeness in SQL
    (`completeness_query`), so the two cannot disagree."""
    return tuple(attribute.key for attribute, strict in _checked_attributes(category, on) if strict)


def obligation_day() -> date:
    """The day completeness is judged on by default: the later of today and the date passports become
    mandatory, so companies see before February 2027 what they will need."""
    return max(timezone.localdate(), PASSPORT_OBLIGATION_DATE)


def completeness(category: str, values: dict[str, Any], on: date | None = None) -> Completeness:
    """Evaluated on `on`, by default `obligation_day()`."""
    on = on or obligation_day()
    missing: list[Attribute] = []
    conditional: list[Attribute] = []
    for attribute, strict in _checked_attributes(category, on):
        if _empty(values.get(attribute.key)):
            (missing if strict else conditional).append(attribute)
    pending = tuple(a for a in pending_attributes(category) if a.group is None)
    return Completeness(category, on, tuple(missing), tuple(conditional), pending)
