"""Which links a notification may carry: paths inside the portal, never another site."""

from __future__ import annotations

import re

from django.utils.http import url_has_allowed_host_and_scheme

# Whitespace and control characters have no place in a path we generate; browsers strip some of them,
# which is how "/\t/evil.example" becomes a link to another host.
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f]")


def is_portal_path(url: str) -> bool:
    """A relative path of this portal ("/passports/..."): no scheme, no host, no "//" or "/\\" trick."""
    return (
        bool(url)
        and url.startswith("/")
        and not _UNSAFE.search(url)
        # With no allowed host, Django's own check accepts only URLs without a scheme and a host.
        and url_has_allowed_host_and_scheme(url, allowed_hosts=set())
    )
