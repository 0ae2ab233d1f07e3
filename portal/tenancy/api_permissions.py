from __future__ import annotations

from rest_framework.permissions import BasePermission

from . import policies


class IsActiveMember(BasePermission):
    """The default for the API: an authenticated member of an active organization."""

    def has_permission(self, request, view) -> bool:
        return bool(
            request.user and request.user.is_authenticated and policies.is_active_member(request.user)
        )
