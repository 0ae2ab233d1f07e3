from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditEvent


def audit_events_for(*, actor) -> QuerySet[AuditEvent]:
    """The audit entries the actor may read (`AuditEvent`'s rule): operators all, organization managers
    their own organization's."""
    return AuditEvent.objects.restrict(actor, "view").select_related("organization")
