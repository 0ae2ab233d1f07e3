"""Catena-X BatteryPass 6.1.0 over the API: import documents as drafts, export what the caller may see.

Thin shells: `passports.catenax` converts and validates, services write, selectors and policies decide
who sees what. Errors name the document (its index in the request) and the JSON path."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.gc_pause import collection_paused
from portal.tenancy.selectors import active_organization_of

from .. import catenax
from ..openapi import BATTERY_PASS_IMPORT, BATTERY_PASS_REF
from .file_bodies import BodyRefused, RawJSONParser, confirmed, export_response, read_json_body


def _refused(errors: list[dict], code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"errors": errors}, status=code)


class CatenaxImportView(APIView):
    parser_classes = [RawJSONParser]

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
        # The collector stays paused from parsing to the end of the import, and the documents are dropped
        # before it runs again: its first run would otherwise walk every object of the parsed body (a tenth
        # of an import's CPU time) only to find no garbage.
        with collection_paused():
            try:
                payload = read_json_body(request, what=_("documents"))
            except BodyRefused as refused:
                return _refused(
                    [{"document": None, "path": "$", "message": refused.message}], refused.status_code
                )
            try:
                imported = catenax.import_documents(
                    actor=request.user,
                    organization=active_organization_of(request.user),
                    payload=payload,
                    confirm_economic_operator=confirmed(
                        request.query_params.get("confirm_economic_operator")
                    ),
                )
            except catenax.CatenaxInvalid as exc:  # the request as a whole (empty, too many documents)
                return _refused([{"document": None, **error} for error in exc.errors])
            except catenax.CatenaxImportError as exc:
                return _refused(exc.errors)
            finally:
                del payload
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
        return export_response(request, public_id, catenax.passport_document)
