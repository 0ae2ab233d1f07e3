"""Every authorisation decision about notifications: they are personal, only the recipient reads them."""

from __future__ import annotations

from portal.restrict import permits

from .models import Notification


def can_have_notifications(user) -> bool:
    """Any signed-in, active person: members of every kind of organization and operators alike."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_read(user, notification: Notification) -> bool:
    """`Notification`'s rule (only the recipient) asked of one notification."""
    return permits(user, "change", notification)
