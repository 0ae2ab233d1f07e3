"""Answers: the supplier that released one and the customer it was released to read it (and its exports
in the partners' formats); the supplier's editors correct a current one. Anyone else gets 404."""

from __future__ import annotations

from uuid import UUID

import django_filters
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import file_answers, selectors, services
from ..access import company_of
from ..formats import to_json
from ..models import Answer, AnswerStatus
from .common import TAG_ANSWERS, Pagination, answer_or_404, details_from, permitted, valid
from .payloads import answer_payload
from .serializers import DetailsInput, ExchangeAnswerOutput


class AnswerFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AnswerStatus.choices)

    class Meta:
        model = Answer
        fields: list[str] = []


def answer_response(request, answer: Answer, status_code: int = status.HTTP_200_OK) -> Response:
    answer = answer_or_404(request, answer.public_id)  # re-read with the selector's joins
    return Response(ExchangeAnswerOutput(answer_payload(request.user, answer)).data, status=status_code)


class _AnswerList(generics.ListAPIView):
    pagination_class = Pagination
    filterset_class = AnswerFilter
    serializer_class = ExchangeAnswerOutput
    side = ""

    def get_queryset(self):
        answers = selectors.answers_for(actor=self.request.user).select_related("supplier_part")
        return answers.filter(**{self.side: company_of(self.request.user)}).prefetch_related("files")

    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(
            ExchangeAnswerOutput([answer_payload(request.user, answer) for answer in page], many=True).data
        )


class ReceivedAnswerListView(_AnswerList):
    side = "customer"

    @extend_schema(tags=TAG_ANSWERS, summary="Answers your suppliers released to your company")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class GivenAnswerListView(_AnswerList):
    side = "supplier"

    @extend_schema(tags=TAG_ANSWERS, summary="Answers your company released to its customers")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AnswerDetailView(APIView):
    @extend_schema(
        tags=TAG_ANSWERS, summary="An answer you released or received", responses=ExchangeAnswerOutput
    )
    def get(self, request, public_id: UUID):
        return answer_response(request, answer_or_404(request, public_id))


class AnswerCorrectView(APIView):
    @extend_schema(
        tags=TAG_ANSWERS,
        summary="Correct a current answer (the supplier's editors)",
        description="A new version from today's figures supersedes this one; the customer is told.",
        request=DetailsInput,
        responses={201: ExchangeAnswerOutput},
    )
    def post(self, request, public_id: UUID):
        answer = answer_or_404(request, public_id)
        permitted(request, "correct", answer)
        data = valid(DetailsInput, request.data)
        successor = services.correct_answer(actor=request.user, answer=answer, details=details_from(data))
        return answer_response(request, successor, status.HTTP_201_CREATED)


class _AnswerExportView(APIView):
    format = ""
    file_suffix = ""

    def get(self, request, public_id: UUID):
        answer = answer_or_404(request, public_id)
        if not answer.has_footprint:
            return Response(
                {"detail": _("This answer carries no carbon footprint."), "code": "no_footprint"},
                status=status.HTTP_409_CONFLICT,
            )
        response = HttpResponse(
            to_json(file_answers.export(answer, self.format)), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="{answer.public_id}{self.file_suffix}.json"'
        response["Cache-Control"] = "private, no-store"
        patch_vary_headers(response, ("Cookie", "Authorization"))
        return response


EXPORT_RESPONSES = {
    200: OpenApiResponse(OpenApiTypes.OBJECT, description="The document, as a JSON download."),
    409: OpenApiResponse(OpenApiTypes.OBJECT, description="The answer carries no footprint."),
}


class AnswerCatenaxPcfView(_AnswerExportView):
    format, file_suffix = "catenax-pcf", "-pcf"

    @extend_schema(
        tags=TAG_ANSWERS,
        summary="The answer as an io.catenax.pcf 9.0.0 document (both parties)",
        description="Only the answer's aggregate figures and the answering company's identity.",
        responses=EXPORT_RESPONSES,
    )
    def get(self, request, public_id: UUID):
        return super().get(request, public_id)


class AnswerOuranosCfpView(_AnswerExportView):
    format, file_suffix = "ouranos-cfp", "-ouranos-cfp"

    @extend_schema(
        tags=TAG_ANSWERS,
        summary="The answer as an Ouranos CFP record (both parties)",
        description="The four-part split in kg CO2e per declared unit, with data-quality ratings per stage.",
        responses=EXPORT_RESPONSES,
    )
    def get(self, request, public_id: UUID):
        return super().get(request, public_id)
