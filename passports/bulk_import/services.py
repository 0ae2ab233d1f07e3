"""Writing bulk imports: starting a job (checked upload, queued after commit), the worker's run, the sweep.

The run has two phases.
1. Check: every row is read and validated (the catalogue, the Catena-X reader, identifiers already taken,
   duplicates in the file, battery models that differ between rows). Problems are stored per row, the rows
   with problems are marked in a bitmap on the job. In "all or nothing" mode a file with any problem stops
   here: nothing was stored. The check stores nothing but issues, so a killed check simply starts again.
2. Import: the valid rows, CHUNK_ROWS at a time; each chunk's models and passports are committed in one
   transaction together with the job's resume point (`resume_row`), so no transaction holds the file and a
   run that took over from a killed worker continues after the last committed chunk without duplicates.

Ownership of a running job is a `run_token`: a redelivered task takes over and the stale run can no longer
write (its next progress update or chunk finds another token and stops).
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.enqueue import queue_after_commit
from portal.gc_pause import collection_paused
from portal.restrict import NOTHING
from portal.tenancy.selectors import active_organization_of
from portal.uploads import safe_file_name

from .. import catenax, policies, services
from ..catalogue import attribute, validate_record, validate_value
from ..models import BatteryModel, Passport
from . import formats
from .formats import IDENTIFIER_KEY, LINK_KEY, DocumentRow, FileUnreadable, TabularFile, TabularRow
from .models import ImportFormat, ImportIssue, ImportJob, ImportMode, ImportPhase, ImportState

logger = logging.getLogger(__name__)

#: Passport rows per import transaction.
CHUNK_ROWS = 500
#: Rows checked together against the database (identifiers taken, predecessors).
CHECK_BATCH = 500
#: Issues stored per job (all are counted); a file with more shows the first ones.
MAX_STORED_ISSUES = 100_000
#: Jobs queued or running at once per company: bounded work per tenant.
MAX_OPEN_JOBS = 3
#: A running job touches its row at least every few seconds (progress while checking, each committed
#: chunk): one that did within this is alive, and another delivery of its task leaves it alone instead of
#: taking it over. With several import workers, a worker's start (which queues all unfinished work again)
#: would otherwise move every running job to an idle worker, restarting checks and using up attempts.
LIVE_WITHIN = timedelta(minutes=1)
#: A job without a sign of life this long lost its worker: the sweep queues it again.
STUCK_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 5
#: Seconds between two progress writes during the check.
PROGRESS_INTERVAL = 0.5
#: How long an upload with errors is kept for the corrected-file download.
RETENTION = timedelta(days=7)
#: What the worker does with the first bytes when recognising a file.
SNIFF_BYTES = 65536

TABULAR = (ImportFormat.CSV, ImportFormat.XLSX)


def taken_message() -> str:
    """The services' wording for an identifier already taken (translated when called)."""
    return _("Your organization already has a passport with this identifier.")


def import_max_bytes() -> int:
    return settings.PASSPORT_IMPORT_MAX_BYTES


def can_import(actor) -> bool:
    organization = active_organization_of(actor)
    return (
        organization is not None
        and ImportJob.objects.rule(actor, "change") is not NOTHING
        and policies.can_create_models(actor, organization)
    )


def _file_error(message: str, code: str) -> ValidationError:
    return ValidationError({"file": [ValidationError(message, code=code)]})


def check_import_upload(upload: Any) -> str:
    """The format of an uploaded import file, or `ValidationError` keyed "file" (400 in the API)."""
    if upload is None or not hasattr(upload, "read"):
        raise _file_error(_("Choose a file to upload."), "required")
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        raise _file_error(_("The file is empty."), "empty")
    if size > import_max_bytes():
        raise _file_error(_("The file is too large for one import."), "too_large")
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    found = formats.detect_format(str(getattr(upload, "name", "") or ""), head)
    if found is None:
        raise _file_error(
            _("Upload a Catena-X JSON or JSON lines file, or a CSV or Excel (.xlsx) import template."),
            "file_type",
        )
    if found == ImportFormat.XLSX:
        try:
            names = set(zipfile.ZipFile(upload).namelist())
        except zipfile.BadZipFile:
            names = set()
        upload.seek(0)
        if "xl/workbook.xml" not in names:
            raise _file_error(_("This is not an Excel (.xlsx) workbook."), "file_type")
    return found


