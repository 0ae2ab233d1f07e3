from __future__ import annotations

from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, operators see every organization's entries."""

    list_display = ["created_at", "actor_label", "organization", "action", "object_label", "ip_address"]
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

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
