from __future__ import annotations

from django.contrib import admin

from portal.admin_writes import ReadOnlyAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Read-only, for operators answering "did they get told?": text is never confidential by design."""

    list_display = ["created_at", "recipient", "event", "title", "read_at", "emailed_at"]
    list_filter = ["event"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "recipient__email", "event", "title"]
    date_hierarchy = "created_at"
    fields = [
        "public_id",
        "created_at",
        "recipient",
        "event",
        "title",
        "body",
        "url",
        "read_at",
        "emailed_at",
    ]
    readonly_fields = fields
