"""What an audit entry's action and object are called, in the reader's language.

An entry stores its action as a code ("battery_model.archived") and its object as `str(target)` at the
time of writing, in English ("Application 1654fbb7"). Both are facts of an append-only record and stay as
written; the words a reader sees are looked up when the entry is shown (`presentation.event_rows`).

The base knows no domain, so every app registers its own codes (and the English kind words of its models'
generic labels) from its `AppConfig.ready()`, in an `audit_labels.py` of its own. A code nobody registered
(an entry written by code since removed) is shown as the code itself: unlabelled, never hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

#: A lazily translated label (`gettext_lazy`), so that it is translated when shown, in the reader's language.
Label = Promise | str

_ACTIONS: dict[str, Label] = {}


@dataclass(frozen=True)
class ObjectLabelRule:
    """How to read the stored English label of one model's objects.

    `kind_words`: the English words a generic `__str__` starts with ("Recovered output" for
    "Recovered output <uuid>") besides the model's English verbose name, which is always tried.
    `rewrite`: for a label that carries other English words (a role in parentheses), a function returning
    the label in the active language; it replaces the kind-word rule for that model."""

    kind_words: tuple[str, ...] = ()
    rewrite: Callable[[str], str] | None = None


_OBJECTS: dict[str, ObjectLabelRule] = {}


def register(code: str, label: Label) -> None:
    """Register the label of one action code. Registering a code again with another label is a mistake
    (two apps claiming the same code) and fails at start-up rather than showing one of them at random."""
    existing = _ACTIONS.get(code)
    if existing is not None and existing is not label and str(existing) != str(label):
        raise ImproperlyConfigured(f"Audit action {code!r} is registered twice with different labels.")
    _ACTIONS[code] = label


def register_actions(labels: Mapping[str, Label]) -> None:
    for code, label in labels.items():
        register(code, label)


def register_object(
    object_type: str, *, kind_words: Iterable[str] = (), rewrite: Callable[[str], str] | None = None
) -> None:
    """How labels of `object_type` ("app_label.model_name", as `AuditEvent.object_type`) are read."""
    _OBJECTS[object_type] = ObjectLabelRule(kind_words=tuple(kind_words), rewrite=rewrite)


def action_label(code: str) -> str:
    """The label of `code` in the active language; the code itself when nobody registered it."""
    label = _ACTIONS.get(code)
    return code if label is None else str(label)


def is_registered(code: str) -> bool:
    return code in _ACTIONS


def registered_codes() -> frozenset[str]:
    return frozenset(_ACTIONS)


def object_rule(object_type: str) -> ObjectLabelRule:
    return _OBJECTS.get(object_type, ObjectLabelRule())
