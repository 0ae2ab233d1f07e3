"""List filters, search and ordering of the passport API: only on fields every lister may see.

Filters name public attributes (category, model, the manufacturer and its country) or the battery
status, which every organization that lists a passport may read (owner, granted partner, certifier,
authority). Search covers the unique identifier and the model name only; ordering the creation time and
the unique identifier only. Nothing here can reach a confidential or restricted value, so no parameter
can be used to probe one.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import filters, serializers

from portal.api_filters import SafeSearchFilter
from portal.archiving import ArchivedFilterSet

from ..catalogue.choices import BATTERY_CATEGORIES, BATTERY_STATUSES
from ..list_parameters import country_filter, manufacturer_filter
from ..list_query import DEFAULT_ORDERING, ORDERING_COLUMNS, PassportListFilters
from ..models import BatteryModel, VersionState

PASSPORT_ORDERING_FIELDS = tuple(ORDERING_COLUMNS)  # public identity facts only


class _PassportOrdering(filters.OrderingFilter):
    # DRF reads the allowed fields from the view; this filter names them itself and is passed as the view.
    ordering_fields = list(PASSPORT_ORDERING_FIELDS)


_ORDERING = _PassportOrdering()
_SEARCH = SafeSearchFilter()


_CHOICES = {
    "category": frozenset(value for value, _label in BATTERY_CATEGORIES),
    "status": frozenset(value for value, _label in BATTERY_STATUSES),
    "state": frozenset(VersionState.values),
}


def _checked(params, errors: dict[str, list[str]]) -> dict[str, Any]:
    """The filter parameters, validated with the messages of Django's ChoiceField and UUIDField (a form
    would deep-copy its fields and their translated choices on every request: a fifth of the list's time)."""
    cleaned: dict[str, Any] = {}
    for name, allowed in _CHOICES.items():
        value = params.get(name, "")
        if value and value not in allowed:
            errors[name] = [forms.ChoiceField.default_error_messages["invalid_choice"] % {"value": value}]
        cleaned[name] = value
    raw = params.get("battery_model", "").strip()
    cleaned["battery_model"] = None
    if raw:
        try:
            cleaned["battery_model"] = UUID(raw)
        except ValueError:
            errors["battery_model"] = [forms.UUIDField.default_error_messages["invalid"]]
    cleaned["manufacturer"] = cleaned["country"] = ""
    try:
        cleaned["manufacturer"] = manufacturer_filter(params.get("manufacturer", ""))
    except ValidationError as error:
        errors["manufacturer"] = error.messages
    try:
        cleaned["country"] = country_filter(params.get("country", ""))
    except ValidationError as error:
        errors["country"] = error.messages
    return cleaned


def passport_list_filters(request) -> PassportListFilters:
    """The list parameters of `request`, or a 400 naming each bad parameter. Search terms and ordering are
    read exactly as DRF's SearchFilter and OrderingFilter read them (unknown ordering fields are ignored)."""
    errors: dict[str, list[str]] = {}
    data = _checked(request.query_params, errors)
    if errors:
        raise serializers.ValidationError(errors)
    terms = _SEARCH.get_search_terms(request)
    ordering = _ORDERING.get_ordering(request, None, _ORDERING) or DEFAULT_ORDERING
    return PassportListFilters(
        category=data["category"],
        status=data["status"],
        battery_model=data["battery_model"],
        state=data["state"],
        manufacturer=data["manufacturer"],
        country=data["country"],
        search_terms=tuple(terms),
        ordering=tuple(ordering),
    )


PASSPORT_LIST_PARAMETERS = [
    OpenApiParameter("category", str, enum=[value for value, _label in BATTERY_CATEGORIES]),
    OpenApiParameter("status", str, enum=[value for value, _label in BATTERY_STATUSES]),
    OpenApiParameter("battery_model", OpenApiTypes.UUID, description=_("A battery model's id.")),
    OpenApiParameter(
        "state",
        str,
        enum=[value for value, _label in VersionState.choices],
        description=_(
            "draft: your own passports with an open draft; published: passports with a published version"
        ),
    ),
    OpenApiParameter(
        "manufacturer",
        str,
        description=_("The BPNL of the company that placed the batteries on the market."),
    ),
    OpenApiParameter(
        "country",
        str,
        description=_("That company's country: an ISO 3166-1 alpha-2 code such as DE or JP."),
    ),
    OpenApiParameter(
        "search", str, description=_("Words found in the unique product identifier or the model name.")
    ),
    OpenApiParameter(
        "ordering",
        str,
        description=_("Sort by %(fields)s; a leading '-' sorts descending.")
        % {"fields": ", ".join(PASSPORT_ORDERING_FIELDS)},
    ),
]


class BatteryModelFilter(ArchivedFilterSet):
    """Category, and `archived` (the models in use unless `?archived=true`: archiving is public, like the
    model's name: it only takes a model out of lists)."""

    category = django_filters.ChoiceFilter(field_name="category", choices=BATTERY_CATEGORIES)

    class Meta:
        model = BatteryModel
        fields: list[str] = []
