"""The oversight as JSON under /api/v1/oversight/: the same cube, marks and rules as the pages.

Everyone but an authority member gets 404 (also without credentials: the endpoints do not exist for
them); a parameter other than the endpoint's own is a 400; every answer is written to the access log with
the cube version it came from.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import presentation, selectors
from .access import is_enforcer, is_overseer
from .models import CubeBuild
from .queries import QUERY, BadQuery, parse

TAGS = ["oversight"]
YEAR = OpenApiParameter(
    "year", OpenApiTypes.INT, description="A year with a published cube (default: the newest)."
)
MARKET = OpenApiParameter(
    "market", OpenApiTypes.STR, enum=list(selectors.MARKETS), description="Default ALL."
)
MATERIAL = OpenApiParameter("material", OpenApiTypes.STR, enum=list(selectors.MATERIALS))
NOT_FOUND = {404: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT}


class CubeOutput(serializers.Serializer):
    year = serializers.IntegerField()
    version = serializers.IntegerField()
    built_at = serializers.DateTimeField(source="finished_at")
    reference_edition = serializers.CharField()


class CellOutput(serializers.Serializer):
    material = serializers.CharField()
    stage = serializers.CharField(help_text="Stage (origins) or used/waste/ALL (eol); empty otherwise.")
    period = serializers.CharField()
    category = serializers.CharField(help_text="Country, @group, TOTAL, destination class or status.")
    value = serializers.CharField(
        allow_null=True, help_text="Rounded to 3 significant figures; null if confidential."
    )
    share = serializers.IntegerField(
        allow_null=True, help_text="Whole percent of its total, where published."
    )
    contributors = serializers.CharField(help_text="Band of contributing corporate groups.")
    confidential = serializers.BooleanField()


class TableOutput(serializers.Serializer):
    cube = CubeOutput()
    table = serializers.CharField()
    market = serializers.CharField()
    cells = CellOutput(many=True)


class AlertOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    severity = serializers.CharField()
    material = serializers.CharField()
    stage = serializers.CharField()
    market = serializers.CharField()
    period = serializers.CharField()
    country = serializers.CharField(help_text="Empty when withheld (its cell is confidential).")
    share = serializers.IntegerField(allow_null=True)
    raised_at = serializers.DateTimeField(source="created_at")


class FlaggedTransferOutput(serializers.Serializer):
    alert = serializers.CharField(source="alert.kind")
    passport = serializers.CharField(source="passport_identifier")
    operator = serializers.CharField(source="operator_name")
    destination_country = serializers.CharField()
    shipped_on = serializers.DateField()
    waste_code = serializers.CharField()
    content = serializers.CharField()
    condition = serializers.CharField()


class OversightView(APIView):
    """404 unless the caller is an authority member (enforcement: with the enforcement permission)."""

    permission_classes: list = []
    view_name = ""
    allowed: frozenset[str] = QUERY
    enforcement = False

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        allowed = is_enforcer(request.user) if self.enforcement else is_overseer(request.user)
        if not allowed:
            raise Http404
        try:
            self.params = parse(request.query_params, self.allowed)
        except BadQuery as exc:
            raise exceptions.ValidationError({"query": [str(exc)]}) from None

    def build(self) -> CubeBuild | None:
        build = selectors.latest_build(actor=self.request.user, year=self.params.get("year"))
        if build is None and "year" in self.params:
            raise exceptions.ValidationError({"year": [f"No cube is published for {self.params['year']}."]})
        return build

    def logged(self, data: Any, build: CubeBuild | None, **details) -> Response:
        selectors.record_read(
            actor=self.request.user, view=f"api:{self.view_name}", build=build, fmt="json", params=details
        )
        return Response(data)


class CubeListView(OversightView):
    view_name = "cubes"
    allowed = frozenset()

    @extend_schema(
        tags=TAGS,
        summary="The published cubes: the newest version of each year",
        responses={200: CubeOutput(many=True), **NOT_FOUND},
    )
    def get(self, request):
        builds = [
            selectors.latest_build(actor=request.user, year=year)
            for year in selectors.years(actor=request.user)
        ]
        return self.logged(CubeOutput(builds, many=True).data, builds[0] if builds else None)


class TableView(OversightView):
    view_name = "table"
    allowed = QUERY | {"material"}

    @extend_schema(
        tags=TAGS,
        summary="One table of a cube for one market: every published cell",
        parameters=[YEAR, MARKET, MATERIAL],
        responses={200: TableOutput, **NOT_FOUND},
    )
    def get(self, request, table: str):
        if table not in presentation.EXPORT_TABLES:
            raise Http404
        build = self.build()
        if build is None:
            raise Http404
        market = self.params["market"]
        cells = [
            {
                "material": cell.material,
                "stage": cell.stage,
                "period": cell.period,
                "category": cell.category,
                "value": None if cell.suppressed else presentation.plain(cell.value),
                "share": cell.share,
                "contributors": cell.band,
                "confidential": cell.suppressed,
            }
            for cell in selectors.cube_cells(
                actor=request.user,
                build=build,
                table=table,
                market=market,
                material=self.params.get("material"),
            )
        ]
        data = {"cube": CubeOutput(build).data, "table": table, "market": market, "cells": cells}
        return self.logged(data, build, table=table)


class AlertListView(OversightView):
    view_name = "alerts"
    allowed = frozenset()

    @extend_schema(
        tags=TAGS,
        summary="Alerts raised by cube builds and transfers, newest first",
        responses={200: AlertOutput(many=True), **NOT_FOUND},
    )
    def get(self, request):
        return self.logged(AlertOutput(selectors.alerts_for(actor=request.user), many=True).data, None)


class EnforcementView(OversightView):
    view_name = "enforcement"
    allowed = frozenset()
    enforcement = True

    @extend_schema(
        tags=TAGS,
        summary="Flagged transfers (enforcement permission only)",
        responses={200: FlaggedTransferOutput(many=True), **NOT_FOUND},
    )
    def get(self, request):
        rows = selectors.flagged_transfers(actor=request.user)
        return self.logged(FlaggedTransferOutput(rows, many=True).data, None)
