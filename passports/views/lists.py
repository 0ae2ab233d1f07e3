"""The passport list: every passport the caller may see, paginated, with search and filters (category,
status, battery model, and for the caller's own passports unpublished changes and completeness).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django_countries import countries

from portal.tenancy.decorators import active_member_required
from portal.tenancy.selectors import active_organization_of

from .. import selectors, services
from ..catalogue import Category
from ..catalogue.choices import BATTERY_STATUSES
from ..completeness import completeness
from ..completeness_query import passports_by_completeness
from ..display import STATUS_LABELS
from ..list_parameters import country_filter, manufacturer_filter
from ..list_query import ListPage, PassportListFilters
from ..models import Passport
from .lookups import can_create_models

PAGE_SIZE = 25
#: Pages linked by number (cheap: each arm reads at most this many pages of index entries); cursors after.
PAGE_LINKS_UP_TO = 40


# ---- passport list ---------------------------------------------------------------------------------
STATE_FILTERS = (
    ("draft", gettext_lazy("Unpublished changes (your passports)")),
    ("published", gettext_lazy("Published")),
    ("complete", gettext_lazy("Complete (your passports)")),
    ("incomplete", gettext_lazy("Incomplete (your passports)")),
)


def _values_for_completeness(passport: Passport) -> dict[str, Any]:
    return {
        **passport.battery_model.data,
        **(passport.latest_data or {}),
        services.STATUS_KEY: passport.status,
    }


@active_member_required
def passport_list(request: HttpRequest) -> HttpResponse:
    own = active_organization_of(request.user)
    params = request.GET
    query = params.get("q", "").strip()[:100]
    category = params.get("category", "")
    status = params.get("status", "")
    model_id = params.get("model", "")
    state = params.get("state", "")
    # Filters and search use only what every listed passport shows its viewer: the identifier, the model
    # name and category (public) and the battery status (legitimate interest: every lister may see it).
    # Draft and completeness facts are the owner's working material: those filters cover own passports.
    if category not in {c.value for c in Category}:
        category = ""
    if status not in STATUS_LABELS:
        status = ""
    try:
        model_key = uuid.UUID(model_id) if model_id else None
    except ValueError:
        model_key = None
    if state not in {value for value, _label in STATE_FILTERS}:
        state = ""
    # Who placed the batteries on the market, and its country: public facts of every passport. A BPNL that
    # cannot be read is said so on its field, and the list is not narrowed by it.
    errors: dict[str, list[str]] = {}
    try:
        manufacturer = manufacturer_filter(params.get("manufacturer", "")[:100])
    except ValidationError as error:
        manufacturer, errors["manufacturer"] = "", error.messages
    try:
        country = country_filter(params.get("country", "")[:10])
    except ValidationError:
        country = ""  # a choice of the page's own list: only a hand-made URL holds another
    filters = PassportListFilters(
        category=category,
        status=status,
        battery_model=model_key,
        state=state,
        manufacturer=manufacturer,
        country=country,
        search_terms=(query,) if query else (),
    )
    whole = _filtered(request, own, filters)
    if state in ("complete", "incomplete"):
        found, passports = _by_completeness(whole, params.get("page"))
    else:
        # The list's SQL (`passports.list_query`): each arm of the access rule reads an index in the list's
        # order, so an authority's page (every published passport) costs what a company's does; the total
        # is exact when small and PostgreSQL's estimate ("about ...") when not.
        found, passports = selectors.passport_list_page(
            actor=request.user,
            filters=filters,
            limit=PAGE_SIZE,
            number=_page_number(params.get("page")),
            cursor=params.get("cursor", "")[:1000],
        )
    rows = []
    for p in passports:
        mine = own is not None and p.organization_id == own.pk
        report = completeness(p.battery_model.category, _values_for_completeness(p)) if mine else None
        rows.append(
            {
                "id": p.public_id,
                "unique_identifier": p.unique_identifier,
                "model_name": p.battery_model.name,
                "category": Category(p.battery_model.category).label,
                "status": STATUS_LABELS.get(p.status, p.status),
                "shared": not mine,
                "mine": mine,
                "has_draft": p.has_draft if mine else None,
                "has_published": p.latest_published_number is not None,
                "closed": p.closed_at is not None,
                "missing": len(report.missing) if report else None,
            }
        )
    filters_query = request.GET.copy()
    filters_query.pop("page", None)
    filters_query.pop("cursor", None)
    return render(
        request,
        "passports/list.html",
        {
            "page": ListNavigation.of(found, PAGE_SIZE, filters_query.urlencode(), whole),
            "rows": rows,
            "query": query,
            "category": category,
            "status": status,
            "model": str(model_key) if model_key else "",
            "state": state,
            "manufacturer": params.get("manufacturer", "").strip()[:100] if errors else manufacturer,
            "country": country,
            "errors": errors,
            # Every country, not those of the registered companies: which countries have a company here is
            # not the caller's to learn from a list of choices.
            "countries": list(countries),
            "categories": [(c.value, c.label) for c in Category],
            "statuses": BATTERY_STATUSES,
            "states": STATE_FILTERS,
            "models": [
                (str(m.public_id), m.name)
                for m in selectors.battery_models_for(actor=request.user)
                .select_related(None)
                .only("public_id", "name")
            ],
            "filter_query": filters_query.urlencode(),
            "can_create": own is not None and can_create_models(request.user, own),
        },
    )


def _page_number(value: str | None) -> int:
    """The requested page number; anything unreadable is the first page (as `Paginator.get_page`)."""
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def _filtered(request: HttpRequest, own, filters: PassportListFilters) -> QuerySet[Passport]:
    """The whole list as a lazy queryset, the ORM way: `restrict()` itself with the filters, newest first.
    Evaluated for the completeness filters (the caller's own passports only, so bounded by the company);
    for the other lists it is `page.paginator.object_list`, never run by the page itself."""
    queryset = selectors.passports_listed(actor=request.user)
    for query in filters.search_terms:
        queryset = queryset.filter(
            Q(unique_identifier__icontains=query) | Q(battery_model__name__icontains=query)
        )
    if filters.manufacturer:
        queryset = queryset.filter(organization__bpnl=filters.manufacturer)
    if filters.country:
        queryset = queryset.filter(organization__country=filters.country)
    category, status, model_key = filters.category, filters.status, filters.battery_model
    state = filters.state
    if category:
        queryset = queryset.filter(battery_model__category=category)
    if status:
        queryset = queryset.filter(status=status)
    if model_key:
        queryset = queryset.filter(battery_model__public_id=model_key)
    if state == "draft":
        queryset = queryset.filter(organization=own, has_draft=True)
    elif state == "published":
        queryset = queryset.filter(latest_published_number__isnull=False)
    elif state in ("complete", "incomplete"):
        # Completeness is computed from the catalogue, not stored; the database evaluates it for the
        # caller's own passports, however many there are.
        queryset = passports_by_completeness(queryset.filter(organization=own), complete=state == "complete")
    return queryset.order_by("-created_at", "-pk")  # stable pages


def _by_completeness(queryset: QuerySet[Passport], number: str | None) -> tuple[ListPage, list[Passport]]:
    """A page of the caller's own passports, complete or not (Django's paginator: a company's own)."""
    # The page's ids first, then their rows: sorting ids alone spares joining models to every passport.
    page = Paginator(queryset.values_list("pk", flat=True), PAGE_SIZE).get_page(number)
    ids = list(page.object_list)
    by_id = queryset.filter(pk__in=ids).in_bulk()
    found = ListPage(
        rows=ids,
        total=page.paginator.count,
        estimated=False,
        has_previous=page.has_previous(),
        has_next=page.has_next(),
        previous_key=None,
        next_key=None,
        number=page.number,
    )
    return found, [by_id[pk] for pk in ids if pk in by_id]


@dataclass(frozen=True)
class _Total:
    """What the template reads as `page.paginator`: the total and the pages it makes."""

    count: int
    estimated: bool
    num_pages: int
    object_list: QuerySet[Passport]  # the whole list, lazy (see `_filtered`)


@dataclass(frozen=True)
class ListNavigation:
    """The list's page for the template: its number, the total ("about" when estimated) and the links to
    the pages before and after. Links use page numbers near the start of the list, where reading
    `offset + 25` index entries is cheap, and cursors beyond (`PAGE_LINKS_UP_TO`): the pages offered cost
    the same at any depth; a page number typed in by hand still answers."""

    number: int
    paginator: _Total
    has_previous: bool
    has_next: bool
    previous_query: str
    next_query: str

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @classmethod
    def of(cls, found: ListPage, size: int, filter_query: str, whole: QuerySet[Passport]) -> ListNavigation:
        prefix = f"{filter_query}&" if filter_query else ""

        def link(number: int, key) -> str:
            if number <= PAGE_LINKS_UP_TO or key is None:
                return f"{prefix}page={max(1, number)}"
            return f"{prefix}{urlencode({'cursor': key.encode()})}"

        pages = max(1, -(-found.total // size), found.number + (1 if found.has_next else 0))
        return cls(
            number=found.number,
            paginator=_Total(
                count=found.total, estimated=found.estimated, num_pages=pages, object_list=whole
            ),
            has_previous=found.has_previous,
            has_next=found.has_next,
            previous_query=link(found.number - 1, found.previous_key) if found.has_previous else "",
            next_query=link(found.number + 1, found.next_key) if found.has_next else "",
        )
