"""Periodic passport work, run by Celery beat (see CELERY_BEAT_SCHEDULE). Tasks take no data: they re-read
storage and the database, and running one twice does no harm."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def sweep_document_files() -> int:
    """Remove uploaded document files that no row names (an upload whose caller's transaction rolled
    back after the file was written); returns how many were removed."""
    return services.document_files_sweep()
