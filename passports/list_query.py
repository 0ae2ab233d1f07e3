"""The company passport list (`GET /api/v1/passports/`) as one hand-written SQL query per page.

Why not the ORM: the list has a performance target against a plain DRF list (issue 3), and building the
scoped, annotated queryset, running a FilterSet over it and compiling the result cost several times what
PostgreSQL needs to answer (benchmarks/README.md). Here a page is one query that returns the total with
its rows, and the rows' version facts are looked up for the page's rows only:

    SELECT <row columns>, (<count of own> + <count of others'>) FROM (
        SELECT id FROM (
            (SELECT own passports ORDER BY ... LIMIT offset + n)
            UNION ALL (SELECT other companies' passports the caller may read ORDER BY ... LIMIT offset + n)
            UNION ALL (SELECT passports under the caller's open review ORDER BY ... LIMIT offset + n)
        ) ORDER BY ... LIMIT n OFFSET offset
    ) page JOIN passport ... JOIN battery model ... ORDER BY ...

The listed passports are `Passport.objects.restrict(actor, "view")` (passports.access), split into three
disjoint arms: the caller's own (every state); other companies' passports it may read once published
(granted directly or through their battery model; for authorities every one); and those under the caller's
open certification review that the second arm does not already hold. Each arm reads only the first
`offset + n` rows of its order, so a company's first pages come from the index
`(organization, created_at DESC, id DESC)` without sorting all its passports, and the counts are index-only
where the arm allows. The tests (tests/passports/api/test_list_query.py) compare this SQL with `restrict()`
itself for every audience, grant, state, filter and ordering, so the two cannot drift apart.

Two renderings of a page: `fetch` gives rows (dicts of `ROW_KEYS`, values as the ORM gives them) on any
database; `fetch_json` has PostgreSQL encode each row as the API's JSON object (`PassportListRowOutput`),
which spares the worker converting and encoding every value (`encodes_json` says when it is available).

The caller's grants are read first, in one small query, and the list's SQL carries their ids as
parameters, leaving out an arm that can hold nothing; written as subqueries they made PostgreSQL plan a
dozen InitPlans per request (1.2 ms of planning for 0.4 ms of execution). Portable: PostgreSQL in
production, SQLite under `make run` (same SQL but for `= ANY(%s)` with an array, written `IN (...)` on
SQLite). Values come back through the fields' own database converters (`portal.sql_rows`), so both give
what the ORM would.
"""

# S608: the SQL below interpolates only quoted table names and fragments of this module; every value
# (organization, group name, filter values, search patterns) is a query parameter.
# ruff: noqa: S608

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.utils import timezone

from portal.sql_rows import field_converter, hot_cursor, prepared, table_name
from portal.tenancy.groups import group_name
from portal.tenancy.models import Organization, OrganizationKind

from .access import CONFIDENTIAL, LEGITIMATE_INTEREST
from .models import (
    BatteryModel,
    BatteryModelGroupObjectPermission,
    Passport,
    PassportGroupObjectPermission,
    PassportVersion,
    VersionState,
)

#: Sortable columns of the passport table: public identity facts every lister may see.
ORDERING_COLUMNS = {"created_at": "created_at", "unique_identifier": "unique_identifier"}
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


@dataclass(frozen=True)
class _Sql:
    text: str
    params: tuple[Any, ...] = ()


@dataclass(frozen=True)
class _Grants:
    """The ids granted to the caller's organization group, by kind: passports and battery models."""

    passports: dict[str, list[int]]
    models: dict[str, list[int]]

    def ids(self, kind: str) -> tuple[list[int], list[int]]:
        return self.passports.get(kind, []), self.models.get(kind, [])


_GRANTS_SQL = """
    SELECT 'p', perm.codename, g.content_object_id FROM {passports} g
    INNER JOIN {groups} grp ON grp.id = g.group_id INNER JOIN {permissions} perm ON perm.id = g.permission_id
    WHERE grp.name = %s
    UNION ALL
    SELECT 'm', perm.codename, g.content_object_id FROM {models} g
    INNER JOIN {groups} grp ON grp.id = g.group_id INNER JOIN {permissions} perm ON perm.id = g.permission_id
    WHERE grp.name = %s
"""


