"""Template tags of the exchange pages: figures as plain decimals, country shares as text, and the card
on the company dashboard (the dashboards live in `portal`, which must not know the exchange, so the card
asks for its numbers here)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from .. import selectors
from ..access import company_of
from ..models import RequestState
from ..validation import plain

register = template.Library()

OPEN_STATES = (RequestState.SENT, RequestState.SENT_BACK)


@register.filter
def num(value: Any) -> str:
    """A decimal as the standards write it ("0.0752", "60"), without trailing zeros or exponent; "—"
    for a missing figure."""
    if value is None or value == "":
        return "—"
    try:
        return plain(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


@register.filter
def shares(value: dict | None) -> str:
    """{"CL": "60", "AU": "40"} as "CL 60 %, AU 40 %"."""
    if not value:
        return "—"
    # Largest share first (the database keeps JSON keys in its own order).
    ordered = sorted(value.items(), key=lambda item: (-_decimal(item[1]), item[0]))
    return ", ".join(f"{code} {num(share)} %" for code, share in ordered)


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


@register.simple_tag(takes_context=True)
def exchange_summary(context) -> dict[str, int]:
    """Open requests the company has to answer (and how many are overdue), and its own requests still
    waiting for an answer (or sent back to it)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if company_of(user) is None:
        return {"to_answer": 0, "overdue": 0, "waiting": 0, "sent_back": 0}
    today = timezone.localdate()
    received = (
        selectors.requests_received(actor=user)
        .order_by()
        .aggregate(
            to_answer=Count("pk", filter=Q(state=RequestState.SENT)),
            overdue=Count("pk", filter=Q(state=RequestState.SENT, due_date__lt=today)),
        )
    )
    sent = (
        selectors.requests_sent(actor=user)
        .order_by()
        .aggregate(
            waiting=Count("pk", filter=Q(state=RequestState.SENT)),
            sent_back=Count("pk", filter=Q(state=RequestState.SENT_BACK)),
        )
    )
    return {**received, **sent}
