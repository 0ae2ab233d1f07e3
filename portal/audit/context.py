"""The request facts an audit entry needs (client IP), carried without threading `request` everywhere."""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

current_ip: ContextVar[str | None] = ContextVar("passbridge_audit_ip", default=None)


def client_ip(request: HttpRequest) -> str | None:
    # X-Forwarded-For is trusted only when the deployment says a proxy sets it, and then only its last
    # entry: the one our proxy added. Earlier entries come from the client and could be anything, which
    # would let one client pass for many addresses (and slip past the per-address login limit).
    if getattr(settings, "PASSBRIDGE_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None
