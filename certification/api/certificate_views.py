"""Certificates: the holder, the issuing body, authorities and operators read them; the issuing body
suspends, reinstates and revokes (and the certificates recognised from one follow it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from portal.openapi_errors import answers_conflict

from .. import selectors, services
from ..models import Certificate
from ..registry import (
    DEFAULT_ORDER,
    PARAMETERS,
    RegistryKey,
    RegistryPaginator,
    registry_key_after,
    registry_ordering,
    registry_page,
)
from .common import TAG_CERTIFICATES, CanListCertificates, Pagination, certificate_or_404, valid
from .filters import CertificateFilter
from .payloads import certificate_payload, certificate_row
from .serializers import CertificateOutput, CertificateRowOutput, ReasonInput


def certificate_response(request, number: str) -> Response:
    return Response(CertificateOutput(certificate_payload(request, certificate_or_404(request, number))).data)


class RegistryPagination(Pagination):
    """Page numbers as DRF answers them, and cursors (`?cursor=...`, keyset on the registry's order) whose
    pages cost the same at any depth. The total is exact up to `registry.EXACT_COUNT_LIMIT` certificates,
    beyond that PostgreSQL's estimate, said with `"count_is_estimate": true`; `next_cursor` is present when
    a next page is (keys that apply only sometimes are left out otherwise, so small lists answer exactly
    as before). `?page=last` counts exactly: the one request whose cost grows with the registry."""

    django_paginator_class = RegistryPaginator
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None) -> list[Any]:
        self.request = request
        self.key = self.next_key = None
        cursor = request.query_params.get(self.cursor_query_param)
        size = self.get_page_size(request)
        if cursor:
            try:
                key = RegistryKey.decode(cursor, registry_ordering(queryset))
            except ValueError:
                raise exceptions.ValidationError(
                    {self.cursor_query_param: [_("This cursor does not belong to this list.")]}
                ) from None
            self.key, self.found = key, registry_page(queryset, size, key)
            return self.found.rows
        # The last page needs the exact total (Django's own paginator counts every row).
        last = request.query_params.get(self.page_query_param) in self.last_page_strings
        self.django_paginator_class = Paginator if last else RegistryPaginator
        rows = super().paginate_queryset(queryset, request, view)
        if rows and self.page.has_next():
            self.next_key = registry_key_after(queryset, rows[-1], self.page.number + 1)
        return rows

    def _cursor_link(self, key: RegistryKey | None) -> str | None:
        if key is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, key.encode())

    def get_paginated_response(self, data) -> Response:
        if self.key is not None:
            found = self.found
            body: dict[str, Any] = {"count": found.total}
            if found.estimated:
                body["count_is_estimate"] = True
            body["next"] = self._cursor_link(found.next_key)
            body["previous"] = self._cursor_link(found.previous_key)
            if found.next_key is not None:
                body["next_cursor"] = body["next"]
        else:
            paginator = self.page.paginator
            body = {"count": paginator.count}
            if getattr(paginator, "estimated", False):
                body["count_is_estimate"] = True
            body |= {"next": self.get_next_link(), "previous": self.get_previous_link()}
            if self.next_key is not None:
                body["next_cursor"] = self._cursor_link(self.next_key)
        body["results"] = data
        return Response(body)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["count_is_estimate"] = {
            "type": "boolean",
            "description": _(
                "Present (true) when count is PostgreSQL's estimate rather than an exact count."
            ),
        }
        paginated["properties"]["next_cursor"] = {
            "type": "string",
            "format": "uri",
            "description": _("The next page by cursor (as fast at any depth); absent on the last page."),
        }
        return paginated


class CertificateListView(generics.ListAPIView):
    serializer_class = CertificateRowOutput
    permission_classes = [CanListCertificates]
    pagination_class = RegistryPagination
    # Search (q or search), filters and sorting (ordering) are the registry's: one definition for the
    # page, its exports and this list; a value that cannot be read answers 400 on its field.
    filter_backends = [DjangoFilterBackend]
    filterset_class = CertificateFilter

    def get_queryset(self):
        return selectors.certificate_rows_for(actor=self.request.user).order_by(*DEFAULT_ORDER)

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
        unknown = sorted(set(request.query_params) - {*PARAMETERS, "page", "page_size", "cursor", "format"})
        if unknown:
            raise exceptions.ValidationError(
                {name: [_("This list has no filter of this name.")] for name in unknown}
            )
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        recognised = selectors.recognised_numbers(page)
        # The rows are plain values (strings, dates, UUIDs) that DRF's encoder writes as the serializer
        # would: its per-field machinery was an eighth of a page's time (tested equal).
        rows = [certificate_row(certificate, recognised.get(certificate.pk, [])) for certificate in page]
        return self.get_paginated_response(rows)


class CertificateDetailView(APIView):
    permission_classes = [CanListCertificates]

    @extend_schema(tags=TAG_CERTIFICATES, summary="A certificate, by its number", responses=CertificateOutput)
    def get(self, request, number: str):
        return certificate_response(request, number)


STATUS_DESCRIPTION = _(
    "The issuing body's leads and the reviewer who issued it. Certificates recognised from this one follow "
    "it; a recognised certificate itself cannot be changed (409)."
)


@answers_conflict("POST")
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
