"""IDTA Digital Battery Passport (CX-0160) over the API: export what the caller may see, import a draft.

Thin shells over `passports.idta.convert`; the body handling (media type, size, malformed JSON) is the
Catena-X import's. Errors name the submodel and the path inside it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import json_input
from portal.tenancy.selectors import active_organization_of

from .. import catenax, selectors
from ..idta import convert
from .catenax_views import _confirmed, _RawJSONParser


def _refused(errors: list[dict], code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"errors": errors}, status=code)


class IdtaImportView(APIView):
    parser_classes = [_RawJSONParser]

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT},
        responses={
            201: OpenApiResponse(OpenApiTypes.OBJECT, description="The created draft passport and warnings."),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description='{"errors": [{submodel, path, message}]}'),
            415: OpenApiResponse(OpenApiTypes.OBJECT, description="A body that is not JSON."),
        },
        summary="Import IDTA Digital Battery Passport submodels (value-only JSON) as a draft passport",
        description=(
            "One object keyed by submodel (Nameplate, TechnicalData, ProductCondition, CarbonFootprint, "
            "MaterialComposition, Circularity, HandoverDocumentation, DppMetadata) and a `shellDescriptor` "
            "whose specificAssetIds give the battery model's `manufacturerPartId`. Each submodel is checked "
            "against its IDTA schema (a single value where a list is expected is read as a list of one); "
            "values without a place in the passport are reported as warnings."
        ),
        parameters=[
            OpenApiParameter(
                "confirm_economic_operator",
                OpenApiTypes.BOOL,
                description="Import a passport that names another economic operator under your company.",
            )
        ],
    )
    def post(self, request):
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            message = _("Send the submodels as JSON (Content-Type: application/json), not %(type)s.")
            return _refused(
                [{"submodel": None, "path": "$", "message": message % {"type": media_type or "-"}}],
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            )
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        try:
            if limit is not None and length > limit:
                raise RequestDataTooBig
            payload = json_input.loads(request.body)
        except RequestDataTooBig:
            message = _("The request is larger than %(limit)d bytes.") % {"limit": limit}
            return _refused([{"submodel": None, "path": "$", "message": message}])
        except ValueError as exc:  # also UnicodeDecodeError
            message = _("Malformed JSON: %(error)s") % {"error": str(exc)[:200]}
            return _refused([{"submodel": None, "path": "$", "message": message}])
        try:
            result, warnings = convert.import_submodels(
                actor=request.user,
                organization=active_organization_of(request.user),
                payload=payload,
                confirm_economic_operator=_confirmed(request.query_params.get("confirm_economic_operator")),
            )
        except convert.IdtaImportError as exc:
            return _refused(exc.errors)
        return Response(
            {
                "id": str(result.passport.public_id),
                "unique_identifier": result.passport.unique_identifier,
                "battery_model": str(result.battery_model.public_id),
                "warnings": warnings,
            },
            status=status.HTTP_201_CREATED,
        )


class IdtaExportView(APIView):
    @extend_schema(
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    "One object keyed by submodel (value-only JSON, each valid against its IDTA schema), "
                    "plus `shellDescriptor` and `omittedSubmodels` (submodel -> required paths you cannot "
                    "see or the passport lacks)."
                ),
            ),
            409: OpenApiResponse(
                OpenApiTypes.OBJECT, description="No BPNL (`no_bpnl`, `no_manufacturer_bpnl`)."
            ),
        },
        summary="The passport as IDTA Digital Battery Passport submodels (CX-0160), with what you may see",
    )
    def get(self, request, public_id):
        passport = selectors.passport_get(actor=request.user, public_id=public_id)
        if passport is None:
            raise Http404
        try:
            payload = convert.passport_submodels(actor=request.user, passport=passport)
        except catenax.CatenaxExportUnavailable as exc:
            return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
        if payload is None:
            raise Http404
        response = Response(payload)
        response["Vary"] = "Authorization, Cookie"
        response["Cache-Control"] = "private, no-store"
        return response
