"""Archiving instead of deleting (issue 15): a site or battery model a company no longer uses is retired by
setting its `archived_at`, never removed, so that what already points at it (passports, certificates,
applications) keeps pointing at it. Archived rows are left out of default lists and of the choices for new
things; restoring one brings it back. Both apps archive the same way, so the shared part lives here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from .exceptions import InvalidTransition

#: The query parameter of lists (web pages and API) that shows archived rows instead of those in use.
ARCHIVED_PARAMETER = "archived"
_TRUE = frozenset({"1", "true", "yes", "on"})


def archived_field() -> models.DateTimeField:
    """The column both archivable models declare: NULL while in use, the time it was archived after."""
    return models.DateTimeField(_("archived"), null=True, blank=True, editable=False)


def with_archived[Row: models.Model](queryset: QuerySet[Row], archived: bool | None) -> QuerySet[Row]:
    """`archived=True`: only archived rows; `False`: only rows in use; `None`: both (look-ups by id, which
    must still find an archived row for the passports and certificates that point at it)."""
    if archived is None:
        return queryset
    return queryset.filter(archived_at__isnull=not archived)


def offered_for_new[Row: models.Model](queryset: QuerySet[Row], keep: Iterable[Any] = ()) -> QuerySet[Row]:
    """The choices for a new reference: rows in use, plus the rows (primary keys in `keep`) the object being
    edited already refers to, so that saving it unchanged keeps a row archived since it was chosen."""
    kept = [pk for pk in keep if pk is not None]
    return queryset.filter(Q(archived_at__isnull=True) | Q(pk__in=kept))


def archived_requested(value: str | None) -> bool:
    """A web list's `?archived=` parameter: any true-looking value shows the archived rows."""
    return (value or "").strip().lower() in _TRUE


def set_archived[Row: models.Model](row: Row, *, archived: bool, refusal: str) -> Row:
    """Archive (or restore) `row` under a row lock, refusing with `InvalidTransition(refusal)` when it is
    already in the wanted state (two administrators clicking at once: the second learns it happened).
    Call inside the service's transaction, after its permission check; returns the locked, saved row."""
    locked = type(row)._default_manager.select_for_update().get(pk=row.pk)
    if (locked.archived_at is not None) is archived:
        raise InvalidTransition(refusal)
    locked.archived_at = timezone.now() if archived else None
    locked.save(update_fields=["archived_at"])
    row.archived_at = locked.archived_at  # the caller's instance shows the new state too
    return locked


class ArchivedFilterSet(filters.FilterSet):
    """API lists of archivable rows: `?archived=true` lists the archived ones, `false` (and no parameter)
    those in use."""

    archived = filters.BooleanFilter(
        method="filter_archived",
        help_text=_("true: only archived ones; false (the default): only those in use."),
    )

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # An absent parameter means "in use": archived rows are left out of the default list.
        if self.form.cleaned_data.get(ARCHIVED_PARAMETER) is None:
            queryset = with_archived(queryset, False)
        return super().filter_queryset(queryset)

    def filter_archived(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        return with_archived(queryset, value)
