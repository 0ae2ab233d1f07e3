"""Transfer alerts follow transfers: queued after the transfer's commit (a lost enqueue is caught by the
sweep that runs with every cube build and every hour)."""

from __future__ import annotations

from django.dispatch import receiver

from endoflife import events
from portal.enqueue import queue_after_commit


@receiver(events.transfer_recorded)
def _flag_recorded(sender, transfer, **kwargs) -> None:
    from .tasks import flag_transfer

    public_id = str(transfer.public_id)
    queue_after_commit(lambda: flag_transfer.delay(public_id), what="a transfer alert check")


@receiver(events.transfer_withdrawn)
def _unflag_withdrawn(sender, public_id, **kwargs) -> None:
    from .tasks import unflag_transfer

    value = str(public_id)
    queue_after_commit(lambda: unflag_transfer.delay(value), what="a transfer alert removal")
