"""The public passport document (`GET /p/<id>/` as JSON), kept encoded in the shared cache.

This is the most requested URL of the portal: every scan of a battery's QR code by a machine. What it
answers changes only when the passport gets a new published version or is closed (published versions are
immutable), and both happen in `passports.services`, which calls `forget` after the commit. So the
encoded document can be kept until then; a time limit bounds any write path that forgets to forget.

The key carries a fingerprint of the public allowlist, so a release that changes which values are public
never serves documents encoded under the old one. With a per-process cache (tests, `make run`, or no Redis
configured) nothing is kept unless `PUBLIC_PASSPORT_CACHE_SECONDS` asks for it: another process's write
could not forget this process's copy.
"""

from __future__ import annotations

import functools
import hashlib
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, transaction

from portal.databases import public_reads

from . import policies

_ENCODER = DjangoJSONEncoder(ensure_ascii=False)


@functools.cache
def _key_prefix() -> str:
    allowlist = ",".join(policies.public_keys())
    return f"passports:public-json:{hashlib.sha256(allowlist.encode()).hexdigest()[:12]}:"


def _timeout() -> int:
    return int(getattr(settings, "PUBLIC_PASSPORT_CACHE_SECONDS", 0) or 0)


def encoded_document(passport_id: UUID) -> bytes | None:
    """The UTF-8 JSON document of the passport's latest published version, or None when there is none."""
    timeout = _timeout()
    key = f"{_key_prefix()}{passport_id}"
    if timeout:
        cached = cache.get(key)
        if cached is not None:
            return cached
    from .selectors import public_publication  # here: services import this module, selectors services

    # Just published (or closed): read the primary, which has it, not a replica that may lag behind and
    # would have its older answer kept in the cache.
    recent = timeout and _replica_in_use() and cache.get(_recent_key(passport_id))
    publication = public_publication(passport_id, using=DEFAULT_DB_ALIAS if recent else None)
    if publication is None:
        return None  # not kept: a draft may be published any moment
    encoded = _ENCODER.encode(
        {
            "passport_id": publication.passport_id,
            "version": publication.number,
            "published_at": publication.published_at,
            "status": "closed" if publication.closed else "active",
            "values": publication.values,
        }
    ).encode()
    if timeout:
        cache.set(key, encoded, timeout)
    return encoded


def _replica_in_use() -> bool:
    return public_reads() != DEFAULT_DB_ALIAS


def _recent_key(passport_id: UUID) -> str:
    return f"{_key_prefix()}recent:{passport_id}"


def forget(passport_id: UUID) -> None:
    """Drop the kept document once the current transaction commits (a new publication or a closure); with a
    replica, the next reads of this passport go to the primary for a while (`recent` above)."""
    key = f"{_key_prefix()}{passport_id}"

    def drop() -> None:
        if _replica_in_use():
            cache.set(_recent_key(passport_id), 1, settings.PUBLIC_READ_REPLICA_GRACE_SECONDS)
        cache.delete(key)

    transaction.on_commit(drop, robust=True)
