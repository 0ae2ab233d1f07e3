"""Audit entries as a reader sees them: what happened and to what, in the reader's language.

Every page that lists audit entries builds its rows here, so that the audit log, and any later list of
entries, reads the same. The stored code and label stay the record; these rows only add words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.apps import apps
from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from . import labels
from .models import AuditEvent

#: What `audit_record` writes as the actor label when nobody signed in did it (a task, the system).
SYSTEM_ACTOR_LABEL = "system"


@dataclass(frozen=True)
class AuditRow:
    created_at: datetime
    who: str
    action: str  # the stored code, for support staff
    action_label: str  # in the reader's language; the code when it has no registered label
    action_known: bool
    kind: str  # the object's kind in the reader's language; "" without an object or for a removed model
    identifier: str  # what identifies the object: a name, number or reference, as stored
    ip_address: str | None


@cache
def _model(object_type: str) -> type[models.Model] | None:
    # Entries outlive models: a removed model's entries keep their stored label, without a kind.
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


@cache
def _english_kind_words(object_type: str) -> tuple[str, ...]:
    """The English words a generic label of this type starts with, longest first (so "Data request" is
    tried before "Data")."""
    model = _model(object_type)
    if model is None:
        return ()
    with translation.override("en"):
        verbose_name = str(model._meta.verbose_name)
    words = {verbose_name, *labels.object_rule(object_type).kind_words}
    return tuple(sorted(words, key=len, reverse=True))


def object_identifier(object_type: str, label: str) -> str:
    """The part of a stored label that identifies the object, without the English kind word.

    Generic labels are "<English kind> <reference>" ("Application 1654fbb7", "Transfer <uuid>"): the kind
    is dropped, since the row shows it translated. Only when one reference follows the kind word: a name
    that merely begins with the word ("Site North plant") is a name and stays whole."""
    rule = labels.object_rule(object_type)
    if rule.rewrite is not None:
        return rule.rewrite(label)
    folded = label.casefold()
    for word in _english_kind_words(object_type):
        if folded.startswith(word.casefold() + " "):
            rest = label[len(word) :].strip()
            if rest and not any(character.isspace() for character in rest):
                return rest
    return label


def object_kind(object_type: str) -> str:
    model = _model(object_type) if object_type else None
    return capfirst(str(model._meta.verbose_name)) if model is not None else ""


def event_rows(events: Iterable[AuditEvent]) -> list[AuditRow]:
    """The rows of `events` in the active language (no queries beyond the events themselves)."""
    system = gettext("System")
    rows = []
    for event in events:
        rows.append(
            AuditRow(
                created_at=event.created_at,
                # A deleted user keeps the name they had (the FK is nulled); only the system's own entries
                # carry the English word, which the reader gets in their language.
                who=system
                if event.actor_id is None and event.actor_label in ("", SYSTEM_ACTOR_LABEL)
                else event.actor_label,
                action=event.action,
                action_label=labels.action_label(event.action),
                action_known=labels.is_registered(event.action),
                kind=object_kind(event.object_type),
                identifier=object_identifier(event.object_type, event.object_label),
                ip_address=event.ip_address,
            )
        )
    return rows
