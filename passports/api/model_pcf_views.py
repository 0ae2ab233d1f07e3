"""A battery model's carbon footprint as a Catena-X io.catenax.pcf 9.0.0 document: read it, replace it.

Thin shell over `passports.model_pcf` (mapping and storing), the selectors (what the caller may see) and
the policy (who may change the model). Errors of a document name the JSON path:
`{"errors": [{"path", "message"}]}`, as the other file endpoints answer."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import model_pcf, policies, selectors
from ..models import BatteryModel
from ..openapi import PCF_REF
from ..outputs import BatteryModelOutput
from .file_bodies import BodyRefused, RawJSONParser, read_json_body
from .serializers import battery_model_payload

MODELS = ["battery models"]
ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description='{"errors": [{"path": JSON path, "message"}]}')


def _model(request, public_id: UUID) -> BatteryModel:
    battery_model = selectors.battery_model_get(actor=request.user, public_id=public_id)
    if battery_model is None:  # not visible and not existing answer alike
        raise Http404
    return battery_model


def _conflict(exc: model_pcf.PcfUnavailable) -> Response:
    return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)


def _refused(errors: list[dict[str, str]], code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"errors": errors}, status=code)


class BatteryModelPcfView(APIView):
    parser_classes = [RawJSONParser]

    @extend_schema(
        tags=MODELS,
        summary="The battery model's carbon footprint as a Catena-X PCF 9.0.0 document (what you may see)",
        description=(
            "Climate change (total) per kWh of total energy over the service life: the cradle-to-gate "
            "production stage, the distribution stage, and every Art. 7 stage in `general[0].comment`. "
            "Values the model does not state are written as the schema allows for 'not stated' (empty "
            "collections, a mass of 0), never invented."
        ),
        responses={
            200: OpenApiResponse(PCF_REF, description="An io.catenax.pcf 9.0.0 document."),
            409: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    "No document (`detail`, `code`): no carbon footprint (`no_carbon_footprint`), none for "
                    "climate change per kWh (`no_climate_footprint`), or more than one footprint "
                    "(`several_footprints`)."
                ),
            ),
        },
    )
    def get(self, request, public_id: UUID):
        battery_model = _model(request, public_id)
        try:
            document = model_pcf.export(battery_model, actor=request.user)
        except model_pcf.PcfUnavailable as exc:
            return _conflict(exc)
        response = Response(document)
        # What the caller may see (the owner reads unpublished values): never shared by a cache.
        response["Vary"] = "Authorization, Cookie"
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        tags=MODELS,
        summary="Replace the battery model's carbon footprint with a Catena-X PCF 9.0.0 document (editors)",
        description=(
            "The document is checked against the official schema, then its figures replace the model's "
            "climate-change footprint rows (other impact categories, plants, class, study and declaration "
            "stay), all or nothing. A production stage without the Art. 7 split of `general[].comment` "
            "is stored as the cradle-to-gate stage."
        ),
        request={"application/json": PCF_REF},
        responses={
            200: BatteryModelOutput,
            400: ERRORS,
            409: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The model declares footprints for several plants (`several_footprints`).",
            ),
            415: ERRORS,
        },
    )
    def put(self, request, public_id: UUID):
        battery_model = _model(request, public_id)
        if not policies.can_edit(request.user, battery_model):  # asked before the body is read
            raise exceptions.PermissionDenied(_("You may not change this battery model."))
        try:
            document = read_json_body(request, what=_("document"))
        except BodyRefused as refused:
            return _refused([{"path": "$", "message": refused.message}], refused.status_code)
        try:
            battery_model = model_pcf.import_document(
                actor=request.user, battery_model=battery_model, document=document
            )
        except model_pcf.PcfInvalid as exc:
            return _refused(exc.errors)
        except model_pcf.PcfUnavailable as exc:
            return _conflict(exc)
        return Response(
            battery_model_payload(
                selectors.battery_model_view(actor=request.user, battery_model=battery_model)
            )
        )
