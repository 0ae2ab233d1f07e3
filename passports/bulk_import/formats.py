"""The import templates (generated from the field catalogue) and reading uploaded files row by row.

Template layout (XLSX and CSV alike): row 1 holds the column labels in the user's language, row 2 the
attribute keys, which are what the import reads (so a template filled in Japanese imports like one filled in
English); data starts on row 3. Cells:

- a list attribute (`many`): the values separated by ";";
- a group (repeating rows) or a document attribute: JSON in the cell, a list of objects keyed by the row
  fields (`[{"key": "GTIN", "value": "0123"}]`; documents: `header`, `content_type`, `content`);
- choices: the value (`ev`), not its label; yes/no: `true`/`false`; dates `YYYY-MM-DD`.

XLSX: a README sheet, then one sheet per level: battery models (model attributes, keyed by
`manufacturer_part_id`) and passports (battery attributes, with the model's `manufacturer_part_id` as link).
Sheets are recognised by their key row, never by their (translated) title. CSV: one file of passports whose
rows also carry the model columns; rows of one model repeat the same model values, or leave them all empty
when the model is already in the portal or defined by another row. A column `import_errors` (the corrected
file of an error report) is ignored on upload.

Readers stream: CSV and JSON lines line by line, XLSX through openpyxl's read-only mode; a JSON array is
parsed whole (it is bounded by the upload limit).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

from ..catalogue import ATTRIBUTES, Attribute, FieldType, attribute, children
from ..services import BATTERY_KEYS, MODEL_KEYS, REQUIRED_MODEL_KEYS, STATUS_KEY
from .models import ImportFormat

LINK_KEY = "manufacturer_part_id"
IDENTIFIER_KEY = "unique_identifier"
ERROR_KEY = "import_errors"
LIST_SEPARATOR = ";"
FIRST_DATA_ROW = 3  # row 1: labels, row 2: keys
_FORBIDDEN_TITLE = str.maketrans({c: " " for c in "[]:*?/\\"})


class FileUnreadable(Exception):
    """The file as a whole cannot be read (wrong kind, broken, no key row): `message` says why."""

    def __init__(self, message: str, row: int = 0, column: str = "") -> None:
        super().__init__(message)
        self.message, self.row, self.column = message, row, column


# ---- columns ------------------------------------------------------------------------------------------


def model_attributes() -> list[Attribute]:
    return [a for a in ATTRIBUTES if a.key in MODEL_KEYS]


def passport_attributes() -> list[Attribute]:
    """The passport sheet: the link to the model, the identifier, the other battery values, the status."""
    rest = [a for a in ATTRIBUTES if a.key in BATTERY_KEYS and a.key != IDENTIFIER_KEY]
    return [attribute(LINK_KEY), attribute(IDENTIFIER_KEY), *rest, attribute(STATUS_KEY)]


def csv_attributes() -> list[Attribute]:
    """One CSV: the passport columns, then the model's (its part id is already the link column)."""
    return passport_attributes() + [a for a in model_attributes() if a.key != LINK_KEY]


def column_label(a: Attribute, *, sheet: str = "") -> str:
    if a.key == LINK_KEY and sheet == "passports":
        return _("Battery model (manufacturer part ID)")
    label = str(a.label)
    return f"{label} *" if a.key in REQUIRED_MODEL_KEYS or a.key == IDENTIFIER_KEY else label


def format_hint(a: Attribute) -> str:
    """How to write a value of `a` in a cell (the README sheet)."""
    if a.type is FieldType.GROUP:
        fields = ", ".join(child.name for child in children(a.key))
        return _("JSON: a list of objects with the fields %(fields)s") % {"fields": fields}
    if a.type is FieldType.DOCUMENT:
        return _("JSON: a list of objects with the fields header, content_type, content")
    hints = {
        FieldType.BOOLEAN: _("true or false"),
        FieldType.DATE: _("date, YYYY-MM-DD"),
        FieldType.DATETIME: _("date and time with time zone, YYYY-MM-DDThh:mm:ss+00:00"),
        FieldType.INTEGER: _("whole number"),
        FieldType.DECIMAL: _("number"),
        FieldType.PERCENT: _("number from 0 to 100"),
        FieldType.COUNTRY: _("country code (ISO 3166-1), e.g. DE or JP"),
        FieldType.URL: _("web address starting with https://"),
        FieldType.CHOICE: _("one of the values listed"),
    }
    hint = str(hints.get(a.type, _("text")))
    if a.unit:
        hint = f"{hint} ({a.unit})"
    if a.many:
        hint = _("list separated by semicolons (;) of: %(kind)s") % {"kind": hint}
    return hint


