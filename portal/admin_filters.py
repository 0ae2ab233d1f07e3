"""List filters shared by the Django admin pages.

`CountryFilter` replaces Django's default filter for a `CountryField`, which lists all 249 countries of
ISO 3166-1 (the organization list's sidebar was 6,475 px tall). It lists only the countries that occur in
the page's rows (the admin's own queryset, so a page that narrows its rows narrows the choices too), by
their name in the operator's language, sorted by that name. The query string stays Django's
(`country__exact=DE`), so existing links to a filtered list keep working.

Use it as `list_filter = [..., ("country", CountryFilter)]`; a related path works too
(`("organization__country", CountryFilter)`).
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext as _
from django_countries import countries


class CountryFilter(admin.FieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path) -> None:
        self.lookup_kwarg = f"{field_path}__exact"
        self.lookup_val = params.get(self.lookup_kwarg)  # a list of values, or None
        self.empty_value_display = model_admin.get_empty_value_display()
        values = (
            model_admin.get_queryset(request)
            .order_by()  # the admin's ordering would become part of the DISTINCT
            .values_list(field_path, flat=True)
            .distinct()
        )
        self.present = self._named([str(code) for code in values if code is not None])
        super().__init__(field, request, params, model, model_admin, field_path)

    def expected_parameters(self) -> list[str]:
        return [self.lookup_kwarg]

    def has_output(self) -> bool:
        # With a single country there is nothing to choose (as Django's related-field filters).
        return len(self.present) > 1

    def _named(self, codes: list[str]) -> list[tuple[str, str]]:
        """(code, display name) of the present countries, sorted by the name in the active language; an
        empty value (an optional field left blank) comes last, shown as the admin's empty value."""
        named = sorted(
            ((code, str(countries.name(code)) or code) for code in codes if code),
            key=lambda pair: (pair[1].casefold(), pair[0]),
        )
        if "" in codes:
            named.append(("", str(self.empty_value_display)))
        return named

    def get_facet_counts(self, pk_attname, filtered_qs) -> dict:
        return {
            f"{i}__c": models.Count(pk_attname, filter=models.Q((self.lookup_kwarg, code)))
            for i, (code, _name) in enumerate(self.present)
        }

    def choices(self, changelist):
        facet_counts = self.get_facet_queryset(changelist) if changelist.add_facets else None
        yield {
            "selected": self.lookup_val is None,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg]),
            "display": _("All"),
        }
        for i, (code, name) in enumerate(self.present):
            yield {
                "selected": self.lookup_val is not None and code in self.lookup_val,
                "query_string": changelist.get_query_string({self.lookup_kwarg: code}),
                "display": f"{name} ({facet_counts[f'{i}__c']})" if facet_counts is not None else name,
            }
