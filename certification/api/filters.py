"""List filters of the certification API. They only narrow querysets the selectors already scoped to the
caller, and they name facts every lister of the row may see (state, scheme, status, issuing body)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ..models import Application, ApplicationState, Certificate, CertificateStatus

YES_NO = [("yes", "yes"), ("no", "no")]


class ApplicationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ApplicationState.choices)
    scheme = django_filters.CharFilter(field_name="scheme__code", label=_("Scheme code"))

    class Meta:
        model = Application
        fields: list[str] = []


class CertificateFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CertificateStatus.choices)
    scheme = django_filters.CharFilter(field_name="scheme__code", label=_("Scheme code"))
    issuing_body = django_filters.UUIDFilter(
        field_name="issuing_body__public_id", label=_("Id of the issuing body")
    )
    # A choice rather than a BooleanFilter, which silently ignores a value it cannot read; this answers 400.
    recognised = django_filters.ChoiceFilter(
        choices=YES_NO,
        method="filter_recognised",
        label=_("yes: only certificates recognised from another scheme's; no: only issued on review"),
    )

    class Meta:
        model = Certificate
        fields: list[str] = []

    def filter_recognised(self, queryset: QuerySet[Certificate], name: str, value: str) -> QuerySet:
        return queryset.filter(origin__isnull=value != "yes")
