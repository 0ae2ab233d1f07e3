"""SQL building blocks the ORM lacks, used by `passports.selectors` to keep scoped queries on indexes."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Expression, F, QuerySet, Subquery


def in_subquery_sql(vendor: str, column: str, subquery: str) -> str:
    """`column IN (subquery)` as written for `vendor` (see `InSubquery`); `subquery` is "(SELECT ...)"."""
    if vendor == "postgresql":
        return f"{column} = ANY(ARRAY{subquery})"
    return f"{column} IN {subquery}"


class InSubquery(Expression):
    """`column IN (subquery)` for an uncorrelated subquery, written so that PostgreSQL can still use the
    column's index when the condition is one branch of an OR.

    Inside an OR, PostgreSQL runs `x IN (SELECT ...)` and `EXISTS (...)` as a subplan tested row by row
    (or hashed), which is no index condition: a scope "own passports OR granted ones" then scans every
    passport of every company. `x = ANY(ARRAY(SELECT ...))` computes the subquery once (an InitPlan) and
    is an index condition, so the scope becomes a BitmapOr of index scans on the few matching rows."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, queryset: QuerySet) -> None:
        super().__init__(output_field=BooleanField())
        self.column: Any = F(column)
        self.subquery: Any = Subquery(queryset)

    def get_source_expressions(self) -> list[Any]:
        return [self.column, self.subquery]

    def set_source_expressions(self, exprs: list[Any]) -> None:
        self.column, self.subquery = exprs

    def as_sql(self, compiler, connection) -> tuple[str, tuple[Any, ...]]:
        column, column_params = compiler.compile(self.column)
        subquery, subquery_params = compiler.compile(self.subquery)  # "(SELECT ...)"
        return in_subquery_sql(connection.vendor, column, subquery), (*column_params, *subquery_params)
