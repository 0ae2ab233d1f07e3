from __future__ import annotations

from django.db.models import QuerySet

from portal.tenancy.policies import can_view_audit_log
from portal.tenancy.selectors import membership_of

from .models import AuditEvent


def audit_events_for(*, actor) -> QuerySet[AuditEvent]:
    """The audit entries the actor may read: operators all, organization managers their own."""
    if actor.is_authenticated and actor.is_staff:
        return AuditEvent.objects.select_related("organization")
    membership = membership_of(actor)
    if membership is None or not can_view_audit_log(actor, membership.organization):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(organization=membership.organization)
