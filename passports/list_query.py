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
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.utils import timezone

from portal.cursors import aware_datetime, decode_cursor, encode_cursor
from portal.sql_rows import field_converter, hot_cursor, prepared, table_name
from portal.tenancy.groups import group_name
from portal.tenancy.models import Organization, OrganizationKind
from portal.trigram_search import TrigramIndex, contains

from .access import CONFIDENTIAL, LEGITIMATE_INTEREST
from .models import (
    BatteryModel,
    BatteryModelGroupObjectPermission,
    Passport,
    PassportGroupObjectPermission,
    PassportVersion,
    PublishedPassportCount,
    VersionState,
)

#: Sortable columns of the passport table: public identity facts every lister may see. Each is served by an
#: index in the list's order (with the id last): `passports_org_newest_first` and the unique constraint
#: (organization, unique_identifier) for the caller's own arm, `passports_newest_first` and
#: `passports_by_identifier` (migration 0005) for the arms that span every company.
ORDERING_COLUMNS = {"created_at": "created_at", "unique_identifier": "unique_identifier"}
DEFAULT_ORDERING = ("-created_at",)

#: The trigram index of `UPPER(unique_identifier)` (migration 0005) that serves the search.
IDENTIFIER_INDEX = TrigramIndex("passports_identifier_trgm")

#: Up to this many rows per arm the total is counted exactly (reading at most this many index entries);
#: beyond it the total is PostgreSQL's planner estimate, and said to be one. An authority's list spans every
#: published passport: counting them all grew with the database (0.3-0.5 s at one million); that arm is now
#: summed from the counts PostgreSQL keeps per company (`_kept_arm`), exact at any size.
EXACT_COUNT_LIMIT = 1_000

#: The place of an authority's arm of every other company's published passports among `_arms()` (after the
#: caller's own passports).
AUTHORITY_ARM = 1

#: A search term's matching battery models are passed to the list's SQL as ids up to this many; beyond, as a
#: subquery (see `_filtered`).
MODEL_IDS_LIMIT = 1_000
#: A search with a term matching more than `MODEL_IDS_LIMIT` models whose matches PostgreSQL estimates above
#: this many is not counted at all: its total is the estimate (see `_run_page`).
BROAD_SEARCH_ESTIMATE = 10 * EXACT_COUNT_LIMIT
#: A list of at most this many companies (a manufacturer, a country) reads each company's first rows from
#: its own index and merges them (see `_page_ids`); more, and the walk down the list's order finds theirs.
COMPANY_PAGES_LIMIT = 100
#: A search arm with more matches than it counts first looks for its page among this many passports down
#: the list's order (see `_walks`): about 30 ms when nothing is found there.
SEARCH_WALK_LIMIT = 100_000
#: A search arm reads its first this many matches (and one more) in the table's order (see `_matches`). When
#: there are more and they lie in more than `SEARCH_CLUSTERED_BLOCKS` table pages, the matches are spread
#: over the table and counting on to `EXACT_COUNT_LIMIT` would read a page for nearly each one (1,000 pages
#: and 2,000 index pages for a number every company uses: 13 ms when they are not in PostgreSQL's buffers):
#: the total is then estimated. Clustered matches (one company's identifiers) are counted on to the limit.
SEARCH_FIRST_MATCHES = 100
SEARCH_CLUSTERED_BLOCKS = 25
#: Before an authority's search reads its matches through the trigram index, its arm of every other
#: company's passports counts its matches among the newest `SEARCH_PROBE_ROWS` passports (the newest-first
#: index alone: 0.7 ms for a number, 2.5 for a term with letters, which `UPPER()` each row). From
#: `SEARCH_PROBE_MIN` matches up to `SEARCH_PROBE_MAX_SHARE` of those passports, the matches are frequent and
#: spread: the total is estimated from that share, and the index is not read at all (3.5 ms of index and
#: 100 table pages for a number every company uses, at ten million). Fewer (a rare term), or more (the
#: newest passports of one import, say), and the index is read and its matches counted as above.
SEARCH_PROBE_ROWS = 5_000
SEARCH_PROBE_MIN = 3
SEARCH_PROBE_MAX_SHARE = 0.05


@dataclass(frozen=True)
class PassportListFilters:
    """Validated list parameters (see `passports.api.filters.passport_list_filters`)."""

    category: str = ""
    status: str = ""
    battery_model: UUID | None = None
    state: str = ""  # "draft": own passports with an open draft; "published": with a published version
    search_terms: tuple[str, ...] = ()  # each must match the unique identifier or the model name
    manufacturer: str = ""  # the BPNL of the company that placed the passports (canonical, upper case)
    country: str = ""  # that company's country (ISO 3166-1 alpha-2)
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
class ListKey:
    """A position in the list for keyset (cursor) pagination: the sort columns' values and the id of one
    row. The next page is the rows after it in the list's order (before it when `backwards`), read from an
    index that starts right there, so a page far down costs what the first page costs. `number` is the page
    number the cursor leads to, for display only ("page 3 of about 40,000")."""

    ordering: tuple[str, ...]
    values: tuple[Any, ...]  # one per term of `ordering`: a datetime (created_at) or a str
    pk: int
    backwards: bool = False
    number: int = 0

    def encode(self) -> str:
        return encode_cursor(self.ordering, self.values, self.pk, self.backwards, self.number)

    @classmethod
    def decode(cls, text: str, ordering: tuple[str, ...]) -> ListKey:
        """The key of a cursor made for `ordering`; ValueError for anything else (portal.cursors)."""
        values, pk, backwards, number = decode_cursor(text, tuple(ordering))
        parsed = [
            aware_datetime(value) if ORDERING_COLUMNS[term.lstrip("-")] == "created_at" else value
            for term, value in zip(ordering, values, strict=True)
        ]
        return cls(ordering=tuple(ordering), values=tuple(parsed), pk=pk, backwards=backwards, number=number)


