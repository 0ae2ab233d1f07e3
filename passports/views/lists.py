"""The passport list: every passport the caller may see, paginated, with search and filters (category,
status, battery model, and for the caller's own passports unpublished changes and completeness).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from portal.tenancy.decorators import active_member_required
from portal.tenancy.selectors import active_organization_of

from .. import selectors, services
from ..catalogue import Category
from ..catalogue.choices import BATTERY_STATUSES
from ..completeness import completeness
from ..completeness_query import passports_by_completeness
from ..display import STATUS_LABELS
from ..models import Passport
from .lookups import can_create_models

PAGE_SIZE = 25


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
    # The owner organization's registered name is not shown to other viewers (it is tenant data; the
    # passport's own public manufacturer name is among its values).
    queryset = selectors.passports_listed(actor=request.user)
    params = request.GET
    query = params.get("q", "").strip()[:100]
    category = params.get("category", "")
    status = params.get("status", "")
    model_id = params.get("model", "")
    state = params.get("state", "")
    # Filters and search use only what every listed passport shows its viewer: the identifier, the model
    # name and category (public) and the battery status (legitimate interest: every lister may see it).
    # Draft and completeness facts are the owner's working material: those filters cover own passports.
    if query:
        queryset = queryset.filter(
            Q(unique_identifier__icontains=query) | Q(battery_model__name__icontains=query)
        )
    if category in {c.value for c in Category}:
        queryset = queryset.filter(battery_model__category=category)
    else:
        category = ""
    if status in STATUS_LABELS:
        queryset = queryset.filter(status=status)
    else:
        status = ""
    try:
        model_key = uuid.UUID(model_id) if model_id else None
    except ValueError:
        model_key = None
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
    else:
        state = ""
    queryset = queryset.order_by("-created_at", "-pk")  # stable pages
    # The page's ids first, then their rows: sorting ids alone spares the database joining models and
    # organizations to every passport in scope (an authority's scope is every published passport).
    page = Paginator(queryset.values_list("pk", flat=True), PAGE_SIZE).get_page(params.get("page"))
    page_ids = list(page.object_list)
    rows = []
    for p in queryset.filter(pk__in=page_ids):
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
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "passports/list.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "category": category,
            "status": status,
            "model": str(model_key) if model_key else "",
            "state": state,
            "categories": [(c.value, c.label) for c in Category],
            "statuses": BATTERY_STATUSES,
            "states": STATE_FILTERS,
            "models": [
                (str(m.public_id), m.name)
                for m in selectors.battery_models_for(actor=request.user)
                .select_related(None)
                .only("public_id", "name")
            ],
            "filter_query": filters.urlencode(),
            "can_create": own is not None and can_create_models(request.user, own),
        },
    )
