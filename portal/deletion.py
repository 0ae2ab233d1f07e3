"""Deletion guards: an app higher up may keep a row of an app below it from being deleted (certification
keeps what a valid certificate covers) without the lower app knowing that app exists. Delete services call
`refuse_if_protected` inside their transaction; guards answer with the reasons that block the deletion."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.utils.translation import gettext as _

from .exceptions import InvalidTransition

Guard = Callable[[models.Model], list[str]]
_GUARDS: list[Guard] = []


class ProtectedFromDeletion(InvalidTransition):
    """The row is still needed by something that must not lose it (the API answers 409 Conflict)."""


def register(guard: Guard) -> Guard:
    if guard not in _GUARDS:
        _GUARDS.append(guard)
    return guard


def refuse_if_protected(obj: models.Model) -> None:
    reasons = [reason for guard in _GUARDS for reason in guard(obj)]
    if reasons:
        raise ProtectedFromDeletion(_("It cannot be deleted: %(reasons)s") % {"reasons": " ".join(reasons)})
