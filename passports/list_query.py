"""The company passport list (`GET /api/v1/passports/`) as one hand-written SQL query per page.

Why not the ORM: the list has a performance target against a plain DRF list (issue 3), and building the
scoped, annotated queryset, running a FilterSet over it and compiling the result cost several times what
PostgreSQL needs to answer (benchmarks/README.md). Here a page is one query that returns the total with
its rows, and the rows' version facts are looked up for the page's rows only:

    SELECT <row columns>, (<latest published version>), ... FROM (
        SELECT id, COUNT(*) OVER () FROM passport WHERE <scope> AND <listed> AND <filters>
        ORDER BY ... LIMIT n OFFSET k
    ) page JOIN passport ... JOIN battery model ... ORDER BY ...

The WHERE restates `selectors._passport_scope` (own passports, passports granted directly or through
their battery model, and for authorities every published passport) plus the list rule: another company's
passport is listed once published. tests/passports/api/list_reference.py states the same with the ORM, and
the tests compare the two for every audience, grant, filter and ordering, so they cannot drift apart.

Portable: PostgreSQL in production, SQLite under `make run` (same SQL but for `= ANY(ARRAY(...))`, which
keeps PostgreSQL on indexes inside the OR; `passports.expressions.in_subquery_sql`). Values come back
through the fields' own database converters (`portal.sql_rows`), so both give what the ORM would.
"""

# S608: the SQL below interpolates only quoted table names and fragments of this module; every value
# (organization, group name, filter values, search patterns) is a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.auth.models import Group, Permission
from django.db import connection

from portal.sql_rows import field_converter, hot_cursor, prepared, table_name
from portal.tenancy.models import Organization, OrganizationKind

from .expressions import in_subquery_sql
from .models import (
    BatteryModel,
    BatteryModelGroupObjectPermission,
    Passport,
    PassportGroupObjectPermission,
    PassportVersion,
    VersionState,
)
from .selectors import MODEL_GRANTS, PASSPORT_GRANTS

#: Sortable columns: public identity facts every lister may see.
ORDERING_COLUMNS = {"created_at": "p.created_at", "unique_identifier": "p.unique_identifier"}
DEFAULT_ORDERING = ("-created_at",)


@dataclass(frozen=True)
class PassportListFilters:
    """Validated list parameters (see `passports.api.filters.passport_list_filters`)."""

    category: str = ""
    status: str = ""
    battery_model: UUID | None = None
    state: str = ""  # "draft": own passports with an open draft; "published": with a published version
    search_terms: tuple[str, ...] = ()  # each must match the unique identifier or the model name
    ordering: tuple[str, ...] = DEFAULT_ORDERING  # keys of ORDERING_COLUMNS, "-" for descending


#: The keys of a row (rendered by `passports.api.serializers.passport_list_rows`).
ROW_KEYS = (
    "public_id",
    "unique_identifier",
    "status",
    "battery_model__public_id",
    "battery_model__name",
    "battery_model__category",
    "latest_published_number",
    "latest_published_at",
    "draft_number",
    "is_own",
)


def _granted_ids(permission_table: str, codenames: Sequence[str]) -> str:
    """(SELECT the object ids granted to the caller's organization group); the first parameter is the
    group name."""
    marks = ", ".join(["%s"] * len(codenames))
    return (
        f"(SELECT g.content_object_id FROM {permission_table} g "
        f"INNER JOIN {table_name(Group)} grp ON grp.id = g.group_id "
        f"INNER JOIN {table_name(Permission)} perm ON perm.id = g.permission_id "
        f"WHERE grp.name = %s AND perm.codename IN ({marks}))"
    )


def _latest_published(column: str) -> str:
    return (
        f"(SELECT v.{column} FROM {table_name(PassportVersion)} v "
        "WHERE v.passport_id = p.id AND v.state = %s ORDER BY v.number DESC LIMIT 1)"
    )


