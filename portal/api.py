"""API conventions shared by every app: JSON errors with field messages, 404 instead of details, the
content negotiation of file downloads, and pages whose rows the database already encoded."""

from __future__ import annotations

import orjson
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.exceptions import InvalidTransition
from portal.json_input import MalformedJSON


class AnyAccept(BaseContentNegotiation):
    """A download answers with the file's own type whatever the client accepts (errors are JSON)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class EncodedRowsJSONRenderer(JSONRenderer):
    """DRF's JSON renderer for a page whose `results` are rows already encoded as JSON (`orjson.Fragment`,
    e.g. encoded by PostgreSQL): they are copied into the document as they are. Anything else (errors, a
    created object) renders exactly as with `JSONRenderer`."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        results = data.get("results") if isinstance(data, dict) else None
        if not results or not isinstance(results[0], orjson.Fragment):
            return super().render(data, accepted_media_type, renderer_context)
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 if indent else None)


def _django_validation_detail(error: DjangoValidationError) -> dict | list:
    if hasattr(error, "error_dict"):
        return {
            field: [str(message) for message in messages.messages]
            if hasattr(messages, "messages")
            else [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": [str(message) for message in error.messages]}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus: services' Django ValidationError becomes a 400 with field messages."""
    if isinstance(exc, InvalidTransition):
        return Response({"detail": exc.messages[0], "code": "invalid_state"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=_django_validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        # A service's own reason ("only the assigned reviewer can approve") is clearer than a generic one.
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ParseError):
        # The JSON parser says "Malformed JSON" itself; a multipart or form body that cannot be read is not
        # JSON, and saying so would send the client looking in the wrong place.
        detail = str(exc.detail)
        if not isinstance(exc, MalformedJSON):
            detail = _("The request body could not be read: %(error)s") % {"error": detail}
        response.data = {"detail": detail}
    return response


@csrf_exempt
def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    # Also the catch-all of unknown /api/ paths: it reads and writes nothing, so a POST there is a 404 too,
    # not the CSRF middleware's HTML 403 (API clients send tokens, no CSRF token).
    return JsonResponse({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
