"""Catena-X BatteryPass 6.1.0 over the API: import documents as drafts, export what the caller may see.

Thin shells: `passports.catenax` converts and validates, services write, selectors and policies decide
who sees what. Errors name the document (its index in the request) and the JSON path."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import json_input
from portal.tenancy.selectors import active_organization_of

from .. import catenax, selectors
from ..openapi import BATTERY_PASS_IMPORT, BATTERY_PASS_REF


class _RawJSONParser(BaseParser):
    """Leaves the body to the view, which bounds its size and reports malformed JSON in its own format."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        return None


def _refused(errors: list[dict], code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"errors": errors}, status=code)


def _confirmed(raw: str | None) -> bool:
    return (raw or "").strip().lower() in {"1", "true", "yes"}


class CatenaxImportView(APIView):
    parser_classes = [_RawJSONParser]

    @extend_schema(
        request={"application/json": BATTERY_PASS_IMPORT},
        responses={
            201: OpenApiResponse(OpenApiTypes.OBJECT, description="The created draft passports."),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description='{"errors": [{document, path, message}]}'),
            411: OpenApiResponse(OpenApiTypes.OBJECT, description="A chunked body without Content-Length."),
            415: OpenApiResponse(OpenApiTypes.OBJECT, description="A body that is not JSON."),
        },
        summary="Import Catena-X BatteryPass 6.1.0 documents as draft passports (one or a list, all or none)",
        description=(
            "Every value is kept as the document gives it: the passport identifier (unless another passport "
            "of the portal has it: then a new one, with a warning), the metadata (version, status, dates, "
            "registry identifier, back-up reference) until the passport is published here, identifier "
            "spelling and the UTC offsets of measuring times. A document whose `metadata.economicOperatorId` "
            "is not your company is refused (400 at that path) unless `confirm_economic_operator=true`: the "
            "passport is then placed on the market by your company."
        ),
        parameters=[
            OpenApiParameter(
                "confirm_economic_operator",
                OpenApiTypes.BOOL,
                description="Import documents that name another economic operator under your company.",
            )
        ],
    )
    def post(self, request):
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            message = _("Send the documents as JSON (Content-Type: application/json), not %(type)s.")
            return _refused(
                [{"document": None, "path": "$", "message": message % {"type": media_type or "-"}}],
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            )
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and not request.META.get(
            "CONTENT_LENGTH"
        ):
            # The WSGI server may hand a chunked body over without its length; Django would read it as empty.
            message = _("Send the documents with a Content-Length; chunked bodies are not read.")
            return _refused(
                [{"document": None, "path": "$", "message": message}], status.HTTP_411_LENGTH_REQUIRED
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            if limit is not None and length > limit:
                raise RequestDataTooBig
            payload = json_input.loads(request.body)
        except RequestDataTooBig:
            message = _("The request is larger than %(limit)d bytes; send fewer documents per request.")
            return _refused([{"document": None, "path": "$", "message": message % {"limit": limit}}])
        except ValueError as exc:  # also UnicodeDecodeError
            message = _("Malformed JSON: %(error)s") % {"error": str(exc)[:200]}
            return _refused([{"document": None, "path": "$", "message": message}])
        try:
            imported = catenax.import_documents(
                actor=request.user,
                organization=active_organization_of(request.user),
                payload=payload,
                confirm_economic_operator=_confirmed(request.query_params.get("confirm_economic_operator")),
            )
        except catenax.CatenaxInvalid as exc:  # the request as a whole (empty, too many documents)
            return _refused([{"document": None, **error} for error in exc.errors])
        except catenax.CatenaxImportError as exc:
            return _refused(exc.errors)
        return Response(
            {
                "passports": [
                    {
                        "document": result.document,
                        "id": str(result.passport.public_id),
                        "unique_identifier": result.passport.unique_identifier,
                        "battery_model": str(result.battery_model.public_id),
                        "warnings": list(result.warnings),
                    }
                    for result in imported
                ]
            },
            status=status.HTTP_201_CREATED,
        )


class CatenaxExportView(APIView):
    @extend_schema(
        responses={
            200: OpenApiResponse(BATTERY_PASS_REF, description="A BatteryPass 6.1.0 document."),
            409: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    "No document: the economic operator (`no_bpnl`) or the manufacturer "
                    "(`no_manufacturer_bpnl`) has no BPNL, which the model requires; none is invented."
                ),
            ),
        },
        summary="The passport as a Catena-X BatteryPass 6.1.0 document, with what you may see",
    )
    def get(self, request, public_id):
        passport = selectors.passport_get(actor=request.user, public_id=public_id)
        if passport is None:
            raise Http404
        try:
            document = catenax.passport_document(actor=request.user, passport=passport)
        except catenax.CatenaxExportUnavailable as exc:
            return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
        if document is None:
            raise Http404
        response = Response(document)
        response["Vary"] = "Authorization, Cookie"
        response["Cache-Control"] = "private, no-store"
        return response
