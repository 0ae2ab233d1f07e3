"""Which attributes are mandatory for which battery category, from when, or pending in law.

The facts live in `passports/requirements.json` (configuration data, not code) so that a changed date
or a newly adopted delegated act is a data edit. The file is validated strictly when it is loaded:
an unknown attribute key, an unknown field, a category that never needs a passport or a malformed
date raises `ImproperlyConfigured` naming the entry.

Entry semantics:
- `categories`: the passport categories it applies to;
- `status`: "in_force" (default; then `from` is the first day it applies) or "pending" (the act that
  triggers it is not adopted yet; `note` says which; no `from`);
- `condition`: "if_applicable" (only when the battery has the thing: lead, modules, spare parts ...)
  or "in_service" (individual-battery data due once the battery is in use); absent = always;
- `note`: the key of a user-facing text in `notes.REQUIREMENT_NOTES` (translated; shown in the
  completeness box); `basis`: the legal reference, for the people who maintain the file (not shown);
  `comment`: anything else developers need to know (never shown);
- on a GROUP it means "at least one row"; on a row attribute "filled in every row".
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

from .attributes import ATTRIBUTES
from .core import PASSPORT_CATEGORIES, Attribute, Category
from .notes import CONDITION_NOTES, REQUIREMENT_NOTES
from .registry import attribute

REQUIREMENTS_PATH = Path(__file__).resolve().parent.parent / "requirements.json"
FILE_KEYS = frozenset({"comment", "version", "attributes"})
ENTRY_KEYS = frozenset({"categories", "from", "status", "note", "basis", "condition", "comment"})
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class RequirementStatus(StrEnum):
    IN_FORCE = "in_force"
    PENDING = "pending"


class Condition(StrEnum):
    IF_APPLICABLE = "if_applicable"
    IN_SERVICE = "in_service"


if set(CONDITION_NOTES) != {condition.value for condition in Condition}:  # every condition explains itself
    raise ImproperlyConfigured(
        "passports.catalogue.notes.CONDITION_NOTES must have a text for every Condition"
    )


@dataclass(frozen=True)
class Requirement:
    key: str
    categories: frozenset[Category]
    status: RequirementStatus = RequirementStatus.IN_FORCE
    from_date: date | None = None
    note_key: str = ""  # a key of notes.REQUIREMENT_NOTES
    basis: str = ""
    condition: Condition | None = None

    @property
    def pending(self) -> bool:
        return self.status is RequirementStatus.PENDING

    @property
    def note(self) -> Promise | str:
        """What users read about this obligation (translated when shown), or "" when there is nothing."""
        return REQUIREMENT_NOTES[self.note_key] if self.note_key else ""

    @property
    def condition_note(self) -> Promise | str:
        """Why the attribute is only conditionally required (translated when shown), or ""."""
        return CONDITION_NOTES[self.condition.value] if self.condition is not None else ""

    def mandatory_on(self, category: Category | str, on: date) -> bool:
        return (
            not self.pending
            and Category(category) in self.categories
            and self.from_date is not None
            and self.from_date <= on
        )


def _fail(path: Path, where: str, problem: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{path.name}: {where}: {problem}")


def _parse_entry(path: Path, key: str, raw: Any) -> Requirement:
    if not isinstance(raw, dict):
        raise _fail(path, key, "each entry must be an object")
    unknown = set(raw) - ENTRY_KEYS
    if unknown:
        raise _fail(path, key, f"unknown fields {sorted(unknown)}; allowed: {sorted(ENTRY_KEYS)}")
    try:
        target = attribute(key)
    except LookupError:
        raise _fail(path, key, "no passport attribute has this key") from None
    if target.system:
        raise _fail(path, key, "platform-filled (system) attributes cannot be required")
    categories = raw.get("categories")
    if not isinstance(categories, list) or not categories:
        raise _fail(path, key, "'categories' must be a non-empty list")
    try:
        parsed_categories = [Category(value) for value in categories]
    except ValueError as exc:
        raise _fail(path, key, f"unknown category ({exc})") from None
    if len(set(parsed_categories)) != len(parsed_categories):
        raise _fail(path, key, "a category is listed twice")
    never = set(parsed_categories) - PASSPORT_CATEGORIES
    if never:
        raise _fail(path, key, f"{sorted(never)} never need a battery passport (Art. 77(1))")
    try:
        status = RequirementStatus(raw.get("status", RequirementStatus.IN_FORCE))
    except ValueError:
        raise _fail(path, key, "'status' must be 'in_force' or 'pending'") from None
    note, basis, comment = raw.get("note", ""), raw.get("basis", ""), raw.get("comment", "")
    if not isinstance(note, str) or not isinstance(basis, str) or not isinstance(comment, str):
        raise _fail(path, key, "'note', 'basis' and 'comment' must be text")
    from_date = None
    if status is RequirementStatus.PENDING:
        if "from" in raw:
            raise _fail(path, key, "a pending requirement has no 'from' date (say it in the note)")
        if not note.strip():
            raise _fail(path, key, "a pending requirement needs a 'note' naming the missing act")
    else:
        value = raw.get("from")
        if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
            raise _fail(path, key, "'from' must be a date YYYY-MM-DD")
        try:
            from_date = date.fromisoformat(value)
        except ValueError:
            raise _fail(path, key, f"'from' {value} is not a real calendar date") from None
    condition = raw.get("condition")
    if condition is not None:
        try:
            condition = Condition(condition)
        except ValueError:
            raise _fail(path, key, f"'condition' must be one of {[c.value for c in Condition]}") from None
    # Checked last so that a malformed entry is reported for its first problem. A note is shown to users:
    # it names a translated text, never prose of its own (developer remarks go in 'comment').
    if note and note not in REQUIREMENT_NOTES:
        raise _fail(
            path,
            key,
            f"'note' {note!r} is not a key of passports.catalogue.notes.REQUIREMENT_NOTES"
            f" ({sorted(REQUIREMENT_NOTES)}); put developer remarks in 'comment'",
        )
    return Requirement(
        key=key,
        categories=frozenset(parsed_categories),
        status=status,
        from_date=from_date,
        note_key=note,
        basis=basis,
        condition=condition,
    )


def load_requirements(path: Path = REQUIREMENTS_PATH) -> Mapping[str, Requirement]:
    """Read and validate a requirements file (uncached; `requirements()` caches the project's one)."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"{Path(path).name}: cannot be read as JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise _fail(Path(path), "file", "the top level must be an object")
    unknown = set(raw) - FILE_KEYS
    if unknown:
        raise _fail(Path(path), "file", f"unknown top-level keys {sorted(unknown)}")
    if raw.get("version") != 1:
        raise _fail(Path(path), "file", "'version' must be 1")
    entries = raw.get("attributes")
    if not isinstance(entries, dict):
        raise _fail(Path(path), "file", "'attributes' must be an object keyed by attribute key")
    return MappingProxyType({key: _parse_entry(Path(path), key, entry) for key, entry in entries.items()})


@cache
def requirements() -> Mapping[str, Requirement]:
    """The project's requirements (passports/requirements.json), validated once and cached."""
    return load_requirements()


def requirement(key: str) -> Requirement | None:
    """The requirement of one attribute, or None when the law does not require it."""
    attribute(key)  # unknown keys raise LookupError
    return requirements().get(key)


def mandatory_attributes(category: Category | str, on: date) -> list[Attribute]:
    """Attributes in force for `category` on day `on`, in display order (rows and conditional ones
    included: read `requirement(key).condition` and the attribute's level and group)."""
    category = Category(category)
    reqs = requirements()
    return [a for a in ATTRIBUTES if a.key in reqs and reqs[a.key].mandatory_on(category, on)]


def pending_attributes(category: Category | str) -> list[Attribute]:
    """Attributes that will become mandatory for `category` once a pending act is adopted."""
    category = Category(category)
    reqs = requirements()
    return [
        a for a in ATTRIBUTES if a.key in reqs and reqs[a.key].pending and category in reqs[a.key].categories
    ]
