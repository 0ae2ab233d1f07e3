"""SQL building blocks the ORM lacks, shared by the apps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import BooleanField, Expression, F


class InArray(Expression):
    """`column` is one of `values`, sent to PostgreSQL as one array parameter (`column = ANY(%s)`).

    Django writes `pk__in=[...]` with a placeholder per value; with thousands of values the statement is
    tens of kilobytes that psycopg splits and quotes on every request (125 ms for 5,000 ids) and
    PostgreSQL parses again. Elsewhere (SQLite) the usual `IN (...)`."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, values: Sequence[Any]) -> None:
        super().__init__(output_field=BooleanField())
        self.column: Any = F(column)
        self.values = list(values)

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: list[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler, connection) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.column)
        if not self.values:
            return "1 = 0", ()
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", (*params, self.values)
        return f"{column} IN ({', '.join(['%s'] * len(self.values))})", (*params, *self.values)
