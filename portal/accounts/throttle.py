"""Login throttling per address, across user names (password spraying).

django-axes locks a user name tried from one address after AXES_FAILURE_LIMIT failures. An attacker who
tries one or two passwords on many user names never reaches that limit, so every address also has its own,
higher limit: AXES_ADDRESS_FAILURE_LIMIT failed logins within the cool-off time lock the address for every
user name until the oldest of them has cooled off. The count comes from axes' failure log in the database,
so it holds across all web workers and survives a Redis that is down.
"""

from __future__ import annotations

from datetime import timedelta

from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_client_ip_address
from axes.models import AccessFailureLog
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


def address_failures(ip_address: str | None) -> int:
    if not ip_address:
        return 0
    since = timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    return AccessFailureLog.objects.filter(ip_address=ip_address, attempt_time__gte=since).count()


class AddressThrottleBackend:
    """An authentication backend that logs nobody in: it refuses every attempt from an address over its
    limit, before any password is checked, the way axes' own backend refuses a locked user name (the
    axes middleware then answers with the lockout page, 429). Like axes' backend it has no `get_user`: a
    backend with one would be taken for the one that restores logged-in users from their sessions."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs
    ):
        if request is None:
            return None
        ip_address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
        if address_failures(ip_address) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            request.axes_locked_out = True
            raise AxesBackendPermissionDenied("Too many failed logins from this address")
        return None
