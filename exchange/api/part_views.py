"""Parts, their bill of materials, own materials and roll-up: the owner company's own data. Another
company's part answers 404 on every route; a viewer's write is refused by the service (403)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import django_filters
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api_filters import SafeSearchFilter

from .. import selectors, services
from ..models import Part, PartKind
from ..rollup import CycleError
from .common import TAG_PARTS, Pagination, own_part, part_or_404, valid
from .payloads import component_payload, own_material_payload, part_payload, rollup_payload
from .serializers import (
    ComponentInput,
    ComponentOutput,
    OwnMaterialInput,
    OwnMaterialOutput,
    PartCreateInput,
    PartInput,
    PartOutput,
    RollupOutput,
)

#: The fields `services.update_part` takes (it always takes all of them).
PART_FIELDS = (
    "local_id",
    "name",
    "unit",
    "mass_per_unit",
    "cn_code",
    "own_pre_processing",
    "own_main_production",
    "own_biogenic_uptake",
    "own_biogenic_carbon",
    "own_primary_share",
    "own_quality",
)


class PartFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PartKind.choices)

    class Meta:
        model = Part
        fields: list[str] = []


def part_response(request, part: Part, status_code: int = status.HTTP_200_OK) -> Response:
    part = part_or_404(request, part.public_id)  # re-read with the selector's joins
    return Response(PartOutput(part_payload(part)).data, status=status_code)


def _current(part: Part) -> dict[str, Any]:
    return {key: getattr(part, key) for key in PART_FIELDS}


class PartListView(generics.ListAPIView):
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend, SafeSearchFilter, OrderingFilter]
    filterset_class = PartFilter
    search_fields = ["local_id", "name"]
    ordering_fields = ["local_id", "name", "updated_at"]
    ordering = ["local_id"]
    serializer_class = PartOutput

    def get_queryset(self):
        return selectors.parts_for(actor=self.request.user)

    @extend_schema(tags=TAG_PARTS, summary="Your company's parts")
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(PartOutput(map(part_payload, page), many=True).data)

    @extend_schema(
        tags=TAG_PARTS,
        summary="Add a part (editors)",
        description="A made part with its own data, or a bought part with its supplier's BPNL, "
        "corporate number or LEI in `supplier`.",
        request=PartCreateInput,
        responses={201: PartOutput},
    )
    @transaction.atomic
    def post(self, request):
        data = dict(valid(PartCreateInput, request.data))
        kind, supplier = data.pop("kind"), data.pop("supplier", "")
        part = services.create_part(actor=request.user, kind=kind, data=data)
        if supplier:
            services.link_supplier(actor=request.user, part=part, identifier=supplier)
        return part_response(request, part, status.HTTP_201_CREATED)


class PartDetailView(APIView):
    @extend_schema(tags=TAG_PARTS, summary="One of your parts", responses=PartOutput)
    def get(self, request, public_id: UUID):
        return Response(PartOutput(part_payload(part_or_404(request, public_id))).data)

    @extend_schema(
        tags=TAG_PARTS,
        summary="Change a part (editors); fields left out keep their value",
        request=PartInput,
        responses=PartOutput,
    )
    @transaction.atomic
    def patch(self, request, public_id: UUID):
        part = part_or_404(request, public_id)
        data = dict(valid(PartInput, request.data))
        supplier = data.pop("supplier", None)
        services.update_part(actor=request.user, part=part, data={**_current(part), **data})
        if supplier:
            services.link_supplier(actor=request.user, part=part, identifier=supplier)
        return part_response(request, part)


class ComponentListView(APIView):
    @extend_schema(
        tags=TAG_PARTS, summary="A made part's bill of materials", responses=ComponentOutput(many=True)
    )
    def get(self, request, public_id: UUID):
        part = part_or_404(request, public_id)
        rows = selectors.components_of(actor=request.user, part=part)
        return Response(ComponentOutput(map(component_payload, rows), many=True).data)

    @extend_schema(
        tags=TAG_PARTS,
        summary="Put a quantity of one of your parts into this one (replaces an earlier line)",
        request=ComponentInput,
        responses={201: ComponentOutput},
    )
    def post(self, request, public_id: UUID):
        part = part_or_404(request, public_id)
        data = valid(ComponentInput, request.data)
        child = own_part(request, data["child"], "child")
        component = services.set_component(
            actor=request.user, parent=part, child=child, quantity=data["quantity"]
        )
        return Response(ComponentOutput(component_payload(component)).data, status=status.HTTP_201_CREATED)


class ComponentDetailView(APIView):
    @extend_schema(tags=TAG_PARTS, summary="Remove a line of the bill of materials", responses={204: None})
    def delete(self, request, public_id: UUID, child_id: UUID):
        part = part_or_404(request, public_id)
        component = (
            selectors.components_of(actor=request.user, part=part).filter(child__public_id=child_id).first()
        )
        if component is None:
            raise Http404
        services.remove_component(actor=request.user, component=component)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OwnMaterialListView(APIView):
    @extend_schema(
        tags=TAG_PARTS,
        summary="Materials you add to a made part yourself",
        responses=OwnMaterialOutput(many=True),
    )
    def get(self, request, public_id: UUID):
        part = part_or_404(request, public_id)
        rows = selectors.own_materials_of(actor=request.user, part=part)
        return Response(OwnMaterialOutput(map(own_material_payload, rows), many=True).data)

    @extend_schema(
        tags=TAG_PARTS,
        summary="Declare a material you add (replaces an earlier one of the same material)",
        description="Country shares are ISO 3166 alpha-2 codes with per cent, adding up to 100.",
        request=OwnMaterialInput,
        responses={201: OwnMaterialOutput},
    )
    def post(self, request, public_id: UUID):
        part = part_or_404(request, public_id)
        data = valid(OwnMaterialInput, request.data)
        row = services.set_own_material(actor=request.user, part=part, data=data)
        row = selectors.own_materials_of(actor=request.user, part=part).get(pk=row.pk)
        return Response(OwnMaterialOutput(own_material_payload(row)).data, status=status.HTTP_201_CREATED)


class OwnMaterialDetailView(APIView):
    @extend_schema(tags=TAG_PARTS, summary="Remove an own material", responses={204: None})
    def delete(self, request, public_id: UUID, code: str):
        part = part_or_404(request, public_id)
        row = selectors.own_materials_of(actor=request.user, part=part).filter(material__code=code).first()
        if row is None:
            raise Http404
        services.remove_own_material(actor=request.user, row=row)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RollupView(APIView):
    @extend_schema(
        tags=TAG_PARTS,
        summary="A part's roll-up: its figures per declared unit, where they come from, and the gaps",
        description="Only for the part's owner: it names the lines of the bill of materials.",
        responses=RollupOutput,
    )
    def get(self, request, public_id: UUID):
        part = part_or_404(request, public_id)
        try:
            result = selectors.rollup_for(actor=request.user, part=part)
        except CycleError:
            raise exceptions.ValidationError(
                {"part": [_("The part's bill of materials contains a loop.")]}
            ) from None
        named = {source.part for source in result.sources} | {part_id for part_id, _reason in result.gaps}
        parts = {row.pk: row for row in selectors.parts_for(actor=request.user).filter(pk__in=named - {None})}
        return Response(RollupOutput(rollup_payload(part, result, parts)).data)
