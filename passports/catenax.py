"""Catena-X BatteryPass 6.1.0: document <-> catalogue values, and validation beyond the schema.

Every leaf of the 6.1.0 model is mapped by exactly one catalogue attribute (`by_catenax_path()`); this
module only walks those paths, so a new attribute needs no code here. Conventions (see `Attribute`):
DOCUMENT attributes list `content/contentType/header` leaves, `timestamped` ones `(value, time)`,
`many` ones end in a list, GROUP rows live under a common array, and lead appears under two paths that
must carry the same value.

Validation runs in two steps and every error names the JSON path (`operation.intoServiceDate`):
1. the JSON Schema (draft-04): jsonschema-rs decides, fastjsonschema words the first problem;
2. the catalogue (`check_value`, `validate_row`, `validate_record`): real calendar dates, BPN formats,
   shares 0-100, CAS/EC check digits... which the schema's patterns let through.

Import never sees or writes the supply chain: the 6.1.0 model has no place for it, and export builds the
document from catalogue paths only, so suppliers and procurement amounts cannot reach a document.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import fastjsonschema
import jsonschema_rs
import orjson
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.gc_pause import collection_paused

from .catalogue import (
    ATTRIBUTES,
    CATENAX_CATEGORY,
    Attribute,
    Checked,
    FieldType,
    Level,
    attribute,
    category_from_catenax,
    check_value,
    children,
    validate_cas_number,
    validate_ec_number,
    validate_record,
    validate_row,
)
from .catenax_data import CATENAX_DATA_DIR
from .models import BatteryModel

logger = logging.getLogger(__name__)

SCHEMA_PATH = CATENAX_DATA_DIR / "BatteryPass-schema.json"
EXAMPLE_PATH = CATENAX_DATA_DIR / "BatteryPass.json"
SPEC_VERSION = "urn:io.catenax.battery.battery_pass:6.1.0"
MAX_DOCUMENTS = 500

# Placeholders for leaves the schema requires but the passport does not have (yet). They are chosen so
# that no real value can look like them, and import reads them back as "not given".
NIL_UUID = "urn:uuid:00000000-0000-0000-0000-000000000000"  # "no predecessor", as in the official example
PLACEHOLDER_BPNL = "BPNL000000000000"  # an economic operator without a BPNL (e.g. Ouranos-only)
PLACEHOLDER_TIME = "1970-01-01T00:00:00Z"  # a dynamic value that was never measured
# The regulation keeps a passport available after the battery's life; 10 years is a conservative default.
DEFAULT_AVAILABILITY_YEARS = 10

# Schema-required leaves that are not legal obligations: sensible defaults (others: "", 0, false, []).
EXPORT_DEFAULTS: dict[str, Any] = {
    "specVersion": SPEC_VERSION,
    "identification.identification.dataCarrier.carrierType": "QR",  # the portal prints a QR code
    "characteristics.warranty.lifeUnit": "unit:year",
    "characteristics.physicalDimension.weight.unit": "unit:kilogram",
    "sustainability.status": "original",
    "metadata.status": "draft",
    "metadata.predecessor": NIL_UUID,
    "metadata.passportIdentifier": NIL_UUID,  # only when a caller converts values without a passport
    "metadata.economicOperatorId": PLACEHOLDER_BPNL,
    "operation.manufacturer.manufacturer": PLACEHOLDER_BPNL,
    "materials.active.lead.materialUnit": "unit:partPerMillion",
    "materials.hazardous.lead.materialUnit": "unit:partPerMillion",
    "materials.hazardous.cadmium.materialUnit": "unit:partPerMillion",
    "materials.hazardous.mercury.materialUnit": "unit:partPerMillion",
}
_BPNL_ONLY = frozenset({"economic_operator_id", "manufacturer_bpnl"})  # leaves whose pattern is ^BPNL
_NUMERIC = frozenset({FieldType.DECIMAL, FieldType.PERCENT, FieldType.INTEGER})
_MISSING = object()


class CatenaxExportUnavailable(Exception):
    """The passport cannot be a valid 6.1.0 document without inventing an identifier; `code` says why."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class CatenaxInvalid(Exception):
    """A document that cannot be imported: `errors` is a list of {"path", "message"}."""

    def __init__(self, errors: list[dict[str, str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class ImportedValues:
    model_values: dict[str, Any] = field(default_factory=dict)
    battery_values: dict[str, Any] = field(default_factory=dict)
    dynamic_points: list[tuple[str, Any, datetime]] = field(default_factory=list)
    system_values: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: The text the model values were read from: documents with equal texts have equal model values.
    model_text: ModelText | None = None


# ---- the schema ---------------------------------------------------------------------------------------


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _compiled_validator():
    # Compiled once per process: compiling the 190 kB schema costs far more than validating a document.
    return fastjsonschema.compile(schema())


#: A document without its battery-level and metadata leaves, as text: the key of the model cache (a Python
#: caller's Decimal is written as a string, and such a document's text is `str`, never equal to JSON bytes).
ModelText = bytes | str


def _model_text(document: Mapping[str, Any]) -> ModelText:
    pruned = _pruned(document, _battery_leaf_tree())
    try:
        # Not sorted: the same content in another key order is merely read once more (documents of one
        # request come from one client, in one order). orjson writes it in a tenth of json.dumps' time.
        return orjson.dumps(pruned)
    except TypeError:  # orjson.JSONEncodeError: not plain JSON
        return json.dumps(pruned, default=str)


@cache
def _deciding_validator() -> Any:
    # jsonschema-rs (Rust, the same draft-04 rules) says yes or no in a fifth of fastjsonschema's time for
    # a whole document (0.06 ms): the verdict of every imported document. fastjsonschema words the errors
    # (its first problem, as the import always reported them).
    return jsonschema_rs.validator_for(schema())


def _rust_path(path: Iterable[str | int]) -> str:
    """jsonschema-rs's instance path in fastjsonschema's notation ("sources[0].category")."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "$"


def schema_errors(document: Any) -> list[dict[str, str]]:
    """The schema's verdict on `document` ([] when valid), at most its first problem."""
    try:
        if _deciding_validator().is_valid(document):
            return []
    except (TypeError, ValueError):  # not plain JSON (keys that are not text, lone surrogates...)
        pass
    try:
        _compiled_validator()(document)
    except fastjsonschema.JsonSchemaValueException as exc:
        path, problem = (
            exc.name.removeprefix("data").lstrip(".") or "$",
            exc.message.removeprefix(exc.name + " "),
        )
    else:
        # Only jsonschema-rs refuses: patterns are ECMA-262 expressions, where \d is an ASCII digit (Python
        # lets "٢٠٢٤" through); or it could not read the document, which fastjsonschema found valid.
        first = next(_safe_errors(document), None)
        if first is None:
            return []
        path, problem = first
    return [{"path": path, "message": _("Does not match the BatteryPass 6.1.0 schema: %(problem)s") % {
        "problem": problem[:300]}}]  # fmt: skip


def _safe_errors(document: Any) -> Iterator[tuple[str, str]]:
    try:
        for error in _deciding_validator().iter_errors(document):
            yield _rust_path(error.instance_path), error.message
    except (TypeError, ValueError):
        return


def example_document() -> dict[str, Any]:
    """The official 6.1.0 example, as shipped (with its impossible `operation.intoServiceDate`, and placed on
    the market before it is made)."""
    return json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))


def corrected_example_document(into_service: str = "2001-02-15") -> dict[str, Any]:
    """The official example with possible dates: made 2000-01-31, placed on the market 2000-02-01 (it says
    2000-01-01), put into service on `into_service` (it says 7172-75-08). Demo, tests and benchmarks."""
    document = example_document()
    document["commercial"]["placedOnMarket"] = "2000-02-01"
    document["operation"]["intoServiceDate"] = into_service
    return document


# ---- paths ----------------------------------------------------------------------------------------------


def _rel(path: str, base: str) -> str:
    return path[len(base) + 1 :] if base else path


@cache
def _keys(dotted: str) -> tuple[str, ...]:
    return tuple(dotted.split("."))


@dataclass(frozen=True)
class _Record:
    """Where a dynamic attribute's value and time stand: siblings in one object in every 6.1.0 record."""

    attribute: Attribute
    parent: tuple[str, ...]
    value_key: str
    time_key: str
    value_path: str
    time_path: str


@cache
def _records() -> dict[str, _Record]:
    """The dynamic attributes read from every document (18), by key, located once."""
    records = {}
    for a in _battery_level_mapped():
        if not a.timestamped:
            continue
        value_path, time_path = a.catenax_paths
        parent, value_key = value_path.rsplit(".", 1)
        time_parent, time_key = time_path.rsplit(".", 1)
        if time_parent != parent:  # pragma: no cover - a catalogue error the tests would see
            raise ValueError(f"{a.key}: value and time are not siblings")
        records[a.key] = _Record(a, tuple(parent.split(".")), value_key, time_key, value_path, time_path)
    return records


def _get(node: Any, dotted: str) -> Any:
    # Called ~60 times per document: the split is cached, and parsed JSON is a dict, which `isinstance`
    # recognises at once where the Mapping ABC check is several times slower.
    for key in _keys(dotted):
        if type(node) is not dict and not isinstance(node, Mapping):
            return _MISSING
        node = node.get(key, _MISSING)
        if node is _MISSING:
            return _MISSING
    return node


def _put(node: dict, dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value


def _split_list(path: str) -> tuple[str, str]:
    """ "a.b[].c" -> ("a.b", "c"); "a.b[]" -> ("a.b", "")."""
    head, _sep, tail = path.rpartition("[]")
    return head, tail.lstrip(".")


def _document_bases(a: Attribute, base: str) -> list[str]:
    paths = a.catenax_paths
    return [_rel(paths[i], base).removesuffix("[].content") for i in range(0, len(paths), 3)]


@cache
def _leaf_paths(group_key: str) -> tuple[str, ...]:
    paths: list[str] = []
    for child in children(group_key):
        paths.extend(child.catenax_paths)
        if child.type is FieldType.GROUP:
            paths.extend(_leaf_paths(child.key))
    return tuple(paths)


def _group_base(group: Attribute, base: str) -> str | None:
    """The array holding a group's rows, relative to `base` ("materials.active.other" ...)."""
    paths = _leaf_paths(group.key)
    if not paths:
        return None
    return _rel(paths[0], base).split("[]", 1)[0]


def _join(prefix: str, rel: str) -> str:
    return f"{prefix}.{rel}" if prefix else rel


# ---- import ---------------------------------------------------------------------------------------------


@cache
def _time_attribute() -> Attribute:
    # The catalogue's "date and time with a time zone offset", which the measuring times are.
    return attribute("negative_events.occurred_at")


# The battery-level values that are not measurements (facilities, the economic operator, document links,
# batch numbers...) are mostly the same text in every document of a batch, and their checks (check digits,
# URLs) cost more than remembering them. Only successes are remembered, by the attribute, the language of
# their warnings and the value: itself when it is text, else its exact JSON text (1, 1.0 and true differ).
# A check whose answer depends on the day only widens with time (a date may lie at most a year ahead), so a
# remembered success stays true.
_CHECKED: dict[tuple[str, str, str | bytes], Checked] = {}
_CHECKED_SIZE = 4096  # the dict is simply emptied when full


def _checked_key(a: Attribute, language: str, raw: Any) -> tuple[str, str, str | bytes] | None:
    if type(raw) is str:
        return a.key, language, raw  # most values; never equal to the JSON text (bytes) of another
    try:
        return a.key, language, orjson.dumps(raw)
    except TypeError:  # not plain JSON (a Python caller's Decimal): checked every time
        return None


class _Reader:
    """Walks one document along the catalogue's paths, validating each value where it stands."""

    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []
        self.warnings: list[str] = []
        # A document's dynamic values are usually measured together: each distinct time is parsed once.
        self._times: dict[str, datetime | None] = {}
        self.language = get_language() or ""  # of the messages and warnings
        self.now = datetime.now(UTC)

    def error(self, path: str, exc: ValidationError | str) -> None:
        messages = exc.messages if isinstance(exc, ValidationError) else [exc]
        self.errors.extend({"path": path, "message": str(message)} for message in messages)

    def check(self, a: Attribute, raw: Any, path: str, *, remember: bool = True) -> Any:
        key = _checked_key(a, self.language, raw) if remember else None
        checked = _CHECKED.get(key) if key is not None else None
        if checked is None:
            try:
                checked = check_value(a, raw)
            except ValidationError as exc:
                self.error(path, exc)
                return _MISSING
            if key is not None:
                if len(_CHECKED) >= _CHECKED_SIZE:
                    _CHECKED.clear()
                _CHECKED[key] = checked
        if checked.warnings:
            self.warnings.extend(f"{path}: {warning}" for warning in checked.warnings)
        value = checked.value
        return _deep_copy(value) if isinstance(value, list | dict) else value  # remembered: never shared

    def read(self, a: Attribute, node: Any, base: str, prefix: str) -> Any:
        """The cleaned value of `a` under `node` (paths relative to `base`), or _MISSING."""
        if a.type is FieldType.GROUP:
            return self._group(a, node, base, prefix)
        if a.type is FieldType.DOCUMENT:
            return self._documents(a, node, base, prefix)
        if a.timestamped:
            return _MISSING  # read separately as dynamic points
        if a.many:
            return self._many(a, node, base, prefix)
        found = _MISSING
        first_path = ""
        for path in a.catenax_paths:
            rel = _rel(path, base)
            raw = _get(node, rel)
            if raw is _MISSING or raw is None:
                continue
            if a.key == "battery_category":
                try:
                    raw = category_from_catenax(raw).value
                except ValidationError as exc:
                    self.error(_join(prefix, rel), exc)
                    return _MISSING
            value = self.check(a, raw, _join(prefix, rel))
            if value is _MISSING:
                return _MISSING
            if found is not _MISSING and value != found:
                message = _("Must carry the same value as %(path)s.") % {"path": first_path}
                self.error(_join(prefix, rel), message)
                return _MISSING
            found, first_path = value, _join(prefix, rel)
        return found

    def _many(self, a: Attribute, node: Any, base: str, prefix: str) -> Any:
        list_path, tail = _split_list(_rel(a.catenax_paths[0], base))
        items = _get(node, list_path)
        if not isinstance(items, list):
            return _MISSING
        values = []
        for index, item in enumerate(items):
            raw = _get(item, tail) if tail else item
            path = _join(prefix, f"{list_path}[{index}]" + (f".{tail}" if tail else ""))
            if a.text_format is not None and raw == PLACEHOLDER_BPNL:
                continue
            value = self.check(a, [raw], path)
            if value is not _MISSING:
                values.extend(value)
        return values

    def _documents(self, a: Attribute, node: Any, base: str, prefix: str) -> Any:
        found: Any = _MISSING
        first_path = ""
        for list_path in _document_bases(a, base):
            items = _get(node, list_path)
            if not isinstance(items, list):
                continue
            documents = []
            for index, item in enumerate(items):
                if not isinstance(item, Mapping):
                    self.error(_join(prefix, f"{list_path}[{index}]"), _("Expected a document object."))
                    continue
                raw = {"header": item.get("header"), "content_type": item.get("contentType"),
                       "content": item.get("content")}  # fmt: skip
                value = self.check(a, [raw], _join(prefix, f"{list_path}[{index}]"))
                if value is not _MISSING:
                    documents.extend(value)
            if found is not _MISSING and documents != found:
                self.error(_join(prefix, list_path), _("Must carry the same documents as %(path)s.") % {
                    "path": first_path})  # fmt: skip
                return _MISSING
            found, first_path = documents, _join(prefix, list_path)
        return found

    def _group(self, group: Attribute, node: Any, base: str, prefix: str) -> Any:
        rel = _group_base(group, base)
        if rel is None:
            return _MISSING
        items = _get(node, rel)
        if not isinstance(items, list):
            return _MISSING
        row_base = _join(base, rel) + "[]"
        rows = []
        for index, item in enumerate(items):
            row_prefix = _join(prefix, f"{rel}[{index}]")
            if not isinstance(item, Mapping):
                self.error(row_prefix, _("Expected an object."))
                continue
            row: dict[str, Any] = {}
            ok = True
            for child in children(group.key):
                if group.key.endswith(".identifiers") and child.name == "scheme":
                    self._relabel_ec_number(child, item, row_base, row_prefix)
                value = self.read(child, item, row_base, row_prefix)
                if value is _MISSING:
                    ok = ok and not self._has_error_under(row_prefix)
                    continue
                row[child.name] = value
            if not ok:
                continue
            try:
                rows.append(validate_row(group.key, row))
            except ValidationError as exc:
                self.error(row_prefix, exc)
        return rows

    def _has_error_under(self, prefix: str) -> bool:
        return any(error["path"].startswith(prefix) for error in self.errors)

    def _relabel_ec_number(self, scheme: Attribute, item: Mapping, row_base: str, row_prefix: str) -> None:
        """The official example labels an EC number (201-004-7, phenolphthalein) as "CAS": when the value is
        no CAS number but a valid EC number, read it as EC and warn instead of refusing the document."""
        identifier_attr = attribute(scheme.key.rsplit(".", 1)[0] + ".identifier")
        scheme_rel = _rel(scheme.catenax_paths[0], row_base)
        identifier = _get(item, _rel(identifier_attr.catenax_paths[0], row_base))
        if _get(item, scheme_rel) != "CAS" or not isinstance(identifier, str):
            return
        try:
            validate_cas_number(identifier)
            return
        except ValidationError:
            pass
        try:
            validate_ec_number(identifier)
        except ValidationError:
            return
        if isinstance(item, dict):
            item[scheme_rel] = "EC"  # a working copy (see document_to_values)
        self.warnings.append(
            _("%(path)s: %(value)s is an EC number, not a CAS number; imported as an EC number.")
            % {"path": _join(row_prefix, scheme_rel), "value": identifier}
        )

    def dynamic(self, at: _Record, document: Mapping) -> tuple[Any, datetime] | None:
        record: Any = document
        for key in at.parent:
            if type(record) is not dict and not isinstance(record, Mapping):
                return None
            record = record.get(key)
        if type(record) is not dict and not isinstance(record, Mapping):
            return None
        raw_value, raw_time = record.get(at.value_key), record.get(at.time_key, _MISSING)
        if raw_value is None:
            return None
        if raw_time == PLACEHOLDER_TIME:
            return None  # exported as "never measured"
        # Checked every time (measurements rarely repeat), with no copy: a number is never shared.
        try:
            checked = check_value(at.attribute, raw_value)
        except ValidationError as exc:
            self.error(at.value_path, exc)
            value = _MISSING
        else:
            value = checked.value
            if checked.warnings:
                self.warnings.extend(f"{at.value_path}: {warning}" for warning in checked.warnings)
        measured_at = self._times.get(raw_time, _MISSING) if isinstance(raw_time, str) else _MISSING
        if measured_at is _MISSING:
            try:
                measured_at = check_value(_time_attribute(), raw_time).value
            except ValidationError:
                message = _("Enter a date and time as YYYY-MM-DDThh:mm:ss with a time zone offset.")
                self.error(at.time_path, message)
                return None
            if isinstance(raw_time, str):
                self._times[raw_time] = measured_at
        if value is _MISSING or value is None or measured_at is None:
            return None
        if measured_at > self.now:
            self.error(at.time_path, _("The time of measurement cannot be in the future."))
            return None
        return value, measured_at


def _deep_copy(document: Any) -> Any:
    if isinstance(document, dict):
        return {key: _deep_copy(value) for key, value in document.items()}
    if isinstance(document, list):
        return [_deep_copy(value) for value in document]
    return document


def document_to_values(document: Any) -> tuple[dict, dict, list, dict, list[str]]:
    """(model_values, battery_values, dynamic_points, system_values, warnings) of one 6.1.0 document.

    `battery_values` includes `battery_status`; `dynamic_points` are (key, value, measured_at).
    Raises `CatenaxInvalid` with every problem found (each naming its JSON path)."""
    result = read_document(document)
    return (result.model_values, result.battery_values, result.dynamic_points, result.system_values,
            result.warnings)  # fmt: skip


def read_document(document: Any) -> ImportedValues:
    if not isinstance(document, Mapping):
        message = _("Expected a BatteryPass document (a JSON object).")
        raise CatenaxInvalid([{"path": "$", "message": message}])
    model_text = _model_text(document)
    errors = schema_errors(document)
    if errors:
        raise CatenaxInvalid(errors)
    result = ImportedValues(model_text=model_text)
    model_values, model_warnings, model_errors = _read_model_part(document, model_text)
    result.model_values = model_values
    reader = _Reader()
    reader.errors.extend(model_errors)
    records = _records()
    for a in _battery_level_mapped():
        if a.timestamped:
            point = reader.dynamic(records[a.key], document)
            if point is not None:
                result.dynamic_points.append((a.key, point[0], point[1]))
            continue
        value = reader.read(a, document, "", "")
        if value is _MISSING or value is None or value == []:
            continue
        if a.system:
            result.system_values[a.key] = value
        else:
            result.battery_values[a.key] = value
    _drop_placeholders(result)
    spec = document.get("specVersion")
    if spec is not None and not str(spec).endswith("6.1.0"):
        message = _("specVersion %(value)s: read as BatteryPass 6.1.0.") % {"value": str(spec)[:80]}
        reader.warnings.append(message)
    # Rules between attributes only concern model-level values (checked, and cached, above).
    if reader.errors:
        raise CatenaxInvalid(reader.errors)
    result.warnings = model_warnings + reader.warnings
    return result


# Model-level values are the same for every battery of a model, and a bulk import usually sends many
# documents of one model: their reading and validation (most of the work) is cached by a fingerprint of
# the document without its battery-level and metadata leaves.
_MODEL_CACHE: OrderedDict[ModelText, tuple[dict, list[str], list[dict[str, str]]]] = OrderedDict()
_MODEL_CACHE_SIZE = 64


@cache
def _battery_level_mapped() -> tuple[Attribute, ...]:
    """The top-level attributes read per document: the battery's own values and the passport's metadata."""
    return tuple(a for a in _top_level_mapped() if a.level is not Level.MODEL or a.system)


@cache
def _battery_leaf_tree() -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for a in _battery_level_mapped():
        # A group's own paths are its rows' (serial numbers, batches...): without them every battery's
        # serial number would be part of the model's fingerprint and the cache would never hit.
        paths = _leaf_paths(a.key) if a.type is FieldType.GROUP else a.catenax_paths
        for path in paths:
            keys = path.split("[]", 1)[0].split(".")
            node = tree
            for key in keys[:-1]:
                node = node.setdefault(key, {})
                if node is True:
                    break
            else:
                node[keys[-1]] = True
    return tree


def _pruned(node: Any, tree: Mapping[str, Any]) -> Any:
    if type(node) is not dict and not isinstance(node, Mapping):
        return node
    out = dict(node)
    for key, sub in tree.items():
        if key in out:
            if sub is True:
                del out[key]
            else:
                out[key] = _pruned(out[key], sub)
    return out


def _read_model_part(
    document: Mapping[str, Any], model_text: ModelText
) -> tuple[dict, list[str], list[dict[str, str]]]:
    cached = _MODEL_CACHE.get(model_text)
    if cached is None:
        working = _deep_copy(document)  # the EC relabelling writes into the rows it reads
        reader = _Reader()
        values: dict[str, Any] = {}
        for a in _top_level_mapped():
            if a.level is not Level.MODEL or a.system:
                continue
            value = reader.read(a, working, "", "")
            if value is not _MISSING and value is not None and value != []:
                values[a.key] = value
        if values.get("manufacturer_bpnl") == PLACEHOLDER_BPNL:
            del values["manufacturer_bpnl"]
        if not reader.errors:
            reader.errors.extend(_record_errors(values))
        cached = (values, reader.warnings, reader.errors)
        _MODEL_CACHE[model_text] = cached
        while len(_MODEL_CACHE) > _MODEL_CACHE_SIZE:
            _MODEL_CACHE.popitem(last=False)
    else:
        _MODEL_CACHE.move_to_end(model_text)
    values, warnings, errors = cached
    # A shallow copy: the rows inside are shared with the cache and are never modified downstream (the
    # services and the catalogue build new dicts when they clean values).
    return dict(values), list(warnings), list(errors)


def _drop_placeholders(result: ImportedValues) -> None:
    if result.system_values.get("economic_operator_id") == PLACEHOLDER_BPNL:
        del result.system_values["economic_operator_id"]
    if str(result.system_values.get("predecessor_passport_id", "")).lower() == NIL_UUID:
        del result.system_values["predecessor_passport_id"]


def _record_errors(values: Mapping[str, Any]) -> list[dict[str, str]]:
    """Rules between attributes (voltages ordered, pre- + post-consumer shares...), keyed by JSON path."""
    try:
        validate_record({key: value for key, value in values.items() if key != "battery_status"})
    except ValidationError as exc:
        return [
            {"path": _path_of(key), "message": message}
            for key, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


def _path_of(key: str) -> str:
    try:
        paths = attribute(key.split("[", 1)[0]).catenax_paths
    except LookupError:
        return key
    return paths[0] if paths else key


@cache
def _top_level_mapped() -> tuple[Attribute, ...]:
    return tuple(
        a for a in ATTRIBUTES if a.group is None and (a.catenax_paths or (a.type is FieldType.GROUP
                                                                           and _leaf_paths(a.key)))
    )  # fmt: skip


def parse_documents(payload: Any) -> list[Any]:
    """One document or a list of them, as a list; `CatenaxInvalid` for anything else or too many."""
    documents = payload if isinstance(payload, list) else [payload]
    if not documents:
        raise CatenaxInvalid([{"path": "$", "message": _("Send at least one document.")}])
    if len(documents) > MAX_DOCUMENTS:
        raise CatenaxInvalid([{"path": "$", "message": _("Send at most %(limit)d documents per request.") % {
            "limit": MAX_DOCUMENTS}}])  # fmt: skip
    return documents


# ---- export ---------------------------------------------------------------------------------------------


def _json_scalar(a: Attribute, value: Any) -> Any:
    if a.type in _NUMERIC:
        number = Decimal(str(value))
        return int(number) if a.type is FieldType.INTEGER else float(number)
    if a.type is FieldType.BOOLEAN:
        return bool(value)
    if a.key == "battery_category":
        return CATENAX_CATEGORY[value] if value in {c.value for c in CATENAX_CATEGORY} else value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _write(a: Attribute, value: Any, node: dict, base: str) -> None:
    if a.type is FieldType.GROUP:
        rel = _group_base(a, base)
        if rel is None:
            return
        row_base = _join(base, rel) + "[]"
        items = []
        for row in value or []:
            item: dict[str, Any] = {}
            for child in children(a.key):
                child_value = row.get(child.name)
                if child_value is None or child_value == []:
                    continue
                _write(child, child_value, item, row_base)
            items.append(item)
        _put(node, rel, items)
    elif a.type is FieldType.DOCUMENT:
        documents = [{"content": d["content"], "contentType": d.get("content_type") or "URL",
                      "header": d["header"]} for d in value or []]  # fmt: skip
        for list_path in _document_bases(a, base):
            _put(node, list_path, [dict(d) for d in documents])
    elif a.many:
        list_path, tail = _split_list(_rel(a.catenax_paths[0], base))
        _put(node, list_path, [{tail: _json_scalar(a, v)} if tail else _json_scalar(a, v) for v in value])
    else:
        for path in a.catenax_paths:
            _put(node, _rel(path, base), _json_scalar(a, value))


def _iso_time(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # The offset as given (see passports/times.py); UTC as "Z", as the official example writes it.
    spec = "milliseconds" if value.microsecond else "seconds"
    return value.isoformat(timespec=spec).replace("+00:00", "Z")


def values_to_document(
    values: Mapping[str, Any],
    *,
    dynamic: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
    system: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A schema-valid 6.1.0 document of exactly `values` (already filtered to what the reader may see).

    `dynamic` maps timestamped keys to their points ({"value", "measured_at"}, newest first: the newest
    is exported); `system` adds or overrides platform metadata (passport id, version, dates). Leaves
    the schema requires that the values lack get the defaults of `EXPORT_DEFAULTS` or neutral ones."""
    document: dict[str, Any] = {}
    merged = {**values, **{k: v for k, v in (system or {}).items() if v is not None}}
    for a in _top_level_mapped():
        if a.timestamped:
            points = list((dynamic or {}).get(a.key, ()))
            if points:
                newest = points[0]
                _put(document, a.catenax_paths[0], _json_scalar(a, newest["value"]))
                _put(document, a.catenax_paths[1], _iso_time(newest["measured_at"]))
            continue
        value = merged.get(a.key)
        if value is None or (value == [] and a.type is not FieldType.DOCUMENT):
            continue
        if a.key == "passport_id" or a.key == "predecessor_passport_id":
            value = value if str(value).startswith("urn:uuid:") else f"urn:uuid:{value}"
        if a.key in _BPNL_ONLY and not str(value).upper().startswith("BPNL"):
            continue  # a corporate number or LEI has no place in these BPNL-only leaves
        _write(a, value, document, "")
    _fill_required(document, schema(), "")
    metadata = document["metadata"]
    if metadata.get("expirationDate") == "" and metadata.get("issueDate"):
        issued = date.fromisoformat(metadata["issueDate"])
        until = issued.replace(year=issued.year + DEFAULT_AVAILABILITY_YEARS, day=min(issued.day, 28))
        metadata["expirationDate"] = until.isoformat()
    return document


def _resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
    definitions = schema()["components"]["schemas"]
    while "$ref" in node:
        target = definitions[node["$ref"].rsplit("/", 1)[-1]]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _default(node: Mapping[str, Any], path: str) -> Any:
    if path in EXPORT_DEFAULTS:
        return EXPORT_DEFAULTS[path]
    node = _resolve(node)
    kind = node.get("type")
    if kind == "object":
        return {}
    if kind == "array":
        return []
    if kind == "number" or kind == "integer":
        return 0
    if kind == "boolean":
        return False
    if node.get("enum"):
        return node["enum"][0]
    if path.endswith(".time"):
        return PLACEHOLDER_TIME
    if path.endswith("Date") or path.endswith("lastModification"):
        return timezone.localdate().isoformat() if not path.endswith("expirationDate") else ""
    return ""


def _fill_required(value: Any, node: Mapping[str, Any], path: str) -> None:
    node = _resolve(node)
    if node.get("type") == "object" and isinstance(value, dict):
        properties = node.get("properties", {})
        for name in node.get("required", ()):
            if name not in value and name in properties:
                value[name] = _default(properties[name], _join(path, name))
        for name, child in value.items():
            if name in properties:
                _fill_required(child, properties[name], _join(path, name))
    elif node.get("type") == "array" and isinstance(value, list):
        for item in value:
            _fill_required(item, node.get("items", {}), path + "[]")


def document_errors(document: Any) -> list[dict[str, str]]:
    """Schema and catalogue problems of a document ([] when it would import)."""
    try:
        read_document(document)
    except CatenaxInvalid as exc:
        return exc.errors
    return []


# ---- import and export use cases ------------------------------------------------------------------------


class CatenaxImportError(Exception):
    """The import was refused; nothing was stored. `errors`: [{"document", "path", "message"}]."""

    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class ImportedPassport:
    document: int
    passport: Any
    battery_model: Any
    warnings: tuple[str, ...]


def _service_errors(exc: ValidationError, document: int, key_prefix: str = "") -> list[dict[str, Any]]:
    if not hasattr(exc, "error_dict"):
        return [{"document": document, "path": "$", "message": str(m)} for m in exc.messages]
    return [
        {"document": document, "path": _path_of(key.removeprefix(key_prefix)), "message": str(message)}
        for key, messages in exc.message_dict.items()
        for message in messages
    ]


def _model_changes(current: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    as_json = json.loads(json.dumps(values, cls=DjangoJSONEncoder))
    return {key: values[key] for key, value in as_json.items() if current.get(key) != value}


@dataclass(frozen=True)
class LockedModel:
    model: BatteryModel
    #: Locked FOR SHARE: the documents describe it as it is, so the import only adds passports to it.
    shared: bool


def locked_models(organization, wanted: Mapping[str, Mapping[str, Any]]) -> dict[str, LockedModel]:
    """The organization's battery models with the part ids of `wanted` ({part id: the documents' model
    values}), locked until the import's transaction ends.

    A model the import will change is locked FOR UPDATE. A model the documents describe as it is is locked
    FOR SHARE: nobody can change it under the import, yet concurrent imports of one model (a client
    sending its requests in parallel) do not wait for each other. Models are locked one at a time in
    part-id order, so two imports never wait for each other in a cycle. (Two imports of one new model
    cannot both create it: the part id is unique per organization.)"""
    from django.db import connection

    found = {
        model.manufacturer_part_id: model
        for model in BatteryModel.objects.filter(
            organization=organization, manufacturer_part_id__in=list(wanted)
        )
    }
    locked: dict[str, LockedModel] = {}
    for part in sorted(found):
        model = found[part]
        if _model_changes(model.data, wanted[part]) or connection.vendor != "postgresql":
            # SQLite (`make run`) has no row locks: its writes are serialised anyway.
            locked[part] = LockedModel(
                BatteryModel.objects.select_for_update().get(pk=model.pk), shared=False
            )
            continue
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(BatteryModel._meta.db_table)
            cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR SHARE", [model.pk])  # noqa: S608 - our table
        # Read again under the lock: it may have changed between the first read and the lock.
        locked[part] = LockedModel(BatteryModel.objects.get(pk=model.pk), shared=True)
    return locked


def model_for_import(
    *, actor, organization, existing: LockedModel | None, values: Mapping[str, Any]
) -> tuple[BatteryModel, str]:
    """The battery model the imported passports belong to: created, updated where the file says otherwise,
    or as it is. Returns the model and "created", "updated" or "unchanged"."""
    from . import services  # services import this module: imported late, as in import_documents

    if existing is None:
        try:
            return services.battery_model_create(
                actor=actor, organization=organization, values=values
            ), "created"
        except ValidationError:
            # A concurrent import of the same new model created it first (the unique index made this insert
            # wait for its commit): this import adds its passports to that model, as it would have.
            part = values.get("manufacturer_part_id")
            existing = locked_models(organization, {part: values}).get(part) if part else None
            if existing is None:
                raise
    changes = _model_changes(existing.model.data, values)
    if not changes:
        return existing.model, "unchanged"
    if existing.shared:  # changed by someone else between the first read and the lock
        raise ValidationError(
            _("This battery model was changed while the import ran; send the documents again.")
        )
    return services.battery_model_update(actor=actor, battery_model=existing.model, values=changes), "updated"


def import_items(
    read: list[Any], indexes: list[int], predecessors: Mapping[int, Any], identifiers: Mapping[int, Any]
) -> list[dict[str, Any]]:
    """The `services.passports_import` items of the documents at `indexes` (all of one battery model)."""
    from . import services

    items = []
    for index in indexes:
        battery = dict(read[index].battery_values)
        system = read[index].system_values
        metadata = {key: system[key] for key in services.IMPORTED_METADATA_KEYS if key in system}
        items.append({"status": battery.pop(services.STATUS_KEY, None) or "original",
                      "values": battery, "dynamic": read[index].dynamic_points,
                      "predecessor": predecessors.get(index), "public_id": identifiers.get(index),
                      "metadata": metadata})  # fmt: skip
    return items


def import_documents(
    *, actor, organization, payload: Any, confirm_economic_operator: bool = False
) -> list[ImportedPassport]:
    """Create draft passports of `organization` from one 6.1.0 document or a list: all or nothing.

    What the document says is kept as given: its passport identifier becomes the passport's own (unless
    another passport of the portal has it: then a new one, with a warning), and its metadata (version,
    status, dates, registry identifier, back-up reference) is the draft's until the passport is published
    here. A document naming another economic operator is refused unless `confirm_economic_operator`: the
    passport would then be placed on the market by `organization`, which the caller must mean.

    The battery model is found by `manufacturerPartId` among the organization's own models (another
    organization's model is never looked at) or created; model values that differ update it.

    `metadata.predecessor` links the new passport as the successor of that passport, which must be one of
    the organization's own (the rules of `services.passport_change_status`). Any other identifier is
    refused rather than kept: the passport's predecessor is a link to a passport in the portal (its page,
    its QR lookups and the successor rules follow it), there is no place for a foreign reference, and
    dropping it silently would lose the battery's history. Another organization's passport is refused
    with the same message as an unknown one, so the answer reveals nothing about other tenants."""
    with collection_paused():
        return _import_documents(actor, organization, payload, confirm_economic_operator)


def _import_documents(
    actor, organization, payload: Any, confirm_economic_operator: bool
) -> list[ImportedPassport]:
    from . import policies, services

    if not policies.can_create_models(actor, organization):
        raise PermissionDenied
    documents = parse_documents(payload)
    errors: list[dict[str, Any]] = []
    read: list[ImportedValues] = []
    for index, document in enumerate(documents):
        try:
            read.append(read_document(document))
        except CatenaxInvalid as exc:
            errors.extend({"document": index, **error} for error in exc.errors)
    if not confirm_economic_operator:
        errors.extend(_foreign_operators(organization, read))
    if errors:
        raise CatenaxImportError(errors)
    identifiers = _passport_identifiers(read)
    groups: dict[str, list[int]] = {}
    for index, values in enumerate(read):
        groups.setdefault(values.model_values.get("manufacturer_part_id", ""), []).append(index)
    part_path = attribute("manufacturer_part_id").catenax_paths[0]
    for indexes in groups.values():
        first = read[indexes[0]].model_values
        for index in indexes[1:]:
            if read[index].model_values != first:
                errors.append({"document": index, "path": part_path, "message": _(
                    "Same battery model as document %(first)d but with different model values.") % {
                    "first": indexes[0]}})  # fmt: skip
    if errors:
        raise CatenaxImportError(errors)
    results: list[ImportedPassport] = []
    with transaction.atomic():
        predecessors = _predecessors(organization, read, errors)
        if errors:
            raise CatenaxImportError(errors)
        existing = locked_models(
            organization, {part: read[indexes[0]].model_values for part, indexes in groups.items()}
        )
        for part_id, indexes in groups.items():
            try:
                model, _outcome = model_for_import(
                    actor=actor,
                    organization=organization,
                    existing=existing.get(part_id),
                    values=read[indexes[0]].model_values,
                )
            except ValidationError as exc:
                errors.extend(_service_errors(exc, indexes[0]))
                continue
            items = import_items(read, indexes, predecessors, identifiers)
            try:
                passports = services.passports_import(  # read_document cleaned every value already
                    actor=actor, battery_model=model, items=items, values_checked=True
                )
            except ValidationError as exc:
                errors.extend(_group_errors(exc, indexes))
                continue
            for index, passport in zip(indexes, passports, strict=True):
                results.append(ImportedPassport(index, passport, model, tuple(read[index].warnings)))
        if errors:
            raise CatenaxImportError(errors)  # rolls back every model and passport of the request
    return sorted(results, key=lambda result: result.document)


def _foreign_operators(organization, read: list[ImportedValues]) -> list[dict[str, Any]]:
    own = {str(i).upper() for i in (organization.bpnl, organization.corporate_number, organization.lei) if i}
    path = attribute("economic_operator_id").catenax_paths[0]
    errors = []
    for index, values in enumerate(read):
        named = values.system_values.get("economic_operator_id")
        if named and str(named).upper() not in own:
            message = _(
                "This document names %(named)s as economic operator. Imported, the passport is placed on "
                "the market by %(organization)s. Confirm this (confirm_economic_operator=true) or import it "
                "under the company it names."
            )
            named_by = {"named": named, "organization": organization.legal_name}
            errors.append({"document": index, "path": path, "message": message % named_by})
    return errors


def _passport_identifiers(read: list[ImportedValues]) -> dict[int, uuid.UUID]:
    """The documents' own passport identifiers that no passport of the portal has yet (the first document
    wins within a request); the others get a new identifier and a warning that says so."""
    from .models import Passport

    given: dict[int, uuid.UUID] = {}
    for index, values in enumerate(read):
        raw = str(values.system_values.get("passport_id") or "").lower().removeprefix("urn:uuid:")
        if raw and f"urn:uuid:{raw}" != NIL_UUID:
            given[index] = uuid.UUID(raw)
    taken = set(
        Passport.objects.filter(public_id__in=set(given.values())).values_list("public_id", flat=True)
    )
    kept: dict[int, uuid.UUID] = {}
    path = attribute("passport_id").catenax_paths[0]
    for index, identifier in given.items():
        if identifier in taken:
            read[index].warnings.append(_(
                "%(path)s: urn:uuid:%(id)s is already a passport on the portal; this passport gets a new "
                "identifier.") % {"path": path, "id": identifier})  # fmt: skip
            continue
        taken.add(identifier)
        kept[index] = identifier
    return kept


def _predecessors(organization, read: list[ImportedValues], errors: list[dict[str, Any]]) -> dict[int, Any]:
    """The passport each document names as its predecessor, looked up among `organization`'s own only
    (the services check the rest: editable, open, no successor yet). Unknown ones are added to `errors`."""
    from .models import Passport

    wanted: dict[int, uuid.UUID] = {}
    for index, values in enumerate(read):
        raw = values.system_values.get("predecessor_passport_id")
        if raw:  # validated as a UUID by the catalogue, with or without "urn:uuid:"
            wanted[index] = uuid.UUID(str(raw).lower().removeprefix("urn:uuid:"))
    if not wanted:
        return {}
    found = {
        passport.public_id: passport
        for passport in Passport.objects.filter(organization=organization, public_id__in=set(wanted.values()))
    }
    path = attribute("predecessor_passport_id").catenax_paths[0]
    message = _("No passport of your organization has this passport identifier.")
    errors.extend(
        {"document": index, "path": path, "message": message}
        for index, public_id in wanted.items()
        if public_id not in found
    )
    return {index: found[public_id] for index, public_id in wanted.items() if public_id in found}


def _group_errors(exc: ValidationError, indexes: list[int]) -> list[dict[str, Any]]:
    if not hasattr(exc, "error_dict"):
        return [{"document": indexes[0], "path": "$", "message": str(m)} for m in exc.messages]
    errors = []
    for key, messages in exc.message_dict.items():
        position, _dot, name = key.partition(".")
        document = indexes[int(position)] if position.isdigit() else indexes[0]
        name = name if position.isdigit() else key
        errors.extend({"document": document, "path": _path_of(name), "message": str(m)} for m in messages)
    return errors


def _refuse_invented_identifiers(document: Mapping[str, Any]) -> None:
    """The schema requires a BPNL for the economic operator and the manufacturer; the placeholder that
    fills a missing one would be read as an identifier by a Catena-X consumer, so it never leaves."""
    if document["metadata"]["economicOperatorId"] == PLACEHOLDER_BPNL:
        raise CatenaxExportUnavailable(
            _(
                "The economic operator of this passport has no BPNL, which the Catena-X battery passport "
                "requires. Enter the company's BPNL in the organization settings, then publish a new version."
            ),
            "no_bpnl",
        )
    if document["operation"]["manufacturer"]["manufacturer"] == PLACEHOLDER_BPNL:
        raise CatenaxExportUnavailable(
            _(
                "The manufacturer's BPNL is not given, and the Catena-X battery passport requires it. "
                "Enter it in the battery model."
            ),
            "no_manufacturer_bpnl",
        )


def passport_document(*, actor, passport) -> dict[str, Any] | None:
    """The 6.1.0 document of `passport` as `actor` may see it (None: nothing the actor may read).

    Raises `CatenaxExportUnavailable` when a required BPNL is missing."""
    from .selectors import passport_view

    view = passport_view(actor=actor, passport=passport)
    if view.version is None:
        return None
    system: dict[str, Any] = {"passport_id": str(passport.public_id), "spec_version": SPEC_VERSION}
    if view.state != "published":
        system.update(
            # An imported draft says what its document said until it is published here.
            passport_version=view.values.get("passport_version") or str(view.version),
            passport_status=view.values.get("passport_status") or "draft",
            economic_operator_id=passport.organization.bpnl,
            predecessor_passport_id=str(passport.predecessor.public_id) if passport.predecessor_id else None,
        )
    document = values_to_document(view.values, dynamic=view.dynamic, system=system)
    _refuse_invented_identifiers(document)
    for error in schema_errors(document):  # a bug, not bad input: say where (the path only, no values)
        logger.error("Catena-X export of passport %s is not schema-valid at %s", passport.public_id,
                     error["path"])  # fmt: skip
    return document
