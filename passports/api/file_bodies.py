"""What the file imports and exports of the API share (Catena-X BatteryPass, IDTA submodels): reading a
JSON body with the answers these endpoints give in their own error format, and answering an export.

The import views read the body themselves (not through DRF's parser) so that they can bound its size and
report malformed JSON, a wrong content type or a chunked body without length as `{"errors": [...]}`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.parsers import BaseParser
from rest_framework.response import Response

from portal import json_input

from .. import catenax, selectors


class RawJSONParser(BaseParser):
    """Leaves the body to the view, which bounds its size and reports malformed JSON in its own format."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        return None


class BodyRefused(Exception):
    def __init__(self, message: str, status_code: int = status.HTTP_400_BAD_REQUEST) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def confirmed(raw: str | None) -> bool:
    return (raw or "").strip().lower() in {"1", "true", "yes"}


def read_json_body(request, *, what: str) -> Any:
    """The parsed JSON body; `what` names the content in messages ("documents", "submodels").
    Raises `BodyRefused` with the status to answer (415, 411, 400)."""
    media_type = (request.content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        message = _("Send the %(what)s as JSON (Content-Type: application/json), not %(type)s.")
        raise BodyRefused(
            message % {"what": what, "type": media_type or "-"}, status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
        )
    if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and not request.META.get(
        "CONTENT_LENGTH"
    ):
        # The WSGI server may hand a chunked body over without its length; Django would read it as empty.
        message = _("Send the %(what)s with a Content-Length; chunked bodies are not read.")
        raise BodyRefused(message % {"what": what}, status.HTTP_411_LENGTH_REQUIRED)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        if limit is not None and length > limit:
            raise RequestDataTooBig
        return json_input.loads(request.body)
    except RequestDataTooBig:
        message = _("The request is larger than %(limit)d bytes; send fewer %(what)s per request.")
        raise BodyRefused(message % {"limit": limit, "what": what}) from None
    except ValueError as exc:  # also UnicodeDecodeError
        raise BodyRefused(_("Malformed JSON: %(error)s") % {"error": str(exc)[:200]}) from None


def export_response(request, public_id, build: Callable[..., dict[str, Any] | None]) -> Response:
    """A passport's file as `build(actor=, passport=)` makes it for the caller: 404 for a passport the
    caller may not read (or of which it may read nothing), 409 when a required identifier is missing."""
    passport = selectors.passport_get(actor=request.user, public_id=public_id)
    if passport is None:
        raise Http404
    try:
        payload = build(actor=request.user, passport=passport)
    except catenax.CatenaxExportUnavailable as exc:
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if payload is None:
        raise Http404
    response = Response(payload)
    # What the caller may see: never shared by a cache.
    response["Vary"] = "Authorization, Cookie"
    response["Cache-Control"] = "private, no-store"
    return response
