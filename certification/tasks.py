"""Periodic certification work, run by Celery beat. Tasks take no data; they re-read the database and
are idempotent (expiry and reminders record what they did in the same transaction)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def expire_certificates() -> list[str]:
    """Expire certificates whose validity has ended, with every certificate recognised from them."""
    return services.certificates_expire()


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def remind_expiring_certificates() -> list[list]:
    """Remind holders 60 and 30 days before a certificate ends (once each)."""
    return [list(item) for item in services.certificates_remind()]


# --- Certificate documents (queue "pdf", see CELERY_TASK_ROUTES) ----------------------------------------


@shared_task(acks_late=True, time_limit=120, soft_time_limit=90)
def render_certificate_document(certificate_id: int) -> str | None:
    """Render, sign and store a certificate's PDF. Idempotent: a retry or a second delivery finds the
    document ready and does nothing."""
    from .documents.services import document_render

    document = document_render(certificate_id=certificate_id)
    return document.sha256 if document is not None else None


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def sweep_certificate_documents() -> list[int]:
    """Re-queue certificates still missing their document (a worker died mid-render, Redis lost a message)."""
    from .documents.services import documents_sweep

    return documents_sweep()


# --- Certificate ZIPs (queue "default", see CELERY_TASK_ROUTES) -----------------------------------------


@shared_task(acks_late=True, time_limit=600, soft_time_limit=570)
def build_certificate_bundle(bundle_id: int) -> str | None:
    """Build a requested ZIP of certificate PDFs. Idempotent: a second delivery finds it ready (or failed)
    and does nothing; the soft limit leaves time to mark an over-long build failed."""
    from .bundles.services import bundle_build

    bundle = bundle_build(bundle_id=bundle_id)
    return bundle.status if bundle is not None else None


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def sweep_certificate_bundles() -> dict[str, int]:
    """Delete expired ZIPs and queue again those whose worker was lost."""
    from .bundles.services import bundles_sweep

    return bundles_sweep()