@dataclass(frozen=True)
class ListPage:
    """One page: its rows (dicts of ROW_KEYS, JSON texts or primary keys), the total (exact, or the
    planner's estimate when `estimated`), whether pages exist before and after it, and the cursors that
    lead there."""

    rows: list[Any]
    total: int
    estimated: bool
    has_previous: bool
    has_next: bool
    previous_key: ListKey | None
    next_key: ListKey | None
    number: int = 1  # the page's number: from the offset, or carried by the cursor (display only)


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


_MODELS_NAMED_LIKE = "SELECT id FROM {models} WHERE UPPER(name) LIKE UPPER(%s) ESCAPE '\\'"


def _models_named_like(pattern: str, limit: int) -> list[int]:
    """Ids of the battery models whose name matches `pattern` (case-insensitive LIKE), any organization's,
    up to `limit` of them: only a filter on passports the arms already scope, never listed themselves."""
    sql = _MODELS_NAMED_LIKE.format(models=table_name(BatteryModel)) + " LIMIT %s"
    with hot_cursor() as cursor:
        cursor.execute(sql, [pattern, limit])
        return [row[0] for row in cursor.fetchall()]


def _company_facts(bpnl: str, country: str, alias: str) -> _Sql:
    """The organization `alias` has this BPNL and/or is in this country (at least one of them given)."""
    facts = [
        *([(f"{alias}.bpnl = %s", bpnl)] if bpnl else []),
        *([(f"{alias}.country = %s", country)] if country else []),
    ]
    return _Sql(" AND ".join(text for text, _value in facts), tuple(value for _text, value in facts))


