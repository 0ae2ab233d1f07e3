"""How PACT learns what happens in the exchange without the exchange knowing about PACT: the exchange's
domain events (exchange.events), sent by its services. The deliveries are written in the same transaction
and sent after commit (see services.py)."""

from __future__ import annotations

from django.dispatch import receiver

from exchange import events
from exchange.models import Answer, DataRequest

from . import services


@receiver(events.answer_released, sender=Answer, dispatch_uid="pact.answer_released")
def _answer_released(sender, answer: Answer, **kwargs) -> None:
    services.answer_released(answer)


@receiver(events.request_closed, sender=DataRequest, dispatch_uid="pact.request_closed")
def _request_closed(sender, request: DataRequest, **kwargs) -> None:
    services.request_closed_without_answer(request)
