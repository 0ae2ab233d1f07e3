"""The certificate registry: one filter and sort definition for the certificate list page, its CSV and
XLSX exports, the ZIP of PDFs and the API list.

It only narrows the queryset `selectors.certificates_for` already scoped to the actor, and it names facts
printed on the certificate itself (number, holder with country and identifiers, scheme, status, dates,
issuing body), which every reader of the row sees anyway: no parameter can probe anything else.
A value that cannot be read is an error on its field (a form error on the page, a 400 in the API),
never silently ignored: a regulator must not believe a list is filtered when it is not.
"""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.tenancy.models import Organization

from . import selectors
from .models import Certificate, CertificateStatus, Scheme

#: The search term is matched as one substring; longer input is refused rather than cut.
SEARCH_MAX_LENGTH = 200
# A NUL byte reaches PostgreSQL as an error (500); other control characters are never part of a search.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

KIND_CHOICES = (
    ("origin", _("Issued after a review")),
    ("recognised", _("Recognised from another scheme")),
)
YES_NO = (("yes", "yes"), ("no", "no"))
#: Sort keys offered by the page and the API (each also descending with a leading "-").
SORT_FIELDS = (
    ("number", "number"),
    ("holder_name", "holder_name"),
    ("issued_at", "issued_at"),
    ("valid_until", "valid_until"),
)
SORT_LABELS = {
    "number": _("Number"),
    "holder_name": _("Holder"),
    "issued_at": _("Issue date"),
    "valid_until": _("Expiry date"),
}
DEFAULT_ORDER = ("-issued_at", "-pk")
#: Every filter parameter; the page echoes them into the export links and the "all results" ZIP form.
PARAMETERS = (
    "q",
    "search",
    "status",
    "scheme",
    "kind",
    "recognised",
    "country",
    "issued_from",
    "issued_to",
    "expires_from",
    "expires_to",
    "issuing_body",
    "ordering",
)


def no_control_characters(value: str) -> None:
    if _CONTROL.search(value):
        raise ValidationError(_("Remove control characters."), code="control_characters")


def known_country(value: str) -> None:
    if value.upper() not in countries:
        raise ValidationError(_("Enter a two-letter country code such as DE or JP."), code="country")


class CodeChoiceField(django_filters.fields.ModelChoiceField):
    """A choice by code that refuses control characters before looking the code up (a NUL byte would
    reach PostgreSQL as an error)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and _CONTROL.search(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class CodeChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = CodeChoiceField


class RegistryForm(forms.Form):
    """The date ranges must be ordered: an inverted range would silently list nothing."""

    RANGES = (("issued_from", "issued_to"), ("expires_from", "expires_to"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for start, end in self.RANGES:
            first, last = cleaned.get(start), cleaned.get(end)
            if first and last and first > last:
                self.add_error(end, _("The end of the range is before its start."))
        if cleaned.get("kind") and cleaned.get("recognised"):
            wanted = "recognised" if cleaned["recognised"] == "yes" else "origin"
            if cleaned["kind"] != wanted:
                self.add_error("recognised", _("This contradicts the choice “issued or recognised”."))
        return cleaned


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sorting on a whitelist of keys, with the primary key last so pages never repeat or skip a row."""

    def filter(self, qs: QuerySet, value: list[str] | None) -> QuerySet:
        if not value:
            return qs
        keys = [self.get_ordering_value(param) for param in value]
        tie = "-pk" if keys[-1].startswith("-") else "pk"
        return qs.order_by(*keys, tie)


class CertificateRegistryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        validators=[no_control_characters],
        label=_("Certificate number, holder name, or the holder's BPNL, corporate number or LEI"),
    )
    # The API's historical name for the same search.
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        validators=[no_control_characters],
        label=_("Same as q"),
    )
    status = django_filters.ChoiceFilter(choices=CertificateStatus.choices, label=_("Status"))
    scheme = CodeChoiceFilter(queryset=Scheme.objects.all(), to_field_name="code", label=_("Scheme code"))
    kind = django_filters.ChoiceFilter(
        choices=KIND_CHOICES, method="filter_kind", label=_("Issued or recognised")
    )
    # The API's historical yes/no form of `kind` (a choice: a BooleanFilter ignores what it cannot read).
    recognised = django_filters.ChoiceFilter(
        choices=YES_NO,
        method="filter_recognised",
        label=_("yes: only certificates recognised from another scheme's; no: only issued on review"),
    )
    country = django_filters.CharFilter(
        method="filter_country",
        max_length=2,
        validators=[known_country],
        label=_("Holder country (ISO 3166 alpha-2 code, e.g. DE or JP)"),
    )
    issued_from = django_filters.DateFilter(
        field_name="issued_at__date", lookup_expr="gte", label=_("Issued on or after (YYYY-MM-DD)")
    )
    issued_to = django_filters.DateFilter(
        field_name="issued_at__date", lookup_expr="lte", label=_("Issued on or before (YYYY-MM-DD)")
    )
    expires_from = django_filters.DateFilter(
        field_name="valid_until", lookup_expr="gte", label=_("Valid until on or after (YYYY-MM-DD)")
    )
    expires_to = django_filters.DateFilter(
        field_name="valid_until", lookup_expr="lte", label=_("Valid until on or before (YYYY-MM-DD)")
    )
    # An id that is well formed but unknown lists nothing (as any filter matching nothing would).
    issuing_body = django_filters.UUIDFilter(
        field_name="issuing_body__public_id", label=_("Id of the issuing body")
    )
    ordering = StableOrderingFilter(
        fields=SORT_FIELDS,
        field_labels=SORT_LABELS,
        label=_("Sort by number, holder_name, issued_at or valid_until; a leading - sorts descending"),
    )

    class Meta:
        model = Certificate
        form = RegistryForm
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Certificate], name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        # Holder facts printed on the certificate itself: whoever lists it reads them on its page anyway.
        return queryset.filter(
            Q(number__icontains=value)
            | Q(holder_name__icontains=value)
            | Q(holder_bpnl__icontains=value)
            | Q(holder_corporate_number__icontains=value)
            | Q(holder_lei__icontains=value)
        )

    def filter_country(self, queryset: QuerySet[Certificate], name: str, value: str) -> QuerySet:
        return queryset.filter(holder_country=value.upper())

    def filter_kind(self, queryset: QuerySet[Certificate], name: str, value: str) -> QuerySet:
        return queryset.filter(origin__isnull=value != "recognised")

    def filter_recognised(self, queryset: QuerySet[Certificate], name: str, value: str) -> QuerySet:
        return queryset.filter(origin__isnull=value != "yes")


def registry_filter(*, actor, data) -> CertificateRegistryFilter:
    """The actor's certificates (newest first unless sorted otherwise), narrowed by `data`. Check
    `is_valid()` before reading `.qs`: invalid input must be reported, not ignored."""
    queryset = selectors.certificates_for(actor=actor).order_by(*DEFAULT_ORDER)
    return CertificateRegistryFilter(data=data, queryset=queryset)


def registry_issuing_bodies(*, actor) -> QuerySet[Organization]:
    """The bodies that issued a certificate the actor may see (the choices of the page's filter)."""
    visible = selectors.certificates_for(actor=actor).order_by().values("issuing_body_id")
    return Organization.objects.filter(pk__in=visible).order_by("legal_name")


def registry_countries(*, actor) -> list[tuple[str, str]]:
    """The holder countries among the certificates the actor may see, as (code, name)."""
    codes = (
        selectors.certificates_for(actor=actor).order_by().values_list("holder_country", flat=True).distinct()
    )
    return sorted(((code, countries.name(code) or code) for code in codes), key=lambda item: item[1])


def registry_query(data) -> str:
    """The filter parameters of `data` (no page), urlencoded, for links that keep the current filter."""
    query = data.copy()
    for key in list(query):
        if key not in PARAMETERS:
            del query[key]
    return query.urlencode()
