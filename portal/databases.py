"""Which database a read goes to.

Only the public look-ups (QR scans) may read a replica (`DATABASE_REPLICA_URL`): they are most of the
traffic at scale, show published facts only, and a passport published a moment ago may show a moment late.
Everything else reads the primary, so that what someone just saved is what they see next."""

from __future__ import annotations

from django.conf import settings


def public_reads() -> str:
    """The alias of the public look-ups: "replica" when one is configured, else "default"."""
    return settings.PUBLIC_READ_DATABASE
