"""View-models of the oversight pages and exports, built from cube slices only (never model instances
that could walk to company rows). Suppressed cells show the statistical offices' mark: ":c" in English
and German, "x" in Japanese; masses are kg rounded to three significant figures, shares whole percent."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django_countries import countries

from . import charts, reference, selectors
from .models import CubeBuild

MATERIAL_NAMES = {
    "lithium": gettext_lazy("Lithium"),
    "cobalt": gettext_lazy("Cobalt"),
    "nickel": gettext_lazy("Nickel"),
    "manganese": gettext_lazy("Manganese"),
    "natural_graphite": gettext_lazy("Natural graphite"),
    "black_mass": gettext_lazy("Black mass"),
}
STAGE_NAMES = {
    "extraction": gettext_lazy("Extraction"),
    "processing": gettext_lazy("Processing"),
    "recycling": gettext_lazy("Recycling"),
}
CATEGORY_NAMES = {
    "TOTAL": gettext_lazy("Total"),
    "@EU": gettext_lazy("EU member states"),
    "@JP": gettext_lazy("Japan"),
    "@OECD": gettext_lazy("Other OECD-Decision countries"),
    "@NON_OECD": gettext_lazy("Non-OECD countries"),
    "pre_consumer": gettext_lazy("Recycled, pre-consumer"),
    "post_consumer": gettext_lazy("Recycled, post-consumer"),
    "recycled_unsplit": gettext_lazy("Recycled, not split"),
    "virgin": gettext_lazy("Primary (not recycled)"),
    "original": gettext_lazy("Original"),
    "repurposed": gettext_lazy("Repurposed"),
    "re-used": gettext_lazy("Re-used"),
    "remanufactured": gettext_lazy("Remanufactured"),
    "waste": pgettext_lazy("battery status", "Waste"),
    "domestic": gettext_lazy("Domestic"),
    "eu": gettext_lazy("Other EU member state"),
    "japan": gettext_lazy("Japan"),
    "oecd": gettext_lazy("Other OECD-Decision country"),
    "non_oecd": gettext_lazy("Non-OECD country"),
}
MARKET_NAMES = {
    "EU": gettext_lazy("EU market"),
    "JP": gettext_lazy("Japanese market"),
    "ALL": gettext_lazy("EU and Japan"),
}
CODE_NAMES = {**MATERIAL_NAMES, **STAGE_NAMES, **MARKET_NAMES}
EXPORT_TABLES = ("origins", "flows", "content", "status", "eol", "outflow")


def confidential_mark() -> str:
    return "x" if (get_language() or "en").startswith("ja") else ":c"


def material_choices() -> list[tuple[str, Any]]:
    return [(code, MATERIAL_NAMES[code]) for code in selectors.MATERIALS]


def code_name(code: str) -> str:
    """The name of a material, stage or market code in the reader's language (an alert stores codes); an
    unknown code as it is."""
    return str(CODE_NAMES.get(code, code))


def category_name(code: str) -> str:
    if len(code) == 2 and code.isupper():
        return str(countries.name(code) or code)
    return str(CATEGORY_NAMES.get(code, code))


def shown(cell) -> str:
    """A cell as the tables show it."""
    if cell is None:
        return "–"
    if cell.suppressed:
        return confidential_mark()
    return number_format(
        cell.value.normalize() if cell.value == cell.value.to_integral() else cell.value, force_grouping=True
    )


@dataclass
class TableView:
    caption: str
    periods: list[str]
    rows: list[dict[str, Any]]
    references: list[dict[str, Any]] | None = None
    reference_source: str = ""
    chart: str | None = None
    recycled_share: int | None = None
    minimums: list[dict[str, Any]] | None = None


def table_view(slice_: selectors.Slice, caption: str, *, with_share: bool = True) -> TableView:
    rows = []
    for row in slice_.rows:
        year = row.cells.get(str(slice_.build.year))
        rows.append(
            {
                "category": category_name(row.category),
                "code": row.category,
                "level": "total" if row.is_total else "group" if row.category.startswith("@") else "item",
                "values": [shown(row.cells.get(period)) for period in slice_.periods],
                "share": (f"{year.share} %" if year is not None and year.share is not None else "")
                if with_share
                else "",
                "band": year.band if year is not None else "",
            }
        )
    return TableView(
        caption,
        [period.replace(str(slice_.build.year) + "Q", "Q") for period in slice_.periods[:-1]]
        + [str(slice_.build.year)],
        rows,
    )


def overview_cards(*, actor, build: CubeBuild, market: str) -> list[dict[str, Any]]:
    """Per material: contained mass placed on the market, its recycled share, the largest extraction
    country where its cell is published."""
    content = selectors.cube_slices(actor=actor, build=build, table="content", market=market)
    origins = selectors.cube_slices(actor=actor, build=build, table="origins", market=market)
    cards = []
    year = str(build.year)
    for code in selectors.MATERIALS:
        slice_ = content.get((code, ""))
        total = selectors.year_total(slice_)
        virgin_row = slice_.row("virgin") if slice_ else None
        virgin = virgin_row.cells.get(year) if virgin_row else None
        recycled = 100 - virgin.share if virgin is not None and virgin.share is not None else None
        top = None
        extraction = origins.get((code, "extraction"))
        if extraction is not None:
            candidates = [
                (row.cells[year].share, row.category)
                for row in extraction.rows
                if row.is_country and year in row.cells and row.cells[year].share is not None
            ]
            if candidates:
                share, country = max(candidates)
                top = {"country": category_name(country), "share": share}
        cards.append(
            {
                "code": code,
                "name": MATERIAL_NAMES[code],
                "total": shown(slice_.row("TOTAL").cells.get(year))
                if slice_ and slice_.row("TOTAL")
                else "–",
                "has_total": total is not None,
                "recycled": recycled,
                "top": top,
            }
        )
    return cards


def origin_tables(
    *, actor, build: CubeBuild | None, material: str, market: str, for_pdf: bool = False
) -> list[TableView]:
    if build is None:
        return []
    slices = selectors.cube_slices(actor=actor, build=build, table="origins", market=market)
    views = []
    for stage in selectors.STAGES:
        slice_ = slices.get((material, stage))
        if slice_ is None:
            continue
        view = table_view(
            slice_, _("%(stage)s: contained mass by country (kg)") % {"stage": STAGE_NAMES[stage]}
        )
        view.chart = charts.chart_svg(slice_, view.caption, label=category_name, text_as_paths=for_pdf)
        ref = reference.reference_shares(material, stage)
        if ref is not None:
            view.references = [
                {"country": category_name(country) if country != "other" else _("Other"), "share": share}
                for country, share in ref.shares
            ]
            view.reference_source = f"{ref.source} {ref.edition} ({ref.year})"
        views.append(view)
    return views


def content_table(*, actor, build: CubeBuild | None, material: str, market: str) -> TableView | None:
    if build is None:
        return None
    slice_ = selectors.cube_slice(actor=actor, build=build, table="content", material=material, market=market)
    if not slice_.rows:
        return None
    view = table_view(slice_, _("Recycled and primary content in batteries placed on the market (kg)"))
    year = str(build.year)
    virgin_row = slice_.row("virgin")
    virgin = virgin_row.cells.get(year) if virgin_row else None
    view.recycled_share = None if virgin is None or virgin.share is None else 100 - virgin.share
    view.minimums = [
        {"from": datetime.date.fromisoformat(start), "share": share}
        for start, share in reference.recycled_minimums(material)
    ]
    return view


def end_of_life_tables(
    *, actor, build: CubeBuild | None, market: str, for_pdf: bool = False
) -> dict[str, Any]:
    if build is None:
        return {"destinations": [], "statuses": None, "outflows": []}
    eol = selectors.cube_slices(actor=actor, build=build, table="eol", market=market)
    destinations = [
        _charted(eol[("", condition)], caption, for_pdf)
        for condition, caption in (
            ("waste", _("Waste batteries and black mass by destination (kg)")),
            ("used", _("Used batteries (not waste) by destination (kg)")),
            ("ALL", _("All hand-overs by destination (kg)")),
        )
        if ("", condition) in eol
    ]
    status = selectors.cube_slice(actor=actor, build=build, table="status", market=market)
    outflow = selectors.cube_slices(actor=actor, build=build, table="outflow", market=market)
    outflows = [
        table_view(
            slice_,
            _("%(material)s handed over outside the EU and Japan (kg)")
            % {"material": MATERIAL_NAMES.get(material, material)},
        )
        for (material, _stage), slice_ in sorted(outflow.items())
    ]
    return {
        "destinations": destinations,
        "statuses": table_view(status, _("Batteries placed on the market, by status now"))
        if status.rows
        else None,
        "outflows": outflows,
    }


def _charted(slice_: selectors.Slice, caption: str, for_pdf: bool) -> TableView:
    view = table_view(slice_, caption)
    view.chart = charts.chart_svg(
        slice_, caption, label=category_name, items="categories", text_as_paths=for_pdf
    )
    return view


def reference_rows() -> list[dict[str, Any]]:
    rows = []
    for material in selectors.MATERIALS:
        for stage in ("extraction", "processing"):
            ref = reference.reference_shares(material, stage)
            if ref is not None:
                rows.append(
                    {
                        "material": MATERIAL_NAMES[material],
                        "stage": STAGE_NAMES[stage],
                        "source": ref.source,
                        "edition": ref.edition,
                        "year": ref.year,
                    }
                )
    return rows


def export_rows(*, actor, build: CubeBuild, table: str, market: str) -> Iterator[list[str]]:
    """The table as CSV lines: the same cells, marks and rounding as the pages, with the cube version."""
    yield [
        _("table"),
        _("material"),
        _("stage"),
        _("market"),
        _("period"),
        _("category"),
        _("value"),
        _("share (%)"),
        _("contributors"),
        _("cube version"),
    ]
    for (material, stage), slice_ in sorted(
        selectors.cube_slices(actor=actor, build=build, table=table, market=market).items()
    ):
        for row in slice_.rows:
            for period in slice_.periods:
                cell = row.cells.get(period)
                if cell is None:
                    continue
                value = confidential_mark() if cell.suppressed else plain(cell.value)
                yield [
                    table,
                    material,
                    stage,
                    market,
                    period,
                    row.category,
                    value,
                    "" if cell.share is None else str(cell.share),
                    cell.band,
                    str(build.version),
                ]


def plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


def concentration(*, actor, material: str, market: str) -> dict[str, Any]:
    """The largest published third-country share per quarter and stage, against the CRMA's 65 % line."""
    levels = {_("Limit: 65 %"): 65, _("Watch level: 50 %"): 50}
    stages = {}
    for stage in ("extraction", "processing"):
        stages[stage] = selectors.concentration_series(
            actor=actor, material=material, stage=stage, market=market
        )
    periods = [point.period for point in stages["extraction"]]
    rows = [
        {
            "period": period,
            "cells": [
                {
                    "country": category_name(points[i].country) if points[i].country else "",
                    "share": points[i].share,
                    "withheld_breach": points[i].withheld_breach,
                }
                for points in stages.values()
            ],
        }
        for i, period in enumerate(periods)
    ]
    chart = None
    if any(point.share is not None for points in stages.values() for point in points):
        quarters = [i for i, period in enumerate(periods) if "Q" in period]
        series = {
            str(STAGE_NAMES[stage]): [points[i].share for i in quarters] for stage, points in stages.items()
        }
        chart = charts.concentration_chart(
            _("Largest third-country share"), [periods[i] for i in quarters], series, levels
        )
    return {"stages": [STAGE_NAMES[stage] for stage in stages], "rows": rows, "chart": chart}


