"""Reading certificate ZIPs: a bundle is its requester's alone (anyone else gets "not found")."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from .models import CertificateBundle


def bundles_of(*, actor) -> QuerySet[CertificateBundle]:
    return CertificateBundle.objects.restrict(actor, "view")


def bundle_get(*, actor, public_id: UUID | str) -> CertificateBundle | None:
    try:
        return bundles_of(actor=actor).filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None