def _grants(organization: Organization) -> _Grants:
    """One small query for every grant the organization holds. Read up front, so the list's SQL carries the
    few ids as parameters (and leaves out an arm without any): written as subqueries, the grants made
    PostgreSQL plan a dozen InitPlans on every request, which cost more than running the whole page."""
    sql = _GRANTS_SQL.format(
        passports=table_name(PassportGroupObjectPermission),
        models=table_name(BatteryModelGroupObjectPermission),
        groups=table_name(Group),
        permissions=table_name(Permission),
    )
    found: dict[str, dict[str, list[int]]] = {"p": {}, "m": {}}
    name = group_name(organization)
    with hot_cursor() as cursor:
        cursor.execute(sql, [name, name])
        for table, codename, object_id in cursor.fetchall():
            kind = codename.rsplit("_", 1)[0]  # view_legitimate_interest_passport -> view_legitimate_interest
            found[table].setdefault(kind, []).append(object_id)
    return _Grants(passports=found["p"], models=found["m"])


def _any(column: str, ids: list[int]) -> _Sql:
    """`column` is one of `ids` (a non-empty list), as one array parameter on PostgreSQL."""
    if connection.vendor == "postgresql":
        return _Sql(f"{column} = ANY(%s)", (ids,))
    return _Sql(f"{column} IN ({', '.join(['%s'] * len(ids))})", tuple(ids))


def _granted(grants: _Grants, kind: str) -> _Sql | None:
    """The passport is granted with `kind`, directly or through its battery model (None: nothing is)."""
    passports, models = grants.ids(kind)
    parts = [
        *([_any("p.id", passports)] if passports else []),
        *([_any("p.battery_model_id", models)] if models else []),
    ]
    if not parts:
        return None
    return _Sql(
        f"({' OR '.join(part.text for part in parts)})", tuple(v for part in parts for v in part.params)
    )


def _latest_published(column: str) -> str:
    return (
        f"(SELECT v.{column} FROM {table_name(PassportVersion)} v "
        "WHERE v.passport_id = p.id AND v.state = %s ORDER BY v.number DESC LIMIT 1)"
    )


def _published_exists() -> str:
    return (
        f"EXISTS (SELECT 1 FROM {table_name(PassportVersion)} v WHERE v.passport_id = p.id AND v.state = %s)"
    )


def _draft_number() -> str:
    return (
        f"(SELECT d.number FROM {table_name(PassportVersion)} d WHERE d.passport_id = p.id AND d.state = %s "
        "LIMIT 1)"
    )


def _utc_iso(column: str) -> str:
    """PostgreSQL text of a timestamp as `DateTimeField.to_representation` gives it in UTC: ISO 8601, the
    microseconds only when there are any, "Z" for UTC (NULL stays NULL)."""
    return (
        f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        f"CASE WHEN to_char({column}, 'US') = '000000' THEN '' ELSE to_char({column}, '.US') END || 'Z'"
    )