PROCESSING_AREAS = ("@EU", "@JP", "@OECD", "@NON_OECD", "TOTAL")


def flows(*, actor, build: CubeBuild | None, material: str, market: str) -> dict[str, Any]:
    """Where the material was mined (rows) and where it was processed (columns), for the year; then how
    much reached the market and where batteries went at end of life."""
    if build is None:
        return {"matrix": None}
    year = str(build.year)
    slices = selectors.cube_slices(actor=actor, build=build, table="flows", market=market)
    columns = [area for area in PROCESSING_AREAS if (material, area) in slices]
    categories: list[str] = []
    for area in columns:
        for row in slices[(material, area)].rows:
            if row.category not in categories:
                categories.append(row.category)
    categories.sort(key=selectors.category_order)
    rows = []
    for category in categories:
        cells = []
        for area in columns:
            row = slices[(material, area)].row(category)
            cells.append(shown(row.cells.get(year)) if row else "–")
        level = "total" if category == "TOTAL" else "group" if category.startswith("@") else "item"
        rows.append({"category": category_name(category), "level": level, "values": cells})
    eol = end_of_life_tables(actor=actor, build=build, market=market)
    content = selectors.cube_slice(
        actor=actor, build=build, table="content", material=material, market=market
    )
    return {
        "matrix": {"columns": [category_name(area) for area in columns], "rows": rows} if rows else None,
        "placed": shown(content.row("TOTAL").cells.get(year)) if content.row("TOTAL") else "–",
        "destinations": eol["destinations"][-1:] if eol["destinations"] else [],
    }
