"""Answers as files partners on either data space read and write: `io.catenax.pcf` 9.0.0 (Catena-X) and
the Ouranos Ecosystem's four-part CFP record.

Each format module offers `export(answer) -> dict` (only the answer's aggregate values and the answering
company's identity: an `Answer` holds nothing else) and `read(document, part=..., details=...) ->
Imported` (the Answer fields a file states, checked; `exchange.file_answers` stores them). This package
holds what both share: reading untrusted JSON safely and writing decimals as exact JSON numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal import json_input

from ..validation import plain

#: A footprint file is a few kB; anything near this is not one.
MAX_FILE_BYTES = 1_000_000
#: io.catenax.pcf nests eight levels deep; a deeper document is not an answer (and would exhaust the stack).
MAX_DEPTH = 20
#: The portal stores figures with six decimal places and shares with three.
FIGURE_PLACES = Decimal("0.000001")
SHARE_PLACES = Decimal("0.001")


@dataclass
class Imported:
    """What a file states, as Answer fields."""

    #: Computed-figure fields of `Answer` (pcf_excluding_biogenic, own_pre_processing, stage_quality...).
    figures: dict[str, Any]
    #: The descriptors (`services.AnswerDetails`) the file states, or None when the caller gives them.
    details: Any = None
    #: Where in the file each descriptor comes from, to word the services' messages about them.
    paths: dict[str, str] = field(default_factory=dict)
    has_materials: bool = False


def file_error(message: str, path: str = "") -> ValidationError:
    """A problem with the uploaded file, keyed "file", naming where in the document it is."""
    return ValidationError({"file": [f"{path}: {message}" if path else message]})


def to_json(document: Any) -> bytes:
    """JSON with decimals written exactly as numbers (the formats want numbers, and a float would round)."""

    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return orjson.Fragment(plain(value).encode())
        raise TypeError(type(value).__name__)

    return orjson.dumps(document, default=default, option=orjson.OPT_INDENT_2)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise ValueError(_("the key “%(key)s” appears twice") % {"key": key[:40]})
        document[key] = value
    return document


def _check_text(value: Any) -> None:
    """NUL characters cannot be stored in PostgreSQL text: refuse them anywhere in the document."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise file_error(_("The file contains a NUL character."))
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def load_json(document: Any) -> Any:
    """The parsed JSON of an uploaded file (or bytes or text), numbers with a fraction as `Decimal`.
    Refuses, keyed "file": more than MAX_FILE_BYTES, not UTF-8, nesting deeper than MAX_DEPTH, malformed
    JSON, NaN/Infinity, duplicate keys and NUL characters."""
    if hasattr(document, "read"):
        if hasattr(document, "seek"):
            document.seek(0)
        document = document.read(MAX_FILE_BYTES + 1)
    if isinstance(document, bytes | bytearray):
        if len(document) > MAX_FILE_BYTES:
            raise file_error(_("The file is larger than %(size)s kB.") % {"size": MAX_FILE_BYTES // 1000})
        try:
            document = bytes(document).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise file_error(_("The file is not UTF-8 text.")) from None
    if not isinstance(document, str):
        raise file_error(_("Upload a JSON file."))
    if len(document) > MAX_FILE_BYTES:
        raise file_error(_("The file is larger than %(size)s kB.") % {"size": MAX_FILE_BYTES // 1000})
    try:
        parsed = json_input.loads(
            document, max_depth=MAX_DEPTH, parse_float=Decimal, object_pairs_hook=_no_duplicates
        )
    except json.JSONDecodeError as error:
        raise file_error(
            _("The file is not valid JSON (line %(line)s, column %(column)s: %(problem)s).")
            % {"line": error.lineno, "column": error.colno, "problem": error.msg}
        ) from None
    except (ValueError, RecursionError) as error:
        raise file_error(
            _("The file is not valid JSON: %(problem)s.") % {"problem": str(error)[:100]}
        ) from None
    _check_text(parsed)
    return parsed


def number(
    value: Any,
    path: str,
    *,
    places: Decimal = FIGURE_PLACES,
    minimum: Decimal | None = Decimal(0),
    maximum: Decimal | None = None,
) -> Decimal:
    """A JSON number (never a string or boolean) as a decimal the portal can store, rounded to `places`."""
    from ..validation import to_decimal

    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise file_error(_("Must be a number."), path)
    try:
        checked = to_decimal(value, minimum=minimum, maximum=maximum)
    except ValidationError as error:
        raise file_error(error.messages[0], path) from None
    return checked.quantize(places).normalize() if checked else Decimal(0)
