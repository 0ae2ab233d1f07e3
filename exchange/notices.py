"""Who is told about what in the exchange. Notifications are e-mailed: they name the two companies of
a request, the customer's part and a reference, never figures, sub-suppliers or quantities."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

from portal.notifications.services import notify

from .access import EDIT_ROLES
from .models import Answer, DataRequest

User = get_user_model()


def _workers(organization_id: int) -> models.QuerySet:
    """Who exchanges data for a company: its administrators and editors."""
    return User.objects.filter(
        membership__organization_id=organization_id,
        membership__role__in=list(EDIT_ROLES),
        membership__is_active=True,
        is_active=True,
    )


def _context(request: DataRequest, **extra) -> dict:
    return {
        "customer": request.customer.legal_name,
        "supplier": request.supplier.legal_name,
        "part": f"{request.customer_part.local_id} {request.customer_part.name}",
        "reference": request.reference,
        "due_date": request.due_date,
        **extra,
    }


def _tell(request: DataRequest, *, organization_id: int, event: str, **extra) -> None:
    notify(
        recipients=_workers(organization_id),
        event=f"exchange.{event}",
        template=f"exchange_{event}",
        context=_context(request, **extra),
        url=reverse("exchange:request", args=[request.public_id]),
    )


def request_sent(request: DataRequest) -> None:
    _tell(request, organization_id=request.supplier_id, event="request_sent")


def request_cancelled(request: DataRequest) -> None:
    _tell(request, organization_id=request.supplier_id, event="request_cancelled")


def request_sent_back(request: DataRequest) -> None:
    _tell(request, organization_id=request.customer_id, event="request_sent_back")


def answer_released(answer: Answer) -> None:
    _tell(answer.request, organization_id=answer.customer_id, event="answer_released", version=answer.version)


def answer_corrected(answer: Answer) -> None:
    _tell(
        answer.request, organization_id=answer.customer_id, event="answer_corrected", version=answer.version
    )
