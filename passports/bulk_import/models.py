"""A bulk import of passports: the uploaded file (private storage, deleted when no longer needed), what the
worker has done so far (the resume point is committed together with each chunk of rows), and the per-row
problems found. Registered with the passports app in `PassportsConfig.ready()`."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.storage import private_storage

from ..access import ImportJobQuerySet


class ImportFormat(models.TextChoices):
    CATENAX_JSON = "catenax_json", _("Catena-X JSON")
    CATENAX_JSONL = "catenax_jsonl", _("Catena-X JSON lines")
    CSV = "csv", _("CSV template")
    XLSX = "xlsx", _("Excel template")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("All or nothing")
    VALID_ROWS = "valid", _("Import the valid rows")


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    #: All or nothing, and the file had errors: nothing was stored.
    REJECTED = "rejected", _("Not imported: the file has errors")
    FAILED = "failed", _("Failed")


class ImportPhase(models.TextChoices):
    CHECK = "check", _("Checking the rows")
    IMPORT = "import", _("Importing")


OPEN_STATES = (ImportState.QUEUED, ImportState.RUNNING)


class ImportJob(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    # The worker acts as this person (their role is checked again by the services, row chunk by chunk).
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(
        storage=private_storage, upload_to="passport-imports/", max_length=300, blank=True
    )
    file_name = models.CharField(_("file"), max_length=200)
    file_size = models.PositiveBigIntegerField(default=0)
    format = models.CharField(_("format"), max_length=16, choices=ImportFormat.choices)
    mode = models.CharField(
        _("mode"), max_length=8, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING
    )
    confirm_economic_operator = models.BooleanField(default=False)
    #: The starter's language: the worker words the row errors in it.
    language = models.CharField(max_length=16, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ImportState.choices, default=ImportState.QUEUED
    )
    phase = models.CharField(max_length=8, choices=ImportPhase.choices, default=ImportPhase.CHECK)
    #: Passport rows (documents, lines, sheet rows) of the file; known once the check has counted them.
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    checked_rows = models.PositiveIntegerField(default=0)
    #: Resume point of the import phase: passport rows (valid or not) handled by committed chunks.
    resume_row = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(_("imported"), default=0)
    invalid_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    models_created = models.PositiveIntegerField(default=0)
    models_updated = models.PositiveIntegerField(default=0)
    models_done = models.BooleanField(default=False)
    #: Bit n set: passport row n (0-based) has an error and is never imported (written by the check).
    invalid_map = models.BinaryField(default=b"", blank=True)
    #: Battery models the file defines, {manufacturer part id: values}, checked (tabular formats only).
    model_values = models.JSONField(default=dict, blank=True)
    issue_count = models.PositiveIntegerField(_("errors"), default=0)
    message = models.CharField(max_length=300, blank=True)
    run_token = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    #: When the uploaded file (kept for the corrected-file download) is deleted.
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        app_label = "passports"
        ordering = ["-created_at", "-id"]
        verbose_name = _("passport import")
        verbose_name_plural = _("passport imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(imported_rows__lte=models.F("total_rows")),
                name="passports_import_imported_le_total",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="passports_import_org_idx"),
            models.Index(fields=["state", "updated_at"], name="passports_import_open_idx"),
        ]

    def __str__(self) -> str:
        return f"import {str(self.public_id)[:8]}: {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def percent(self) -> int:
        """Checking is the first half, importing the second (a rejected file stops after the first)."""
        if not self.is_open:
            return 100
        if not self.total_rows:
            return 0
        done = self.checked_rows + (self.resume_row if self.phase == ImportPhase.IMPORT else 0)
        return min(99, int(done * 50 / self.total_rows))


class ImportIssue(models.Model):
    """One problem of one row: `row` is what the user sees (spreadsheet row, line, or document number),
    `column` an attribute key or a JSON path. At most `MAX_STORED_ISSUES` per job are kept."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField()
    sheet = models.CharField(max_length=40, blank=True)
    column = models.CharField(max_length=300, blank=True)
    message = models.TextField()

    class Meta:
        app_label = "passports"
        ordering = ["job", "id"]

    def __str__(self) -> str:
        return f"{self.sheet} {self.row} {self.column}"
