from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin_writes import ReadOnlyAdmin

from .labels import action_label
from .models import AuditEvent
from .selectors import audit_events_for


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is append-only, operators see every organization's entries."""

    list_display = [
        "created_at",
        "actor_label",
        "organization",
        "description",
        "action",
        "object_label",
        "ip_address",
    ]
    list_filter = ["action", "organization__kind"]
    search_fields = ["actor_label", "action", "object_label", "organization__legal_name"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "actor",
        "actor_label",
        "organization",
        "action",
        "object_type",
        "object_id",
        "object_label",
        "ip_address",
        "details",
    ]
    readonly_fields = fields

    @admin.display(description=_("what happened"), ordering="action")
    def description(self, event: AuditEvent) -> str:
        # In the operator's language; the code stays next to it, as stored.
        return action_label(event.action)

    def get_queryset(self, request):
        # The audit log's one rule (operators read every entry), as on the portal's audit page.
        return audit_events_for(actor=request.user)
