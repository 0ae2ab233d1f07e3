"""The certificate registry: one filter and sort definition for the certificate list page, its CSV and
XLSX exports, the ZIP of PDFs and the API list.

It only narrows the queryset `selectors.certificates_for` already scoped to the actor, and it names facts
printed on the certificate itself (number, holder with country and identifiers, scheme, status, dates,
issuing body), which every reader of the row sees anyway: no parameter can probe anything else.
A value that cannot be read is an error on its field (a form error on the page, a 400 in the API),
never silently ignored: a regulator must not believe a list is filtered when it is not.
"""

from __future__ import annotations

import functools
import hashlib
import json
import operator
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

import django_filters
from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.cursors import aware_datetime, decode_cursor, encode_cursor
from portal.expressions import InArray
from portal.tenancy.models import Organization
from portal.trigram_search import TrigramContains, TrigramIndex

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
#: The columns a search looks in, each with its column of the trigram index (migration 0007) that serves it.
SEARCH_INDEXES = {
    name: TrigramIndex("certification_cert_search_trgm", position)
    for position, name in enumerate(
        ("number", "holder_name", "holder_bpnl", "holder_corporate_number", "holder_lei"), start=1
    )
}
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
        # Each is `icontains`, the trigram index asked only for the term's uncommon parts (`Works`, `GmbH`
        # are in nearly every holder's name).
        return queryset.filter(
            functools.reduce(
                operator.or_,
                (Q(TrigramContains(F(name), value, index)) for name, index in SEARCH_INDEXES.items()),
            )
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


def registry_query(data, keep: tuple[str, ...] = ()) -> str:
    """The filter parameters of `data` (no page, unless named in `keep`), urlencoded, for links that keep
    the current filter."""
    query = data.copy()
    for key in list(query):
        if key not in PARAMETERS and key not in keep:
            del query[key]
    return query.urlencode()


# ---- at scale: counts that are exact when cheap, pages by cursor (issue 18) ------------------------------
#: Up to this many certificates the total is counted exactly (reading at most this many index entries, a
#: few milliseconds); beyond it the total is PostgreSQL's planner estimate, and the page says so.
#: Authorities and operators list every certificate: counting them all grew with the registry. Higher than
#: the passport list's: the registry's totals decide what a ZIP request may hold (bundle_max).
EXACT_COUNT_LIMIT = 10_000
#: Up to this many matches a page is read among their ids (`RegistryPaginator`); beyond, the rows are counted
#: in the database (10,001 ids sent to Python cost 10 ms a request).
PAGE_AMONG_IDS_LIMIT = 1_000
#: How long an estimated total is reused for the same list (filters and viewer's scope alike).
ESTIMATE_SECONDS = 60
#: Sort keys (the registry's, without the "-") and how a cursor carries their values.
_KEY_TYPES = {"number": str, "holder_name": str, "issued_at": datetime, "valid_until": date}


def registry_total(queryset: QuerySet) -> tuple[int, bool]:
    """(the number of rows of `queryset`, whether it is an estimate): exact up to `EXACT_COUNT_LIMIT`, then
    the planner's estimate (no row read; PostgreSQL only: elsewhere the exact count)."""
    total, estimated, _ids = _total_and_ids(queryset)
    return total, estimated


def _total_and_ids(queryset: QuerySet) -> tuple[int, bool, list[int] | None]:
    """The total as `registry_total` gives it, and the ids of every row when there are at most
    `PAGE_AMONG_IDS_LIMIT`."""
    unordered = queryset.order_by().prefetch_related(None)
    # Small results (a search) are read once, as ids; a search evaluated a second time for the count cost
    # as much again (9 ms for a holder's name among 200,000 certificates).
    ids = list(unordered.values_list("pk", flat=True)[: PAGE_AMONG_IDS_LIMIT + 1])
    if len(ids) <= PAGE_AMONG_IDS_LIMIT:
        return len(ids), False, ids
    # An estimate stays one for a minute: the next pages of a large list skip counting and planning.
    estimate_key = f"registry-estimate:{hashlib.sha256(str(unordered.query).encode()).hexdigest()[:32]}"
    estimate = cache.get(estimate_key)
    if estimate is not None:
        return estimate, True, None
    total = unordered[: EXACT_COUNT_LIMIT + 1].count()
    if total <= EXACT_COUNT_LIMIT:
        return total, False, None
    if connection.vendor != "postgresql":
        return unordered.count(), False, None
    plan = json.loads(unordered.explain(format="json"))
    estimate = max(int(plan[0]["Plan"]["Plan Rows"]), total)
    cache.set(estimate_key, estimate, ESTIMATE_SECONDS)
    return estimate, True, None


class RegistryPaginator(Paginator):
    """Django's paginator with the registry's total: exact when cheap, else estimated (`estimated`).

    When at most `PAGE_AMONG_IDS_LIMIT` rows match, the pages are read among their ids (`pk = ANY(...)`):
    PostgreSQL then knows how few rows match. Left to its estimate for a selective search (2,060 where 100
    matched), it walked the index of the list's order through 187,600 rows to fill the first page (530 ms
    at 200,000 certificates)."""

    estimated = False

    @cached_property
    def count(self) -> int:
        total, self.estimated, ids = _total_and_ids(self.object_list)
        if ids is not None:
            self.object_list = self.object_list.filter(InArray("pk", ids))
        return total


def registry_sort(queryset: QuerySet) -> tuple[str, bool]:
    """(the sort key, descending) of a registry queryset: its first ordering term (the id follows it)."""
    first = (queryset.query.order_by or DEFAULT_ORDER)[0]
    return first.lstrip("-"), first.startswith("-")


@dataclass(frozen=True)
class RegistryKey:
    """A position in the registry for keyset (cursor) pagination: the sort key's value and the id of one
    row; the next page is the rows after it (before it when `backwards`), read from the index of that
    order, so a page far down costs what the first costs. `number` is for display only."""

    ordering: tuple[str, ...]
    values: tuple[Any, ...]
    pk: int
    backwards: bool = False
    number: int = 1

    def encode(self) -> str:
        return encode_cursor(self.ordering, self.values, self.pk, self.backwards, self.number)

    @classmethod
    def decode(cls, text: str, ordering: tuple[str, ...]) -> RegistryKey:
        """The key of a cursor made for `ordering`; ValueError for anything else (portal.cursors)."""
        values, pk, backwards, number = decode_cursor(text, tuple(ordering))
        kind = _KEY_TYPES[ordering[0].lstrip("-")]
        value: Any = values[0]
        if kind is datetime:
            value = aware_datetime(value)
        elif kind is date:
            value = date.fromisoformat(value)
        return cls(ordering=tuple(ordering), values=(value,), pk=pk, backwards=backwards, number=number)


@dataclass(frozen=True)
class RegistryPage:
    rows: list[Any]
    total: int
    estimated: bool
    has_previous: bool
    has_next: bool
    previous_key: RegistryKey | None
    next_key: RegistryKey | None
    number: int


def _isoformat(value: Any) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else value


def registry_page(queryset: QuerySet, size: int, key: RegistryKey) -> RegistryPage:
    """The page of `queryset` (a registry queryset: filtered, ordered by one sort key and the id) right after
    `key` (before it, `key.backwards`). The condition starts with a bound on the sort key alone, which the
    index of that order turns into the start of its scan; the OR after it settles ties by the id."""
    column, descending = registry_sort(queryset)
    forward_descending = descending != key.backwards
    before, bound = ("lt", "lte") if forward_descending else ("gt", "gte")
    (value,) = key.values
    after = Q(**{f"{column}__{bound}": value}) & (
        Q(**{f"{column}__{before}": value}) | Q(**{column: value, f"pk__{before}": key.pk})
    )
    ordered = queryset.filter(after)
    if key.backwards:
        ordered = ordered.reverse()
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if key.backwards:
        rows.reverse()
    total, estimated = registry_total(queryset)
    has_previous = more if key.backwards else True
    has_next = True if key.backwards else more
    ordering = key.ordering

    def key_of(row: Any, backwards: bool, number: int) -> RegistryKey:
        return RegistryKey(ordering, (getattr(row, column),), row.pk, backwards, max(1, number))

    return RegistryPage(
        rows=rows,
        total=total,
        estimated=estimated,
        has_previous=has_previous and bool(rows),
        has_next=has_next and bool(rows),
        previous_key=key_of(rows[0], True, key.number - 1) if rows and has_previous else None,
        next_key=key_of(rows[-1], False, key.number + 1) if rows and has_next else None,
        number=key.number,
    )


def registry_ordering(queryset: QuerySet) -> tuple[str, ...]:
    """The ordering a cursor of this queryset is made for (its sort key, "-" when descending)."""
    column, descending = registry_sort(queryset)
    return (f"-{column}" if descending else column,)


def registry_key_after(queryset: QuerySet, row: Any, number: int) -> RegistryKey:
    """The cursor of the page after `row` (the last row of a page numbered `number - 1`)."""
    column, _descending = registry_sort(queryset)
    return RegistryKey(registry_ordering(queryset), (getattr(row, column),), row.pk, False, number)
