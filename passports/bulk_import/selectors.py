"""Reading bulk imports: a job is seen by the members of the company that started it, nobody else
(`ImportJob.objects.restrict`, rule in `passports.access`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.urls import reverse

from .models import ImportFormat, ImportIssue, ImportJob

#: Recent jobs on the import page.
RECENT_JOBS = 20
#: Errors shown inline (page, API); the rest are in the downloadable report.
SHOWN_ISSUES = 50


def jobs_for(*, actor) -> QuerySet[ImportJob]:
    return ImportJob.objects.restrict(actor, "view").select_related(None).defer("invalid_map", "model_values")


def job_get(*, actor, public_id: UUID | str) -> ImportJob | None:
    try:
        return jobs_for(actor=actor).filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None


def issues_of(job: ImportJob, limit: int | None = SHOWN_ISSUES) -> QuerySet[ImportIssue]:
    issues = ImportIssue.objects.filter(job=job).order_by("id")
    return issues[:limit] if limit else issues


def corrected_file_available(job: ImportJob) -> bool:
    """A copy of the upload with an error column: templates only, while the upload is kept."""
    return job.format in (ImportFormat.CSV, ImportFormat.XLSX) and bool(job.file) and job.issue_count > 0


def job_state(job: ImportJob, *, api: bool = False) -> dict[str, Any]:
    """What the progress bar polls and the API answers (a view-model: no relation is walked)."""
    if api:
        url = reverse("api:passport-import-detail", kwargs={"public_id": job.public_id})
        report = reverse("api:passport-import-errors", kwargs={"public_id": job.public_id})
    else:
        url = reverse("passports:import_detail", kwargs={"public_id": job.public_id})
        report = reverse("passports:import_errors", kwargs={"public_id": job.public_id})
    return {
        "id": str(job.public_id),
        "url": url,
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "phase": job.phase,
        "format": job.format,
        "mode": job.mode,
        "file_name": job.file_name,
        "progress": job.percent,
        "total_rows": job.total_rows,
        "checked_rows": job.checked_rows,
        "imported_rows": job.imported_rows,
        "invalid_rows": job.invalid_rows,
        "models_created": job.models_created,
        "models_updated": job.models_updated,
        "error_count": job.issue_count,
        "message": job.message,
        "finished": not job.is_open,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "error_report_url": report if job.issue_count else None,
    }
