"""Template tags of the certification pages: the cards on the dashboards (the dashboards live in `portal`,
which must not know certification, so each card asks for its numbers here)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from portal.tenancy.selectors import active_organization_of

from .. import policies, selectors
from ..models import REVIEW_STATES, ApplicationState, CertificateStatus

register = template.Library()

#: Rows of the queue shown on the certifier's dashboard (the queue page has them all).
DASHBOARD_QUEUE_ROWS = 5


def _user(context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def certification_summary(context) -> dict[str, Any]:
    """The company's applications by what they need, and its certificates."""
    user = _user(context)
    organization = active_organization_of(user)
    empty = {"applications": 0, "open": 0, "to_act": 0, "certificates": 0, "valid": 0, "can_apply": False}
    if organization is None:
        return empty
    counts = (
        selectors.applications_for(actor=user)
        .filter(organization=organization)
        .order_by()
        .aggregate(
            total=Count("pk"),
            open=Count("pk", filter=Q(state__in=[*REVIEW_STATES, ApplicationState.DRAFT])),
            to_act=Count(
                "pk", filter=Q(state__in=[ApplicationState.DRAFT, ApplicationState.CHANGES_REQUESTED])
            ),
        )
    )
    certificates = (
        selectors.certificates_for(actor=user)
        .filter(holder=organization)
        .order_by()
        .aggregate(total=Count("pk"), valid=Count("pk", filter=Q(status=CertificateStatus.VALID)))
    )
    return {
        "applications": counts["total"],
        "open": counts["open"],
        "to_act": counts["to_act"],
        "certificates": certificates["total"],
        "valid": certificates["valid"],
        "can_apply": policies.can_apply(user),
    }


@register.simple_tag(takes_context=True)
def review_summary(context) -> dict[str, Any]:
    """The certification body's queue (oldest first), its accreditations and certificates issued."""
    from ..views.applications import application_row  # the queue page's rows, built the same way

    user = _user(context)
    organization = active_organization_of(user)
    queue = selectors.review_queue(actor=user)
    today = timezone.localdate()
    accreditations = selectors.own_accreditations(actor=user)
    return {
        "queue_count": queue.count(),
        "unassigned": queue.filter(reviewer__isnull=True).count(),
        "rows": [application_row(user, a) for a in queue[:DASHBOARD_QUEUE_ROWS]],
        "accreditations": [
            {
                "scheme": a.scheme.local_name,
                "body_code": a.body_code,
                "valid_from": a.valid_from,
                "valid_until": a.valid_until,
                "current": a.covers(today),
            }
            for a in accreditations
        ],
        "issued": selectors.certificates_for(actor=user).filter(issuing_body=organization).count()
        if organization is not None
        else 0,
    }


@register.simple_tag(takes_context=True)
def registry_summary(context) -> dict[str, Any]:
    """What an authority finds in the certificate registry."""
    user = _user(context)
    counts = (
        selectors.certificates_for(actor=user)
        .order_by()
        .aggregate(
            total=Count("pk"),
            valid=Count("pk", filter=Q(status=CertificateStatus.VALID)),
            recognised=Count("pk", filter=Q(origin__isnull=False)),
        )
    )
    return {"total": counts["total"], "valid": counts["valid"], "recognised": counts["recognised"]}
