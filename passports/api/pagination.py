"""Pagination of the passport list: the page and the total count come from one query.

Django's paginator counts with a second query over the same conditions, which for the passport list costs
as much as the page itself. `PassportListQuery` returns the total with the rows (a count evaluated once in
the page's query), so a page is one query; only `?page=last` needs the count first, and an empty page past
the end tells nothing, so it answers 404 exactly as the standard paginator does.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator


class PageSource(Protocol):
    """Pages with their total (`passports.api.serializers.RenderedPassportList`)."""

    def fetch(self, offset: int, limit: int) -> tuple[list[Any], int | None]: ...

    def count(self) -> int: ...


#: The largest LIMIT/OFFSET the database takes (a signed 64-bit integer): a page beyond it has no rows.
LAST_ROW = 2**63 - 1


class ListQueryPaginator(Paginator):
    """A `Paginator` over a `PageSource` that takes `count` from the page query itself."""

    object_list: PageSource

    def page(self, number: Any) -> Page:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number * self.per_page > LAST_ROW:  # the query would fail with "bigint out of range"
            raise EmptyPage(self.error_messages["no_results"])
        rows, total = self.object_list.fetch(offset=(number - 1) * self.per_page, limit=self.per_page)
        if total is not None:
            self.count = total  # sets the cached property: no COUNT query
        elif number == 1 and self.allow_empty_first_page:
            self.count = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)
