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


# A million Catena-X documents take about an hour to check and import; the time limit leaves room, and a
# run that is stopped anyway continues from its last committed chunk when the sweep queues it again.
@shared_task(acks_late=True, time_limit=4 * 60 * 60, soft_time_limit=4 * 60 * 60 - 60)
def run_passport_import(job_id: int, recheck: bool = True) -> str | None:
    """Check and import one bulk import job. Idempotent: a finished job is left alone, an open one whose
    run is not alive is taken over and continues after its last committed chunk."""
    from .bulk_import.services import job_run

    job = job_run(job_id=job_id, recheck=recheck)
    return job.state if job is not None else None


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def sweep_passport_imports() -> dict[str, int]:
    """Queue again the imports whose worker was lost; delete uploads kept past their retention."""
    from .bulk_import.services import imports_sweep

    return imports_sweep()
