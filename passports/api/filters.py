"""List filters, search and ordering of the passport API: only on fields every lister may see.

Filters name public attributes (category, model) or the battery status, which every organization that
lists a passport may read (owner, granted partner, certifier, authority). Search covers the unique
identifier and the model name only; ordering the creation time and the unique identifier only. Nothing
here can reach a confidential or restricted value, so no parameter can be used to probe one.
"""

from __future__ import annotations

import re

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import filters, serializers

from ..catalogue.choices import BATTERY_CATEGORIES, BATTERY_STATUSES
from ..models import BatteryModel, Passport, VersionState

# A NUL byte reaches PostgreSQL as an error (500); control characters are never part of a search.
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
SEARCH_MAX_LENGTH = 200


class SafeSearchFilter(filters.SearchFilter):
    """DRF's search, refusing control characters and over-long terms with a 400 instead of a 500."""

    def get_search_terms(self, request) -> list[str]:
        raw = request.query_params.get(self.search_param, "")
        if _FORBIDDEN.search(raw):
            raise serializers.ValidationError({self.search_param: [_("Remove control characters.")]})
        if len(raw) > SEARCH_MAX_LENGTH:
            raise serializers.ValidationError(
                {self.search_param: [_("Use at most %(limit)d characters.") % {"limit": SEARCH_MAX_LENGTH}]}
            )
        return super().get_search_terms(request)


class PassportFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(field_name="battery_model__category", choices=BATTERY_CATEGORIES)
    status = django_filters.ChoiceFilter(field_name="status", choices=BATTERY_STATUSES)
    battery_model = django_filters.UUIDFilter(field_name="battery_model__public_id")
    state = django_filters.ChoiceFilter(
        choices=VersionState.choices,
        method="filter_state",
        label=_(
            "draft: your own passports with an open draft; published: passports with a published version"
        ),
    )

    class Meta:
        model = Passport
        fields: list[str] = []

    def filter_state(self, queryset: QuerySet[Passport], name: str, value: str) -> QuerySet[Passport]:
        # Relies on the annotations of `selectors.passport_rows_for`; `draft_number` is only set for the
        # caller's own passports, so "draft" can never list another company's drafts.
        if value == VersionState.DRAFT:
            return queryset.filter(Q(is_own=True) & Q(draft_number__isnull=False))
        return queryset.filter(latest_published_number__isnull=False)


class BatteryModelFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(field_name="category", choices=BATTERY_CATEGORIES)

    class Meta:
        model = BatteryModel
        fields: list[str] = []
