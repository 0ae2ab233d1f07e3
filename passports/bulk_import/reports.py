"""Error reports of an import: every stored issue as CSV, and (templates only) the uploaded file again with
an error column, to fix and upload once more.

The corrected file holds every row in "all or nothing" mode (nothing was stored: the whole file is uploaded
again) and only the rows with errors in "import the valid rows" mode (the others are stored already).
"""

from __future__ import annotations

import csv
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from typing import IO, Any

from django.utils.translation import gettext as _

from portal.exports import EchoWriter, neutralise_csv

from . import formats
from .models import ImportFormat, ImportIssue, ImportJob, ImportMode

REPORT_COLUMNS = ("row", "sheet", "column", "message")


def issues_csv_lines(job: ImportJob) -> Iterator[str]:
    """The error report, streamed: one line per issue (row, sheet, column, message), every cell quoted and
    neutralised (messages quote the file's values)."""
    writer = csv.writer(EchoWriter(), quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(REPORT_COLUMNS)
    issues = (
        ImportIssue.objects.filter(job=job).order_by("id").values_list("row", "sheet", "column", "message")
    )
    for row, sheet, column, message in issues.iterator(chunk_size=2000):
        yield writer.writerow(
            [str(row), neutralise_csv(sheet), neutralise_csv(column), neutralise_csv(message)]
        )


def _messages_by_row(job: ImportJob) -> dict[tuple[str, int], str]:
    found: dict[tuple[str, int], list[str]] = defaultdict(list)
    for row, sheet, column, message in ImportIssue.objects.filter(job=job).values_list(
        "row", "sheet", "column", "message"
    ):
        found[(sheet, row)].append(f"{column}: {message}" if column else message)
    return {key: " | ".join(messages) for key, messages in found.items()}


def _keep(job: ImportJob, messages: dict[tuple[str, int], str], sheet: str, number: int) -> bool:
    return job.mode == ImportMode.ALL_OR_NOTHING or (sheet, number) in messages


def corrected_csv_lines(job: ImportJob, handle: IO[bytes]) -> Iterator[str]:
    """The uploaded CSV again, with the error column first. The user's own cells are given back as they
    were (neutralising them would change values such as -20 on the next upload); the messages, which
    the portal wrote, are neutralised."""
    messages = _messages_by_row(job)
    table = formats.TabularFile(handle, ImportFormat.CSV)
    header = table.passport_header
    writer = csv.writer(EchoWriter(), quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([str(_("Errors in this row")), *header.labels])
    yield writer.writerow([formats.ERROR_KEY, *header.keys])
    for row in table.passport_rows():
        if _keep(job, messages, "", row.number):
            values = [formats.encode_cell(value) for value in row.raw]
            yield writer.writerow([neutralise_csv(messages.get(("", row.number), "")), *values])


def corrected_xlsx(job: ImportJob, handle: IO[bytes]) -> IO[bytes]:
    """The uploaded workbook's model and passport sheets again, with the error column first (a temporary
    file: written row by row in xlsxwriter's constant-memory mode)."""
    import xlsxwriter

    messages = _messages_by_row(job)
    table = formats.TabularFile(handle, ImportFormat.XLSX)
    output = tempfile.TemporaryFile(prefix="pb-import-")  # noqa: SIM115 - the caller serves and closes it
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True})
    label = str(_("Errors in this row"))
    sheets = ((table.model_header, table.model_rows), (table.passport_header, table.passport_rows))
    for header, rows in sheets:
        if header is None:
            continue
        worksheet = workbook.add_worksheet(header.sheet[:31])
        worksheet.write_row(0, 0, [label, *(_cell(value) for value in header.labels)], bold)
        worksheet.write_row(1, 0, [formats.ERROR_KEY, *header.keys])
        out = 2
        for row in rows():
            if _keep(job, messages, header.sheet, row.number):
                worksheet.write_row(
                    out, 0, [messages.get((header.sheet, row.number), ""), *map(_cell, row.raw)]
                )
                out += 1
    workbook.close()
    output.seek(0)
    return output


def _cell(value: Any) -> Any:
    return "" if value is None else value


def corrected_name(job: ImportJob) -> str:
    stem = job.file_name.rsplit(".", 1)[0] or "import"
    return f"{stem}-errors.{'csv' if job.format == ImportFormat.CSV else 'xlsx'}"


def report_name(job: ImportJob) -> str:
    return f"import-errors-{str(job.public_id)[:8]}.csv"
