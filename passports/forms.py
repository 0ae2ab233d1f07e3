"""HTML forms for battery models and passports, generated from the field catalogue.

The forms only collect raw input and hand it to the services: the catalogue validates (one set of rules
for API, import and browser), and its `ValidationError` keys (attribute keys or row paths such as
"hazardous_substances[0].identifiers[1].identifier") are put back on the field, row or cell they name.

- `AttributeForm`: one step of the multi-step form (the top-level attributes of one cluster). Scalar
  attributes become Django fields; GROUP and DOCUMENT attributes become `RowSet`s (inline row tables
  with one extra empty row and a "remove" tick box per row).
- `StatusForm`, `DynamicDataForm`: the small forms of the passport page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal import json_input
from portal.forms import ServiceFormMixin

from .catalogue import Attribute, FieldType, attribute, children
from .catalogue.choices import BATTERY_STATUSES

#: Upper bound of submitted rows per table: the row count comes from the client and is not trusted.
MAX_ROWS = 200
EMPTY_CHOICE = ("", "—")
ROW_TYPES = (FieldType.GROUP, FieldType.DOCUMENT)
YES_NO = (("true", _("Yes")), ("false", _("No")))


# ---- inputs -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InputSpec:
    """How one value is typed in: the HTML control and its attributes (shared by fields and row cells)."""

    control: str  # text, number, date, datetime-local, url, email, checkbox, select, textarea, lines
    step: str | None = None
    minimum: str | None = None
    maximum: str | None = None
    choices: tuple[tuple[str, Any], ...] = ()


def _country_choices() -> tuple[tuple[str, Any], ...]:
    return tuple((code, name) for code, name in countries)


def input_spec(target: Attribute) -> InputSpec:
    if target.many:
        return InputSpec("lines")
    kind = target.type
    if kind in (FieldType.DECIMAL, FieldType.PERCENT, FieldType.INTEGER):
        minimum = target.min_value
        maximum = target.max_value
        if kind is FieldType.PERCENT:
            minimum = 0 if minimum is None else max(minimum, 0)
            maximum = 100 if maximum is None else min(maximum, 100)
        return InputSpec(
            "number",
            step="1" if kind is FieldType.INTEGER else "any",
            minimum=None if minimum is None else str(minimum),
            maximum=None if maximum is None else str(maximum),
        )
    if kind is FieldType.DATE:
        return InputSpec("date")
    if kind is FieldType.DATETIME:
        return InputSpec("datetime-local")
    if kind is FieldType.BOOLEAN:
        # Not a checkbox: an unticked box cannot say "not answered", so every untouched question would be
        # stored, and published, as "No" (e.g. "Cobalt: critical raw material: No" for an NMC battery).
        return InputSpec("select", choices=YES_NO)
    if kind is FieldType.CHOICE:
        return InputSpec("select", choices=tuple(target.choices))
    if kind is FieldType.COUNTRY:
        return InputSpec("select", choices=_country_choices())
    if kind is FieldType.LONG_TEXT:
        return InputSpec("textarea")
    if kind is FieldType.URL:
        return InputSpec("url")
    return InputSpec("text")


def _widget(spec: InputSpec) -> forms.Widget:
    attrs: dict[str, str] = {}
    if spec.step:
        attrs["step"] = spec.step
    if spec.minimum is not None:
        attrs["min"] = spec.minimum
    if spec.maximum is not None:
        attrs["max"] = spec.maximum
    if spec.control == "number":
        return forms.NumberInput(attrs=attrs)
    if spec.control == "date":
        return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if spec.control == "datetime-local":
        return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    if spec.control == "checkbox":
        return forms.CheckboxInput()
    if spec.control == "select":
        return forms.Select(choices=[EMPTY_CHOICE, *spec.choices])
    if spec.control in ("textarea", "lines"):
        return forms.Textarea(attrs={"rows": 3 if spec.control == "lines" else 4})
    if spec.control == "url":
        return forms.URLInput()
    return forms.TextInput()


def _help_text(target: Attribute, spec: InputSpec) -> str:
    parts = [str(target.help_text)] if target.help_text else []
    if spec.control == "lines":
        parts.append(str(_("One value per line.")))
    return " ".join(parts)


# ---- converting between stored JSON values and form input -----------------------------------------------
def to_input(spec: InputSpec, value: Any) -> Any:
    """A stored (JSON) value as the control shows it."""
    if value is None:
        return False if spec.control == "checkbox" else ""
    if spec.control == "checkbox":
        return value is True
    if isinstance(value, bool):
        return "true" if value else "false"
    if spec.control == "lines":
        return "\n".join(str(item) for item in value) if isinstance(value, list) else str(value)
    if spec.control == "datetime-local" and isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(parsed):
            parsed = timezone.localtime(parsed)
        return parsed.strftime("%Y-%m-%dT%H:%M")
    return str(value)


def from_input(spec: InputSpec, raw: Any) -> Any:
    """Form input as the services take it (strings; the catalogue parses and validates them)."""
    if spec.control == "checkbox":
        return bool(raw)
    if raw is None:
        return ""
    if spec.control == "lines":
        return [line.strip() for line in str(raw).splitlines() if line.strip()]
    if spec.control == "datetime-local":
        return local_datetime_iso(str(raw))
    return raw


def local_datetime_iso(raw: str) -> str:
    """A `datetime-local` input (no zone) read in the user's time zone; anything else goes on unchanged
    so that the catalogue's own message explains what is wrong with it."""
    raw = raw.strip()
    if not raw:
        return ""
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return parsed.isoformat()


