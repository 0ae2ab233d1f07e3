"""CloudEvents (structured JSON mode) of PACT v3: parsing, checking, and building the portal's own."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .footprints import timestamp, urn_domain

PREFIX = "org.wbcsd.pact.ProductFootprint."
REQUEST_CREATED = PREFIX + "RequestCreatedEvent.3"
REQUEST_FULFILLED = PREFIX + "RequestFulfilledEvent.3"
REQUEST_REJECTED = PREFIX + "RequestRejectedEvent.3"
PUBLISHED = PREFIX + "PublishedEvent.3"
KNOWN_TYPES = (REQUEST_CREATED, REQUEST_FULFILLED, REQUEST_REJECTED, PUBLISHED)


class EventError(ValueError):
    """The body is not an acceptable event: answered 400 with `code` (BadRequest or NotImplemented)."""

    def __init__(self, message: str, code: str = "BadRequest") -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Event:
    id: str
    source: str
    type: str
    data: dict[str, Any]


def _text(body: dict, name: str, limit: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise EventError(f"The event needs a non-empty string `{name}`.")
    if len(value) > limit or "\x00" in value:
        raise EventError(f"`{name}` is too long or contains a NUL character.")
    return value.strip()


def _uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def parse_event(body: Any) -> Event:
    """Check the CloudEvents envelope and the PACT data object of each known type."""
    if not isinstance(body, dict):
        raise EventError("The body must be a JSON object (CloudEvents structured mode).")
    if body.get("specversion") != "1.0":
        raise EventError("Only CloudEvents specversion 1.0 is accepted.")
    event = Event(
        id=_text(body, "id", 200),
        source=_text(body, "source", 500),
        type=_text(body, "type", 100),
        data=body.get("data"),  # type: ignore[arg-type]
    )
    time = body.get("time")
    if not isinstance(time, str) or parse_datetime(time) is None:
        raise EventError("The event needs `time` as an RFC 3339 date-time.")
    if event.type not in KNOWN_TYPES:
        raise EventError(f"Event type {event.type[:100]} is not implemented.", code="NotImplemented")
    if not isinstance(event.data, dict):
        raise EventError("The event needs a `data` object.")
    data = event.data
    if event.type == PUBLISHED:
        ids = data.get("pfIds")
        if not isinstance(ids, list) or not ids or not all(_uuid(value) for value in ids):
            raise EventError("`data.pfIds` must be a non-empty list of footprint ids (UUIDs).")
    elif event.type == REQUEST_FULFILLED:
        if not isinstance(data.get("requestEventId"), str):
            raise EventError("`data.requestEventId` must be a string.")
        pfs = data.get("pfs")
        if (
            not isinstance(pfs, list)
            or not pfs
            or not all(isinstance(pf, dict) and _uuid(pf.get("id")) for pf in pfs)
        ):
            raise EventError("`data.pfs` must be a non-empty list of product footprints.")
    elif event.type == REQUEST_REJECTED:
        if not isinstance(data.get("requestEventId"), str):
            raise EventError("`data.requestEventId` must be a string.")
        error = data.get("error")
        if (
            not isinstance(error, dict)
            or not isinstance(error.get("code"), str)
            or not isinstance(error.get("message"), str)
        ):
            raise EventError("`data.error` must be an object with `code` and `message`.")
    elif "comment" in data and not isinstance(data["comment"], str):
        raise EventError("`data.comment` must be a string.")
    return event


def source_host(source: str) -> tuple[str, int | None]:
    """(host, port) named by an event's `source`: a URL (`https://host/path`) or a URI reference
    (`//host/path`, as in the spec's examples)."""
    text = source.strip()
    if "://" not in text and not text.startswith("//"):
        text = "//" + text
    try:
        parts = urlsplit(text)
        return (parts.hostname or "").lower(), parts.port
    except ValueError:
        return "", None


def from_host(source: str, callback_url: str) -> bool:
    """Whether an event's `source` is the client's registered callback host."""
    host, port = source_host(source)
    callback = urlsplit(callback_url)
    if not host or host != (callback.hostname or "").lower():
        return False
    default = 443 if callback.scheme == "https" else 80
    return port is None or port == (callback.port or default)


def own_source() -> str:
    return getattr(settings, "PACT_EVENT_SOURCE", "") or f"//{urn_domain()}/pact/3/events"


def envelope(*, event_id: str, type_: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": type_,
        "specversion": "1.0",
        "id": event_id,
        "source": own_source(),
        "time": timestamp(timezone.now()),
        "data": data,
    }
