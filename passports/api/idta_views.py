"""IDTA Digital Battery Passport (CX-0160) over the API: export what the caller may see, import a draft.

Thin shells over `passports.idta.convert`; the body handling (media type, size, malformed JSON) is the
Catena-X import's. Errors name the submodel and the path inside it."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.tenancy.selectors import active_organization_of

from ..idta import convert
from .file_bodies import BodyRefused, RawJSONParser, confirmed, export_response, read_json_body


def _refused(errors: list[dict], code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"errors": errors}, status=code)


class IdtaImportView(APIView):
    parser_classes = [RawJSONParser]

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
        try:
            payload = read_json_body(request, what=_("submodels"))
        except BodyRefused as refused:
            return _refused(
                [{"submodel": None, "path": "$", "message": refused.message}], refused.status_code
            )
        try:
            result, warnings = convert.import_submodels(
                actor=request.user,
                organization=active_organization_of(request.user),
                payload=payload,
                confirm_economic_operator=confirmed(request.query_params.get("confirm_economic_operator")),
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
        return export_response(request, public_id, convert.passport_submodels)
