"""Every read of end-of-life rows, scoped by `restrict()`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import RecoveredOutput, Transfer


def transfers_for(*, actor) -> QuerySet[Transfer]:
    return Transfer.objects.restrict(actor).select_related("organization", "recipient", "passport")


def transfer_get(*, actor, public_id: Any) -> Transfer | None:
    try:
        return transfers_for(actor=actor).filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None


def outputs_for(*, actor) -> QuerySet[RecoveredOutput]:
    return RecoveredOutput.objects.restrict(actor)
