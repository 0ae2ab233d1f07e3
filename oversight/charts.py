"""Charts of cube slices, drawn on the server with matplotlib as SVG (no script, no CDN): the same picture
serves the page and the PDF report.

A chart shows only published cells. Withheld cells are merged into one "Other (confidential)" bar whose
length is the published total minus the published bars: a figure anyone can compute from the table, so
the merge reveals nothing the table does not. When the total itself is withheld there is no chart.
"""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache as memoise

from django.core.cache import cache
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.pdf.fonts import font_faces

from . import selectors

#: matplotlib's pyplot state is global: one figure at a time per process.
_LOCK = threading.Lock()
CACHE_SECONDS = 6 * 60 * 60
OTHER = "#8c959f"
BAR = "#0b5cad"


@dataclass(frozen=True)
class ChartData:
    title: str
    bars: list[tuple[str, float]]
    other: float | None

    @property
    def empty(self) -> bool:
        return not self.bars and not self.other


def chart_data(
    slice_: selectors.Slice, title: str, *, label: Callable[[str], str], items: str = "countries"
) -> ChartData | None:
    """The year's published figures of a slice, largest first, and what the withheld ones add up to;
    None when the total is withheld or empty."""
    year = str(slice_.build.year)
    total_row = slice_.row(selectors.TOTAL)
    total = total_row.cells.get(year) if total_row else None
    if total is None or total.suppressed or not total.value:
        return None
    rows = [
        row
        for row in slice_.rows
        if (row.is_country if items == "countries" else not row.is_total and not row.category.startswith("@"))
    ]
    bars = [
        (label(row.category), float(row.cells[year].value))
        for row in rows
        if year in row.cells and not row.cells[year].suppressed and row.cells[year].value
    ]
    withheld = any(year in row.cells and row.cells[year].suppressed for row in slice_.rows)
    rest = float(total.value) - sum(value for _label, value in bars)
    other = rest if withheld and rest > 0 else None
    return ChartData(title, sorted(bars, key=lambda bar: -bar[1]), other)


@memoise
def _pyplot():
    import matplotlib

    matplotlib.use("svg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    for face in font_faces():
        font_manager.fontManager.addfont(str(face.path))
    names = [font_manager.FontProperties(fname=str(face.path)).get_name() for face in font_faces()]
    plt.rcParams.update(
        {
            "font.family": list(dict.fromkeys(names)),
            "svg.fonttype": "none",
            "svg.hashsalt": "passbridge",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
        }
    )
    return plt


def render(data: ChartData, *, text_as_paths: bool = False) -> str:
    """The chart as a data: URL of an SVG document, for an <img> with the chart's title as its text (a
    document of its own: several charts on a page cannot clash in their ids, and WeasyPrint draws it with
    its SVG renderer). For PDFs the text is drawn as paths, so that the document never depends on the
    fonts of the host that renders it."""
    labels = [label for label, _value in data.bars] + ([_("Other (confidential)")] if data.other else [])
    values = [value for _label, value in data.bars] + ([data.other] if data.other else [])
    colours = [BAR] * len(data.bars) + ([OTHER] if data.other else [])
    with _LOCK:
        plt = _pyplot()
        figure, axes = plt.subplots(figsize=(6.4, 0.45 * len(values) + 0.9))
        try:
            positions = range(len(values))[::-1]
            axes.barh(list(positions), values, color=colours)
            axes.set_yticks(list(positions), labels)
            axes.xaxis.set_major_formatter(
                lambda value, _pos: number_format(Decimal(int(value)), force_grouping=True)
            )
            axes.set_xlabel("kg")
            figure.tight_layout()
            buffer = io.StringIO()
            with plt.rc_context({"svg.fonttype": "path" if text_as_paths else "none"}):
                figure.savefig(buffer, format="svg", metadata={"Date": None})
        finally:
            plt.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue().encode("utf-8")).decode("ascii")


def concentration_chart(
    title: str, periods: list[str], series: dict[str, list[int | None]], limits: dict[str, int]
) -> str:
    """Largest third-country share per quarter, one line per stage, with the CRMA lines (65 %, 50 %)."""
    with _LOCK:
        plt = _pyplot()
        figure, axes = plt.subplots(figsize=(6.4, 3.2))
        try:
            positions = list(range(len(periods)))
            for label, values in series.items():
                axes.plot(
                    positions, [float("nan") if v is None else v for v in values], marker="o", label=label
                )
            for label, level in limits.items():
                axes.axhline(level, linestyle="--", color=OTHER, linewidth=1)
                axes.annotate(label, (0, level), textcoords="offset points", xytext=(2, 3), color=OTHER)
            axes.set_xticks(positions, periods, rotation=45)
            axes.set_ylim(0, 100)
            axes.set_ylabel("%")
            axes.legend(loc="lower right")
            figure.tight_layout()
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None})
        finally:
            plt.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue().encode("utf-8")).decode("ascii")


def chart_svg(
    slice_: selectors.Slice,
    title: str,
    *,
    label: Callable[[str], str],
    items: str = "countries",
    text_as_paths: bool = False,
) -> str | None:
    """The slice's chart, cached per cube version, slice and language (a cache that is down only costs a
    new drawing)."""
    data = chart_data(slice_, title, label=label, items=items)
    if data is None or data.empty:
        return None
    key = (
        f"oversight-chart:{slice_.build.pk}:{slice_.table}:{slice_.material}:{slice_.stage}:{slice_.market}:"
        f"{items}:{get_language()}:{int(text_as_paths)}"
    )
    svg = cache.get(key)
    if svg is None:
        svg = render(data, text_as_paths=text_as_paths)
        cache.set(key, svg, CACHE_SECONDS)
    return svg
