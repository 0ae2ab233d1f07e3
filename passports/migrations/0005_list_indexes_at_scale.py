"""Indexes that serve the lists spanning every company (issue 18): an authority's passport list, and the
public look-up by product identifier.

An authority lists every published passport, newest first or by identifier. Without an index in that order
PostgreSQL sorted the whole table for each page (0.45-1.0 s at one million passports); with one, a page reads
its rows from the index and stops. Search is a substring search (`icontains`: UPPER(column) LIKE UPPER(%x%)),
which only a trigram index can serve: pg_trgm's GIN on the same UPPER() expression the query uses.

Database-only (no model state): the indexes are for these hand-written queries (`passports.list_query`),
and `Passport.Meta` is left as it is. Built CONCURRENTLY on PostgreSQL, so a live table keeps taking writes
while they build (hence a non-atomic migration); the trigram index and the extension exist on PostgreSQL
only, and on SQLite (`make run`) the plain indexes are created and searches scan, as before.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

#: (name, table, PostgreSQL definition, SQLite definition or None)
INDEXES = (
    (
        "passports_newest_first",
        "passports_passport",
        "(created_at DESC, id DESC)",
        "(created_at DESC, id DESC)",
    ),
    (
        "passports_by_identifier",
        "passports_passport",
        "(unique_identifier, id)",
        "(unique_identifier, id)",
    ),
    (
        "passports_identifier_trgm",
        "passports_passport",
        "USING gin (UPPER(unique_identifier) gin_trgm_ops)",
        None,
    ),
    (
        "passports_model_name_trgm",
        "passports_batterymodel",
        "USING gin (UPPER(name) gin_trgm_ops)",
        None,
    ),
    # "Has a published version" (and its latest number) for every passport an authority lists: an
    # index-only probe instead of reading each passport's versions from the heap. Not a partial index: the
    # list's SQL passes the state as a parameter, which a prepared (generic) plan cannot match to one.
    (
        "passports_version_by_state",
        "passports_passportversion",
        "(passport_id, state, number DESC)",
        "(passport_id, state, number DESC)",
    ),
)


def create_indexes(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, table, definition, sqlite_definition in INDEXES:
        if postgresql:
            schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} {definition}")
        elif sqlite_definition is not None:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {sqlite_definition}")


def drop_indexes(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    for name, _table, _definition, _sqlite in INDEXES:
        schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("passports", "0004_dynamic_point_utc_offset"),
    ]

    operations = [
        TrigramExtension(),  # PostgreSQL only (a no-op elsewhere); pg_trgm is a trusted extension since 13
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
