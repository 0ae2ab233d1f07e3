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


def completeness(category: str, values: dict[str, Any], on: date | None = None) -> Completeness:
    """Evaluated on `on`, by default the later of today and the date passports become mandatory, so
    companies see before February 2027 what they will need."""
    on = on or max(timezone.localdate(), PASSPORT_OBLIGATION_DATE)
    missing: list[Attribute] = []
    conditional: list[Attribute] = []
    for attribute in mandatory_attributes(category, on):
        if attribute.group is not None or attribute.system or not _empty(values.get(attribute.key)):
            continue
        if requirement_of(attribute.key).condition in (Condition.IF_APPLICABLE, Condition.IN_SERVICE):
            conditional.append(attribute)
        else:
            missing.append(attribute)
    pending = tuple(a for a in pending_attributes(category) if a.group is None)
    return Completeness(category, on, tuple(missing), tuple(conditional), pending)
