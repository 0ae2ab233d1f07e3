"""Aggregate facts into hierarchical tables, protect them, and turn them into publishable cells.

A table is a set of leaf amounts keyed by one code per dimension, each amount with the protection unit
that declared it (and the facility that locates it, where one does). Every dimension is a hierarchy
(country -> country group -> total, quarter -> year, EU and JP -> both), so each inner cell is the sum of
its children and the disclosure rule can protect all margins at once.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from oversight.disclosure import CellInput, Dimension, Status, contributor_band, protect, round_significant

TOTAL = "TOTAL"
ALL = "ALL"
MARKETS = {"EU": ALL, "JP": ALL, ALL: None}


def period_dimension(year: int) -> Dimension:
    return Dimension("period", {**{f"{year}Q{q}": str(year) for q in range(1, 5)}, str(year): None})


def market_dimension() -> Dimension:
    return Dimension("market", MARKETS)


def flat_dimension(name: str, codes: Iterable[str], root: str = TOTAL) -> Dimension:
    return Dimension(name, {**dict.fromkeys(codes, root), root: None})


def country_dimension(areas: Mapping[str, str]) -> Dimension:
    """Countries under their country group (`areas`: country -> group code), groups under the total."""
    return Dimension("category", {**areas, **dict.fromkeys(set(areas.values()), TOTAL), TOTAL: None})


@dataclass
class _Sums:
    value: Decimal = Decimal(0)
    units: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    facilities: dict[str, float] | None = None


class Table:
    """Leaf amounts of one table, summed into every cell of its hierarchies."""

    def __init__(
        self, name: str, dimensions: list[Dimension], *, facility_dimension: str | None = None
    ) -> None:
        self.name = name
        self.dimensions = dimensions
        self.facility_dimension = facility_dimension
        self._leaves: dict[tuple[str, ...], _Sums] = defaultdict(_Sums)
        self._facility_leaves: set[tuple[str, ...]] = set()

    def add(
        self, key: tuple[str, ...], amount: Decimal | int, unit: str, facility: str | None = None
    ) -> None:
        if amount <= 0:
            return
        sums = self._leaves[key]
        sums.value += Decimal(amount)
        sums.units[unit] += float(amount)
        if facility is not None:
            if sums.facilities is None:
                sums.facilities = defaultdict(float)
            sums.facilities[facility] += float(amount)

    def _ancestors(self, dimension: Dimension, code: str) -> list[str]:
        chain = [code]
        while (parent := dimension.parents.get(chain[-1])) is not None:
            chain.append(parent)
        return chain

    def cells(self) -> dict[tuple[str, ...], _Sums]:
        """Every cell of the table (all combinations of hierarchy nodes), leaves summed upwards; cells
        with nothing in them are zero cells with no contributors."""
        facility_index = (
            [d.name for d in self.dimensions].index(self.facility_dimension)
            if self.facility_dimension
            else None
        )
        totals: dict[tuple[str, ...], _Sums] = defaultdict(_Sums)
        for key, sums in self._leaves.items():
            chains = [self._ancestors(d, code) for d, code in zip(self.dimensions, key, strict=True)]
            for cell in itertools.product(*chains):
                target = totals[cell]
                target.value += sums.value
                for unit, amount in sums.units.items():
                    target.units[unit] += amount
                # The facility side counts where a cell is defined by a facility's country (not the total).
                if (
                    sums.facilities is not None
                    and facility_index is not None
                    and cell[facility_index] != TOTAL
                ):
                    if target.facilities is None:
                        target.facilities = defaultdict(float)
                    for facility, amount in sums.facilities.items():
                        target.facilities[facility] += amount
        for cell in itertools.product(*[list(d.parents) for d in self.dimensions]):
            totals.setdefault(cell, _Sums())
        return totals

    def publish(self, *, p: float, share_of: int | None = 0) -> list[PublishedCell]:
        """Protect the table and return its cells as they may be shown: rounded values, suppressed
        cells without one, contributor counts as bands, and the share of the cell in its total along
        dimension `share_of` (index; None for no shares) when both are published."""
        cells = self.cells()
        inputs = {
            key: CellInput(
                value=float(sums.value),
                groups=dict(sums.units),
                facilities=dict(sums.facilities) if sums.facilities is not None else None,
            )
            for key, sums in cells.items()
        }
        statuses = protect(inputs, self.dimensions, p=p)
        published = []
        for key, sums in cells.items():
            suppressed = statuses[key] is not Status.SAFE
            share = None
            if share_of is not None and not suppressed and key[share_of] != TOTAL:
                total_key = (*key[:share_of], TOTAL, *key[share_of + 1 :])
                total = cells.get(total_key)
                if total is not None and total.value > 0 and statuses.get(total_key) is Status.SAFE:
                    share = int((sums.value * 100 / total.value).quantize(Decimal(1)))
            published.append(
                PublishedCell(
                    key=key,
                    value=None if suppressed else Decimal(str(round_significant(float(sums.value), 3))),
                    share=share,
                    band=""
                    if suppressed
                    else contributor_band(len([u for u, v in sums.units.items() if v > 0])),
                    suppressed=suppressed,
                    exact=sums.value,
                )
            )
        return published


@dataclass(frozen=True)
class PublishedCell:
    key: tuple[str, ...]
    value: Decimal | None
    share: int | None
    band: str
    suppressed: bool
    #: The exact value stays in the worker: alerts compare it with thresholds; it is never stored.
    exact: Decimal
