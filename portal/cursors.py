"""Opaque cursors for keyset pagination (the passport list, the certificate registry): the sort values
and the id of one row, the direction and the page number they lead to, as URL-safe base64 JSON.

A cursor is bound to the ordering it was made for; one that was altered, truncated or made for another
ordering raises ValueError (the lists answer 400 or the first page) rather than being guessed at."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from typing import Any


def encode_cursor(
    ordering: tuple[str, ...], values: tuple[Any, ...], pk: int, backwards: bool, number: int
) -> str:
    payload = {
        "o": list(ordering),
        "v": [value.isoformat() if isinstance(value, date | datetime) else value for value in values],
        "i": pk,
        "b": int(backwards),
        "n": number,
    }
    text = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def decode_cursor(text: str, ordering: tuple[str, ...]) -> tuple[list[str], int, bool, int]:
    """(sort values as text, row id, backwards, page number) of a cursor made for `ordering`."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor") from exc
    if not isinstance(payload, dict) or payload.get("o") != list(ordering):
        raise ValueError("not a cursor of this ordering")
    values, pk, backwards, number = payload.get("v"), payload.get("i"), payload.get("b"), payload.get("n")
    if (
        not isinstance(values, list)
        or len(values) != len(ordering)
        or not all(isinstance(v, str) for v in values)
    ):
        raise ValueError("bad cursor values")
    if type(pk) is not int or backwards not in (0, 1) or type(number) is not int or number < 1:
        raise ValueError("bad cursor")
    return [value[:200] for value in values], pk, bool(backwards), number


def aware_datetime(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("bad cursor time")
    return moment
