"""Each company's number of published passports (`PublishedPassportCount`), kept by PostgreSQL triggers.

Why: an authority lists every published passport, and its total had to be PostgreSQL's estimate beyond a
thousand rows (counting ten million took seconds); a country or a manufacturer filter paid a capped count of
1,001 rows with a version probe each on every page. With these counts the total of "every other company's
published passports", for all companies or for some, is a sum over at most one row per company: exact, and
as cheap at a hundred million passports as at a thousand.

Why triggers and not the publication service: published versions are also written by the bulk import (COPY),
by data migrations and by fixtures; a trigger sees every one of them, in the writing transaction, so the
count commits or rolls back with the versions. Statement-level triggers with transition tables: a chunk of
the import pays one statement for its thousand versions, not a thousand.

"Has a published version" is the access rule's own condition for an authority (passports.access), so the
sum equals `restrict()`'s count; tests/passports/test_published_counts.py checks the counts against a fresh
recount after every way a version is written, changed or deleted, and the list tests compare the totals with
`restrict()` itself.

Concurrency: two transactions publishing a first version for the same company queue on that company's row
until the first commits, then add to the committed count (tested); a statement that touches several
companies locks their rows in the order of their ids, so two such statements cannot deadlock on them.
PostgreSQL only: on SQLite (`make run`) the table stays empty and the list counts its rows.
"""

# S608: only the module's own table names are interpolated.
# ruff: noqa: S608

from __future__ import annotations

from django.db import connection, transaction
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from .models import Passport, PassportVersion, PublishedPassportCount, VersionState

COUNTS = PublishedPassportCount._meta.db_table
VERSIONS = PassportVersion._meta.db_table
PASSPORTS = Passport._meta.db_table
PUBLISHED = VersionState.PUBLISHED.value


def _has_published(passport_id: str, besides: str = "") -> str:
    """The passport `passport_id` (an SQL expression) has a published version in the version table
    (`besides`: other than the rows of that transition table); the authorities' condition of
    passports.access.

    Written as a scalar subquery, one index probe per passport, never as EXISTS: PostgreSQL may plan an
    EXISTS in a trigger's statement as a hashed subplan that reads every published version, and does when
    the version table's statistics are stale (a bulk load) or a transition table looks large. That made
    one publication take 0.9 s at half a million versions during `seed_fast.py`."""
    other = f" AND NOT EXISTS (SELECT 1 FROM {besides} r WHERE r.id = v.id)" if besides else ""
    return (
        f"((SELECT 1 FROM {VERSIONS} v WHERE v.passport_id = {passport_id} "
        f"AND v.state = '{PUBLISHED}'{other} LIMIT 1) IS NOT NULL)"
    )


def _add_deltas(changed: str, before: str) -> str:
    """Add to each company's count the change in how many of its passports have a published version:
    `changed` selects the passport ids a statement touched, `before` is whether such a passport `c` had a
    published version before the statement (the version table now, without the statement's new rows and
    with its old ones). Each passport's company is looked up by its primary key (LIMIT keeps PostgreSQL from
    turning the look-up into a join, which stale statistics made a hash of the whole passport table)."""
    return (
        f"INSERT INTO {COUNTS} AS counts (organization_id, passports) "
        f"SELECT p.organization_id, SUM(d.delta) FROM ("
        f"SELECT c.passport_id, ({_has_published('c.passport_id')})::int - ({before})::int AS delta "
        f"FROM ({changed}) c"
        f") d CROSS JOIN LATERAL (SELECT p.organization_id FROM {PASSPORTS} p WHERE p.id = d.passport_id "
        "LIMIT 1) p WHERE d.delta <> 0 "
        "GROUP BY p.organization_id HAVING SUM(d.delta) <> 0 ORDER BY p.organization_id "
        "ON CONFLICT (organization_id) DO UPDATE SET passports = counts.passports + EXCLUDED.passports;"
    )


# Passport `c` had a published version among the rows a statement changed or deleted.
_OLD_PUBLISHED = (
    f"EXISTS (SELECT 1 FROM old_versions o WHERE o.passport_id = c.passport_id AND o.state = '{PUBLISHED}')"
)