class PassportListQuery:
    """The list for one organization and one set of filters: `fetch(offset, limit)` gives a page of rows
    with the total count in one query, `fetch_json` the same page encoded by PostgreSQL, `count()` the
    total alone (for `?page=last`)."""

    def __init__(self, organization: Organization | None, filters: PassportListFilters) -> None:
        self.organization = organization
        self.filters = filters

    # -- the passports listed ---------------------------------------------------------------------------
    def _arms(self) -> list[_Sql]:
        """Disjoint conditions whose union is `Passport.objects.restrict(actor, "view")` (passports.access):
        the caller's own passports; other companies' passports it may read once published (granted, or for
        authorities all); and those under the caller's open review that the second arm does not hold. An
        arm that can hold nothing (no grant of its kind) is left out."""
        organization = self.organization
        published = VersionState.PUBLISHED.value
        grants = _grants(organization)
        others = _Sql("p.organization_id <> %s", (organization.pk,))
        arms = [_Sql("p.organization_id = %s", (organization.pk,))]
        if organization.kind == OrganizationKind.AUTHORITY:
            # Every other company's published passport: a semi-join PostgreSQL runs in one pass for the
            # count, where a scalar subquery would run once per passport.
            readable: _Sql | None = _Sql(_published_exists(), (published,))
        elif (shared := _granted(grants, LEGITIMATE_INTEREST)) is not None:
            # A scalar subquery, not EXISTS: PostgreSQL then filters the few granted rows with an index
            # look-up each, where EXISTS made it hash every published version for a semi-join.
            readable = _Sql(
                f"{_latest_published('number')} IS NOT NULL AND {shared.text}", (published, *shared.params)
            )
        else:
            readable = None
        if readable is not None:
            arms.append(_Sql(f"{others.text} AND {readable.text}", (*others.params, *readable.params)))
        if (reviewed := _granted(grants, CONFIDENTIAL)) is not None:
            text, params = f"{others.text} AND {reviewed.text}", (*others.params, *reviewed.params)
            if readable is not None:
                text, params = f"{text} AND NOT ({readable.text})", (*params, *readable.params)
            arms.append(_Sql(text, params))
        return arms

    def _filtered(self) -> tuple[_Sql, bool]:
        """(" AND <condition>" for each filter and search term, whether they need the battery model joined
        as `m`)."""
        filters = self.filters
        conditions: list[str] = []
        params: list[Any] = []
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
            params += [self.organization.pk, VersionState.DRAFT.value]
        elif filters.state == VersionState.PUBLISHED:
            conditions.append(f"{_latest_published('number')} IS NOT NULL")
            params.append(VersionState.PUBLISHED.value)
        for term in filters.search_terms:
            # What Django's `icontains` does on both backends: case-insensitive LIKE with escaped wildcards.
            pattern = f"%{connection.ops.prep_for_like_query(term)}%"
            conditions.append(
                "(UPPER(p.unique_identifier) LIKE UPPER(%s) ESCAPE '\\' OR UPPER(m.name) LIKE UPPER(%s) "
                "ESCAPE '\\')"
            )
            params += [pattern, pattern]
            joins_model = True
        return _Sql("".join(f" AND {condition}" for condition in conditions), tuple(params)), joins_model

    @functools.cached_property
    def _parts(self) -> tuple[list[_Sql], _Sql, str]:
        """(the arms, the filters' conditions, the FROM clause both need)."""
        filtered, joins_model = self._filtered()
        return self._arms(), filtered, self._from(joins_model)

    def _order_by(self, alias: str) -> str:
        terms = []
        for term in self.filters.ordering:
            descending = term.startswith("-")
            terms.append(f"{alias}.{ORDERING_COLUMNS[term.lstrip('-')]}{' DESC' if descending else ''}")
        # The primary key last: pages stay stable whatever the chosen columns hold.
        last_descending = self.filters.ordering[-1].startswith("-") if self.filters.ordering else True
        return ", ".join([*terms, f"{alias}.id DESC" if last_descending else f"{alias}.id"])

    def _from(self, joins_model: bool) -> str:
        join = f" INNER JOIN {table_name(BatteryModel)} m ON m.id = p.battery_model_id" if joins_model else ""
        return f"{table_name(Passport)} p{join}"

    def _count(self) -> _Sql:
        """The total as one expression: the arms' counts added up (each may use its own index)."""
        arms, filtered, from_ = self._parts
        counts = [f"(SELECT COUNT(*) FROM {from_} WHERE {arm.text}{filtered.text})" for arm in arms]
        params = [value for arm in arms for value in (*arm.params, *filtered.params)]
        return _Sql(" + ".join(counts), tuple(params))

    def _page_ids(self, offset: int, limit: int) -> _Sql:
        """SELECT the ids of one page: each arm ordered and cut at `offset + limit`, then merged."""
        arms, filtered, from_ = self._parts
        sort_columns = {ORDERING_COLUMNS[term.lstrip("-")] for term in self.filters.ordering}
        columns = ", ".join(["p.id", *(f"p.{column}" for column in sorted(sort_columns))])
        # Each arm as a subquery of its own: SQLite allows ORDER BY and LIMIT only there in a UNION.
        selects = [
            f"SELECT * FROM (SELECT {columns} FROM {from_} WHERE {arm.text}{filtered.text} "
            f"ORDER BY {self._order_by('p')} LIMIT %s) arm{n}"
            for n, arm in enumerate(arms)
        ]
        params = [value for arm in arms for value in (*arm.params, *filtered.params, offset + limit)]
        return _Sql(
            f"SELECT u.id FROM ({' UNION ALL '.join(selects)}) u ORDER BY {self._order_by('u')} "
            "LIMIT %s OFFSET %s",
            (*params, limit, offset),
        )

    # -- pages ------------------------------------------------------------------------------------------
    def fetch(self, offset: int, limit: int) -> tuple[list[dict[str, Any]], int | None]:
        """A page of rows (dicts of ROW_KEYS) and the total, or ([], None) past the end."""
        if self.organization is None:
            return [], None
        own = self.organization.pk
        published, draft = VersionState.PUBLISHED.value, VersionState.DRAFT.value
        columns = _Sql(
            "p.public_id, p.unique_identifier, p.status, m.public_id, m.name, m.category, "
            f"{_latest_published('number')}, {_latest_published('published_at')}, "
            f"CASE WHEN p.organization_id = %s THEN {_draft_number()} END, "
            "CASE WHEN p.organization_id = %s THEN 1 ELSE 0 END",
            (published, published, own, draft, own),
        )
        fetched = self._run_page(offset, limit, columns)
        if not fetched:
            return [], None
        convert = _row_converters()
        rows = [
            {key: converter(value) for key, converter, value in zip(ROW_KEYS, convert, row, strict=False)}
            for row in fetched
        ]
        return rows, fetched[0][-1]

    @staticmethod
    def encodes_json() -> bool:
        """Whether `fetch_json` is available: on PostgreSQL, with times shown in UTC (the portal's
        TIME_ZONE), which is how the API renders them."""
        return connection.vendor == "postgresql" and timezone.get_current_timezone_name() == "UTC"

    def fetch_json(self, offset: int, limit: int) -> tuple[list[str], int | None]:
        """A page as JSON texts, one object per row exactly as `PassportListRowOutput` renders it, and the
        total; ([], None) past the end. PostgreSQL only (`encodes_json`)."""
        if self.organization is None:
            return [], None
        own = self.organization.pk
        published, draft = VersionState.PUBLISHED.value, VersionState.DRAFT.value
        # The row's keys in the order of PassportListRowOutput; row_to_json writes compact JSON.
        row = _Sql(
            f" LEFT JOIN LATERAL (SELECT v.number, v.published_at FROM {table_name(PassportVersion)} v "
            "WHERE v.passport_id = p.id AND v.state = %s ORDER BY v.number DESC LIMIT 1) lp ON TRUE "
            "CROSS JOIN LATERAL (SELECT p.public_id AS id, p.unique_identifier, "
            "(SELECT row_to_json(b) FROM (SELECT m.public_id AS id, m.name) b) AS battery_model, "
            "m.category, p.status, lp.number AS latest_published_version, "
            f"{_utc_iso('lp.published_at')} AS latest_published_at, "
            f"CASE WHEN p.organization_id = %s THEN {_draft_number()} END AS draft_version, "
            "p.organization_id = %s AS is_own) r",
            (published, own, draft, own),
        )
        fetched = self._run_page(offset, limit, _Sql("row_to_json(r)::text"), joins=row)
        if not fetched:
            return [], None
        return [text for text, _total in fetched], fetched[0][-1]

    def count(self) -> int:
        if self.organization is None:
            return 0
        count = self._count()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {count.text}", count.params)
            return cursor.fetchone()[0]

    def _run_page(self, offset: int, limit: int, columns: _Sql, joins: _Sql = _Sql("")) -> list[tuple]:
        """The rows of `SELECT <columns>, <total> FROM <page's ids> JOIN passport p JOIN battery model m
        <joins>`, in the list's order."""
        count, page = self._count(), self._page_ids(offset, limit)
        sql = (
            f"SELECT {columns.text}, ({count.text}) FROM ({page.text}) page "
            f"INNER JOIN {table_name(Passport)} p ON p.id = page.id "
            f"INNER JOIN {table_name(BatteryModel)} m ON m.id = p.battery_model_id{joins.text} "
            f"ORDER BY {self._order_by('p')}"
        )
        with hot_cursor() as cursor:
            cursor.execute(sql, [*columns.params, *count.params, *page.params, *joins.params])
            return cursor.fetchall()


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
