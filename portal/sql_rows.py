"""Hand-written SQL on hot paths, with the values and instances the ORM would build or store.

A few hot paths (API token authentication, the passport list) run one hand-written query instead of an ORM
query whose construction and compilation cost several times the query itself (benchmarks/README.md). Rows
of a raw cursor carry database values (on SQLite, UUIDs and datetimes are text): each value goes through
its field's database converters, as the ORM's compiler does, so both backends give the same objects.
`insert_rows` writes many rows without model instances, `insert_instances` many new instances (COPY on
PostgreSQL, bulk_create elsewhere).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import orjson
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, connections, router
from django.db.models import JSONField, Model
from django.db.models.expressions import Col

Converter = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


@functools.cache
def _field_converter(vendor: str, model: type[Model], field_name: str) -> Converter:
    field = model._meta.get_field(field_name)
    column = Col(model._meta.db_table, field)
    converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
    if not converters:
        return _identity

    def convert(value: Any) -> Any:
        for converter in converters:
            value = converter(value, column, connection)
        return value

    return convert


def field_converter(model: type[Model], field_name: str) -> Converter:
    """The ORM's conversion of a raw database value of `model.field_name` (identity when there is none)."""
    return _field_converter(connection.vendor, model, field_name)


def hot_cursor(using: str = DEFAULT_DB_ALIAS):
    """A cursor for a hand-written query run on most requests (the token look-up, the passport list).

    On PostgreSQL it binds its parameters on the server, so psycopg prepares each statement on its second
    run in a connection and PostgreSQL no longer plans it: planning was about a third of the passport
    list's time in the database. Only these cursors prepare: Django's own cursors bind on the client, and
    Django leaves `prepare_threshold` off for them. `PREPARED_HOT_QUERIES = False` (behind a transaction-
    pooling PgBouncer, which cannot keep prepared statements) gives a plain cursor."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.PREPARED_HOT_QUERIES:
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = 1  # psycopg: prepare after one run (0 would prepare one-off queries too)
    cursor = ServerBindingCursor(raw)
    if connection.queries_logged:  # as Django wraps its own cursors: query logging and counting see it
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def table_name(model: type[Model]) -> str:
    """The model's table, quoted for the current database."""
    return connection.ops.quote_name(model._meta.db_table)


def select_columns(model: type[Model], alias: str) -> str:
    """Every concrete column of `model` under a table alias, in field order (for `load_instance`)."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


@functools.cache
def _instance_loader(vendor: str, model: type[Model]) -> tuple[list[str], list[tuple[int, Converter]]]:
    fields = model._meta.concrete_fields
    converters = [(i, field_converter(model, f.name)) for i, f in enumerate(fields)]
    return [f.attname for f in fields], [(i, c) for i, c in converters if c is not _identity]


def load_instance(model: type[Model], values: Sequence[Any]) -> Model:
    """An instance of `model` from the raw values of `select_columns(model, ...)`, as a queryset gives it."""
    attnames, converters = _instance_loader(connection.vendor, model)
    if len(values) != len(attnames):
        raise ValueError(f"{model._meta.label}: expected {len(attnames)} values, got {len(values)}")
    converted = list(values)
    for index, convert in converters:
        converted[index] = convert(converted[index])
    return model.from_db(connection.alias, attnames, converted)


def prepared(model: type[Model], field_name: str, value: Any) -> Any:
    """A query parameter for `model.field_name` as the ORM would pass it (UUIDs and datetimes on SQLite)."""
    return model._meta.get_field(field_name).get_db_prep_value(value, connection)


def _psycopg3() -> bool:
    # Imported here: no PostgreSQL driver need be installed where the portal runs on SQLite.
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def _json_encoder(field: JSONField) -> Callable[[Any], str]:
    """The text `field` stores a value as (the column is jsonb: only the JSON value matters, not spacing).

    One encoder per column, reused: `json.dumps(value, cls=...)` would build one per value, which costs
    more than encoding a dynamic data point's number. For the plain and Django encoders, orjson writes the
    same JSON in a fraction of the time, handing to the field's encoder what it does not know itself
    (Decimal) and what it would write differently (dates and times, which Django writes with milliseconds
    and "Z"). Anything orjson refuses (keys that are not text...) goes to the field's encoder."""
    encoder = (field.encoder or json.JSONEncoder)()
    if type(encoder) not in (json.JSONEncoder, DjangoJSONEncoder):
        return encoder.encode
    options = orjson.OPT_PASSTHROUGH_DATETIME
    encoder_default = encoder.default

    def default(value: Any) -> Any:
        # Decimal first: an import's measured values (9,000 in a request of 500 passports) are Decimals.
        return str(value) if type(value) is Decimal else encoder_default(value)

    def encode(value: Any) -> str:
        try:
            return orjson.dumps(value, default=default, option=options).decode()
        except TypeError:
            return encoder.encode(value)

    return encode


def _copy_sql(connection: Any, table: str, fields: Sequence[Any]) -> str:
    quote = connection.ops.quote_name
    return f"COPY {quote(table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"


def insert_rows(model: type[Model], columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert `rows` into `model`'s table without building model instances (no signals, like bulk_create).

    `columns` are attnames and must name every column but the primary key, auto_now ones included: nothing
    is filled in. Values are what the database stores (ids, aware datetimes, choice values); JSON columns
    take the Python value and are encoded here with the field's encoder, as `JSONField` does.

    On PostgreSQL (psycopg 3) one `COPY ... FROM STDIN` streams the rows: psycopg formats them in C, where
    `bulk_create` spends most of an import's write time preparing each value of each instance. Other
    databases (SQLite in `make run`) get `bulk_create`, which writes the same rows."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    if len(columns) != len(by_attname) or set(columns) != set(by_attname):
        raise ValueError(f"{model._meta.label}: give exactly the columns {sorted(by_attname)}")
    fields = [by_attname[name] for name in columns]
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql" or not _psycopg3():
        model._default_manager.bulk_create(model(**dict(zip(columns, row, strict=True))) for row in rows)
        return
    encoders = [(index, _json_encoder(f)) for index, f in enumerate(fields) if isinstance(f, JSONField)]
    sql = _copy_sql(connection, model._meta.db_table, fields)
    # Django's PostgreSQL cursor logs the COPY like any statement when queries are logged (no values).
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.copy(sql) as copy:
        for row in rows:
            values = list(row)
            for index, encode in encoders:
                values[index] = encode(values[index])
            copy.write_row(values)


def insert_instances(instances: Sequence[Model]) -> list[Model]:
    """Insert new instances of one model (no primary key yet) and set their primary keys, as `bulk_create`
    does: defaults and `auto_now_add` filled in by the fields themselves (`pre_save`), no signals.

    On PostgreSQL (psycopg 3) the keys are drawn from the table's identity sequence in one query and the
    rows streamed with one COPY: PostgreSQL reads them for a fraction of what planning a 500-row INSERT with
    4,500 parameters costs it (an import's passports). Elsewhere `bulk_create`."""
    if not instances:
        return []
    model = type(instances[0])
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql" or not _psycopg3():
        return model._default_manager.bulk_create(instances)
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(opts.db_table), opts.pk.column, len(instances)],
        )
        keys = [row[0] for row in cursor.fetchall()]
    rows = []
    for instance, key in zip(instances, keys, strict=True):
        instance.pk = key
        rows.append((key, *(f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields)))
    sql = _copy_sql(connection, opts.db_table, [opts.pk, *fields])
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias
    return list(instances)
