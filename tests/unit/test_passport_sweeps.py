"""The orphaned passport document files sweep that `document_upload` promises is scheduled by Celery beat,
and its task runs the sweep."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from passports import tasks
from portal.celery import app as celery_app

TASK = "passports.tasks.sweep_document_files"


def test_beat_schedules_the_document_files_sweep():
    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == TASK]
    assert len(entries) == 1
    # Within the hour that `document_files_sweep` leaves young files alone, and at least hourly.
    assert 0 < entries[0]["schedule"] <= 60 * 60
    assert celery_app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE


def test_the_task_is_registered_under_the_scheduled_name():
    celery_app.loader.import_default_modules()
    assert TASK in celery_app.tasks
    assert tasks.sweep_document_files.name == TASK


@pytest.mark.django_db
def test_the_task_removes_orphaned_files(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    folder = Path(settings.PRIVATE_STORAGE_ROOT) / "passport-documents" / "ab"
    folder.mkdir(parents=True)
    orphan = folder / "orphan.pdf"
    young = folder / "young.pdf"
    for path in (orphan, young):
        path.write_bytes(b"%PDF-1.7\n%%EOF\n")
    os.utime(orphan, (1_000_000_000, 1_000_000_000))

    result = tasks.sweep_document_files.delay()

    assert result.get() == 1
    assert not orphan.exists()
    assert young.exists()  # may belong to an upload in flight
