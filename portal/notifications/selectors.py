"""Every read of notifications: a person only ever sees their own."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from . import policies
from .models import Notification


def notifications_for(*, actor) -> QuerySet[Notification]:
    """The actor's own notifications (`Notification`'s rule), newest first."""
    return Notification.objects.restrict(actor, "view").order_by("-created_at", "-id")


def notification_get(*, actor, public_id: UUID | str) -> Notification | None:
    """One of the actor's notifications, or None: someone else's 'does not exist'."""
    return notifications_for(actor=actor).filter(public_id=public_id).first()


def unread_count(*, actor) -> int:
    if not policies.can_have_notifications(actor):
        return 0  # no query at all for visitors (the badge is on every page)
    return Notification.objects.restrict(actor, "view").filter(read_at__isnull=True).count()
