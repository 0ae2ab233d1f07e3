"""Every read of the oversight: from the cube and the alerts only, scoped by `restrict()`.

This module (with the views, the API and the exports) must not reach company rows: it imports nothing
from passports, exchange, end of life or certification, and `tests/unit/test_dependencies.py` holds
that. Each page reads a constant number of rows sets: the build, one slice of cells, the alerts.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count

from portal.audit.services import audit_record
from portal.tenancy.selectors import active_organization_of

from . import reference
from .models import Alert, CubeBuild, CubeCell, FlaggedTransfer

MATERIALS = ("lithium", "cobalt", "nickel", "manganese", "natural_graphite")
STAGES = ("extraction", "processing", "recycling")
MARKETS = ("EU", "JP", "ALL")
TOTAL = "TOTAL"


def years(*, actor) -> list[int]:
    """The years with a finished cube, newest first."""
    return sorted(set(CubeBuild.objects.restrict(actor).values_list("year", flat=True)), reverse=True)


def latest_build(*, actor, year: int | None = None) -> CubeBuild | None:
    """The newest finished build of `year` (or of the newest year)."""
    builds = CubeBuild.objects.restrict(actor)
    if year is not None:
        builds = builds.filter(year=year)
    return builds.order_by("-year", "-id").first()


@dataclass
class Row:
    category: str
    cells: dict[str, CubeCell] = field(default_factory=dict)

    @property
    def is_country(self) -> bool:
        return len(self.category) == 2

    @property
    def is_total(self) -> bool:
        return self.category == TOTAL


@dataclass
class Slice:
    """One table's cells for one market: rows (categories) by columns (the quarters and the year)."""

    build: CubeBuild
    table: str
    material: str
    stage: str
    market: str
    periods: list[str]
    rows: list[Row]

    def row(self, category: str) -> Row | None:
        return next((row for row in self.rows if row.category == category), None)


def periods_of(build: CubeBuild) -> list[str]:
    return [*(f"{build.year}Q{q}" for q in range(1, 5)), str(build.year)]


def category_order(category: str) -> tuple[int, str]:
    # Groups of countries first under their members would need the hierarchy; the stored rows are ordered
    # total last, groups before countries, so a table reads from the parts to the whole.
    if category == TOTAL:
        return (3, category)
    if category.startswith("@"):
        return (1, category)
    return (0, category)


def cube_slice(
    *, actor, build: CubeBuild, table: str, material: str = "", stage: str = "", market: str = "ALL"
) -> Slice:
    cells = CubeCell.objects.restrict(actor).filter(
        build=build, table=table, material=material, stage=stage, market=market
    )
    rows: dict[str, Row] = {}
    for cell in cells:
        rows.setdefault(cell.category, Row(cell.category)).cells[cell.period] = cell
    ordered = sorted(rows.values(), key=lambda row: category_order(row.category))
    return Slice(build, table, material, stage, market, periods_of(build), ordered)


def cube_slices(*, actor, build: CubeBuild, table: str, market: str = "ALL") -> dict[tuple[str, str], Slice]:
    """Every material and stage of one table for one market, in one query: (material, stage) -> slice."""
    cells = CubeCell.objects.restrict(actor).filter(build=build, table=table, market=market)
    grouped: dict[tuple[str, str], dict[str, Row]] = defaultdict(dict)
    for cell in cells:
        rows = grouped[(cell.material, cell.stage)]
        rows.setdefault(cell.category, Row(cell.category)).cells[cell.period] = cell
    return {
        key: Slice(
            build,
            table,
            key[0],
            key[1],
            market,
            periods_of(build),
            sorted(rows.values(), key=lambda row: category_order(row.category)),
        )
        for key, rows in grouped.items()
    }


def cube_cells(
    *, actor, build: CubeBuild, table: str, market: str, material: str | None = None
) -> list[CubeCell]:
    """One table's cells for one market (optionally one material), in a stable order."""
    cells = CubeCell.objects.restrict(actor).filter(build=build, table=table, market=market)
    if material:
        cells = cells.filter(material=material)
    return list(cells.order_by("material", "stage", "period", "category"))


def year_total(slice_: Slice | None, category: str = TOTAL) -> Decimal | None:
    if slice_ is None:
        return None
    row = slice_.row(category)
    cell = row.cells.get(str(slice_.build.year)) if row else None
    return None if cell is None or cell.suppressed else cell.value


def latest_builds(*, actor) -> list[CubeBuild]:
    """The newest finished build of every year, oldest year first."""
    newest: dict[int, CubeBuild] = {}
    for build in CubeBuild.objects.restrict(actor).order_by("year", "id"):
        newest[build.year] = build
    return list(newest.values())


@dataclass(frozen=True)
class ConcentrationPoint:
    period: str
    country: str  # the largest third country among the published cells, "" when none is published
    share: int | None
    withheld_breach: bool  # a breach was found on the exact figures, in a cell that is withheld


def concentration_series(*, actor, material: str, stage: str, market: str) -> list[ConcentrationPoint]:
    """Per quarter and year of every published year: the largest published share of one third country at
    a stage, and whether a breach was found in a withheld cell (three queries, whatever the years)."""
    builds = latest_builds(actor=actor)
    cells = (
        CubeCell.objects.restrict(actor)
        .filter(
            build__in=builds,
            table="origins",
            material=material,
            stage=stage,
            market=market,
            suppressed=False,
            share__isnull=False,
        )
        .values_list("period", "category", "share")
    )
    best: dict[str, tuple[int, str]] = {}
    for period, category, share in cells:
        if len(category) != 2 or not reference.third_country(
            category, market, datetime.date(int(period[:4]), 12, 31)
        ):
            continue
        if period not in best or share > best[period][0]:
            best[period] = (share, category)
    withheld = set(
        Alert.objects.restrict(actor)
        .filter(kind="concentration_breach", material=material, stage=stage, market=market, country="")
        .values_list("period", flat=True)
    )
    periods = [period for build in builds for period in periods_of(build)]
    points = []
    for period in periods:
        share, country = best.get(period, (None, ""))
        points.append(ConcentrationPoint(period, country, share, period in withheld))
    return points


def alerts_for(*, actor, limit: int | None = None) -> list[Alert]:
    alerts = Alert.objects.restrict(actor).order_by("-created_at", "-id")
    return list(alerts[:limit] if limit else alerts)


def alert_counts(*, actor) -> dict[str, int]:
    return dict(Alert.objects.restrict(actor).values_list("severity").annotate(n=Count("id")).order_by())


def flagged_transfers(*, actor) -> list[FlaggedTransfer]:
    return list(FlaggedTransfer.objects.restrict(actor).select_related("alert"))


def record_read(
    *, actor, view: str, build: CubeBuild | None, fmt: str, params: dict[str, Any] | None = None
) -> None:
    """The access log: who read which oversight view of which cube version, in which format."""
    audit_record(
        actor=actor,
        action="oversight.read",
        organization=active_organization_of(actor),
        details={
            "view": view,
            "cube_version": build.version if build else None,
            "format": fmt,
            **(params or {}),
        },
    )
