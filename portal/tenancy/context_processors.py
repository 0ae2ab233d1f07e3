from __future__ import annotations

from django.http import HttpRequest

from . import policies
from .selectors import membership_of


def tenancy(request: HttpRequest) -> dict:
    """Navigation facts for the base template: the membership and which menu entries fit the role."""
    user = getattr(request, "user", None)
    membership = membership_of(user)
    active = membership is not None and membership.organization.is_active
    return {
        "current_membership": membership,
        "nav": {
            "dashboard_kind": policies.dashboard_kind(user)
            if user and user.is_authenticated
            else "anonymous",
            "organization": active,
            "members": active,
            "audit": active and policies.can_view_audit_log(user, membership.organization),
            "admin": policies.is_operator(user),
        },
    }
