"""JSON from outside, read defensively: no NaN or Infinity (not JSON, and not numbers any standard we
exchange allows), no nesting deeper than any document we accept (a 4 KB body nested 2,000 levels
deep would otherwise end in a RecursionError, i.e. a 500), and, in API bodies, no control characters
in text (tab and line breaks aside), as the forms refuse them."""

from __future__ import annotations

import json
import re
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

from .gc_pause import collection_paused

#: Deeper than any BatteryPass, PCF or portal document (BatteryPass 6.1.0 nests about 8 levels).
MAX_DEPTH = 64


def _refuse_constant(name: str) -> Any:
    raise ValueError(_("%(name)s is not a number JSON allows.") % {"name": name})


# A string as a JSON scanner reads it: from a quote to the next unescaped quote, or to the end of the text
# when it is never closed (a backslash escapes whatever follows it). Every quote starts at most one match,
# so removing them takes linear time even on hostile text.
_STRING = re.compile(r'"[^"\\]*(?:\\(?:.|\Z)[^"\\]*)*(?:"|\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_ALL_BUT_QUOTES_AND_BRACKETS = bytes(byte for byte in range(256) if byte not in b'"[]{}')


def _quotes_and_brackets(text: str) -> bytes:
    """The quotes and brackets that matter for nesting, in order: the brackets outside strings, and quotes
    around strings that hold brackets."""
    if "\\" in text:
        return _NOT_BRACKET.sub("", _STRING.sub("", text)).encode()
    # Without escapes the quotes simply alternate, and dropping two adjacent ones (an empty string, or the
    # end of one string and the start of the next) changes nothing outside strings: what is left is a
    # few bytes per object, where a BatteryPass document holds 10 kB of text. (UTF-8 never uses these bytes
    # inside a multi-byte character.)
    return (
        text.encode("utf-8", "surrogatepass")
        .translate(None, _ALL_BUT_QUOTES_AND_BRACKETS)
        .replace(b'""', b"")
    )


def depth_exceeded(text: str, max_depth: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest deeper than `max_depth`, counting brackets outside strings (before a
    recursive parser descends into them).

    Everything but the brackets (and the quotes of strings holding brackets) is removed before counting:
    a loop over every character in Python cost more than parsing the JSON (0.3 ms for each BatteryPass
    document of an import)."""
    depth = 0
    in_string = False
    for byte in _quotes_and_brackets(text):
        if byte == 0x22:  # "
            in_string = not in_string
        elif in_string:
            continue
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > max_depth:
                return True
        else:
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
    with collection_paused():  # parsing builds trees, never cycles: nothing for the collector to find
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