def _sheet_title(text: str) -> str:
    return str(text).translate(_FORBIDDEN_TITLE).strip()[:31] or "Sheet"


# ---- templates ----------------------------------------------------------------------------------------


def csv_template() -> bytes:
    """The CSV template (UTF-8 with a byte order mark, so spreadsheet programs read Japanese correctly)."""
    columns = csv_attributes()
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([column_label(a, sheet="passports") for a in columns])
    writer.writerow([a.key for a in columns])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def readme_lines() -> list[str]:
    return [
        _("How to fill in this template"),
        _(
            "Row 1 holds the column names in your language, row 2 the attribute keys the import reads: keep "
            "row 2 as it is. Enter one battery model or passport per row, from row 3."
        ),
        _(
            "Battery models: one row per model, identified by its manufacturer part ID. Passports: one row "
            "per battery; the first column names its battery model by the manufacturer part ID, either a "
            "model of the battery model sheet or one already in the portal."
        ),
        _("Lists: separate the values with a semicolon (;)."),
        _(
            'Groups and documents: a JSON list of objects in the cell, e.g. [{"key": "GTIN", "value": '
            '"04012345678901"}] or [{"header": "Manual", "content_type": "URL", "content": '
            '"https://example.com/manual.pdf"}].'
        ),
        _("Choices: enter the value (second column of the list below), not its label."),
        _("Columns marked * are required. Empty cells are left out."),
    ]


def xlsx_template() -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True})
    key_format = workbook.add_format({"font_color": "#666666", "italic": True})
    readme = workbook.add_worksheet(_sheet_title(_("Read me")))
    for number, line in enumerate(readme_lines()):
        readme.write_string(number, 0, line, bold if number == 0 else None)
    start = len(readme_lines()) + 1
    headers = [_("Sheet"), _("Key"), _("Column"), _("How to write it"), _("Allowed values")]
    for column, text in enumerate(headers):
        readme.write_string(start, column, str(text), bold)
    models_title, passports_title = _sheet_title(_("Battery models")), _sheet_title(_("Passports"))
    row = start + 1
    for title, sheet, attributes in (
        (models_title, "models", model_attributes()),
        (passports_title, "passports", passport_attributes()),
    ):
        for a in attributes:
            allowed = "; ".join(f"{label} = {value}" for value, label in a.choices)
            for column, text in enumerate(
                (title, a.key, column_label(a, sheet=sheet), format_hint(a), allowed)
            ):
                readme.write_string(row, column, str(text))
            row += 1
    readme.set_column(0, 0, 18)
    readme.set_column(1, 1, 34)
    readme.set_column(2, 3, 48)
    for title, sheet, attributes in (
        (models_title, "models", model_attributes()),
        (passports_title, "passports", passport_attributes()),
    ):
        worksheet = workbook.add_worksheet(title)
        for column, a in enumerate(attributes):
            worksheet.write_string(0, column, column_label(a, sheet=sheet), bold)
            worksheet.write_string(1, column, a.key, key_format)
        worksheet.freeze_panes(FIRST_DATA_ROW - 1, 0)
        worksheet.set_column(0, len(attributes) - 1, 22)
    workbook.close()
    return buffer.getvalue()


# ---- cells --------------------------------------------------------------------------------------------


class CellError(Exception):
    pass


