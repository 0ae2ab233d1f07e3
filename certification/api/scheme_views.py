"""Certification schemes: reference data for every signed-in person (what to apply for, and to whom)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from .common import TAG_SCHEMES, IsAuthenticatedUser, Pagination, scheme_or_404
from .payloads import scheme_payload
from .serializers import SchemeOutput


class SchemeListView(generics.ListAPIView):
    serializer_class = SchemeOutput
    permission_classes = [IsAuthenticatedUser]
    pagination_class = Pagination
    filter_backends: list = []

    def get_queryset(self):
        return selectors.schemes_open().order_by("name", "id")

    @extend_schema(
        tags=TAG_SCHEMES,
        summary="Schemes open for applications",
        description=(
            "With their standards, criteria, certificate number format, validity rule, what they certify "
            "and the certification bodies accredited for them today."
        ),
    )
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(SchemeOutput(map(scheme_payload, page), many=True).data)


class SchemeDetailView(APIView):
    permission_classes = [IsAuthenticatedUser]

    @extend_schema(tags=TAG_SCHEMES, summary="One scheme, by its code", responses=SchemeOutput)
    def get(self, request, code: str):
        return Response(SchemeOutput(scheme_payload(scheme_or_404(code))).data)
