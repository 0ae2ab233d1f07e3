from __future__ import annotations

from rest_framework import serializers

from ..models import Notification


class NotificationOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    is_read = serializers.BooleanField(read_only=True)
    url = serializers.CharField(read_only=True, help_text="A path inside the portal, or empty.")
    title = serializers.CharField(source="display_title", read_only=True, help_text="In your language.")
    body = serializers.CharField(source="display_body", read_only=True, help_text="In your language.")

    class Meta:
        model = Notification
        fields = ["id", "event", "title", "body", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields


class MarkAllReadOutput(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read.")
