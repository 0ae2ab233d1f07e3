"""Data requests: the customer sends and cancels them, the supplier sends them back or answers them (in
the portal's figures or with a file from its own system). Both parties read them; anyone else gets 404."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.uploads import limit_uploads

from .. import file_answers, selectors, services
from ..formats import MAX_FILE_BYTES
from ..models import DataRequest, RequestState
from .answer_views import answer_response
from .common import TAG_REQUESTS, Pagination, details_from, own_part, permitted, request_or_404, valid
from .payloads import request_payload
from .serializers import (
    DataRequestOutput,
    ExchangeAnswerInput,
    ExchangeAnswerOutput,
    FileAnswerInput,
    RequestCreateInput,
    SendBackInput,
)


class RequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=RequestState.choices)

    class Meta:
        model = DataRequest
        fields: list[str] = []


def request_response(request, data_request: DataRequest, status_code: int = status.HTTP_200_OK) -> Response:
    data_request = request_or_404(request, data_request.public_id)  # re-read with the selector's joins
    return Response(DataRequestOutput(request_payload(request.user, data_request)).data, status=status_code)


class _RequestList(generics.ListAPIView):
    pagination_class = Pagination
    filterset_class = RequestFilter
    serializer_class = DataRequestOutput
    box = ""

    def get_queryset(self):
        selector = selectors.requests_sent if self.box == "sent" else selectors.requests_received
        return selector(actor=self.request.user).prefetch_related("answers")

    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = [request_payload(request.user, row) for row in page]
        return self.get_paginated_response(DataRequestOutput(rows, many=True).data)


class SentRequestListView(_RequestList):
    box = "sent"

    @extend_schema(tags=TAG_REQUESTS, summary="Requests your company sent")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAG_REQUESTS,
        summary="Ask the supplier of a bought part for its footprint and/or material declaration (editors)",
        request=RequestCreateInput,
        responses={201: DataRequestOutput},
    )
    def post(self, request):
        data = valid(RequestCreateInput, request.data)
        part = own_part(request, data["part"], "part")
        created = services.send_request(
            actor=request.user,
            part=part,
            wants_footprint=data["wants_footprint"],
            wants_materials=data["wants_materials"],
            message=data.get("message", ""),
            due_date=data["due_date"],
        )
        return request_response(request, created, status.HTTP_201_CREATED)


class ReceivedRequestListView(_RequestList):
    box = "received"

    @extend_schema(tags=TAG_REQUESTS, summary="Requests your company received")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RequestDetailView(APIView):
    @extend_schema(tags=TAG_REQUESTS, summary="A request you sent or received", responses=DataRequestOutput)
    def get(self, request, public_id: UUID):
        return request_response(request, request_or_404(request, public_id))


class RequestCancelView(APIView):
    @extend_schema(
        tags=TAG_REQUESTS,
        summary="Cancel an open request (the customer's editors)",
        request=None,
        responses=DataRequestOutput,
    )
    def post(self, request, public_id: UUID):
        data_request = request_or_404(request, public_id)
        services.cancel_request(actor=request.user, request=data_request)
        return request_response(request, data_request)


class RequestSendBackView(APIView):
    @extend_schema(
        tags=TAG_REQUESTS,
        summary="Send a request back with the reason (the supplier's editors)",
        request=SendBackInput,
        responses=DataRequestOutput,
    )
    def post(self, request, public_id: UUID):
        data_request = request_or_404(request, public_id)
        permitted(request, "send_back", data_request)
        data = valid(SendBackInput, request.data)
        services.send_back_request(actor=request.user, request=data_request, reason=data["reason"])
        return request_response(request, data_request)


class RequestAnswerView(APIView):
    @extend_schema(
        tags=TAG_REQUESTS,
        summary="Answer with the roll-up of one of your made parts (the supplier's editors)",
        description="Releases only the part's aggregate figures, to this customer.",
        request=ExchangeAnswerInput,
        responses={201: ExchangeAnswerOutput},
    )
    def post(self, request, public_id: UUID):
        data_request = request_or_404(request, public_id)
        permitted(request, "answer", data_request)
        data = valid(ExchangeAnswerInput, request.data)
        part = own_part(request, data.get("supplier_part"), "supplier_part")
        answer = services.answer_request(
            actor=request.user, request=data_request, supplier_part=part, details=details_from(data)
        )
        return answer_response(request, answer, status.HTTP_201_CREATED)


class RequestFileAnswerView(APIView):
    parser_classes = [MultiPartParser]

    def initialize_request(self, request, *args, **kwargs):
        limit_uploads(request, limit=MAX_FILE_BYTES)  # before anything (CSRF check, parsers) reads the body
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        tags=TAG_REQUESTS,
        summary="Answer with a file from your own system (the supplier's editors)",
        description=(
            "`format`: `catenax-pcf` (an io.catenax.pcf 9.0.0 document) or `ouranos-cfp` (an Ouranos CFP "
            "record). An Ouranos CFP states no reference period or standards: give them in the fields. "
            "Neither format carries a material declaration, so a request that asks for one is refused. "
            "A file that does not pass answers 400 on `file`, naming where the problem is; nothing is stored."
        ),
        request={"multipart/form-data": FileAnswerInput},
        responses={201: ExchangeAnswerOutput},
    )
    def post(self, request, public_id: UUID):
        data_request = request_or_404(request, public_id)
        permitted(request, "answer", data_request)  # before the upload is read
        data = dict(valid(FileAnswerInput, _form_data(request)))
        part = own_part(request, data.get("supplier_part"), "supplier_part")
        answer = file_answers.answer_from_file(
            actor=request.user,
            request=data_request,
            supplier_part=part,
            document=data["file"],
            format=data["format"],
            details=details_from(data),
        )
        return answer_response(request, answer, status.HTTP_201_CREATED)


def _form_data(request) -> dict[str, Any]:
    """Multipart fields as the serializer wants them: lists for repeated fields, the file as given."""
    data: dict[str, Any] = {key: request.data.get(key) for key in request.data}
    if "cross_sectoral_standards" in request.data:
        data["cross_sectoral_standards"] = request.data.getlist("cross_sectoral_standards")
    return data
