from __future__ import annotations

from typing import Any

from django.db import models

from .context import current_ip
from .models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    organization: Any = None,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit entry. `details` must hold only facts an organization admin may read."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_label=(actor.get_username() if authenticated else "system")[:200],
        organization=organization,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(getattr(target, "public_id", None) or getattr(target, "pk", ""))
        if target is not None
        else "",
        object_label=str(target)[:200] if target is not None else "",
        ip_address=current_ip.get(),
        details=details or {},
    )