def decode_cell(a: Attribute, raw: Any) -> Any:
    """A cell as the value the catalogue validates; None for an empty cell (not given)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = raw.strip()
        if not raw:
            return None
    if a.type in (FieldType.GROUP, FieldType.DOCUMENT):
        if not isinstance(raw, str):
            raise CellError(_("Expected JSON (a list of objects) in this cell."))
        try:
            return json.loads(raw, parse_float=Decimal)
        except ValueError:
            raise CellError(_("This cell is not valid JSON.")) from None
    if a.many:
        if isinstance(raw, str):
            return [part.strip() for part in raw.split(LIST_SEPARATOR) if part.strip()]
        return [_scalar(a, raw)]
    return _scalar(a, raw)


def _scalar(a: Attribute, raw: Any) -> Any:
    if isinstance(raw, bool):
        return raw if a.type is FieldType.BOOLEAN else str(raw).lower()
    if isinstance(raw, datetime):  # a spreadsheet date cell
        if a.type is FieldType.DATE or (raw.hour, raw.minute, raw.second, raw.microsecond) == (0, 0, 0, 0):
            return raw.date().isoformat() if a.type is not FieldType.DATETIME else raw.isoformat()
        return raw.isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, float):
        # repr is the shortest text that reads back as the same float: 0.1, not 0.1000000000000000055...
        text = repr(raw)
        return (
            text[:-2]
            if text.endswith(".0") and a.type not in (FieldType.DECIMAL, FieldType.PERCENT)
            else text
        )
    if isinstance(raw, int):
        return str(raw) if a.type not in (FieldType.INTEGER, FieldType.DECIMAL, FieldType.PERCENT) else raw
    if a.type is FieldType.BOOLEAN and isinstance(raw, str):
        lowered = raw.lower()
        return {"yes": "true", "no": "false", "1": "true", "0": "false"}.get(lowered, lowered)
    return raw


def encode_cell(value: Any) -> str:
    """The other way round, for the corrected file: lists joined, groups as JSON."""
    if value is None:
        return ""
    return str(value)


# ---- reading ------------------------------------------------------------------------------------------


@dataclass
class TabularRow:
    sheet: str  # the sheet title ("" for CSV)
    number: int  # the spreadsheet row number the user sees
    cells: dict[str, Any]
    raw: list[Any] = field(default_factory=list)


@dataclass
class Header:
    sheet: str
    keys: list[str]  # per column, "" for an empty key cell
    labels: list[Any]


def _header_problems(header: Header, *, passports: bool) -> list[FileUnreadable]:
    problems = []
    allowed = {
        a.key for a in (passport_attributes() + model_attributes() if passports else model_attributes())
    }
    seen: set[str] = set()
    for key in header.keys:
        if not key or key == ERROR_KEY:
            continue
        if key not in allowed:
            problems.append(FileUnreadable(_("Unknown column key."), 2, key))
        elif key in seen:
            problems.append(FileUnreadable(_("This column appears twice."), 2, key))
        seen.add(key)
    required = (LINK_KEY, IDENTIFIER_KEY) if passports else (LINK_KEY,)
    for key in required:
        if key not in seen:
            problems.append(
                FileUnreadable(_("The key row (row 2) has no column %(key)s.") % {"key": key}, 2, key)
            )
    return problems


def _cells(header: Header, values: tuple | list) -> dict[str, Any]:
    cells = {}
    for key, value in zip(header.keys, values, strict=False):
        if key and key != ERROR_KEY and value is not None and value != "":
            cells[key] = value
    return cells


def _key_row(values: tuple | list | None) -> list[str]:
    return [str(value).strip() if value is not None else "" for value in (values or ())]


class TabularFile:
    """A CSV or XLSX upload: the header problems, the battery model rows and the passport rows (streamed;
    each call starts again from the beginning of the file)."""

    def __init__(self, handle: IO[bytes], file_format: str) -> None:
        self.handle = handle
        self.format = file_format
        self.model_header: Header | None = None
        self.passport_header: Header | None = None
        self.problems: list[FileUnreadable] = []
        if file_format == ImportFormat.CSV:
            self._open_csv_header()
        else:
            self._open_xlsx_header()

    # CSV ---------------------------------------------------------------------------------------------
    def _csv_reader(self):
        self.handle.seek(0)
        text = io.TextIOWrapper(self.handle, encoding="utf-8-sig", newline="", errors="strict")
        sample = text.read(65536)
        text.seek(0)
        delimiter = max((",", ";", "\t"), key=sample.split("\n", 2)[1 if sample.count("\n") else 0].count)
        return text, csv.reader(text, delimiter=delimiter)

    def _open_csv_header(self) -> None:
        try:
            text, reader = self._csv_reader()
            try:
                labels = next(reader, None)
                keys = next(reader, None)
            finally:
                text.detach()
        except (UnicodeDecodeError, csv.Error) as exc:
            raise FileUnreadable(_("The CSV file cannot be read as UTF-8 text.")) from exc
        if labels is None or keys is None:
            raise FileUnreadable(_("The file has no key row (row 2): start from the template."))
        self.passport_header = Header("", _key_row(keys), list(labels))
        self.problems = _header_problems(self.passport_header, passports=True)

    # XLSX --------------------------------------------------------------------------------------------
    def _workbook(self):
        try:
            from openpyxl import load_workbook
        except ImportError as exc:  # pragma: no cover - a deployment without openpyxl
            raise FileUnreadable(_("Excel files cannot be read on this server.")) from exc
        self.handle.seek(0)
        try:
            return load_workbook(self.handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a broken file: all mean "not readable"
            raise FileUnreadable(_("The Excel file cannot be read.")) from exc

    def _open_xlsx_header(self) -> None:
        workbook = self._workbook()
        try:
            for worksheet in workbook.worksheets:
                top = list(worksheet.iter_rows(min_row=1, max_row=2, values_only=True))
                if len(top) < 2:
                    continue
                keys = _key_row(top[1])
                header = Header(worksheet.title, keys, list(top[0]))
                if IDENTIFIER_KEY in keys and self.passport_header is None:
                    self.passport_header = header
                elif LINK_KEY in keys and self.model_header is None:
                    self.model_header = header
        finally:
            workbook.close()
        if self.passport_header is None and self.model_header is None:
            raise FileUnreadable(_("No sheet has a key row (row 2): start from the template."))
        if self.passport_header is not None:
            self.problems += _header_problems(self.passport_header, passports=True)
        if self.model_header is not None:
            self.problems += _header_problems(self.model_header, passports=False)

    def _sheet_rows(self, header: Header | None) -> Iterator[TabularRow]:
        if header is None:
            return
        workbook = self._workbook()
        try:
            worksheet = workbook[header.sheet]
            for number, values in enumerate(
                worksheet.iter_rows(min_row=FIRST_DATA_ROW, values_only=True), start=FIRST_DATA_ROW
            ):
                cells = _cells(header, values)
                if cells:
                    yield TabularRow(header.sheet, number, cells, list(values))
        finally:
            workbook.close()

    # rows --------------------------------------------------------------------------------------------
    def model_rows(self) -> Iterator[TabularRow]:
        if self.format == ImportFormat.XLSX:
            yield from self._sheet_rows(self.model_header)

    def passport_rows(self) -> Iterator[TabularRow]:
        if self.format == ImportFormat.XLSX:
            yield from self._sheet_rows(self.passport_header)
            return
        header = self.passport_header
        text, reader = self._csv_reader()
        try:
            for number, values in enumerate(reader, start=1):
                if number < FIRST_DATA_ROW:
                    continue
                cells = _cells(header, values)
                if cells:
                    yield TabularRow("", number, cells, list(values))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise FileUnreadable(_("The CSV file cannot be read as UTF-8 text."), number) from exc
        finally:
            text.detach()


@dataclass
class DocumentRow:
    number: int  # line number (JSON lines) or document number from 1 (JSON array)
    document: Any
    problem: str = ""  # the line is not JSON


def document_rows(handle: IO[bytes], file_format: str) -> Iterator[DocumentRow]:
    """Catena-X documents, one per row; a JSON array is parsed whole, JSON lines one line at a time."""
    handle.seek(0)
    if file_format == ImportFormat.CATENAX_JSON:
        try:
            payload = json.load(io.TextIOWrapper(handle, encoding="utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise FileUnreadable(_("The file is not valid JSON.")) from exc
        documents = payload if isinstance(payload, list) else [payload]
        for number, document in enumerate(documents, start=1):
            yield DocumentRow(number, document)
        return
    for number, line in enumerate(handle, start=1):
        if number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        if not line.strip():
            continue
        try:
            yield DocumentRow(number, json.loads(line))
        except (ValueError, UnicodeDecodeError):
            yield DocumentRow(number, None, _("This line is not valid JSON."))


# ---- detecting the format -----------------------------------------------------------------------------

_EXTENSIONS = {
    ".csv": ImportFormat.CSV,
    ".xlsx": ImportFormat.XLSX,
    ".json": ImportFormat.CATENAX_JSON,
    ".jsonl": ImportFormat.CATENAX_JSONL,
    ".ndjson": ImportFormat.CATENAX_JSONL,
}


def detect_format(name: str, head: bytes) -> str | None:
    """The format of an upload from its first bytes, the extension deciding only between text formats
    that look alike; None for anything else (a PDF, an image, an old .xls...)."""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if head.startswith(b"PK\x03\x04"):
        return ImportFormat.XLSX
    if b"\x00" in head:
        return None  # binary: not one of the text formats
    try:
        text = head.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a character cut at the end of the sample is fine
            return None
        text = head[: exc.start].decode("utf-8", errors="ignore")
    stripped = text.lstrip()
    if stripped.startswith("["):
        return ImportFormat.CATENAX_JSON
    if stripped.startswith("{"):
        if extension in (".jsonl", ".ndjson"):
            return ImportFormat.CATENAX_JSONL
        if extension == ".json":
            return ImportFormat.CATENAX_JSON
        first, _newline, rest = stripped.partition("\n")
        try:
            json.loads(first)
        except ValueError:
            return ImportFormat.CATENAX_JSON  # one document over several lines
        return ImportFormat.CATENAX_JSONL if rest.strip() else ImportFormat.CATENAX_JSON
    if extension in (".csv", ".txt", "") and stripped:
        return ImportFormat.CSV
    return _EXTENSIONS.get(extension) if extension == ".csv" else None
