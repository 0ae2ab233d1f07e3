"""List filters of the certification API. They only narrow querysets the selectors already scoped to the
caller, and they name facts every lister of the row may see (state, scheme, status, issuing body)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from ..models import Application, ApplicationState
from ..registry import CertificateRegistryFilter


class ApplicationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ApplicationState.choices)
    scheme = django_filters.CharFilter(field_name="scheme__code", label=_("Scheme code"))

    class Meta:
        model = Application
        fields: list[str] = []


# The certificate list shares its filters and sorting with the registry page and its exports.
CertificateFilter = CertificateRegistryFilter
