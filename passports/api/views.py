"""REST API for passports and battery models: thin shells over selectors, services and policies.

Scope: every lookup goes through a selector scoped to the caller; what the caller may not open answers
404, and so does every write by someone who is not the owner (a partner or reviewer has nothing to
change). Inside the owner company the role decides: a viewer trying to edit gets a plain 403 from the
service's `PermissionDenied`. Services raise Django `ValidationError` keyed by attribute key, which
`portal.api.exception_handler` turns into a 400 with field messages.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from uuid import UUID

import orjson
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from portal.api import EncodedRowsJSONRenderer
from portal.api_filters import SafeSearchFilter
from portal.openapi_errors import answers_conflict
from portal.tenancy.selectors import active_organization_of

from .. import policies, selectors, services
from ..list_query import ListKey, ListPage, PassportListQuery
from ..models import BatteryModel, Passport
from ..outputs import BatteryModelOutput, SupplyChainRowSerializer
from .filters import PASSPORT_LIST_PARAMETERS, BatteryModelFilter, passport_list_filters
from .pagination import LAST_ROW
from .serializers import (
    BatteryModelListRowOutput,
    CompletenessOutput,
    DynamicDataInput,
    DynamicDataOutput,
    GranteeOutput,
    GrantInput,
    PassportCreateInput,
    PassportListRowOutput,
    PassportOutput,
    StatusChangeInput,
    SupplyChainInput,
    SupplyChainOutput,
    ValuesInput,
    VersionOutput,
    battery_model_payload,
    completeness_payload,
    passport_list_rows,
    passport_payload,
)

PASSPORTS = ["passports"]
MODELS = ["battery models"]


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


CURSOR_DESCRIPTION = _(
    "Continue from a `next_cursor` (or a `next`/`previous` link) of an earlier page: as fast at any depth, "
    "where a page number far down the list costs more the further it is."
)


class PassportListPagination(Pagination):
    """Page numbers (`?page=N`, `?page=last`) as DRF's PageNumberPagination answers them, and cursors
    (`?cursor=...`, keyset pagination on the list's order) whose pages cost the same at any depth.

    The page and its total come from one query (`PassportListQuery.page`). The total is exact up to
    `list_query.EXACT_COUNT_LIMIT` rows per arm (for a search whose matches are spread over the table, up to
    `SEARCH_FIRST_MATCHES`); above that it is an estimate and the page says so with
    `"count_is_estimate": true` (a large search, a company's thousands of own passports). An
    authority's count of every published passport, or of a manufacturer's or a country's, is exact at any
    size: PostgreSQL keeps each company's count (`passports.published_counts`). Keys that only apply
    sometimes are left out otherwise, so a page that needs none of them has exactly the keys it always had:
    `count_is_estimate` (an estimate), `next_cursor` (a following page). Whether a next page exists comes
    from one row read past the page, not from the total, so `next` is right even when the total is
    estimated. `?page=last` needs the exact total and counts it: the one request whose cost grows with the
    list (clients walking a long list follow `next_cursor`)."""

    cursor_query_param = "cursor"

    def paginate_list(self, query: PassportListQuery, request) -> list[Any]:
        self.request = request
        size = self.get_page_size(request)
        render = "json" if query.encodes_json() else "rows"
        cursor = request.query_params.get(self.cursor_query_param)
        self.by_cursor = bool(cursor)
        if cursor:
            try:
                key = ListKey.decode(cursor, query.filters.ordering)
            except ValueError:
                raise exceptions.ValidationError(
                    {self.cursor_query_param: [_("This cursor does not belong to this list.")]}
                ) from None
            found = query.page(size, key=key, render=render)
            self.number = key.number
        else:
            self.number = self._number(request.query_params.get(self.page_query_param) or 1, query, size)
            found = query.page(size, offset=(self.number - 1) * size, render=render)
            if found is None:
                if self.number != 1:
                    raise exceptions.NotFound(self.invalid_page_message)
                found = ListPage([], 0, False, False, False, None, None)
        self.found = found
        if render == "json":
            return [orjson.Fragment(text) for text in found.rows]
        return passport_list_rows(found.rows)

    def _number(self, value: Any, query: PassportListQuery, size: int) -> int:
        if value in self.last_page_strings:
            return max(1, math.ceil(query.count() / size))
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise exceptions.NotFound(self.invalid_page_message) from None
        if number < 1 or number * size > LAST_ROW:
            raise exceptions.NotFound(self.invalid_page_message)
        return number

    def _cursor_link(self, key: ListKey | None) -> str | None:
        if key is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, key.encode())

    def get_next_link(self) -> str | None:
        if not self.found.has_next:
            return None
        if self.by_cursor:
            return self._cursor_link(self.found.next_key)
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.by_cursor:
            return self._cursor_link(self.found.previous_key) if self.found.has_previous else None
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response(self, data) -> Response:
        body: dict[str, Any] = {"count": self.found.total}
        if self.found.estimated:
            body["count_is_estimate"] = True
        body |= {"next": self.get_next_link(), "previous": self.get_previous_link()}
        if self.found.has_next:
            body["next_cursor"] = self._cursor_link(self.found.next_key)
        body["results"] = data
        return Response(body)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        properties = paginated["properties"]
        properties["count"]["description"] = _(
            "The number of rows: exact, or an estimate when count_is_estimate is present."
        )
        properties["count_is_estimate"] = {
            "type": "boolean",
            "description": _(
                "Present (true) when count is PostgreSQL's estimate rather than an exact count."
            ),
        }
        properties["next_cursor"] = {
            "type": "string",
            "format": "uri",
            "description": _("The next page by cursor (as fast at any depth); absent on the last page."),
        }
        return paginated

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": str(CURSOR_DESCRIPTION),
                "schema": {"type": "string"},
            },
        ]


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# ---- look-ups: 404 for anything outside the caller's scope -----------------------------------------
def _passport(request, public_id: UUID) -> Passport:
    passport = selectors.passport_get(actor=request.user, public_id=public_id)
    if passport is None:
        raise Http404
    return passport


def _only_owner(request, target: Passport | BatteryModel) -> None:
    """Writes and owner-only reads of a visible object: a reader from another organization is refused (403)
    with a reason; inside the owner company the role decides (the services refuse with 403 too)."""
    if not policies.is_owner(request.user, target):
        raise exceptions.PermissionDenied(_("Only the owner company can do this."))


def _own_passport(request, public_id: UUID) -> Passport:
    """Not visible: 404; visible but another organization's: 403."""
    passport = _passport(request, public_id)
    _only_owner(request, passport)
    return passport


def _battery_model(request, public_id: UUID) -> BatteryModel:
    battery_model = selectors.battery_model_get(actor=request.user, public_id=public_id)
    if battery_model is None:
        raise Http404
    return battery_model


def _own_battery_model(request, public_id: UUID) -> BatteryModel:
    """Not visible: 404; visible but another organization's: 403."""
    battery_model = _battery_model(request, public_id)
    _only_owner(request, battery_model)
    return battery_model


def _detail(request, passport: Passport, status_code: int = status.HTTP_200_OK) -> Response:
    view = selectors.passport_view(actor=request.user, passport=passport)
    if view.version is None:  # a grant on a passport that was never published: nothing to show yet
        raise Http404
    return Response(passport_payload(passport, view), status=status_code)


# ---- passports -------------------------------------------------------------------------------------
class PassportListView(generics.GenericAPIView):
    """Rows come from one hand-written query (`passports.list_query`) and are rendered by a plain function:
    building, filtering and compiling an ORM queryset, and DRF's per-field serializer machinery, cost
    several times the page's SQL (the list's performance target, benchmarks/README.md)."""

    serializer_class = PassportListRowOutput
    pagination_class = PassportListPagination
    renderer_classes = [EncodedRowsJSONRenderer]
    filter_backends: list = []  # the parameters are read by `passport_list_filters`

    @extend_schema(
        tags=PASSPORTS,
        summary="Passports you may open",
        description=(
            "Your organization's passports (with drafts), passports shared with you through a "
            "legitimate-interest grant or a review, and for authorities every published passport. "
            "Rows carry public identity facts only; open a passport for its values."
        ),
        parameters=PASSPORT_LIST_PARAMETERS,
        responses=PassportListRowOutput(many=True),
    )
    def get(self, request, *args, **kwargs):
        query = PassportListQuery(active_organization_of(request.user), passport_list_filters(request))
        return self.get_paginated_response(self.paginator.paginate_list(query, request))

    @extend_schema(
        tags=PASSPORTS,
        summary="Create a draft passport (editors)",
        request=PassportCreateInput,
        responses={201: PassportOutput},
    )
    def post(self, request):
        data = _valid(PassportCreateInput, request.data)
        battery_model = selectors.battery_model_get(actor=request.user, public_id=data["battery_model"])
        if battery_model is None or not policies.is_owner(request.user, battery_model):
            raise exceptions.ValidationError(
                {"battery_model": [_("Choose one of your organization's battery models.")]}
            )
        passport = services.passport_create(
            actor=request.user, battery_model=battery_model, values=data["values"]
        )
        return _detail(request, passport, status.HTTP_201_CREATED)


@answers_conflict("DELETE")
class PassportDetailView(APIView):
    @extend_schema(
        tags=PASSPORTS,
        summary="A passport, with the values you may see",
        description=(
            "Owner and assigned certifier see the latest version (also a draft) and the supply chain; "
            "others the latest published version with the values of their audience."
        ),
        responses=PassportOutput,
    )
    def get(self, request, public_id: UUID):
        return _detail(request, _passport(request, public_id))

    @extend_schema(
        tags=PASSPORTS,
        summary="Change the draft (editors); after a publication this starts a new draft",
        request=ValuesInput,
        responses=PassportOutput,
    )
    def patch(self, request, public_id: UUID):
        passport = _own_passport(request, public_id)
        data = _valid(ValuesInput, request.data)
        services.passport_update(actor=request.user, passport=passport, values=data["values"])
        return _detail(request, passport)

    @extend_schema(
        tags=PASSPORTS, summary="Delete a passport that was never published (editors)", responses={204: None}
    )
    def delete(self, request, public_id: UUID):
        services.passport_delete(actor=request.user, passport=_own_passport(request, public_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PassportPublishView(APIView):
    @extend_schema(
        tags=PASSPORTS,
        summary="Publish the draft as an immutable version (administrators)",
        request=None,
        responses=PassportOutput,
    )
    def post(self, request, public_id: UUID):
        passport = _own_passport(request, public_id)
        services.passport_publish(actor=request.user, passport=passport)
        return _detail(request, passport)


class PassportStatusView(APIView):
    @extend_schema(
        tags=PASSPORTS,
        summary="Record a battery status change (editors)",
        description=(
            "Repurposed or remanufactured creates a successor passport (201, the successor is returned); "
            "waste with recycled=true closes the passport."
        ),
        request=StatusChangeInput,
        responses={200: PassportOutput, 201: PassportOutput},
    )
    def post(self, request, public_id: UUID):
        passport = _own_passport(request, public_id)
        data = _valid(StatusChangeInput, request.data)
        result = services.passport_change_status(
            actor=request.user,
            passport=passport,
            status=data["status"],
            note=data["note"],
            occurred_at=data.get("occurred_at"),
            new_unique_identifier=data.get("new_unique_identifier") or None,
            recycled=data["recycled"],
        )
        created = result.pk != passport.pk
        return _detail(request, result, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class PassportDynamicDataView(APIView):
    @extend_schema(
        tags=PASSPORTS,
        summary="Append a measured value of dynamic data (editors)",
        request=DynamicDataInput,
        responses={201: DynamicDataOutput},
    )
    def post(self, request, public_id: UUID):
        passport = _own_passport(request, public_id)
        data = _valid(DynamicDataInput, request.data)
        point = services.dynamic_data_append(
            actor=request.user,
            passport=passport,
            key=data["key"],
            value=data["value"],
            measured_at=data["measured_at"],
        )
        output = {"key": point.key, "value": point.value, "measured_at": point.measured_at}
        return Response(DynamicDataOutput(output).data, status=status.HTTP_201_CREATED)


class PassportVersionListView(APIView):
    @extend_schema(
        tags=PASSPORTS,
        summary="Versions you may open (drafts only for the owner and an assigned certifier)",
        responses=VersionOutput(many=True),
    )
    def get(self, request, public_id: UUID):
        passport = _passport(request, public_id)
        versions = selectors.passport_versions_for(actor=request.user, passport=passport)
        if not versions:
            raise Http404
        return Response(VersionOutput(versions, many=True).data)


class PassportVersionDetailView(APIView):
    @extend_schema(tags=PASSPORTS, summary="One version of a passport", responses=PassportOutput)
    def get(self, request, public_id: UUID, number: int):
        passport = _passport(request, public_id)
        view = selectors.passport_view(actor=request.user, passport=passport, number=number)
        if view.version is None:
            raise Http404
        return Response(passport_payload(passport, view))


class PassportCompletenessView(APIView):
    @extend_schema(
        tags=PASSPORTS,
        summary="Mandatory attributes still missing, conditional and pending in law (owner)",
        responses=CompletenessOutput,
    )
    def get(self, request, public_id: UUID):
        passport = _own_passport(request, public_id)
        report = selectors.passport_completeness(actor=request.user, passport=passport)
        if report is None:
            raise Http404
        return Response(completeness_payload(report))


# ---- legitimate-interest grants (passports and battery models) ---------------------------------------
ORGANIZATION_PARAMETER = OpenApiParameter(
    "organization", OpenApiTypes.UUID, OpenApiParameter.QUERY, description="Id of the organization to revoke."
)


class _GrantsView(APIView):
    """GET lists grantees, POST grants, DELETE revokes; administrators of the owner company only."""

    #: Finds the caller's own passport or battery model (404 otherwise); set by each subclass.
    target_lookup: Callable[[Any, UUID], Passport | BatteryModel]

    def _target(self, request, public_id: UUID) -> Passport | BatteryModel:
        return type(self).target_lookup(request, public_id)

    def _grantees(self, request, target) -> Response:
        if not policies.can_grant(request.user, target):
            raise exceptions.PermissionDenied
        grantees = selectors.legitimate_interest_grantees(actor=request.user, target=target)
        return Response(GranteeOutput(grantees, many=True).data)

    def _organization(self, request, data):
        organization_id = _valid(GrantInput, data)["organization"]
        organization = selectors.grantee_get(actor=request.user, public_id=organization_id)
        if organization is None:
            raise exceptions.ValidationError({"organization": [_("No active organization has this id.")]})
        return organization

    def get(self, request, public_id: UUID):
        return self._grantees(request, self._target(request, public_id))

    def post(self, request, public_id: UUID):
        target = self._target(request, public_id)
        organization = self._organization(request, request.data)
        services.grant_legitimate_interest(actor=request.user, target=target, organization=organization)
        return self._grantees(request, target)

    def delete(self, request, public_id: UUID):
        target = self._target(request, public_id)
        data = request.data if request.data else request.query_params
        organization = self._organization(request, data)
        services.revoke_legitimate_interest(actor=request.user, target=target, organization=organization)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _grants_schema(tags: list[str], what: str):
    return extend_schema_view(
        get=extend_schema(
            tags=tags,
            summary=f"Organizations with a legitimate-interest grant on this {what} (administrators)",
            responses=GranteeOutput(many=True),
        ),
        post=extend_schema(
            tags=tags,
            summary=f"Grant legitimate-interest access to this {what} (administrators)",
            request=GrantInput,
            responses=GranteeOutput(many=True),
        ),
        delete=extend_schema(
            tags=tags,
            summary=f"Revoke a legitimate-interest grant on this {what} (administrators)",
            description="Name the organization in the body or in the `organization` query parameter.",
            parameters=[ORGANIZATION_PARAMETER],
            request=GrantInput,
            responses={204: None},
        ),
    )


@_grants_schema(PASSPORTS, "passport")
class PassportGrantsView(_GrantsView):
    target_lookup = staticmethod(_own_passport)


@_grants_schema(MODELS, "battery model")
class BatteryModelGrantsView(_GrantsView):
    target_lookup = staticmethod(_own_battery_model)


# ---- battery models -----------------------------------------------------------------------------------
class BatteryModelListView(generics.ListAPIView):
    serializer_class = BatteryModelListRowOutput
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend, SafeSearchFilter, OrderingFilter]
    filterset_class = BatteryModelFilter
    search_fields = ["name", "manufacturer_part_id"]  # public attributes only
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]

    def get_queryset(self):
        return selectors.battery_models_for(actor=self.request.user)

    def get_serializer_context(self) -> dict:
        organization = active_organization_of(self.request.user)
        return {**super().get_serializer_context(), "organization_id": organization and organization.pk}

    @extend_schema(tags=MODELS, summary="Battery models you may open")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=MODELS,
        summary="Create a battery model (editors)",
        request=ValuesInput,
        responses={201: BatteryModelOutput},
    )
    def post(self, request):
        data = _valid(ValuesInput, request.data)
        organization = active_organization_of(request.user)
        battery_model = services.battery_model_create(
            actor=request.user, organization=organization, values=data["values"]
        )
        view = selectors.battery_model_view(actor=request.user, battery_model=battery_model)
        return Response(battery_model_payload(view), status=status.HTTP_201_CREATED)


@answers_conflict("DELETE")
class BatteryModelDetailView(APIView):
    @extend_schema(
        tags=MODELS, summary="A battery model, with the values you may see", responses=BatteryModelOutput
    )
    def get(self, request, public_id: UUID):
        battery_model = _battery_model(request, public_id)
        return Response(
            battery_model_payload(
                selectors.battery_model_view(actor=request.user, battery_model=battery_model)
            )
        )

    @extend_schema(
        tags=MODELS,
        summary="Change a battery model (editors)",
        request=ValuesInput,
        responses=BatteryModelOutput,
    )
    def patch(self, request, public_id: UUID):
        battery_model = _own_battery_model(request, public_id)
        data = _valid(ValuesInput, request.data)
        battery_model = services.battery_model_update(
            actor=request.user, battery_model=battery_model, values=data["values"]
        )
        return Response(
            battery_model_payload(
                selectors.battery_model_view(actor=request.user, battery_model=battery_model)
            )
        )

    @extend_schema(
        tags=MODELS,
        summary="Delete a battery model without passports (administrators)",
        responses={204: None},
    )
    def delete(self, request, public_id: UUID):
        services.battery_model_delete(
            actor=request.user, battery_model=_own_battery_model(request, public_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@answers_conflict("POST")
class BatteryModelArchiveView(APIView):
    @extend_schema(
        tags=MODELS,
        summary="Archive a battery model (administrators)",
        description=(
            "Instead of deleting a model the company no longer makes: it leaves the model list (see "
            "`archived`) and no new passport can be made of it or put it in a new application's scope; its "
            "passports and the certificates covering it keep it. 409 if it is archived already."
        ),
        request=None,
        responses=BatteryModelOutput,
    )
    def post(self, request, public_id: UUID):
        battery_model = services.battery_model_archive(
            actor=request.user, battery_model=_own_battery_model(request, public_id)
        )
        return Response(
            battery_model_payload(
                selectors.battery_model_view(actor=request.user, battery_model=battery_model)
            )
        )


@answers_conflict("POST")
class BatteryModelRestoreView(APIView):
    @extend_schema(
        tags=MODELS,
        summary="Restore an archived battery model (administrators)",
        description="The model is in use again: new passports can be made of it. 409 if it is not archived.",
        request=None,
        responses=BatteryModelOutput,
    )
    def post(self, request, public_id: UUID):
        battery_model = services.battery_model_restore(
            actor=request.user, battery_model=_own_battery_model(request, public_id)
        )
        return Response(
            battery_model_payload(
                selectors.battery_model_view(actor=request.user, battery_model=battery_model)
            )
        )


class BatteryModelSupplyChainView(APIView):
    """The confidential supply chain: owner and assigned certifier read, owner editors replace."""

    @extend_schema(
        tags=MODELS, summary="Supply chain (owner and assigned certifier)", responses=SupplyChainOutput
    )
    def get(self, request, public_id: UUID):
        battery_model = _battery_model(request, public_id)
        if not policies.can_see_supply_chain(policies.viewer_kind(request.user, battery_model)):
            raise Http404
        entries = selectors.supply_chain_for(actor=request.user, battery_model=battery_model)
        return Response(
            {"rows": SupplyChainRowSerializer(map(selectors.supply_chain_row, entries), many=True).data}
        )

    @extend_schema(
        tags=MODELS,
        summary="Replace the supply chain (owner editors)",
        request=SupplyChainInput,
        responses=SupplyChainOutput,
    )
    def put(self, request, public_id: UUID):
        battery_model = _own_battery_model(request, public_id)
        data = _valid(SupplyChainInput, request.data)
        services.supply_chain_replace(actor=request.user, battery_model=battery_model, rows=data["rows"])
        entries = selectors.supply_chain_for(actor=request.user, battery_model=battery_model)
        return Response(
            {"rows": SupplyChainRowSerializer(map(selectors.supply_chain_row, entries), many=True).data}
        )