class PassportListQuery:
    """The list for one organization and one set of filters: `fetch(offset, limit)` gives a page of rows
    with the total count in one query; `count()` the total alone (for `?page=last`)."""

    def __init__(self, organization: Organization | None, filters: PassportListFilters) -> None:
        self.organization = organization
        self.filters = filters

    # -- SQL ----------------------------------------------------------------------------------------
    def _where(self) -> tuple[str, bool, list[Any]]:
        """(condition, needs the battery model join, parameters) of the passports listed."""
        organization, filters = self.organization, self.filters
        published = VersionState.PUBLISHED.value
        if organization is None:
            return "1 = 0", False, []
        conditions: list[str] = []
        params: list[Any] = [organization.pk]
        if organization.kind == OrganizationKind.AUTHORITY:
            # Every published passport; own passports (an authority has none in practice) in every state.
            conditions.append(f"(p.organization_id = %s OR {_latest_published('number')} IS NOT NULL)")
            params.append(published)
        else:
            group = f"organization:{organization.public_id}"  # portal.tenancy.groups
            passports = _granted_ids(table_name(PassportGroupObjectPermission), PASSPORT_GRANTS)
            models = _granted_ids(table_name(BatteryModelGroupObjectPermission), MODEL_GRANTS)
            granted = in_subquery_sql(connection.vendor, "p.id", passports)
            granted_models = in_subquery_sql(connection.vendor, "p.battery_model_id", models)
            conditions.append(f"(p.organization_id = %s OR {granted} OR {granted_models})")
            params += [group, *PASSPORT_GRANTS, group, *MODEL_GRANTS]
            # Granted passports are listed once published (drafts are the owner's working material). A
            # scalar subquery, not EXISTS: only evaluated for rows that are not the caller's own.
            conditions.append(f"(p.organization_id = %s OR {_latest_published('number')} IS NOT NULL)")
            params += [organization.pk, published]
        joins_model = False
        if filters.category:
            conditions.append("m.category = %s")
            params.append(filters.category)
            joins_model = True
        if filters.status:
            conditions.append("p.status = %s")
            params.append(filters.status)
        if filters.battery_model is not None:
            conditions.append("m.public_id = %s")
            params.append(prepared(BatteryModel, "public_id", filters.battery_model))
            joins_model = True
        if filters.state == VersionState.DRAFT:
            conditions.append(
                f"p.organization_id = %s AND EXISTS (SELECT 1 FROM {table_name(PassportVersion)} d "
                "WHERE d.passport_id = p.id AND d.state = %s)"
            )
            params += [organization.pk, VersionState.DRAFT.value]
        elif filters.state == VersionState.PUBLISHED:
            conditions.append(f"{_latest_published('number')} IS NOT NULL")
            params.append(published)
        for term in filters.search_terms:
            # What Django's `icontains` does on both backends: case-insensitive LIKE with escaped wildcards.
            pattern = f"%{connection.ops.prep_for_like_query(term)}%"
            conditions.append(
                "(UPPER(p.unique_identifier) LIKE UPPER(%s) ESCAPE '\\' OR UPPER(m.name) LIKE UPPER(%s) "
                "ESCAPE '\\')"
            )
            params += [pattern, pattern]
            joins_model = True
        return " AND ".join(conditions), joins_model, params

    def _order_by(self) -> str:
        terms = []
        for term in self.filters.ordering:
            descending = term.startswith("-")
            terms.append(f"{ORDERING_COLUMNS[term.lstrip('-')]}{' DESC' if descending else ''}")
        # The primary key last: pages stay stable whatever the chosen columns hold.
        last_descending = self.filters.ordering[-1].startswith("-") if self.filters.ordering else True
        return ", ".join([*terms, "p.id DESC" if last_descending else "p.id"])

    def _from(self, joins_model: bool) -> str:
        join = f" INNER JOIN {table_name(BatteryModel)} m ON m.id = p.battery_model_id" if joins_model else ""
        return f"{table_name(Passport)} p{join}"

    def fetch(self, offset: int, limit: int) -> tuple[list[dict[str, Any]], int | None]:
        """A page of rows (dicts of ROW_KEYS) and the total, or ([], None) past the end."""
        where, joins_model, where_params = self._where()
        order_by = self._order_by()
        own = self.organization.pk if self.organization is not None else None
        published, draft = VersionState.PUBLISHED.value, VersionState.DRAFT.value
        sql = (
            "SELECT p.public_id, p.unique_identifier, p.status, m.public_id, m.name, m.category, "
            f"{_latest_published('number')}, {_latest_published('published_at')}, "
            f"CASE WHEN p.organization_id = %s THEN (SELECT d.number FROM {table_name(PassportVersion)} d "
            "WHERE d.passport_id = p.id AND d.state = %s LIMIT 1) END, "
            "CASE WHEN p.organization_id = %s THEN 1 ELSE 0 END, page.total "
            f"FROM (SELECT p.id, COUNT(*) OVER () AS total FROM {self._from(joins_model)} "
            f"WHERE {where} ORDER BY {order_by} LIMIT %s OFFSET %s) page "
            f"INNER JOIN {table_name(Passport)} p ON p.id = page.id "
            f"INNER JOIN {table_name(BatteryModel)} m ON m.id = p.battery_model_id "
            f"ORDER BY {order_by}"
        )
        params = [published, published, own, draft, own, *where_params, limit, offset]
        with hot_cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if not fetched:
            return [], None
        convert = _row_converters()
        rows = [
            {key: converter(value) for key, converter, value in zip(ROW_KEYS, convert, row, strict=False)}
            for row in fetched
        ]
        return rows, fetched[0][-1]

    def count(self) -> int:
        where, joins_model, params = self._where()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self._from(joins_model)} WHERE {where}", params)
            return cursor.fetchone()[0]


def _unchanged(value: Any) -> Any:
    return value


def _row_converters() -> tuple[Callable[[Any], Any], ...]:
    """One converter per column of ROW_KEYS: identifiers and publication times as the ORM gives them."""
    return (
        field_converter(Passport, "public_id"),
        _unchanged,
        _unchanged,
        field_converter(BatteryModel, "public_id"),
        _unchanged,
        _unchanged,
        _unchanged,
        field_converter(PassportVersion, "published_at"),
        _unchanged,
        bool,
    )
