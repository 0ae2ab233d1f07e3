"""Measuring times keep the UTC offset they were given with: PostgreSQL stores the instant only, and a
Catena-X document that said 10:39+01:00 must come back as 10:39+01:00, not 09:39Z."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone


def utc_offset_of(moment: datetime) -> int | None:
    """Minutes east of UTC of an aware datetime (None for a naive one)."""
    offset = moment.utcoffset()
    return None if offset is None else int(offset.total_seconds() // 60)


def in_given_offset(moment: datetime, minutes: int | None) -> datetime:
    """`moment` shown in the recorded offset; UTC when none was recorded."""
    return moment.astimezone(UTC if not minutes else timezone(timedelta(minutes=minutes)))