_ON_INSERT = _add_deltas(
    f"SELECT DISTINCT passport_id FROM new_versions WHERE state = '{PUBLISHED}'",
    _has_published("c.passport_id", besides="new_versions"),
)
# Only rows whose state or passport changed can change a count (a draft's edits are most updates).
_MOVED = (
    "FROM old_versions o JOIN new_versions n ON n.id = o.id "
    "WHERE o.state <> n.state OR o.passport_id <> n.passport_id"
)
_ON_UPDATE = _add_deltas(
    f"SELECT o.passport_id {_MOVED} UNION SELECT n.passport_id {_MOVED}",
    f"{_OLD_PUBLISHED} OR {_has_published('c.passport_id', besides='new_versions')}",
)
_ON_DELETE = _add_deltas(
    f"SELECT DISTINCT passport_id FROM old_versions WHERE state = '{PUBLISHED}'",
    "TRUE",
)

FUNCTIONS = {
    "passports_count_inserted_versions": _ON_INSERT,
    "passports_count_updated_versions": _ON_UPDATE,
    "passports_count_deleted_versions": _ON_DELETE,
}
TRIGGERS = (
    ("passports_count_inserted_versions", "INSERT", "NEW TABLE AS new_versions"),
    ("passports_count_updated_versions", "UPDATE", "OLD TABLE AS old_versions NEW TABLE AS new_versions"),
    ("passports_count_deleted_versions", "DELETE", "OLD TABLE AS old_versions"),
)
# A passport moved to another company (no service does it; an administrator's SQL might) takes its count,
# both companies' rows locked in the order of their ids as the statement triggers lock them.
_MOVE_FUNCTION = (
    "passports_count_moved_passport",
    f"IF {_has_published('NEW.id')} THEN "
    f"INSERT INTO {COUNTS} AS counts (organization_id, passports) "
    "SELECT * FROM (VALUES (OLD.organization_id, -1), (NEW.organization_id, 1)) m ORDER BY 1 "
    "ON CONFLICT (organization_id) DO UPDATE SET passports = counts.passports + EXCLUDED.passports; "
    "END IF; RETURN NULL;",
)


def write_functions(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Create the triggers' functions, or replace them with this module's (PostgreSQL; nothing elsewhere)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, body in FUNCTIONS.items():
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} "
            "RETURN NULL; END $$"
        )
    name, body = _MOVE_FUNCTION
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$"
    )


def install(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Create the triggers (PostgreSQL; nothing elsewhere) and count what is already there."""
    if schema_editor.connection.vendor != "postgresql":
        return
    write_functions(schema_editor)
    for name, event, tables in TRIGGERS:
        schema_editor.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {VERSIONS} REFERENCING {tables} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    name, _body = _MOVE_FUNCTION
    schema_editor.execute(
        f"CREATE TRIGGER {name} AFTER UPDATE OF organization_id ON {PASSPORTS} FOR EACH ROW "
        f"WHEN (OLD.organization_id IS DISTINCT FROM NEW.organization_id) EXECUTE FUNCTION {name}()"
    )
    recount(schema_editor.connection)


def uninstall(schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _event, _tables in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {VERSIONS}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
    name, _body = _MOVE_FUNCTION
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {PASSPORTS}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


_COUNTED = (
    f"SELECT p.organization_id, COUNT(*) FROM {PASSPORTS} p WHERE {_has_published('p.id')} "
    "GROUP BY p.organization_id"
)


def recount(using=None) -> None:
    """Count every company's published passports anew: after a load that bypassed the triggers
    (benchmarks/seed_fast.py copies with `session_replication_role = replica`), and when installing them.
    The table is locked meanwhile: a publication's trigger waits for the recount, then adds its own."""
    using = using or connection
    if using.vendor != "postgresql":
        return
    with transaction.atomic(using=using.alias), using.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {COUNTS} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {COUNTS}")
        cursor.execute(f"INSERT INTO {COUNTS} (organization_id, passports) {_COUNTED}")


def counted() -> dict[int, int]:
    """{organization id: passports with a published version} as the version table says now (for checks)."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTED)
        return dict(cursor.fetchall())
