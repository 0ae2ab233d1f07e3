"""Certificates: the holder, the issuing body, authorities and operators read them; the issuing body
suspends, reinstates and revokes (and the certificates recognised from one follow it)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..models import Certificate
from ..registry import DEFAULT_ORDER, PARAMETERS
from .common import TAG_CERTIFICATES, CanListCertificates, Pagination, certificate_or_404, valid
from .filters import CertificateFilter
from .payloads import certificate_payload, certificate_row
from .serializers import CertificateOutput, CertificateRowOutput, ReasonInput


def certificate_response(request, number: str) -> Response:
    return Response(CertificateOutput(certificate_payload(request, certificate_or_404(request, number))).data)


class CertificateListView(generics.ListAPIView):
    serializer_class = CertificateRowOutput
    permission_classes = [CanListCertificates]
    pagination_class = Pagination
    # Search (q or search), filters and sorting (ordering) are the registry's: one definition for the
    # page, its exports and this list; a value that cannot be read answers 400 on its field.
    filter_backends = [DjangoFilterBackend]
    filterset_class = CertificateFilter

    def get_queryset(self):
        return selectors.certificates_for(actor=self.request.user).order_by(*DEFAULT_ORDER)

    @extend_schema(
        tags=TAG_CERTIFICATES,
        summary="Certificates you may see",
        description=(
            "Holders see their certificates, certification bodies those they issued, authorities and "
            "operators all. Search (q or search) covers the number and the holder's name and "
            "identifiers; filters: status, scheme, kind or recognised, country, issued_from/issued_to, "
            "expires_from/expires_to (valid until), issuing_body; ordering by number, holder_name, "
            "issued_at or valid_until (a leading - for descending). Invalid values answer 400."
        ),
    )
    def get(self, request, *args, **kwargs):
        # A misspelt filter (valid_until_after=...) must not answer every row as if it had filtered them.
        unknown = sorted(set(request.query_params) - {*PARAMETERS, "page", "page_size", "format"})
        if unknown:
            raise exceptions.ValidationError(
                {name: [_("This list has no filter of this name.")] for name in unknown}
            )
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(CertificateRowOutput(map(certificate_row, page), many=True).data)


class CertificateDetailView(APIView):
    permission_classes = [CanListCertificates]

    @extend_schema(tags=TAG_CERTIFICATES, summary="A certificate, by its number", responses=CertificateOutput)
    def get(self, request, number: str):
        return certificate_response(request, number)


STATUS_DESCRIPTION = _(
    "The issuing body's leads and the reviewer who issued it. Certificates recognised from this one follow "
    "it; a recognised certificate itself cannot be changed (409)."
)


class _StatusChangeView(APIView):
    permission_classes = [CanListCertificates]
    #: The certificate service that makes the change; set by each endpoint.
    service: Callable[..., Certificate]

    def post(self, request, number: str):
        certificate = certificate_or_404(request, number, "change_status")
        data = valid(ReasonInput, request.data)
        type(self).service(actor=request.user, certificate=certificate, reason=data["reason"])
        return certificate_response(request, number)


def _status_change_schema(summary: str):
    return extend_schema_view(
        post=extend_schema(
            tags=TAG_CERTIFICATES,
            summary=summary,
            description=STATUS_DESCRIPTION,
            request=ReasonInput,
            responses=CertificateOutput,
        )
    )


@_status_change_schema("Suspend a valid certificate (reversible; a reason is required)")
class CertificateSuspendView(_StatusChangeView):
    service = staticmethod(services.certificate_suspend)


@_status_change_schema("Reinstate a suspended certificate")
class CertificateReinstateView(_StatusChangeView):
    service = staticmethod(services.certificate_reinstate)


@_status_change_schema("Revoke a certificate (final; a reason is required)")
class CertificateRevokeView(_StatusChangeView):
    service = staticmethod(services.certificate_revoke)