def _companies(bpnl: str, country: str, limit: int) -> list[int]:
    """Ids of the organizations with this BPNL and/or in this country, up to `limit` of them: only a filter
    on passports the arms already scope (who placed a battery on the market is public passport data)."""
    facts = _company_facts(bpnl, country, "o")
    sql = f"SELECT o.id FROM {table_name(Organization)} o WHERE {facts.text} LIMIT %s"
    with hot_cursor() as cursor:
        cursor.execute(sql, [*facts.params, limit])
        return [row[0] for row in cursor.fetchall()]


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
        self._models_by_pattern: dict[str, list[int]] = {}

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
        if readable is not None:  # for an authority, at AUTHORITY_ARM: its count is kept (`_kept_arm`)
            arms.append(_Sql(f"{others.text} AND {readable.text}", (*others.params, *readable.params)))
        if (reviewed := _granted(grants, CONFIDENTIAL)) is not None:
            text, params = f"{others.text} AND {reviewed.text}", (*others.params, *reviewed.params)
            if readable is not None:
                text, params = f"{text} AND NOT ({readable.text})", (*params, *readable.params)
            arms.append(_Sql(text, params))
        return arms

    @functools.cached_property
    def _filtered(self) -> tuple[_Sql, bool, bool]:
        """(" AND <condition>" for each filter and search term, whether they need the battery model joined
        as `m`, whether a search term matches more than `MODEL_IDS_LIMIT` battery models)."""
        return self._conditions(indexed=True)

    @functools.cached_property
    def _company_ids(self) -> list[int]:
        """The organizations the manufacturer and country filters name, up to `MODEL_IDS_LIMIT` + 1."""
        filters = self.filters
        if not (filters.manufacturer or filters.country):
            return []
        return _companies(filters.manufacturer, filters.country, MODEL_IDS_LIMIT + 1)

    def _models_named(self, pattern: str) -> list[int]:
        """A search term's matching battery models (`_models_named_like`), read once for the indexed
        conditions and the walk's."""
        if pattern not in self._models_by_pattern:
            self._models_by_pattern[pattern] = _models_named_like(pattern, MODEL_IDS_LIMIT + 1)
        return self._models_by_pattern[pattern]

    def _by_company(self) -> bool:
        """Whether each arm's page is read company by company (`_page_ids`): a manufacturer or a country of
        up to `COMPANY_PAGES_LIMIT` companies, on PostgreSQL."""
        ids = self._company_ids
        return connection.vendor == "postgresql" and 0 < len(ids) <= COMPANY_PAGES_LIMIT

    @functools.cached_property
    def _kept_arm(self) -> int | None:
        """The arm whose count PostgreSQL keeps (passports.published_counts), when there is one: an
        authority's arm of every other company's published passports, narrowed by nothing but the
        manufacturer and country filters (which name whole companies). Its total is then exact at any size."""
        filters = self.filters
        narrowed = filters.search_terms or filters.category or filters.status or filters.battery_model
        if (
            connection.vendor != "postgresql"
            or self.organization.kind != OrganizationKind.AUTHORITY
            or narrowed
            or filters.state not in ("", VersionState.PUBLISHED)
        ):
            return None
        return AUTHORITY_ARM

    def _kept_count(self) -> _Sql:
        """The kept arm's count: the published passports of every company but the caller's, or of the
        companies the filters name."""
        counts = f"SELECT COALESCE(SUM(c.passports), 0)::bigint FROM {table_name(PublishedPassportCount)} c"
        others = _Sql("c.organization_id <> %s", (self.organization.pk,))
        filters = self.filters
        if not (filters.manufacturer or filters.country):
            named = _Sql("TRUE")
        elif len(self._company_ids) > MODEL_IDS_LIMIT:
            facts = _company_facts(filters.manufacturer, filters.country, "o")
            named = _Sql(
                f"c.organization_id IN (SELECT o.id FROM {table_name(Organization)} o WHERE {facts.text})",
                facts.params,
            )
        else:
            named = _any("c.organization_id", self._company_ids)
        return _Sql(f"({counts} WHERE {others.text} AND {named.text})", (*others.params, *named.params))

    @functools.cached_property
    def _walk_filtered(self) -> _Sql:
        """The same conditions for rows read down the list's order (`_walks`): identifier terms checked
        without the trigram index's fragments."""
        return self._conditions(indexed=False)[0]

    @functools.cached_property
    def _probe_filtered(self) -> _Sql:
        """The conditions for the newest passports a search probes (`_matches`): identifier terms found in
        upper or lower case (`trigram_search.contains(sampled=True)`), good enough to tell how common a term
        is; the rows listed are always checked by `_walk_filtered` or the index's conditions."""
        return self._conditions(indexed=False, sampled=True)[0]

    def _conditions(self, *, indexed: bool, sampled: bool = False) -> tuple[_Sql, bool, bool]:
        filters = self.filters
        conditions: list[str] = []
        params: list[Any] = []
        joins_model = many_models = False
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
        if filters.manufacturer or filters.country:
            # The companies' ids read first (one small query on the organization table), as the models' are
            # for a search: a company's passports then come from its own index in the list's order.
            companies = self._company_ids
            if len(companies) > MODEL_IDS_LIMIT:
                # A country of many companies: so many passports are theirs that the walk down the list's
                # order finds a page at once, each walked passport's company looked up by its primary key.
                facts = _company_facts(filters.manufacturer, filters.country, "o")
                conditions.append(
                    f"(SELECT {facts.text} FROM {table_name(Organization)} o WHERE o.id = p.organization_id)"
                )
                params += facts.params
            elif companies:
                by_company = _any("p.organization_id", companies)
                conditions.append(by_company.text)
                params += by_company.params
            else:
                conditions.append("1 = 0")
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
            # The model name through the matching models' ids, read first (one small query on the model
            # table) and passed as a parameter, as the grants are: each side of the OR then has an index of
            # its own (the trigram index on UPPER(unique_identifier), migration 0005, and the battery model
            # foreign key) and PostgreSQL estimates the matches from statistics. Written as a subquery, it
            # assumed half of all passports match and walked the whole table to count 462 of them.
            pattern = f"%{connection.ops.prep_for_like_query(term)}%"
            # The index is asked only for the term's uncommon parts (`portal.trigram_search`).
            identifier, identifier_params = contains(
                "p.unique_identifier", term, IDENTIFIER_INDEX, indexed=indexed, sampled=sampled
            )
            models = self._models_named(pattern)
            if len(models) > MODEL_IDS_LIMIT:
                many_models = True
                # A term most models match ("bench" matched all 30,000 models at ten million passports):
                # their ids made the statement 0.9 MB long (83 ms of planning, 3.3 s a page under load).
                # Then so many passports match that the walk down the list's order finds a page at once,
                # and each passport walked has its own model's name checked (one primary key look-up).
                # Not `IN (SELECT ...)`: PostgreSQL hashed every matching model first, reading the whole
                # model table with UPPER() for each term and each arm (11 ms each; 73 ms a page).
                by_model = _Sql(
                    f"(SELECT UPPER(pm.name) LIKE UPPER(%s) ESCAPE '\\' FROM {table_name(BatteryModel)} pm "
                    "WHERE pm.id = p.battery_model_id)",
                    (pattern,),
                )
                conditions.append(f"({identifier} OR {by_model.text})")
                params += [*identifier_params, *by_model.params]
            elif models:
                by_model = _any("p.battery_model_id", models)
                conditions.append(f"({identifier} OR {by_model.text})")
                params += [*identifier_params, *by_model.params]
            else:
                conditions.append(identifier)
                params += identifier_params
        where = _Sql("".join(f" AND {condition}" for condition in conditions), tuple(params))
        return where, joins_model, many_models

    @functools.cached_property
    def _parts(self) -> tuple[list[_Sql], _Sql, str]:
        """(the arms, the filters' conditions, the FROM clause both need)."""
        filtered, joins_model, _many_models = self._filtered
        return self._arms(), filtered, self._from(joins_model)

    def _terms(self) -> list[tuple[str, bool]]:
        """(column, descending) of the list's order, the primary key last: pages stay stable whatever the
        chosen columns hold."""
        terms = [(ORDERING_COLUMNS[term.lstrip("-")], term.startswith("-")) for term in self.filters.ordering]
        last_descending = self.filters.ordering[-1].startswith("-") if self.filters.ordering else True
        return [*terms, ("id", last_descending)]

    def _order_by(self, alias: str, reverse: bool = False) -> str:
        return ", ".join(
            f"{alias}.{column}{' DESC' if descending != reverse else ''}"
            for column, descending in self._terms()
        )

    def _after(self, key: ListKey) -> _Sql:
        """Rows strictly after `key` in the order read (the list's, reversed when `key.backwards`). When all
        terms run one way this is one row comparison, which PostgreSQL turns into the start of an index
        scan; mixed directions are spelt out, with a bound on the first column for the index to start at."""
        terms = self._terms()
        values = [
            *(
                prepared(Passport, column, value)
                for (column, _d), value in zip(terms, key.values, strict=False)
            ),
            key.pk,
        ]
        later = ["<" if descending != key.backwards else ">" for _column, descending in terms]
        columns = [f"p.{column}" for column, _descending in terms]
        if len(set(later)) == 1:
            placeholders = ", ".join(["%s"] * len(values))
            return _Sql(f"({', '.join(columns)}) {later[0]} ({placeholders})", tuple(values))
        branches, params = [], []
        for n, column in enumerate(columns):
            equal = [f"{columns[m]} = %s" for m in range(n)]
            branches.append("(" + " AND ".join([*equal, f"{column} {later[n]} %s"]) + ")")
            params += [*values[:n], values[n]]
        bound = f"{columns[0]} {later[0]}= %s"
        return _Sql(f"{bound} AND ({' OR '.join(branches)})", (values[0], *params))

    def _from(self, joins_model: bool) -> str:
        join = f" INNER JOIN {table_name(BatteryModel)} m ON m.id = p.battery_model_id" if joins_model else ""
        return f"{table_name(Passport)} p{join}"

    def _arm_counts(self, cap: int | None) -> list[_Sql]:
        """Each arm's count as an expression: the kept arm's summed from the counts PostgreSQL keeps
        (`_kept_count`), the others counted, reading at most `cap` rows when given."""
        arms, filtered, from_ = self._parts
        counts = []
        for n, arm in enumerate(arms):
            if n == self._kept_arm:
                counts.append(self._kept_count())
            elif cap is None:
                counts.append(
                    _Sql(
                        f"(SELECT COUNT(*) FROM {from_} WHERE {arm.text}{filtered.text})",
                        (*arm.params, *filtered.params),
                    )
                )
            else:
                counts.append(
                    _Sql(
                        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {from_} WHERE {arm.text}{filtered.text} "
                        f"LIMIT %s) c{n})",
                        (*arm.params, *filtered.params, cap),
                    )
                )
        return counts

    def _count(self) -> _Sql:
        """The exact total as one expression: the arms' counts added up (each may use its own index)."""
        counts = self._arm_counts(None)
        return _Sql(" + ".join(c.text for c in counts), tuple(p for c in counts for p in c.params))

    def _capped_counts(self) -> _Sql:
        """Each arm's count as a column of its own, read up to `EXACT_COUNT_LIMIT + 1` rows: an arm at the
        cap has more rows than are worth counting, and the total becomes an estimate (the kept arm's count
        is exact at any size)."""
        counts = self._arm_counts(EXACT_COUNT_LIMIT + 1)
        return _Sql(", ".join(c.text for c in counts), tuple(p for c in counts for p in c.params))

    def _matches(self) -> tuple[_Sql, _Sql]:
        """(WITH clause, each arm's count, whether it is complete and its estimate) for a search: each arm's
        matches read once, for its count and, when they are all there, its page. A search finds its matches
        through the trigram index, whose scan is most of the request's time (6 ms of 18 for one company's
        1,000 passports among ten million); the count and the page each scanned it.

        First `probe<n>` (the `_probed_arm` only): the arm's matches among the newest `SEARCH_PROBE_ROWS`
        passports. When they are frequent and spread (`SEARCH_PROBE_MIN`, `SEARCH_PROBE_MAX_SHARE`), the
        arm's total is estimated from their share of the table and its page comes from the walk down the
        list's order (`_walks`): the trigram index is not read.

        Otherwise the arm's matches (`candidates<n>`, up to `EXACT_COUNT_LIMIT` + 1) are read as far as they
        are asked for: first `SEARCH_FIRST_MATCHES` + 1 of them, in the table's order; when there are more
        and they lie in at most `SEARCH_CLUSTERED_BLOCKS` table pages, on to the limit (`matches<n>`).
        `counted<n>` holds how many were read and whether that is all of them. One scan of the trigram index
        serves both reads, planned for the larger limit: planned for the smaller, PostgreSQL chose to scan
        the whole table for a term it overestimated (29 ms at ten million)."""
        arms, filtered, from_ = self._parts
        probe_filtered = self._probe_filtered
        first, blocks = SEARCH_FIRST_MATCHES, SEARCH_CLUSTERED_BLOCKS
        passports = table_name(Passport)
        ctes, params = [], []
        probe = SEARCH_PROBE_ROWS
        for n, arm in enumerate(arms):
            sparse = f"(SELECT sparse FROM probe{n})"
            if n == self._probed_arm:
                # The term's conditions before the arm's in FILTER, which PostgreSQL evaluates in order: the
                # arm's conditions probe the version table, the term's are a string search on the row.
                ctes.append(
                    f"probe{n} AS MATERIALIZED (SELECT walked = %s AND found BETWEEN %s AND %s AS sparse, "
                    f"found * GREATEST(walked, (SELECT reltuples FROM pg_class WHERE oid = "
                    f"'{passports}'::regclass)) / GREATEST(walked, 1) AS estimate FROM (SELECT COUNT(*) AS "
                    f"walked, COUNT(*) FILTER (WHERE TRUE{probe_filtered.text} AND {arm.text}) AS found FROM "
                    f"(SELECT * FROM {passports} p ORDER BY p.created_at DESC, p.id DESC LIMIT %s) p"
                    f"{self._walk_join()}) w)"
                )
                params += [probe, SEARCH_PROBE_MIN, int(probe * SEARCH_PROBE_MAX_SHARE)]
                params += [*probe_filtered.params, *arm.params, probe]
            else:
                ctes.append(f"probe{n} AS (SELECT FALSE AS sparse, NULL::float AS estimate)")
            ctes += [
                f"candidates{n} AS MATERIALIZED (SELECT p.id, p.created_at, p.unique_identifier, "
                f"(p.ctid::text::point)[0] AS block FROM {from_} WHERE NOT {sparse} AND {arm.text}"
                f"{filtered.text} LIMIT %s)",
                f"shape{n} AS MATERIALIZED (SELECT COUNT(*) AS found, COUNT(DISTINCT block) AS blocks "
                f"FROM (SELECT block FROM candidates{n} LIMIT %s) f)",
                f"matches{n} AS MATERIALIZED (SELECT id, created_at, unique_identifier FROM candidates{n} "
                f"LIMIT (SELECT CASE WHEN found > %s AND blocks > %s THEN %s ELSE %s END FROM shape{n}))",
                f"counted{n} AS MATERIALIZED (SELECT COUNT(*) AS found, NOT {sparse} AND COUNT(*) <= (SELECT "
                f"CASE WHEN blocks <= %s THEN %s ELSE %s END FROM shape{n}) AS complete FROM matches{n})",
            ]
            params += [*arm.params, *filtered.params, EXACT_COUNT_LIMIT + 1, first + 1]
            params += [first, blocks, first + 1, EXACT_COUNT_LIMIT + 1, blocks, EXACT_COUNT_LIMIT, first]
        counts = ", ".join(
            f"(SELECT found FROM counted{n}), (SELECT complete FROM counted{n}), "
            f"(SELECT CASE WHEN sparse THEN estimate END FROM probe{n})::bigint"
            for n in range(len(arms))
        )
        return _Sql(f"WITH {', '.join(ctes)} ", tuple(params)), _Sql(counts)

    @property
    def _probed_arm(self) -> int | None:
        """The arm a search probes first (`_matches`): an authority's arm of every other company's passports,
        the one arm whose matches a term every company uses spreads over the whole table."""
        return AUTHORITY_ARM if self.organization.kind == OrganizationKind.AUTHORITY else None

    def _walk_join(self) -> str:
        """The battery model joined to the passports walked down the list's order, when a filter needs it."""
        _conditions, joins_model, _many_models = self._filtered
        return f" INNER JOIN {table_name(BatteryModel)} m ON m.id = p.battery_model_id" if joins_model else ""

    @functools.cached_property
    def _estimate(self) -> int | None:
        """PostgreSQL's estimate of the total (the planner's row count for the arms' union, from its
        statistics: no row is read); None elsewhere."""
        if connection.vendor != "postgresql":
            return None
        arms, filtered, from_ = self._parts
        selects = [f"SELECT 1 FROM {from_} WHERE {arm.text}{filtered.text}" for arm in arms]
        params = [value for arm in arms for value in (*arm.params, *filtered.params)]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {' UNION ALL '.join(selects)}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])

    def total(self) -> tuple[int, bool]:
        """(the total, whether it is an estimate): exact up to `EXACT_COUNT_LIMIT` rows per arm."""
        if self.organization is None:
            return 0, False
        counts = self._capped_counts()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {counts.text}", counts.params)
            return self._total(cursor.fetchone())

    def _total(
        self,
        counts: tuple[int | None, ...],
        complete: tuple[bool, ...] | None = None,
        estimates: tuple[int | None, ...] | None = None,
    ) -> tuple[int, bool]:
        """The total from the arms' capped counts: exact when none reached the cap (or, for a search's arms,
        each says it is `complete`), else an estimate (never below the rows already seen): the arms' own
        (a search's frequent terms, `_matches`) when every incomplete arm has one, else PostgreSQL's. A
        broad search's arms are not counted (None): the estimate."""
        if None in counts:
            return self._estimate, True
        at_least = sum(counts)
        if complete is None:
            complete = tuple(count <= EXACT_COUNT_LIMIT for count in counts)
        if estimates is None:
            estimates = (None,) * len(counts)
        incomplete = [n for n, done in enumerate(complete) if not done and n != self._kept_arm]
        if not incomplete:
            return at_least, False
        if all(estimates[n] is not None for n in incomplete):
            return sum(max(count, estimates[n] or 0) for n, count in enumerate(counts)), True
        estimate = self._estimate
        if estimate is None:  # SQLite (`make run`): no planner estimate, and its lists are small
            return self.count(), False
        return max(estimate, at_least), True

    def _page_ids(
        self, offset: int, limit: int, key: ListKey | None = None, *, read_once: bool = False
    ) -> _Sql:
        """SELECT the ids of one page and one row more (is there another page?): each arm ordered, started
        after `key` when given and cut at `offset + limit + 1`, then merged. Read backwards (towards the
        start of the list) when `key.backwards`. `read_once`: each arm's page comes from its matches
        (`_matches`) when they are all there (at most `EXACT_COUNT_LIMIT`), else from its walk (`_walks`)
        when that found the whole page, else from the table."""
        arms, filtered, from_ = self._parts
        reverse, after, where_after, order, cut = self._reading(offset, limit, key)
        columns = self._id_columns()
        # Each arm as a subquery of its own: SQLite allows ORDER BY and LIMIT only there in a UNION.
        selects, params = [], []
        for n, arm in enumerate(arms):
            all_there = ""
            if read_once:
                # PostgreSQL runs the branch whose condition on a count is false not at all (a one-time
                # filter on the materialised matches or walk).
                complete, walked = f"(SELECT complete FROM counted{n})", f"(SELECT COUNT(*) FROM walk{n})"
                selects.append(
                    f"SELECT * FROM (SELECT {columns} FROM matches{n} p WHERE {complete}{where_after} "
                    f"ORDER BY {order} LIMIT %s) read{n}"
                )
                selects.append(
                    f"SELECT * FROM (SELECT {columns} FROM walk{n} p WHERE {walked} = %s "
                    f"ORDER BY {order} LIMIT %s) walked{n}"
                )
                params += [*after.params, cut, cut, cut]
                all_there = f" AND NOT {complete} AND {walked} < %s"
            if not read_once and self._by_company():
                # Each company's first rows from its own index (organization, created_at, id), merged: the
                # walk down the whole list's order met a hundredth's companies only after 100 ms.
                selects.append(
                    f"SELECT * FROM (SELECT {columns} FROM unnest(%s::bigint[]) AS c(organization_id) "
                    f"CROSS JOIN LATERAL (SELECT {columns} FROM {from_} WHERE {arm.text}{filtered.text}"
                    f"{where_after} AND p.organization_id = c.organization_id ORDER BY {order} LIMIT %s) p "
                    f"ORDER BY {order} LIMIT %s) arm{n}"
                )
                params.append(self._company_ids)
            else:
                selects.append(
                    f"SELECT * FROM (SELECT {columns} FROM {from_} WHERE {arm.text}{filtered.text}"
                    f"{where_after}{all_there} ORDER BY {order} LIMIT %s) arm{n}"
                )
            params += [
                *arm.params,
                *filtered.params,
                *after.params,
                *([cut] if read_once else []),
                cut,
                *([cut] if not read_once and self._by_company() else []),
            ]
        return _Sql(
            f"SELECT u.id FROM ({' UNION ALL '.join(selects)}) u ORDER BY {self._order_by('u', reverse)} "
            "LIMIT %s OFFSET %s",
            (*params, limit + 1, offset),
        )

    def _reading(self, offset: int, limit: int, key: ListKey | None) -> tuple[bool, _Sql, str, str, int]:
        """How an arm is read for a page: (backwards, the condition after `key`, that condition as
        " AND ..." or "", the ORDER BY in the direction read, the rows each arm reads: the page, those
        before it, and one more to tell whether another page follows)."""
        reverse = key is not None and key.backwards
        after = self._after(key) if key is not None else _Sql("")
        where_after = f" AND {after.text}" if key is not None else ""
        return reverse, after, where_after, self._order_by("p", reverse), offset + limit + 1

    def _id_columns(self) -> str:
        """The columns an arm's page is merged by: the id and the sort columns."""
        sort_columns = {ORDERING_COLUMNS[term.lstrip("-")] for term in self.filters.ordering}
        return ", ".join(["p.id", *(f"p.{column}" for column in sorted(sort_columns))])

    def _walks(self, offset: int, limit: int, key: ListKey | None) -> _Sql:
        """A search's WITH clauses `walk<n>`: for each arm whose matches were not all read (`_matches`), its
        first `offset + limit + 1` matches found by walking at most `SEARCH_WALK_LIMIT` passports down the
        list's order (after `key`). When the walk finds them all they are the arm's page, read in a few
        milliseconds where sorting every match costs a visit to each (10,000 for a number every company
        uses: 115 ms at ten million passports). When it does not (fewer, or rarer, matches), the page comes
        from the table as before (`_page_ids`)."""
        arms, walk_filtered = self._parts[0], self._walk_filtered
        _reverse, after, _where_after, order, cut = self._reading(offset, limit, key)
        join = self._walk_join()
        walked_after = f" WHERE {after.text}" if key is not None else ""
        ctes, params = [], []
        for n, arm in enumerate(arms):
            # Whether the arm's count is complete is asked outside the walked rows: PostgreSQL checks it
            # once, and each of 50,000 rows passes one plan node less. The walk reads the index alone
            # (migration 0012: it carries the columns checked here).
            ctes.append(
                f"walk{n} AS MATERIALIZED (SELECT {self._id_columns()} FROM (SELECT * FROM "
                f"{table_name(Passport)} p{walked_after} ORDER BY {order} "
                f"LIMIT %s) p{join} WHERE NOT (SELECT complete FROM counted{n}) AND {arm.text}"
                f"{walk_filtered.text} ORDER BY {order} LIMIT %s)"
            )
            params += [*after.params, SEARCH_WALK_LIMIT]
            params += [*arm.params, *walk_filtered.params, cut]
        return _Sql(", ".join(ctes), tuple(params))

    # -- pages ------------------------------------------------------------------------------------------
    def _row_columns(self) -> _Sql:
        own = self.organization.pk
        published, draft = VersionState.PUBLISHED.value, VersionState.DRAFT.value
        return _Sql(
            "p.public_id, p.unique_identifier, p.status, m.public_id, m.name, m.category, "
            f"{_latest_published('number')}, {_latest_published('published_at')}, "
            f"CASE WHEN p.organization_id = %s THEN {_draft_number()} END, "
            "CASE WHEN p.organization_id = %s THEN 1 ELSE 0 END",
            (published, published, own, draft, own),
        )

    def _json_joins(self) -> _Sql:
        own = self.organization.pk
        published, draft = VersionState.PUBLISHED.value, VersionState.DRAFT.value
        # The row's keys in the order of PassportListRowOutput; row_to_json writes compact JSON.
        return _Sql(
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

    def page(
        self,
        limit: int,
        *,
        offset: int = 0,
        key: ListKey | None = None,
        render: Literal["rows", "json", "ids"] = "rows",
    ) -> ListPage | None:
        """A page of `limit` rows: from `offset` (page numbers; each arm reads `offset + limit` index entries)
        or right after `key` (a cursor: as fast at any depth). Rows are dicts of ROW_KEYS (`render="rows"`),
        JSON texts as `PassportListRowOutput` renders them ("json", PostgreSQL only: `encodes_json`) or
        primary keys ("ids"). None when an offset page is past the end; a cursor page past the end is empty.
        The total comes with the page (one query) unless it has to be estimated (then one EXPLAIN more)."""
        if self.organization is None:
            return None
        if render == "json":
            columns, joins = _Sql("row_to_json(r)::text"), self._json_joins()
        elif render == "ids":
            columns, joins = _Sql("p.id"), _Sql("")
        else:
            columns, joins = self._row_columns(), _Sql("")
        fetched, tail = self._run_page(offset, limit, columns, joins, key)
        if not fetched:
            if key is None:
                return None
            total, estimated = self.total()
            return ListPage([], total, estimated, not key.backwards, key.backwards, None, None, key.number)
        counted = fetched[0][-tail:]
        if tail == len(self._parts[0]):
            total, estimated = self._total(counted)
        else:  # a search's arms: each one's count, whether that is all of its matches, its own estimate
            total, estimated = self._total(counted[0::3], counted[1::3], counted[2::3])
        reverse = key is not None and key.backwards
        more = len(fetched) > limit
        number = key.number if key is not None else offset // limit + 1
        if estimated and not reverse:  # never fewer than the rows already passed (an estimate from a sample)
            total = max(total, (number - 1) * limit + len(fetched))
        if more:  # the row that tells another page follows, in the direction read
            fetched = fetched[1:] if reverse else fetched[:limit]
        width = len(fetched[0]) - tail - 3  # the row's own columns; then id, created_at, identifier; counts

        def key_of(row: tuple, backwards: bool, to: int) -> ListKey:
            pk, created_at, identifier = row[width : width + 3]
            facts = {"created_at": _created_at(created_at), "unique_identifier": identifier}
            ordering = self.filters.ordering
            values = tuple(facts[ORDERING_COLUMNS[term.lstrip("-")]] for term in ordering)
            return ListKey(ordering=ordering, values=values, pk=pk, backwards=backwards, number=max(1, to))

        has_previous = more if reverse else (offset > 0 or key is not None)
        has_next = True if reverse else more
        if render == "rows":
            convert = _row_converters()
            rows = [
                {
                    name: converter(value)
                    for name, converter, value in zip(ROW_KEYS, convert, row, strict=False)
                }
                for row in fetched
            ]
        else:
            rows = [row[0] for row in fetched]
        return ListPage(
            rows=rows,
            total=total,
            estimated=estimated,
            has_previous=has_previous,
            has_next=has_next,
            previous_key=key_of(fetched[0], True, number - 1) if has_previous else None,
            next_key=key_of(fetched[-1], False, number + 1) if has_next else None,
            number=number,
        )

    def fetch(self, offset: int, limit: int) -> tuple[list[dict[str, Any]], int | None]:
        """A page of rows (dicts of ROW_KEYS) and the total, or ([], None) past the end."""
        found = self.page(limit, offset=offset)
        return ([], None) if found is None else (found.rows, found.total)

    @staticmethod
    def encodes_json() -> bool:
        """Whether `fetch_json` is available: on PostgreSQL, with times shown in UTC (the portal's
        TIME_ZONE), which is how the API renders them."""
        return connection.vendor == "postgresql" and timezone.get_current_timezone_name() == "UTC"

    def fetch_json(self, offset: int, limit: int) -> tuple[list[str], int | None]:
        """A page as JSON texts, one object per row exactly as `PassportListRowOutput` renders it, and the
        total; ([], None) past the end. PostgreSQL only (`encodes_json`)."""
        found = self.page(limit, offset=offset, render="json")
        return ([], None) if found is None else (found.rows, found.total)

    def count(self) -> int:
        """The exact total, however many rows (`?page=last` needs it): grows with the rows listed."""
        if self.organization is None:
            return 0
        count = self._count()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {count.text}", count.params)
            return cursor.fetchone()[0]

    def _broad(self) -> bool:
        """Whether a search matches so many passports that counting even `EXACT_COUNT_LIMIT` of them is
        waste: a term matches more than `MODEL_IDS_LIMIT` battery models and PostgreSQL estimates more than
        `BROAD_SEARCH_ESTIMATE` matches. Reading the first thousand matches cost 15 ms of a 17 ms page for
        `bench module` at ten million passports (each passport checked against its model's name), where
        the page alone, walked down the list's order, takes 1.4."""
        _conditions, _joins_model, many_models = self._filtered
        return many_models and (self._estimate or 0) > BROAD_SEARCH_ESTIMATE

    def _run_page(
        self, offset: int, limit: int, columns: _Sql, joins: _Sql, key: ListKey | None
    ) -> tuple[list[tuple], int]:
        """The rows of `SELECT <columns>, <key columns>, <counts> FROM <page's ids> JOIN passport p JOIN
        battery model m <joins>`, in the list's order, and how many count columns end each row (one per arm,
        or three for a search's: `_matches`)."""
        tail = len(self._parts[0])
        if self.filters.search_terms and connection.vendor == "postgresql" and self._broad():
            uncounted = ", ".join(["NULL"] * len(self._parts[0]))
            with_, counts, page = _Sql(""), _Sql(uncounted), self._page_ids(offset, limit, key)
        elif self.filters.search_terms and connection.vendor == "postgresql":
            matches, counts = self._matches()
            walks = self._walks(offset, limit, key)
            with_ = _Sql(f"{matches.text}, {walks.text} ", (*matches.params, *walks.params))
            page = self._page_ids(offset, limit, key, read_once=True)
            tail *= 3
        else:
            with_, counts, page = _Sql(""), self._capped_counts(), self._page_ids(offset, limit, key)
        sql = (
            f"{with_.text}SELECT {columns.text}, p.id, p.created_at, p.unique_identifier, {counts.text} "
            f"FROM ({page.text}) page INNER JOIN {table_name(Passport)} p ON p.id = page.id "
            f"INNER JOIN {table_name(BatteryModel)} m ON m.id = p.battery_model_id{joins.text} "
            f"ORDER BY {self._order_by('p')}"
        )
        # A search, or a list of some companies, is planned for its own values: how many passports a term
        # or those companies have (an index scan of a few rows, or a walk down the list's order when most
        # match) is what decides the plan, and a prepared statement's generic plan cannot see it (1.5 s
        # instead of 10 ms for a term matching two thirds of 462,000 passports). Other lists keep the
        # prepared statement.
        filters = self.filters
        planned_per_values = filters.search_terms or filters.manufacturer or filters.country
        with connection.cursor() if planned_per_values else hot_cursor() as cursor:
            cursor.execute(sql, [*with_.params, *columns.params, *counts.params, *page.params, *joins.params])
            return cursor.fetchall(), tail


def _created_at(value: Any) -> datetime:
    return field_converter(Passport, "created_at")(value)


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
