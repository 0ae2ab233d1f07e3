"""The questions the oversight answers: a year with a published cube, a market, and for some answers a
material or a table. Anything else (a company, a facility, a product, a date range) is refused, so that
no answer can be narrowed down to one contributor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from . import selectors

QUERY = frozenset({"year", "market"})


class BadQuery(Exception):
    pass


def parse(query: Mapping[str, str], allowed: frozenset[str] | set[str]) -> dict[str, Any]:
    """The view's own query parameters, validated; any other parameter is an error (400)."""
    unknown = sorted(set(query) - set(allowed))
    if unknown:
        raise BadQuery(
            _("These views take only %(allowed)s; not %(unknown)s.")
            % {"allowed": ", ".join(sorted(allowed)) or "-", "unknown": ", ".join(unknown)}
        )
    params: dict[str, Any] = {}
    if "year" in query:
        raw = query["year"]
        if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
            raise BadQuery(_("Choose a year for which a cube is published, e.g. year=2026."))
        params["year"] = int(raw)
    market = query.get("market", "ALL")
    if market not in selectors.MARKETS:
        raise BadQuery(_("Choose the market EU, JP or ALL."))
    params["market"] = market
    if "material" in query:
        if query["material"] not in selectors.MATERIALS:
            raise BadQuery(
                _("Choose one of the materials: %(materials)s.")
                % {"materials": ", ".join(selectors.MATERIALS)}
            )
        params["material"] = query["material"]
    return params
