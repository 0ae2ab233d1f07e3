"""CSV and XLSX exports of a filtered certificate list (what the actor may see, as the page shows it).

Spreadsheet programs run a cell that starts with =, +, -, @ (or a tab or carriage return, which some
strip first) as a formula: every text cell that does is prefixed with a single quote, in both formats, so
a holder name such as "=HYPERLINK(...)" is shown as text and never evaluated. Dates are written as
dates. The row count is bounded by CERTIFICATE_EXPORT_MAX_ROWS (the view refuses larger lists), the CSV
is streamed and the XLSX is written with xlsxwriter's constant-memory mode.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.exports import EchoWriter, neutralise, neutralise_csv

from .models import Certificate, CertificateStatus

#: Rows fetched from the database at a time while streaming.
CHUNK = 500


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int


def columns() -> list[Column]:
    """The exported facts (labels in the active language): all printed on the certificate itself."""
    return [
        Column("number", _("Certificate number"), 24),
        Column("scheme", _("Scheme"), 36),
        Column("scheme_version", _("Scheme version"), 10),
        Column("kind", _("Issued or recognised"), 16),
        Column("origin", _("Recognised from"), 24),
        Column("holder", _("Holder"), 32),
        Column("country", _("Country"), 8),
        Column("bpnl", "BPNL", 18),
        Column("corporate_number", _("Corporate number"), 15),
        Column("lei", "LEI", 22),
        Column("issuing_body", _("Issuing body"), 28),
        Column("status", _("Status"), 12),
        Column("issued_on", _("Issued"), 12),
        Column("valid_from", _("Valid from"), 12),
        Column("valid_until", _("Valid until"), 12),
    ]


def export_row(certificate: Certificate) -> dict[str, Any]:
    return {
        "number": certificate.number,
        "scheme": certificate.scheme.name,
        "scheme_version": certificate.scheme_version,
        "kind": pgettext("certificate kind", "Recognised")
        if certificate.origin_id
        else pgettext("certificate kind", "Issued on review"),
        "origin": certificate.origin.number if certificate.origin_id else "",
        "holder": certificate.holder_name,
        "country": certificate.holder_country,
        "bpnl": certificate.holder_bpnl,
        "corporate_number": certificate.holder_corporate_number,
        "lei": certificate.holder_lei,
        "issuing_body": certificate.issuing_body_name,
        "status": str(CertificateStatus(certificate.status).label),
        "issued_on": timezone.localdate(certificate.issued_at),
        "valid_from": certificate.valid_from,
        "valid_until": certificate.valid_until,
    }


def _rows(queryset: QuerySet[Certificate]) -> Iterator[dict[str, Any]]:
    # Only what the rows need: the recognised-from number, never the prefetches of the list page.
    plain = queryset.select_related("scheme", "origin").prefetch_related(None)
    for certificate in plain.iterator(chunk_size=CHUNK):
        yield export_row(certificate)


def export_filename(extension: str) -> str:
    return f"certificates-{timezone.localdate():%Y-%m-%d}.{extension}"


def _csv_cell(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return neutralise_csv(str(value))


def csv_lines(queryset: QuerySet[Certificate]) -> Iterable[str]:
    cols = columns()
    writer = csv.writer(EchoWriter(), quoting=csv.QUOTE_ALL)
    # A byte order mark, so spreadsheet programs read the UTF-8 (Japanese names) correctly.
    yield "\ufeff" + writer.writerow([neutralise_csv(c.label) for c in cols])
    for row in _rows(queryset):
        yield writer.writerow([_csv_cell(row[c.key]) for c in cols])


def xlsx_bytes(queryset: QuerySet[Certificate]) -> bytes:
    """The list as an XLSX workbook. Every text goes through write_string (never write(), which turns a
    string starting with "=" into a formula) after neutralising."""
    cols = columns()
    with tempfile.TemporaryDirectory(prefix="pb-xlsx-") as tmpdir:
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(
            output,
            {
                "constant_memory": True,
                "tmpdir": tmpdir,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        sheet = workbook.add_worksheet(_("Certificates")[:31])
        bold = workbook.add_format({"bold": True})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        for index, column in enumerate(cols):
            sheet.set_column(index, index, column.width)
            sheet.write_string(0, index, neutralise(column.label), bold)
        sheet.freeze_panes(1, 0)
        for line, row in enumerate(_rows(queryset), start=1):
            for index, column in enumerate(cols):
                value = row[column.key]
                if isinstance(value, date):
                    sheet.write_datetime(line, index, value, day)
                elif value:
                    sheet.write_string(line, index, neutralise(str(value)))
        workbook.close()
        return output.getvalue()
