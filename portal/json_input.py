"""JSON from outside, read defensively: no NaN or Infinity (not JSON, and not numbers any standard we
exchange allows), no nesting deeper than any document we accept (a 4 KB body nested 2,000 levels
deep would otherwise end in a RecursionError, i.e. a 500), and, in API bodies, no control characters
in text (tab and line breaks aside), as the forms refuse them."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

#: Deeper than any BatteryPass, PCF or portal document (BatteryPass 6.1.0 nests about 8 levels).
MAX_DEPTH = 64


def _refuse_constant(name: str) -> Any:
    raise ValueError(_("%(name)s is not a number JSON allows.") % {"name": name})


def depth_exceeded(text: str, max_depth: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest deeper than `max_depth`, by scanning brackets outside strings
    (before a recursive parser descends into them)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _has_control_characters(text: str) -> bool:
    return any((ord(char) < 32 and char not in "\t\r\n") or char == "\x7f" for char in text)


def control_characters_at(data: Any, path: str = "") -> str | None:
    """The path ("values.model_name", "rows[3].note") of the first key or string holding a control
    character other than tab and line breaks, or None."""
    if isinstance(data, str):
        return path if _has_control_characters(data) else None
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{path}.{key}" if path else str(key)
            if _has_control_characters(str(key)):
                return here
            found = control_characters_at(value, here)
            if found is not None:
                return found
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found = control_characters_at(value, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def loads(data: str | bytes, *, max_depth: int = MAX_DEPTH, **options: Any) -> Any:
    """`json.loads` for untrusted input; raises `ValueError` (a `json.JSONDecodeError` for malformed text)
    with a message a client can act on. `options` go to `json.loads` (parse_float, object_pairs_hook)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if depth_exceeded(text, max_depth):
        raise ValueError(_("The JSON is nested more than %(depth)d levels deep.") % {"depth": max_depth})
    return json.loads(text, parse_constant=_refuse_constant, **options)


class MalformedJSON(ParseError):
    """A JSON body that cannot be read (its message says so)."""


class SafeJSONParser(JSONParser):
    """DRF's JSON parser with `loads`' limits; every error is a 400 that names the problem."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            data = loads(stream.read().decode(encoding))
        except ValueError as exc:  # also UnicodeDecodeError
            raise MalformedJSON(_("Malformed JSON: %(error)s") % {"error": str(exc)[:200]}) from None
        where = control_characters_at(data)
        if where is not None:
            # The forms refuse them too; a NUL byte would otherwise reach PostgreSQL as an error. The answer
            # names the place by its JSON path, as a field error (400).
            raise ValidationError({where or "body": [_("Remove the control characters from this text.")]})
        return data
