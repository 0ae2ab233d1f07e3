"""The rate limit of the public certificate verification (HTML page and JSON API alike).

Certificate numbers are sequential, so an unlimited public look-up would let anyone list every holder.
A fixed one-minute window per client in the `ratelimit` cache (Redis, or the database without it:
shared by every web process either way) bounds that. Anonymous visitors are counted by IP address; a
signed-in user by account, so colleagues behind one company proxy do not exhaust each other's allowance
and a user is accountable.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.utils.translation import gettext as _

from portal.audit.context import client_ip

WINDOW_SECONDS = 60


def _client_key(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request) or 'unknown'}"


def verification_allowed(request: HttpRequest) -> bool:
    """Count this look-up; False once the client has used up its look-ups of the current minute."""
    limit = settings.CERTIFICATE_VERIFY_RATE_PER_MINUTE
    window = int(time.time() // WINDOW_SECONDS)
    key = f"certification:verify:{_client_key(request)}:{window}"
    cache = caches["ratelimit"]
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    return count <= limit


def retry_after_seconds() -> int:
    return WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS


def limit_message() -> str:
    return _("Too many certificate look-ups from your address. Please wait a minute and try again.")
