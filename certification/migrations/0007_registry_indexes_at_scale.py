"""Indexes that serve the certificate registry's sort orders and search at any size (issue 18).

Authorities and operators list every certificate: without an index in the list's order PostgreSQL sorted
all of them for each page, and counted all of them for the total. Each sort key of the registry (issue date,
number, holder name, expiry date; the id last, as `StableOrderingFilter` orders) now has an index in that
order (the unique index of `number` serves its own order), and the holder country filter one in the default
order. Search is a substring search (`icontains`: UPPER(column) LIKE UPPER(%x%)) over the number and the
holder's name and identifiers: one pg_trgm GIN index on those UPPER() expressions serves it.

Database-only (no model state, `Certificate.Meta` is unchanged), built CONCURRENTLY on PostgreSQL so a live
table keeps taking writes (hence non-atomic). The trigram index and extension exist on PostgreSQL only; on
SQLite (`make run`) the plain indexes are created and searches scan, as before.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

TABLE = "certification_certificate"
#: (name, PostgreSQL definition, whether SQLite gets it too)
INDEXES = (
    ("certification_cert_newest_first", "(issued_at DESC, id DESC)", True),
    ("certification_cert_by_holder", "(holder_name, id)", True),
    ("certification_cert_by_expiry", "(valid_until, id)", True),
    ("certification_cert_country_newest", "(holder_country, issued_at DESC, id DESC)", True),
    (
        "certification_cert_search_trgm",
        "USING gin (UPPER(number) gin_trgm_ops, UPPER(holder_name) gin_trgm_ops, "
        "UPPER(holder_bpnl) gin_trgm_ops, UPPER(holder_corporate_number) gin_trgm_ops, "
        "UPPER(holder_lei) gin_trgm_ops)",
        False,
    ),
)


def create_indexes(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, definition, portable in INDEXES:
        if postgresql:
            schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {TABLE} {definition}")
        elif portable:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} {definition}")


def drop_indexes(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    for name, _definition, _portable in INDEXES:
        schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("certification", "0006_review_snapshot"),
    ]

    operations = [
        TrigramExtension(),  # PostgreSQL only (a no-op elsewhere); pg_trgm is a trusted extension since 13
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
