"""Python values and model instances from hand-written SQL, exactly as the ORM would build them.

A few hot paths (API token authentication, the passport list) run one hand-written query instead of an ORM
query whose construction and compilation cost several times the query itself (benchmarks/README.md). Rows
of a raw cursor carry database values (on SQLite, UUIDs and datetimes are text): each value goes through
its field's database converters, as the ORM's compiler does, so both backends give the same objects.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model
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


def table_name(model: type[Model]) -> str:
    """The model's table, quoted for the current database."""
    return connection.ops.quote_name(model._meta.db_table)


def select_columns(model: type[Model], alias: str) -> str:
    """Every concrete column of `model` under a table alias, in field order (for `load_instance`)."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def load_instance(model: type[Model], values: Sequence[Any]) -> Model:
    """An instance of `model` from the raw values of `select_columns(model, ...)`, as a queryset gives it."""
    fields = model._meta.concrete_fields
    converted = [field_converter(model, f.name)(value) for f, value in zip(fields, values, strict=True)]
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def prepared(model: type[Model], field_name: str, value: Any) -> Any:
    """A query parameter for `model.field_name` as the ORM would pass it (UUIDs and datetimes on SQLite)."""
    return model._meta.get_field(field_name).get_db_prep_value(value, connection)
