"""JSON from outside, read defensively: no NaN or Infinity (not JSON, and not numbers any standard we
exchange allows) and no nesting deeper than any document we accept (a 4 KB body nested 2,000 levels
deep would otherwise end in a RecursionError, i.e. a 500)."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
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


def loads(data: str | bytes, *, max_depth: int = MAX_DEPTH, **options: Any) -> Any:
    """`json.loads` for untrusted input; raises `ValueError` (a `json.JSONDecodeError` for malformed text)
    with a message a client can act on. `options` go to `json.loads` (parse_float, object_pairs_hook)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if depth_exceeded(text, max_depth):
        raise ValueError(_("The JSON is nested more than %(depth)d levels deep.") % {"depth": max_depth})
    return json.loads(text, parse_constant=_refuse_constant, **options)


class SafeJSONParser(JSONParser):
    """DRF's JSON parser with `loads`' limits; every error is a 400 that names the problem."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            return loads(stream.read().decode(encoding))
        except ValueError as exc:  # also UnicodeDecodeError
            raise ParseError(_("Malformed JSON: %(error)s") % {"error": str(exc)[:200]}) from None
