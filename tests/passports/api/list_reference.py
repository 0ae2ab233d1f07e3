"""The passport list's rule stated with the ORM, to check `passports.list_query` against.

`list_query` is hand-written SQL for speed; this is the same rule in the terms the rest of the app uses
(`selectors._passport_scope`, as `passports_for` applies it), kept here so the tests can compare the two
for every audience, grant, filter and ordering."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Case, OuterRef, Q, QuerySet, Subquery, Value, When

from passports.list_query import ROW_KEYS, PassportListFilters
from passports.models import Passport, PassportVersion, VersionState
from passports.selectors import _passport_scope
from portal.tenancy.selectors import active_organization_of


def passport_rows_for(*, actor) -> QuerySet:
    """Dicts of `ROW_KEYS`: the caller's scope, other companies' passports once published."""
    organization = active_organization_of(actor)
    if organization is None:
        scoped, own = Passport.objects.none(), Q(pk__in=[])
    else:
        scoped, own = Passport.objects.filter(_passport_scope(organization)), Q(organization=organization)
    published = PassportVersion.objects.filter(
        passport=OuterRef("pk"), state=VersionState.PUBLISHED
    ).order_by("-number")
    draft = PassportVersion.objects.filter(passport=OuterRef("pk"), state=VersionState.DRAFT).order_by()
    return (
        scoped.annotate(
            is_own=Case(When(own, then=Value(True)), default=Value(False), output_field=BooleanField()),
            latest_published_number=Subquery(published.values("number")[:1]),
            latest_published_at=Subquery(published.values("published_at")[:1]),
            draft_number=Case(When(own, then=Subquery(draft.values("number")[:1])), default=None),
        )
        .filter(own | Q(latest_published_number__isnull=False))
        .values(*ROW_KEYS)
    )


def filtered_rows(*, actor, filters: PassportListFilters) -> list[dict[str, Any]]:
    """`passport_rows_for` with the list's filters, search and ordering applied the ORM way."""
    rows = passport_rows_for(actor=actor)
    if filters.category:
        rows = rows.filter(battery_model__category=filters.category)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.battery_model:
        rows = rows.filter(battery_model__public_id=filters.battery_model)
    if filters.state == VersionState.DRAFT:
        rows = rows.filter(is_own=True, draft_number__isnull=False)
    elif filters.state == VersionState.PUBLISHED:
        rows = rows.filter(latest_published_number__isnull=False)
    for term in filters.search_terms:
        rows = rows.filter(Q(unique_identifier__icontains=term) | Q(battery_model__name__icontains=term))
    last_descending = filters.ordering[-1].startswith("-")
    return list(rows.order_by(*filters.ordering, "-id" if last_descending else "id"))