def _is_blank(value: Any) -> bool:
    return value in (None, "", [], False)


# ---- inline rows ------------------------------------------------------------------------------------
DOCUMENT_COLUMNS: tuple[tuple[str, Any, InputSpec, Any], ...] = (
    ("header", _("Title"), InputSpec("text"), ""),
    ("content_type", _("Content type"), InputSpec("text"), _("e.g. URL, PDF")),
    ("content", _("Link (URL)"), InputSpec("url"), ""),
)


@dataclass
class Column:
    name: str
    label: Any
    spec: InputSpec | None  # None: a nested row table
    help_text: Any = ""
    unit: str | None = None
    attribute: Attribute | None = None  # None for the parts of a document

    @property
    def nested(self) -> bool:
        return self.spec is None


@dataclass
class Cell:
    column: Column
    name: str
    id: str
    value: Any = ""
    rowset: RowSet | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def first_input_id(self) -> str:
        if self.rowset is not None and self.rowset.rows:
            return self.rowset.rows[0].cells[0].first_input_id
        return self.id


@dataclass
class Row:
    index: int
    number: int  # 1-based, for people
    cells: list[Cell]
    delete_name: str
    delete_id: str
    delete: bool = False
    errors: list[str] = field(default_factory=list)

    def cell(self, name: str) -> Cell | None:
        return next((cell for cell in self.cells if cell.column.name == name), None)

    def value(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for cell in self.cells:
            if cell.rowset is not None:
                result[cell.column.name] = cell.rowset.value()
            else:
                assert cell.column.spec is not None
                result[cell.column.name] = from_input(cell.column.spec, cell.value)
        return result

    @property
    def is_blank(self) -> bool:
        return all(_is_blank(value) for value in self.value().values())


def _columns(target: Attribute) -> list[Column]:
    if target.type is FieldType.DOCUMENT:
        return [Column(name, label, spec, help_text) for name, label, spec, help_text in DOCUMENT_COLUMNS]
    columns = []
    for child in children(target.key):
        if child.type in ROW_TYPES:
            columns.append(Column(child.name, child.label, None, child.help_text, attribute=child))
        else:
            spec = input_spec(child)
            columns.append(Column(child.name, child.label, spec, _help_text(child, spec), child.unit, child))
    return columns


class RowSet:
    """An inline row table for a GROUP (its child attributes as columns) or a DOCUMENT (title, content
    type, link). Bound to POST data it reads `<prefix>-TOTAL` rows; rows ticked for removal and empty
    rows are left out of `value()`, and `kept` maps the index of a submitted row back to its display
    row so that service errors ("[2].name") land on the row the user typed."""

    def __init__(self, target: Attribute, prefix: str, data=None, initial: Any = None) -> None:
        self.attribute = target
        self.key = target.key
        self.prefix = prefix
        self.columns = _columns(target)
        self.errors: list[str] = []
        self.rows: list[Row] = []
        self.kept: list[int] = []
        if data is not None:
            try:
                total = int(data.get(f"{prefix}-TOTAL", 0))
            except (TypeError, ValueError):
                total = 0
            for index in range(max(0, min(total, MAX_ROWS))):
                self.rows.append(self._row(index, data=data))
            for position, row in enumerate(self.rows):
                if not row.delete and not row.is_blank:
                    self.kept.append(position)
            if not self.rows or not self.rows[-1].is_blank:
                self.rows.append(self._row(len(self.rows)))
        else:
            items = initial if isinstance(initial, list) else []
            for index, item in enumerate(items[:MAX_ROWS]):
                self.rows.append(self._row(index, initial=item if isinstance(item, dict) else {}))
            self.rows.append(self._row(len(self.rows)))

    @property
    def label(self):
        return self.attribute.label

    @property
    def help_text(self):
        return self.attribute.help_text

    @property
    def id(self) -> str:
        return f"rows-{self.prefix}"

    @property
    def total(self) -> int:
        return len(self.rows)

    def _row(self, index: int, data=None, initial: dict | None = None) -> Row:
        base = f"{self.prefix}-{index}"
        cells = []
        for column in self.columns:
            name = f"{base}-{column.name}"
            cell = Cell(column, name, f"id_{name}")
            if column.nested:
                assert column.attribute is not None
                nested_initial = (initial or {}).get(column.name)
                if column.attribute.type is FieldType.DOCUMENT and isinstance(nested_initial, dict):
                    nested_initial = [nested_initial]
                cell.rowset = RowSet(column.attribute, name, data=data, initial=nested_initial)
            elif data is not None:
                assert column.spec is not None
                cell.value = (name in data) if column.spec.control == "checkbox" else data.get(name, "")
            else:
                assert column.spec is not None
                cell.value = to_input(column.spec, (initial or {}).get(column.name))
            cells.append(cell)
        delete_name = f"{base}-DELETE"
        return Row(
            index=index,
            number=index + 1,
            cells=cells,
            delete_name=delete_name,
            delete_id=f"id_{delete_name}",
            delete=data is not None and delete_name in data,
        )

    def value(self) -> list[dict[str, Any]]:
        return [self.rows[position].value() for position in self.kept]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(
            row.errors or any(cell.errors or (cell.rowset and cell.rowset.has_errors) for cell in row.cells)
            for row in self.rows
        )

    def add_error(self, rest: str, messages: list[str]) -> None:
        """Put `messages` where `rest` (the error key after this table's key) points."""
        match = re.match(r"\[(\d+)\](.*)", rest)
        if not match:
            self.errors.extend(messages)
            return
        position = int(match.group(1))
        if position >= len(self.kept):
            self.errors.extend(messages)
            return
        row = self.rows[self.kept[position]]
        remainder = match.group(2)
        if not remainder.startswith("."):
            row.errors.extend(messages)
            return
        name = re.match(r"\.([A-Za-z0-9_]+)", remainder)
        cell = row.cell(name.group(1)) if name else None
        if cell is None:
            row.errors.extend(messages)
        elif cell.rowset is not None:
            cell.rowset.add_error(remainder[len(name.group(0)) :], messages)
        else:
            cell.errors.extend(messages)

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor id, message) of every error in this table, for the error summary."""
        links = [(self.id, message) for message in self.errors]
        for row in self.rows:
            first = row.cells[0].first_input_id if row.cells else self.id
            links.extend((first, message) for message in row.errors)
            for cell in row.cells:
                links.extend((cell.id, message) for message in cell.errors)
                if cell.rowset is not None:
                    links.extend(cell.rowset.error_links())
        return links


# ---- one step of the multi-step form ------------------------------------------------------------
@dataclass
class Item:
    """One entry of a step in catalogue order: a field (with its unit or unit selector) or a row table."""

    attribute: Attribute
    field: forms.BoundField | None = None
    unit_field: forms.BoundField | None = None
    rowset: RowSet | None = None

    @property
    def unit(self) -> str | None:
        return self.attribute.unit


class AttributeForm(forms.Form):
    """The top-level attributes given (one cluster of one level); values go to the services as they are."""

    def __init__(self, attributes: list[Attribute], data=None, values: dict[str, Any] | None = None):
        values = values or {}
        self.attributes = list(attributes)
        scalars = [a for a in self.attributes if a.type not in ROW_TYPES]
        initial = {a.key: to_input(input_spec(a), values.get(a.key)) for a in scalars}
        super().__init__(data=data, initial=initial)
        self.specs: dict[str, InputSpec] = {}
        for target in scalars:
            spec = input_spec(target)
            self.specs[target.key] = spec
            field_class = forms.BooleanField if spec.control == "checkbox" else forms.CharField
            options: dict[str, Any] = {"strip": False} if field_class is forms.CharField else {}
            self.fields[target.key] = field_class(
                label=target.label,
                required=False,
                help_text=_help_text(target, spec),
                widget=_widget(spec),
                **options,
            )
        self.rowsets: dict[str, RowSet] = {
            a.key: RowSet(a, a.key, data=data, initial=values.get(a.key))
            for a in self.attributes
            if a.type in ROW_TYPES
        }

    @property
    def items(self) -> list[Item]:
        keys = {a.key for a in self.attributes}
        unit_keys = {a.unit_key for a in self.attributes if a.unit_key in keys}
        items = []
        for target in self.attributes:
            if target.key in unit_keys:
                continue  # shown next to the value it qualifies
            if target.key in self.rowsets:
                items.append(Item(target, rowset=self.rowsets[target.key]))
            else:
                unit = self[target.unit_key] if target.unit_key in keys else None
                items.append(Item(target, field=self[target.key], unit_field=unit))
        return items

    def values(self) -> dict[str, Any]:
        """Every attribute of the step: an emptied input removes the stored value."""
        result: dict[str, Any] = {}
        for key, spec in self.specs.items():
            raw = self.cleaned_data.get(key) if hasattr(self, "cleaned_data") else None
            result[key] = from_input(spec, raw)
        for key, rowset in self.rowsets.items():
            result[key] = rowset.value()
        return result

    def add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            if key in self.fields:
                self.add_error(key, messages)
                continue
            rowset = next(
                (rs for rs_key, rs in self.rowsets.items() if key == rs_key or key.startswith(f"{rs_key}[")),
                None,
            )
            if rowset is not None:
                rowset.add_error(key[len(rowset.key) :], messages)
                continue
            self.add_error(None, [_label_message(key, message) for message in messages])

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(rs.has_errors for rs in self.rowsets.values())

    def error_links(self) -> list[tuple[str, str]]:
        links = []
        for target in self.attributes:
            if target.key in self.fields:
                bound = self[target.key]
                links.extend((bound.id_for_label, f"{bound.label}: {error}") for error in bound.errors)
            elif target.key in self.rowsets:
                links.extend(self.rowsets[target.key].error_links())
        return links


def _label_message(key: str, message: str) -> str:
    """A message about an attribute that is not on this step, named so the user knows where to look."""
    try:
        label = attribute(key).label
    except LookupError:
        return message
    return message if str(message).startswith(str(label)) else f"{label}: {message}"


# ---- passport page forms --------------------------------------------------------------------------
class StatusForm(ServiceFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("New battery status"), choices=[EMPTY_CHOICE, *BATTERY_STATUSES])
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    occurred_on = forms.DateField(
        label=_("Date of the change"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    new_unique_identifier = forms.CharField(
        label=_("Unique identifier of the new passport"),
        required=False,
        max_length=200,
        help_text=_("Required when the battery is repurposed or remanufactured: it gets a new passport."),
    )
    recycled = forms.BooleanField(
        label=_("The battery has been recycled (closes this passport)"),
        required=False,
        help_text=_("Only for a battery whose status is waste."),
    )
    service_field_names = {"occurred_at": "occurred_on"}

    def occurred_at(self) -> datetime:
        """The day chosen, as a moment: now for today, the start of the day for earlier days."""
        day = self.cleaned_data["occurred_on"]
        if day >= timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


class DynamicDataForm(ServiceFormMixin, forms.Form):
    key = forms.ChoiceField(label=_("Attribute"))
    value = forms.CharField(label=_("Value"), max_length=100)
    measured_at = forms.CharField(
        label=_("Measured at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, keys: list[Attribute], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [EMPTY_CHOICE] + [
            (a.key, f"{a.label} ({a.unit})" if a.unit else a.label) for a in keys
        ]

    def clean_measured_at(self) -> datetime:
        text = local_datetime_iso(self.cleaned_data["measured_at"])
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(_("Enter a date and time."), code="invalid") from None


class PcfUploadForm(forms.Form):
    """A Catena-X PCF document for a battery model's carbon footprint: the form reads the file as JSON;
    `model_pcf` checks what it says (its messages name the JSON path and are added to `file`)."""

    #: A PCF document is a few kB; anything near this is not one.
    MAX_BYTES = 1_000_000

    file = forms.FileField(
        label=_("Catena-X PCF file (JSON)"),
        help_text=_(
            "An io.catenax.pcf 9.0.0 document. Its figures replace the model's climate change footprint; "
            "other impact categories, plants, class, study and declaration stay."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)s kB.") % {"size": self.MAX_BYTES // 1000}
            )
        try:
            return json_input.loads(upload.read())
        except ValueError as exc:  # also UnicodeDecodeError
            raise ValidationError(
                _("The file is not valid JSON: %(error)s") % {"error": str(exc)[:200]}
            ) from None
