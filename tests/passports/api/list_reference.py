"""The passport list's reference: `Passport.objects.restrict(actor, "view")` itself, with the list's
columns, filters and ordering applied the ORM way, to check the hand-written SQL of `passports.list_query`
against for every audience, grant, state, filter and ordering. It restates no rule of its own."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Case, OuterRef, Q, QuerySet, Subquery, Value, When

from passports.list_query import ROW_KEYS, PassportListFilters
from passports.models import Passport, PassportVersion, VersionState
from portal.tenancy.selectors import active_organization_of


def passport_rows_for(*, actor) -> QuerySet:
    """Dicts of `ROW_KEYS` for the passports `restrict(actor, "view")` gives."""
    organization = active_organization_of(actor)
    scoped = Passport.objects.restrict(actor, "view") if organization is not None else Passport.objects.none()
    own = Q(organization=organization) if organization is not None else Q(pk__in=[])
    published = PassportVersion.objects.filter(
        passport=OuterRef("pk"), state=VersionState.PUBLISHED
    ).order_by("-number")
    draft = PassportVersion.objects.filter(passport=OuterRef("pk"), state=VersionState.DRAFT).order_by()
    return scoped.annotate(
        is_own=Case(When(own, then=Value(True)), default=Value(False), output_field=BooleanField()),
        latest_published_number=Subquery(published.values("number")[:1]),
        latest_published_at=Subquery(published.values("published_at")[:1]),
        draft_number=Case(When(own, then=Subquery(draft.values("number")[:1])), default=None),
    ).values(*ROW_KEYS)


def filtered_rows(*, actor, filters: PassportListFilters) -> list[dict[str, Any]]:
    """`passport_rows_for` with the list's filters, search and ordering applied the ORM way."""
    rows = passport_rows_for(actor=actor)
    if filters.category:
        rows = rows.filter(battery_model__category=filters.category)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.battery_model:
        rows = rows.filter(battery_model__public_id=filters.battery_model)
    if filters.manufacturer:
        rows = rows.filter(organization__bpnl=filters.manufacturer)
    if filters.country:
        rows = rows.filter(organization__country=filters.country)
    if filters.state == VersionState.DRAFT:
        rows = rows.filter(is_own=True, draft_number__isnull=False)
    elif filters.state == VersionState.PUBLISHED:
        rows = rows.filter(latest_published_number__isnull=False)
    for term in filters.search_terms:
        rows = rows.filter(Q(unique_identifier__icontains=term) | Q(battery_model__name__icontains=term))
    last_descending = filters.ordering[-1].startswith("-")
    return list(rows.order_by(*filters.ordering, "-id" if last_descending else "id"))
