"""Pagination of the passport list: the page and the total count in one query.

Django's paginator counts with a second query (`SELECT COUNT(*)` over the same filters), which for the
passport list costs as much as the page itself: the scope and list conditions are compiled twice and run
twice. `COUNT(*) OVER ()` in the page query returns the total with every row (PostgreSQL computes it before
LIMIT/OFFSET), so a page is one query; only an empty page (past the end) tells nothing, and answers 404
exactly as the standard paginator does.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Window

TOTAL = "pagination_total"


class WindowCountPaginator(Paginator):
    """A `Paginator` over a `.values()` queryset that takes `count` from the page query itself."""

    def page(self, number: Any) -> Page:
        if self.object_list.query.distinct:  # the window would count rows before DISTINCT: count apart
            return super().page(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list.annotate(**{TOTAL: Window(Count("*"))})[bottom : bottom + self.per_page])
        if rows:
            self.count = rows[0][TOTAL]  # sets the cached property: no COUNT query
        elif number == 1 and self.allow_empty_first_page:
            self.count = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        for row in rows:
            del row[TOTAL]
        return self._get_page(rows, number, self)
