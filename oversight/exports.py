"""Exports of one cube version: a table as CSV or XLSX, and the whole cube as a PDF report, in the reader's
language. All three are built from the same view-models as the pages (marks, rounding, bands), carry the
cube version, and neutralise spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from typing import Any

import xlsxwriter
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from portal.exports import neutralise, neutralise_csv
from portal.pdf.fetcher import PortalURLFetcher, RefusedResource
from portal.pdf.fonts import font_faces

from . import presentation, selectors
from .models import CubeBuild

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def filename(build: CubeBuild, name: str, extension: str) -> str:
    return f"oversight-{name}-{build.year}-v{build.version}.{extension}"


def table_csv(*, actor, build: CubeBuild, table: str, market: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    for line in presentation.export_rows(actor=actor, build=build, table=table, market=market):
        writer.writerow([neutralise_csv(value) for value in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(*, actor, build: CubeBuild, table: str, market: str) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet(table[:31])
    bold = workbook.add_format({"bold": True})
    for row, line in enumerate(
        presentation.export_rows(actor=actor, build=build, table=table, market=market)
    ):
        for column, value in enumerate(line):
            number = _number(value) if row and column in (6, 7) else None
            if number is not None:
                sheet.write_number(row, column, number)
            else:
                sheet.write_string(row, column, neutralise(value), bold if row == 0 else None)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def report_context(*, actor, build: CubeBuild, market: str) -> dict[str, Any]:
    materials = []
    for code, name in presentation.material_choices():
        materials.append({
            "name": name,
            "origins": presentation.origin_tables(actor=actor, build=build, material=code, market=market,
                                                  for_pdf=True),
            "content": presentation.content_table(actor=actor, build=build, material=code, market=market),
        })  # fmt: skip
    return {
        "build": build,
        "market": market,
        "market_name": presentation.MARKET_NAMES[market],
        "cards": presentation.overview_cards(actor=actor, build=build, market=market),
        "materials": materials,
        "alerts": selectors.alerts_for(actor=actor, limit=50),
        "confidential_mark": presentation.confidential_mark(),
        "fonts": font_faces(),
        "generated_at": timezone.now(),
        "language": get_language(),
        **presentation.end_of_life_tables(actor=actor, build=build, market=market, for_pdf=True),
    }


def report_pdf(*, actor, build: CubeBuild, market: str) -> bytes:
    """The cube version as a printable report (WeasyPrint; only the project's own files may be loaded)."""
    html = render_to_string("oversight/report.html", report_context(actor=actor, build=build, market=market))
    base_url = (
        settings.STATICFILES_DIRS[0] if settings.STATICFILES_DIRS else settings.BASE_DIR
    ).as_uri() + "/"
    try:
        return HTML(string=html, base_url=base_url, url_fetcher=PortalURLFetcher()).write_pdf()
    except FatalURLFetchingError as exc:
        raise RefusedResource(f"{exc} ({exc.__cause__})") from exc