def job_start(
    *, actor, upload: Any, mode: str = ImportMode.ALL_OR_NOTHING, confirm_economic_operator: bool = False
) -> ImportJob:
    """Store the upload privately and queue its import for after the commit."""
    if not can_import(actor):
        raise PermissionDenied(_("You may not import passports."))
    if mode not in ImportMode.values:
        raise ValidationError({"mode": [_("Choose all or nothing, or import the valid rows.")]})
    file_format = check_import_upload(upload)
    organization = active_organization_of(actor)
    open_jobs = ImportJob.objects.filter(
        organization=organization, state__in=(ImportState.QUEUED, ImportState.RUNNING)
    ).count()
    if open_jobs >= MAX_OPEN_JOBS:
        raise ValidationError(
            _("Your company already has %(count)s imports running. Wait until one ends, then try again.")
            % {"count": open_jobs},
            code="busy",
        )
    name = safe_file_name(getattr(upload, "name", "")) or "import"
    with transaction.atomic():
        job = ImportJob(
            organization=organization,
            started_by=actor,
            file_name=name[:200],
            file_size=upload.size,
            format=file_format,
            mode=mode,
            confirm_economic_operator=bool(confirm_economic_operator),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        # The stored name is the job's id, never the user's: nothing of the file name reaches the disk.
        job.file.save(f"{uuid.uuid4().hex}.upload", File(upload), save=False)
        job.save()
        queue_after_commit(partial(job_enqueue, job.pk), what="a passport import")
    return job


def job_enqueue(job_id: int) -> None:
    from .. import tasks  # tasks import the services: imported late to keep the import graph acyclic

    tasks.run_passport_import.delay(job_id)


def recheck_later(job_id: int, seconds: float) -> None:
    """Look once more, in `seconds`, at a job that seemed alive (without a further look after that)."""
    from .. import tasks

    try:
        tasks.run_passport_import.apply_async((job_id,), {"recheck": False}, countdown=seconds)
    except Exception:  # the broker is away: the sweep still finds a job without a sign of life
        logger.warning("Could not queue a second look at passport import %s", job_id)


# ---- the run (in a worker) ----------------------------------------------------------------------------


class _TakenOver(Exception):
    """Another run owns the job now: stop without writing anything."""


class _ChunkFailed(Exception):
    def __init__(self, issues: list[tuple[int, str, str, str]]) -> None:
        super().__init__(issues)
        self.issues = issues  # (row number, sheet, column, message)


class _Alive(Exception):
    """The job's run gave a sign of life within `LIVE_WITHIN`: another delivery of its task leaves it.
    `seconds_left`: until the run would no longer count as alive."""

    def __init__(self, seconds_left: float) -> None:
        super().__init__(seconds_left)
        self.seconds_left = seconds_left


def _claim(job_id: int, token: str) -> ImportJob | None:
    """The job, now owned by `token`; None when it is finished or gone. Raises `_Alive` for a job whose
    run is still going (a duplicate delivery: a worker's start or the sweep queued it again)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.is_open:
            return None
        now = timezone.now()
        if job.state == ImportState.RUNNING and job.updated_at > now - LIVE_WITHIN:
            raise _Alive((job.updated_at + LIVE_WITHIN - now).total_seconds())
        if job.attempts >= MAX_ATTEMPTS:
            job.state = ImportState.FAILED
            job.message = _(
                "The import stopped several times and was given up. Please upload the file again."
            )
            job.finished_at = now
            job.save(update_fields=["state", "message", "finished_at"])
            return None
        job.state = ImportState.RUNNING
        job.run_token = token
        job.attempts += 1
        job.updated_at = now
        job.save(update_fields=["state", "run_token", "attempts", "updated_at"])
        return job


def _owned(job: ImportJob, token: str):
    return ImportJob.objects.filter(pk=job.pk, run_token=token, state=ImportState.RUNNING)


def _bit(bitmap: bytes | bytearray, position: int) -> bool:
    index = position >> 3
    return index < len(bitmap) and bool(bitmap[index] & (1 << (position & 7)))


def _identity(value: Any) -> int:
    # 64-bit digests instead of the identifiers: a million of them fit in a worker's memory.
    return int.from_bytes(hashlib.blake2b(str(value).encode(), digest_size=8).digest(), "big")


@dataclass
class _Pending:
    """A row waiting for the database checks of its batch."""

    position: int
    number: int
    sheet: str
    identifier: str
    values: Any = None  # ImportedValues (Catena-X)


class _Run:
    def __init__(self, job: ImportJob, token: str, after_chunk: Callable[[int], None] | None) -> None:
        self.job = job
        self.token = token
        self.after_chunk = after_chunk
        self.organization = job.organization
        self.actor = job.started_by
        self.last_progress = 0.0
        self.issue_buffer: list[ImportIssue] = []
        # Issues already stored by an earlier phase count against the cap.
        self.stored_issues = job.issue_count if job.phase == ImportPhase.IMPORT else 0
        self.issue_count = 0
        self.invalid = bytearray()

    # -- bookkeeping --------------------------------------------------------------------------------
    def issue(self, number: int, column: str, message: Any, sheet: str = "") -> None:
        self.issue_count += 1
        if self.stored_issues + len(self.issue_buffer) < MAX_STORED_ISSUES:
            self.issue_buffer.append(
                ImportIssue(
                    job=self.job, row=number, sheet=sheet[:40], column=column[:300], message=str(message)
                )
            )
            if len(self.issue_buffer) >= 1000:
                self.flush_issues()

    def flush_issues(self) -> None:
        if self.issue_buffer:
            ImportIssue.objects.bulk_create(self.issue_buffer)
            self.stored_issues += len(self.issue_buffer)
            self.issue_buffer = []

    def mark_bad(self, position: int) -> None:
        index = position >> 3
        if index >= len(self.invalid):
            self.invalid.extend(b"\0" * (index + 1 - len(self.invalid)))
        self.invalid[index] |= 1 << (position & 7)

    def progress(self, checked: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_progress < PROGRESS_INTERVAL:
            return
        self.last_progress = now
        if not _owned(self.job, self.token).update(checked_rows=checked, updated_at=timezone.now()):
            raise _TakenOver
        self.job.checked_rows = checked

    def open_file(self):
        return self.job.file.open("rb")

    # -- the run ------------------------------------------------------------------------------------
    def execute(self) -> None:
        if self.job.phase == ImportPhase.CHECK and not self.check():
            return
        self.import_rows()

    # -- phase 1: check -----------------------------------------------------------------------------
    def check(self) -> bool:
        """Validate every row; True when the import may go on."""
        ImportIssue.objects.filter(job=self.job).delete()  # a check that was killed starts again
        total = self.estimate_rows()
        _owned(self.job, self.token).update(total_rows=total, checked_rows=0, updated_at=timezone.now())
        self.job.total_rows = total
        model_values: dict[str, Any] = {}
        with self.open_file() as handle:
            try:
                if self.job.format in TABULAR:
                    count, model_values = self.check_tabular(handle)
                else:
                    count = self.check_documents(handle)
            except FileUnreadable as problem:
                self.issue(problem.row, problem.column, problem.message)
                count = 0
        self.flush_issues()
        invalid_rows = sum(bin(byte).count("1") for byte in self.invalid)
        has_issues = self.issue_count > 0
        nothing = count == 0 and not model_values
        now = timezone.now()
        fields: dict[str, Any] = {
            "total_rows": count,
            "checked_rows": count,
            "invalid_rows": invalid_rows,
            "issue_count": self.issue_count,
            "invalid_map": bytes(self.invalid),
            "model_values": model_values,
            "updated_at": now,
        }
        if nothing and not has_issues:
            self.issue(0, "", _("The file has no rows to import."))
            self.flush_issues()
            fields["issue_count"] = self.issue_count
            has_issues = True
        if has_issues and (self.job.mode == ImportMode.ALL_OR_NOTHING or nothing):
            fields.update(state=ImportState.REJECTED, finished_at=now, expires_at=now + RETENTION)
            if not _owned(self.job, self.token).update(**fields):
                raise _TakenOver
            if self.job.format not in TABULAR:  # no corrected file to build from it: not kept
                _delete_upload(self.job)
            return False
        fields["phase"] = ImportPhase.IMPORT
        if not _owned(self.job, self.token).update(**fields):
            raise _TakenOver
        for key, value in fields.items():
            setattr(self.job, key, value)
        return True

    def estimate_rows(self) -> int:
        """Rows for the progress bar while checking (the check counts them exactly)."""
        with self.open_file() as handle:
            if self.job.format in (ImportFormat.CSV, ImportFormat.CATENAX_JSONL):
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
                return max(0, lines - (2 if self.job.format == ImportFormat.CSV else 0))
            if self.job.format == ImportFormat.XLSX:
                try:
                    header = TabularFile(handle, self.job.format)
                except FileUnreadable:
                    return 0
                if header.passport_header is None:
                    return 0
                workbook = header._workbook()
                try:
                    return max(0, (workbook[header.passport_header.sheet].max_row or 0) - 2)
                finally:
                    workbook.close()
        return 0

    # Catena-X ------------------------------------------------------------------------------------
    def check_documents(self, handle) -> int:
        with collection_paused():
            count = self._check_document_rows(enumerate(formats.document_rows(handle, self.job.format)))
        self.progress(count, force=True)
        return count

    def _check_document_rows(self, rows: Iterator[tuple[int, DocumentRow]]) -> int:
        part_path = attribute(LINK_KEY).catenax_paths[0]
        id_path = attribute(IDENTIFIER_KEY).catenax_paths[0]
        first_model: dict[str, tuple[int, Any, str]] = {}
        seen: dict[int, int] = {}
        batch: list[_Pending] = []
        count = 0
        for position, row in rows:
            count = position + 1
            self.progress(count)
            if row.problem:
                self.issue(row.number, "$", row.problem)
                self.mark_bad(position)
                continue
            try:
                values = catenax.read_document(row.document)
            except catenax.CatenaxInvalid as exc:
                for error in exc.errors:
                    self.issue(row.number, error.get("path", "$"), error["message"])
                self.mark_bad(position)
                continue
            bad = False
            part = str(values.model_values.get(LINK_KEY, ""))
            if part not in first_model:
                first_model[part] = (row.number, values.model_text, _model_signature(values))
            first = first_model[part]
            # Equal model texts give equal model values: the values are compared only when the texts differ.
            if first[1] != values.model_text and first[2] != _model_signature(values):
                self.issue(row.number, part_path, _(
                    "Same battery model as row %(first)d but with different model values.") % {
                    "first": first[0]})  # fmt: skip
                bad = True
            identifier = str(values.battery_values.get(IDENTIFIER_KEY) or "")
            if not identifier:
                self.issue(row.number, id_path, _("This field is required."))
                bad = True
            elif _identity(identifier) in seen:
                self.issue(row.number, id_path, _(
                    "This identifier appears twice in the file (first in row %(first)d).") % {
                    "first": seen[_identity(identifier)]})  # fmt: skip
                bad = True
            else:
                seen[_identity(identifier)] = row.number
            if bad:
                self.mark_bad(position)
                continue
            batch.append(_Pending(position, row.number, "", identifier, values))
            if len(batch) >= CHECK_BATCH:
                self.check_document_batch(batch)
                batch = []
                # The collector is paused while rows are read: a full collection per batch (a few ms) bounds
                # whatever cycles a million rows could leave to one batch's worth.
                gc.collect()
        self.check_document_batch(batch)
        return count

    def check_document_batch(self, batch: list[_Pending]) -> None:
        if not batch:
            return
        read = [pending.values for pending in batch]
        errors: list[dict[str, Any]] = []
        if not self.job.confirm_economic_operator:
            errors.extend(catenax._foreign_operators(self.organization, read))
        catenax._predecessors(self.organization, read, errors)
        taken = set(
            Passport.objects.filter(
                organization=self.organization, unique_identifier__in=[p.identifier for p in batch]
            ).values_list("unique_identifier", flat=True)
        )
        id_path = attribute(IDENTIFIER_KEY).catenax_paths[0]
        for index, pending in enumerate(batch):
            if pending.identifier in taken:
                errors.append({"document": index, "path": id_path, "message": taken_message()})
        for error in errors:
            pending = batch[error["document"]]
            self.issue(pending.number, error["path"], error["message"])
            self.mark_bad(pending.position)

    # Templates -----------------------------------------------------------------------------------
    def _decode(self, row: TabularRow, keys: Iterable[str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        values: dict[str, Any] = {}
        problems: list[tuple[str, str]] = []
        for key in keys:
            if key not in row.cells:
                continue
            try:
                value = formats.decode_cell(attribute(key), row.cells[key])
            except formats.CellError as exc:
                problems.append((key, str(exc)))
                continue
            if value is not None:
                values[key] = value
        return values, problems

    @staticmethod
    def _validated(values: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        try:
            return validate_record(values), []
        except ValidationError as exc:
            return {}, [(key, str(m)) for key, messages in exc.message_dict.items() for m in messages]

    def _model(self, row: TabularRow, keys: Iterable[str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        values, problems = self._decode(row, keys)
        cleaned, invalid = self._validated(values)
        problems += invalid
        if not problems:
            problems += [
                (key, _("This field is required."))
                for key in services.REQUIRED_MODEL_KEYS
                if cleaned.get(key) in (None, "")
            ]
        return json.loads(json.dumps(cleaned, cls=DjangoJSONEncoder)), problems

    def check_tabular(self, handle) -> tuple[int, dict[str, Any]]:
        table = TabularFile(handle, self.job.format)
        if table.problems:  # columns that do not match the template: no row can be read reliably
            for problem in table.problems:
                self.issue(problem.row, problem.column, problem.message)
            return 0, {}
        model_keys = [a.key for a in formats.model_attributes()]
        models: dict[str, dict[str, Any]] = {}  # part id -> {"values", "row", "sheet"}
        bad_models: dict[str, int] = {}
        for row in table.model_rows():
            values, problems = self._model(row, model_keys)
            part = str(row.cells.get(LINK_KEY) or "").strip()
            if part and (part in models or part in bad_models):
                problems.append((LINK_KEY, _("This battery model appears twice in the sheet.")))
            for column, message in problems:
                self.issue(row.number, column, message, row.sheet)
            if problems:
                bad_models.setdefault(part, row.number)
            else:
                models[part] = {"values": values, "row": row.number, "sheet": row.sheet}
        battery_keys = [a.key for a in formats.passport_attributes() if a.key != LINK_KEY]
        csv_model_keys = [key for key in model_keys if key != LINK_KEY]
        seen: dict[int, int] = {}
        referenced: set[str] = set()
        batch: list[_Pending] = []
        count = 0
        for position, row in enumerate(table.passport_rows()):
            count = position + 1
            self.progress(count)
            problems: list[tuple[str, str]] = []
            part = str(row.cells.get(LINK_KEY) or "").strip()
            if not part:
                problems.append((LINK_KEY, _("Name the battery model by its manufacturer part ID.")))
            if any(key in row.cells for key in csv_model_keys):
                values, model_problems = self._model(row, model_keys)
                problems += model_problems
                defined = models.get(part)
                if not model_problems and part:
                    if defined is None and part not in bad_models:
                        models[part] = {"values": values, "row": row.number, "sheet": row.sheet}
                    elif defined is not None and defined["values"] != values:
                        problems.append((LINK_KEY, _(
                            "Same battery model as row %(first)d but with different model values.") % {
                            "first": defined["row"]}))  # fmt: skip
                if model_problems and part:
                    bad_models.setdefault(part, row.number)
            values, decode_problems = self._decode(row, battery_keys)
            problems += decode_problems
            status = values.pop(services.STATUS_KEY, None)
            if status is not None:
                try:
                    validate_value(attribute(services.STATUS_KEY), status)
                except ValidationError as exc:
                    problems += [(services.STATUS_KEY, m) for m in exc.messages]
            _cleaned, invalid = self._validated(values)
            problems += invalid
            identifier = str(values.get(IDENTIFIER_KEY) or "").strip()
            if not identifier:
                problems.append((IDENTIFIER_KEY, _("This field is required.")))
            elif _identity(identifier) in seen:
                problems.append((IDENTIFIER_KEY, _(
                    "This identifier appears twice in the file (first in row %(first)d).") % {
                    "first": seen[_identity(identifier)]}))  # fmt: skip
            else:
                seen[_identity(identifier)] = row.number
            for column, message in problems:
                self.issue(row.number, column, message, row.sheet)
            if problems:
                self.mark_bad(position)
                continue
            referenced.add(part)
            batch.append(_Pending(position, row.number, row.sheet, identifier))
            if len(batch) >= CHECK_BATCH:
                self.check_identifiers(batch)
                batch = []
        self.check_identifiers(batch)
        self.progress(count, force=True)
        # Battery models named by passports: from the file, or already the company's.
        unknown = referenced - set(models)
        existing = set(
            BatteryModel.objects.filter(
                organization=self.organization, manufacturer_part_id__in=unknown
            ).values_list("manufacturer_part_id", flat=True)
        )
        missing = (unknown - existing) | (referenced & set(bad_models))
        if missing:
            for position, row in enumerate(table.passport_rows()):
                part = str(row.cells.get(LINK_KEY) or "").strip()
                if part not in missing or _bit(self.invalid, position):
                    continue
                if part in bad_models:
                    message = _("The battery model of this row has errors (row %(row)d).") % {
                        "row": bad_models[part]
                    }
                else:
                    message = _("Your company has no battery model with this manufacturer part ID.")
                self.issue(row.number, LINK_KEY, message, row.sheet)
                self.mark_bad(position)
        return count, models

    def check_identifiers(self, batch: list[_Pending]) -> None:
        if not batch:
            return
        taken = set(
            Passport.objects.filter(
                organization=self.organization, unique_identifier__in=[p.identifier for p in batch]
            ).values_list("unique_identifier", flat=True)
        )
        for pending in batch:
            if pending.identifier in taken:
                self.issue(pending.number, IDENTIFIER_KEY, taken_message(), pending.sheet)
                self.mark_bad(pending.position)

    # -- phase 2: import ----------------------------------------------------------------------------
    def import_rows(self) -> None:
        tabular = self.job.format in TABULAR
        invalid = bytes(self.job.invalid_map or b"")
        if tabular and not self.job.models_done:
            self.import_models()
        with self.open_file() as handle:
            rows: Iterator[Any]
            if tabular:
                rows = TabularFile(handle, self.job.format).passport_rows()
            else:
                rows = formats.document_rows(handle, self.job.format)
            chunk: list[tuple[int, Any]] = []
            position = -1
            for position, row in enumerate(rows):
                if position < self.job.resume_row or _bit(invalid, position):
                    continue
                chunk.append((position, row))
                if len(chunk) >= CHUNK_ROWS:
                    self.commit_chunk(chunk, position + 1)
                    chunk = []
            self.commit_chunk(chunk, max(position + 1, self.job.resume_row), last=True)

    def import_models(self) -> None:
        created = updated = 0
        failed: list[tuple[int, str, str, str]] = []
        with transaction.atomic():
            self._lock()
            for part, entry in self.job.model_values.items():
                model = BatteryModel.objects.filter(
                    organization=self.organization, manufacturer_part_id=part
                ).first()
                try:
                    with transaction.atomic():
                        if model is None:
                            services.battery_model_create(
                                actor=self.actor, organization=self.organization, values=entry["values"]
                            )
                            created += 1
                        else:
                            changes = catenax._model_changes(model.data, entry["values"])
                            if changes:
                                services.battery_model_update(
                                    actor=self.actor, battery_model=model, values=changes
                                )
                                updated += 1
                except ValidationError as exc:
                    failed += [
                        (entry["row"], entry["sheet"], key, str(m))
                        for key, messages in _messages(exc).items()
                        for m in messages
                    ]
            if failed and self.job.mode == ImportMode.ALL_OR_NOTHING:
                transaction.set_rollback(True)
            else:
                self._save_job(models_done=True, models_created=created, models_updated=updated)
        if failed:
            self.record_late_issues(failed)
            if self.job.mode == ImportMode.ALL_OR_NOTHING:
                self.fail(_("The battery models could not be saved: see the errors. Nothing was stored."))
                raise _TakenOver  # the job is finished

    def _lock(self) -> ImportJob:
        """Lock the job row for this transaction, as long as this run still owns it at the same point."""
        locked = ImportJob.objects.select_for_update().filter(pk=self.job.pk).first()
        if (
            locked is None
            or locked.run_token != self.token
            or locked.state != ImportState.RUNNING
            or locked.resume_row != self.job.resume_row
        ):
            raise _TakenOver
        return locked

    def _save_job(self, **fields: Any) -> None:
        fields["updated_at"] = timezone.now()
        ImportJob.objects.filter(pk=self.job.pk).update(**fields)
        for key, value in fields.items():
            setattr(self.job, key, value)

    def commit_chunk(self, chunk: list[tuple[int, Any]], next_row: int, *, last: bool = False) -> None:
        # Reading documents costs CPU, not locks: it happens before the transaction opens.
        with collection_paused():
            prepared = self.prepare(chunk)
        late: list[tuple[int, str, str, str]] = []
        counts = (self.job.models_created, self.job.models_updated)
        with transaction.atomic():
            locked = self._lock()
            try:
                with transaction.atomic():
                    imported = self.store(prepared)
            except _ChunkFailed as failure:
                self.job.models_created, self.job.models_updated = counts  # rolled back with the chunk
                if self.job.mode == ImportMode.ALL_OR_NOTHING:
                    late = failure.issues
                    imported = -1
                else:  # one row at a time, so the valid rows of the chunk still go in
                    imported = 0
                    for item in prepared:
                        try:
                            with transaction.atomic():
                                imported += self.store([item])
                        except _ChunkFailed as row_failure:
                            late += row_failure.issues
            if imported >= 0:
                fields: dict[str, Any] = {
                    "resume_row": next_row,
                    "imported_rows": locked.imported_rows + imported,
                    "invalid_rows": locked.invalid_rows + len({issue[0] for issue in late}),
                    "models_created": self.job.models_created,
                    "models_updated": self.job.models_updated,
                }
                self._save_job(**fields)
        if late:
            self.record_late_issues(late)
        if imported < 0:
            stored = self.job.imported_rows
            self.fail(
                _(
                    "Some rows could not be stored after the check (%(stored)s rows were stored before): see "
                    "the errors."
                )
                % {"stored": stored}
            )
            raise _TakenOver
        if last:
            self.finish()
        elif self.after_chunk is not None:
            self.after_chunk(next_row)

    def record_late_issues(self, issues: list[tuple[int, str, str, str]]) -> None:
        for number, sheet, column, message in issues:
            self.issue(number, column, message, sheet)
        self.flush_issues()
        ImportJob.objects.filter(pk=self.job.pk).update(issue_count=self.job.issue_count + self.issue_count)
        self.job.issue_count += self.issue_count
        self.issue_count = 0

    def prepare(self, chunk: list[tuple[int, Any]]) -> list[tuple[int, Any, Any]]:
        prepared = []
        for position, row in chunk:
            if isinstance(row, DocumentRow):
                prepared.append((position, row, catenax.read_document(row.document)))
            else:
                prepared.append((position, row, None))
        return prepared

    def store(self, prepared: list[tuple[int, Any, Any]]) -> int:
        if not prepared:
            return 0
        if isinstance(prepared[0][1], DocumentRow):
            return self.store_documents(prepared)
        return self.store_tabular(prepared)

    def store_documents(self, prepared: list[tuple[int, DocumentRow, Any]]) -> int:
        """`catenax.import_documents` after its validation, for rows the check has read already."""
        read = [values for _position, _row, values in prepared]
        numbers = [row.number for _position, row, _values in prepared]
        errors: list[dict[str, Any]] = []
        identifiers = catenax._passport_identifiers(read)
        predecessors = catenax._predecessors(self.organization, read, errors)
        groups: dict[str, list[int]] = {}
        for index, values in enumerate(read):
            groups.setdefault(values.model_values.get(LINK_KEY, ""), []).append(index)
        wanted = {part: read[indexes[0]].model_values for part, indexes in groups.items()}
        existing = catenax.locked_models(self.organization, wanted)
        for part, indexes in groups.items():
            try:
                model, outcome = catenax.model_for_import(
                    actor=self.actor,
                    organization=self.organization,
                    existing=existing.get(part),
                    values=read[indexes[0]].model_values,
                )
            except ValidationError as exc:
                errors.extend(catenax._service_errors(exc, indexes[0]))
                continue
            self.job.models_created += outcome == "created"
            self.job.models_updated += outcome == "updated"
            items = catenax.import_items(read, indexes, predecessors, identifiers)
            try:
                services.passports_import(
                    actor=self.actor, battery_model=model, items=items, values_checked=True
                )
            except ValidationError as exc:
                errors.extend(catenax._group_errors(exc, indexes))
        if errors:
            raise _ChunkFailed([(numbers[e["document"]], "", e["path"], e["message"]) for e in errors])
        return len(prepared)

    def store_tabular(self, prepared: list[tuple[int, TabularRow, Any]]) -> int:
        battery_keys = [a.key for a in formats.passport_attributes() if a.key != LINK_KEY]
        groups: dict[str, list[TabularRow]] = {}
        for _position, row, _values in prepared:
            groups.setdefault(str(row.cells.get(LINK_KEY) or "").strip(), []).append(row)
        models = {
            model.manufacturer_part_id: model
            for model in BatteryModel.objects.filter(
                organization=self.organization, manufacturer_part_id__in=list(groups)
            )
        }
        issues: list[tuple[int, str, str, str]] = []
        for part, rows in groups.items():
            model = models.get(part)
            if model is None:
                message = _("Your company has no battery model with this manufacturer part ID.")
                issues += [(row.number, row.sheet, LINK_KEY, message) for row in rows]
                continue
            items = []
            for row in rows:
                values, _problems = self._decode(row, battery_keys)  # the check found no problem here
                status = values.pop(services.STATUS_KEY, None)
                items.append({"values": values, "status": status or "original"})
            try:
                services.passports_import(actor=self.actor, battery_model=model, items=items)
            except ValidationError as exc:
                for key, messages in _messages(exc).items():
                    position, _dot, name = key.partition(".")
                    row = rows[int(position)] if position.isdigit() else rows[0]
                    issues += [
                        (row.number, row.sheet, name if position.isdigit() else key, str(m)) for m in messages
                    ]
        if issues:
            raise _ChunkFailed(issues)
        return len(prepared)

    # -- the end ------------------------------------------------------------------------------------
    def finish(self) -> None:
        now = timezone.now()
        keep = self.job.issue_count > 0 and self.job.format in TABULAR  # for the corrected file
        fields: dict[str, Any] = {"state": ImportState.DONE, "finished_at": now, "updated_at": now}
        fields["expires_at"] = now + RETENTION if keep else now
        if not _owned(self.job, self.token).update(**fields):
            raise _TakenOver
        if not keep:
            _delete_upload(self.job)

    def fail(self, message: str) -> None:
        now = timezone.now()
        _owned(self.job, self.token).update(
            state=ImportState.FAILED, message=message[:300], finished_at=now, updated_at=now,
            expires_at=now + RETENTION,
        )  # fmt: skip


def _model_signature(values: catenax.ImportedValues) -> str:
    return json.dumps(values.model_values, cls=DjangoJSONEncoder, sort_keys=True)


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}


def _delete_upload(job: ImportJob) -> None:
    name = job.file.name
    if not name:
        return
    ImportJob.objects.filter(pk=job.pk).update(file="")
    try:
        job.file.storage.delete(name)
    except OSError:
        logger.warning("Could not delete the upload of import %s", job.pk)


def job_run(
    *, job_id: int, after_chunk: Callable[[int], None] | None = None, recheck: bool = True
) -> ImportJob | None:
    """Check and import the job's file (idempotent: a finished job is left alone, an open one without a
    run alive is taken over and continues from its last committed chunk). A job whose run is alive is
    left alone; with `recheck`, it is looked at once more when `LIVE_WITHIN` has passed since the run's
    last sign of life (a worker killed just before this delivery looks alive for a moment).
    `after_chunk(resume_row)` is called after each committed chunk but the last (tests use it to stop a
    run as a killed worker would)."""
    token = uuid.uuid4().hex
    try:
        job = _claim(job_id, token)
    except _Alive as alive:
        if recheck:
            recheck_later(job_id, alive.seconds_left + 1)
        return ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return ImportJob.objects.filter(pk=job_id).first()
    run = _Run(job, token, after_chunk)
    starter = job.started_by
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            if (
                starter is None
                or active_organization_of(starter) != job.organization
                or not can_import(starter)
            ):
                run.fail(_("The person who started this import may no longer import passports."))
            else:
                run.execute()
        except _TakenOver:
            pass
        except PermissionDenied:
            run.fail(_("The person who started this import may no longer import passports."))
        except Exception:
            logger.exception("Passport import %s failed", job_id)
            run.fail(_("The import failed unexpectedly. Please try again or contact support."))
    return ImportJob.objects.filter(pk=job_id).first()


# ---- the sweep ----------------------------------------------------------------------------------------


def imports_sweep(*, stuck_after: timedelta = STUCK_AFTER) -> dict[str, int]:
    """Queue again the jobs with no progress for `stuck_after` (their worker was lost); delete uploads
    kept past their retention."""
    now = timezone.now()
    stuck = list(
        ImportJob.objects.filter(
            state__in=(ImportState.QUEUED, ImportState.RUNNING), updated_at__lte=now - stuck_after
        ).values_list("pk", flat=True)
    )
    for job_id in stuck:
        try:
            job_enqueue(job_id)
        except Exception:  # the broker is away: the next sweep tries again
            logger.warning("Could not queue passport import %s again", job_id)
    expired = 0
    for job in ImportJob.objects.filter(expires_at__lt=now).exclude(file=""):
        _delete_upload(job)
        expired += 1
    return {"requeued": len(stuck), "uploads_deleted": expired}
