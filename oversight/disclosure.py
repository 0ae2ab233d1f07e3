"""Statistical disclosure control for the magnitude tables shown to authorities.

The rule is the one statistical offices apply to magnitude tables (ESSnet Handbook on Statistical
Disclosure Control, chapter 4): a cell is *primary* sensitive when fewer than ``min_groups`` contributors
have a positive value or when it fails the p %-rule; every primary cell is suppressed and further
(*secondary*) cells are suppressed until no primary cell can be estimated, from the published cells and
the additivity of the table, closer than its protection level.

The unit of protection is the corporate group, not the company: the caller sums contributions per group,
since three companies of one group share their data and would otherwise "protect" each other. A cell
defined by a facility's country (e.g. "processed in Finland") is also judged on its facility side.

Pure module (standard library, numpy and scipy only): it must stay usable from batch jobs and tests
without Django, and it never sees p from settings itself, so p is never written into any output.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog
from scipy.sparse import coo_array

__all__ = [
    "CellInput",
    "Dimension",
    "Status",
    "contributor_band",
    "is_sensitive",
    "merge_for_chart",
    "protect",
    "protection_level",
    "round_significant",
]

# Sums of contributions are computed by the caller in another order than ours: allow float noise only,
# so a cell that meets the p %-rule exactly is not flipped to unsafe by the last bit.
_RULE_REL_TOL = 1e-9
# Inputs (sum of contributions vs value, additivity of the table) come from separate queries; anything
# beyond this is a caller bug that would make the audit answer a question about another table.
_INPUT_REL_TOL = 1e-6
# HiGHS solutions carry solver noise; kept below the 1e-6 an independent checker would allow, so that our
# "protected" never sits on the edge of someone else's "not protected".
_AUDIT_REL_TOL = 1e-7

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Dimension:
    """One hierarchical classification of the table: ``parents`` maps each code to its parent code.

    Exactly one code (the root, e.g. ``TOTAL``) has the parent ``None``. Every inner code equals the sum
    of its children, for every combination of the other dimensions.
    """

    name: str
    parents: Mapping[str, str | None]


@dataclass(frozen=True)
class CellInput:
    """One cell: its value and its contributions, summed per corporate group by the caller.

    ``facilities`` is the facility side, given only when the cell is defined by a facility's location.
    Each given side must add up to ``value``: the p %-rule compares the largest contributions with the
    value, and a side that does not add up would let a dominant contributor pass unnoticed.
    """

    value: float
    groups: Mapping[str, float]
    facilities: Mapping[str, float] | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.value) and self.value >= 0):
            raise ValueError(f"cell value must be finite and >= 0, got {self.value!r}")
        for side in _sides(self):
            if any(not (math.isfinite(v) and v >= 0) for v in side.values()):
                raise ValueError("contributions must be finite and >= 0")
            total = math.fsum(side.values())
            if abs(total - self.value) > _INPUT_REL_TOL * max(total, self.value):
                raise ValueError(f"contributions add up to {total!r}, not to the cell value {self.value!r}")


class Status(StrEnum):
    SAFE = "safe"
    PRIMARY = "primary"
    SECONDARY = "secondary"


def _sides(cell: CellInput) -> list[Mapping[str, float]]:
    return [cell.groups] if cell.facilities is None else [cell.groups, cell.facilities]


def _largest_two(contributions: Mapping[str, float]) -> tuple[int, float, float]:
    """Number of positive contributors and the two largest contributions (0.0 when missing)."""
    positive = sorted((v for v in contributions.values() if v > 0), reverse=True)
    x1 = positive[0] if positive else 0.0
    x2 = positive[1] if len(positive) > 1 else 0.0
    return len(positive), x1, x2


def _check_rule(p: float, min_groups: int) -> None:
    # p = 0 would give threshold-unsafe cells a protection level of 0, i.e. let them be recovered exactly.
    if not (math.isfinite(p) and p > 0):
        raise ValueError("p must be a positive number")
    if min_groups < 1:
        raise ValueError("min_groups must be at least 1")


def is_sensitive(cell: CellInput, *, p: float, min_groups: int = 3) -> bool:
    """Whether the cell is primary sensitive (threshold rule or p %-rule, on every given side).

    With ``x1 >= x2`` the two largest contributions of a side, the second largest contributor can
    estimate the largest as ``X - x2`` to within ``X - x1 - x2``; the cell is unsafe when that is closer
    than ``p`` % of ``x1``. An empty cell (value 0, no positive contribution) reveals nothing and is safe.
    """
    _check_rule(p, min_groups)
    sides = [_largest_two(side) for side in _sides(cell)]
    if cell.value == 0 and all(count == 0 for count, _, _ in sides):
        return False
    for count, x1, x2 in sides:
        if count < min_groups:
            return True
        if cell.value - x1 - x2 < p / 100 * x1 - _RULE_REL_TOL * cell.value:
            return True
    return False


def _required_protection(cell: CellInput, p: float) -> float:
    level = 0.0
    for _, x1, x2 in (_largest_two(side) for side in _sides(cell)):
        remainder = cell.value - x1 - x2
        # The floor of p % of X also covers threshold cells, whose p %-rule term can be small.
        level = max(level, p / 100 * x1 - remainder, p / 100 * cell.value)
    return level


def protection_level(cell: CellInput, *, p: float, min_groups: int = 3) -> float:
    """How far the feasible interval of a suppressed sensitive cell must reach; 0.0 for a safe cell.

    ``max(p/100 * x1 - (X - x1 - x2), p/100 * X)`` on each given side, the larger of the sides. The
    interval ``[lo, hi]`` must satisfy ``hi >= X + level`` and ``lo <= X - min(level, X)``.
    """
    if not is_sensitive(cell, p=p, min_groups=min_groups):
        return 0.0
    return _required_protection(cell, p)


def round_significant(value: float, digits: int = 3) -> float:
    """``value`` rounded to ``digits`` significant digits: 123456 -> 123000, 0.012345 -> 0.0123."""
    if digits < 1:
        raise ValueError("digits must be at least 1")
    if value == 0:
        return 0.0
    if not math.isfinite(value):
        return float(value)
    # The "g" format rounds the exact binary value correctly; log10 arithmetic slips near powers of 10.
    return float(f"{value:.{digits}g}")


def contributor_band(count: int) -> str:
    """The band shown instead of an exact number of contributors ("0" for an empty cell)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    if count == 0:
        return "0"
    for upper, band in ((2, "1-2"), (4, "3-4"), (9, "5-9"), (19, "10-19"), (49, "20-49")):
        if count <= upper:
            return band
    return "50+"


def merge_for_chart(
    values: Mapping[str, float], statuses: Mapping[str, Status], other_label: str
) -> list[tuple[str, float | None]]:
    """The entries of a chart with every suppressed entry merged into one ``other_label`` entry.

    Published entries keep their order; the merged entry, if any entry is suppressed, comes last. Its
    value is the sum of the suppressed entries only when at least two of them are positive, because the
    sum of one positive entry (plus zeros) *is* that entry; otherwise the merged entry's value is ``None``
    (the chart shows it without a number).

    The sum reveals nothing new only when ``values`` are all the children of one relation of the table
    whose total is published (e.g. every country under TOTAL for one period and market): then the sum
    equals the total minus the published entries, which anyone can compute already. For any other
    selection of entries (a top-N list, a total that is itself suppressed) the caller must not use the
    merged value.
    """
    published: list[tuple[str, float | None]] = []
    hidden: list[float] = []
    for label, value in values.items():
        status = statuses.get(label)
        if status is None:
            raise ValueError(f"no status for {label!r}")
        if status is Status.SAFE:
            published.append((label, value))
        else:
            hidden.append(value)
    if not hidden:
        return published
    if other_label in values:
        raise ValueError(f"{other_label!r} is already a label of the chart")
    merged = math.fsum(hidden) if sum(1 for v in hidden if v > 0) >= 2 else None
    published.append((other_label, merged))
    return published


# --- secondary suppression ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hierarchy:
    nodes: tuple[str, ...]
    children: Mapping[str, tuple[str, ...]]
    height: Mapping[str, int]


def _hierarchy(dimension: Dimension) -> _Hierarchy:
    parents: dict[str, str | None] = dict(dimension.parents)
    # The root may be left implicit ({"EU": "EU+JP", "JP": "EU+JP"}); a misspelt parent still fails below,
    # as a second root.
    for code in sorted({p for p in parents.values() if p is not None} - parents.keys()):
        parents[code] = None
    roots = [code for code, parent in parents.items() if parent is None]
    if len(roots) != 1:
        raise ValueError(f"dimension {dimension.name!r} must have exactly one root, has {len(roots)}")
    children: dict[str, list[str]] = {code: [] for code in parents}
    for code, parent in parents.items():
        if parent is not None:
            children[parent].append(code)
    order = [roots[0]]
    for code in order:
        order.extend(sorted(children[code]))
    # A cycle is a set of codes that the walk from the root never reaches.
    if len(order) != len(parents):
        raise ValueError(f"dimension {dimension.name!r} has codes not below its root (a cycle)")
    height: dict[str, int] = {}
    for code in reversed(order):
        height[code] = 1 + max((height[c] for c in children[code]), default=-1)
    return _Hierarchy(
        nodes=tuple(sorted(parents)),
        children={code: tuple(sorted(kids)) for code, kids in children.items()},
        height=height,
    )


class _Table:
    """The full cross-classification: every cell, and every additivity relation (parent first)."""

    def __init__(self, dimensions: Sequence[Dimension]) -> None:
        if not dimensions:
            raise ValueError("a table needs at least one dimension")
        hierarchies = [_hierarchy(d) for d in dimensions]
        # Sorted codes make the product sorted, so cell indices follow key order (our tie-breaker).
        self.keys: list[tuple[str, ...]] = list(itertools.product(*(h.nodes for h in hierarchies)))
        self.index: dict[tuple[str, ...], int] = {key: i for i, key in enumerate(self.keys)}
        self.aggregation: list[int] = [
            sum(h.height[code] for h, code in zip(hierarchies, key, strict=True)) for key in self.keys
        ]
        self.relations: list[tuple[int, ...]] = []
        for d, hierarchy in enumerate(hierarchies):
            others = [h.nodes for e, h in enumerate(hierarchies) if e != d]
            for node in hierarchy.nodes:
                kids = hierarchy.children[node]
                if not kids:
                    continue
                for rest in itertools.product(*others):
                    self.relations.append(
                        tuple(self.index[(*rest[:d], code, *rest[d:])] for code in (node, *kids))
                    )
        self.cell_relations: list[list[int]] = [[] for _ in self.keys]
        for r, members in enumerate(self.relations):
            for m in members:
                self.cell_relations[m].append(r)

    def check_additive(self, values: FloatArray) -> None:
        scale = _largest(values)
        for members in self.relations:
            parent = float(values[members[0]])
            children = math.fsum(float(values[m]) for m in members[1:])
            if abs(parent - children) > _INPUT_REL_TOL * max(parent, children) + 1e-12 * scale:
                key = self.keys[members[0]]
                raise ValueError(f"cell {key!r} = {parent!r} is not the sum of its children ({children!r})")


def _largest(values: FloatArray) -> float:
    return float(np.max(values)) if values.size else 0.0


@dataclass
class _Component:
    """The suppressed cells linked to a target through relations, with those relations as an LP."""

    cells: list[int]
    relations: list[int]
    column: int
    matrix: coo_array
    rhs: FloatArray


class _Suppressor:
    def __init__(self, table: _Table, values: FloatArray, levels: Sequence[float]) -> None:
        self.table = table
        self.values = values
        self.levels = levels
        self.scale = _largest(values) or 1.0
        self.scaled = values / self.scale
        self.suppressed = [False] * len(table.keys)
        # Suppressed cells per relation: a relation with exactly one gives that cell away exactly.
        self.count = [0] * len(table.relations)
        # The protection that a secondary cell was chosen to provide (the largest level it serves).
        self.need = [0.0] * len(table.keys)
        self._singletons: list[int] = []
        # Feasible tables found by the audit LPs (suppressed cells only; the rest hold their true values).
        self._witnesses: list[dict[int, float]] = []

    def suppress(self, cell: int, need: float) -> None:
        self.need[cell] = max(self.need[cell], need)
        if self.suppressed[cell]:
            return
        self.suppressed[cell] = True
        for r in self.table.cell_relations[cell]:
            self.count[r] += 1
            if self.count[r] == 1:
                heapq.heappush(self._singletons, r)

    def clear_singletons(self) -> None:
        """Give every relation holding a single suppressed cell a second one.

        Necessary, not sufficient: a lone suppressed cell equals the relation's published rest. For a
        secondary cell that makes it as good as published, so the primary it was meant to hide is exposed
        through it. The LP audit then finds what this cheap pass misses.
        """
        while self._singletons:
            r = heapq.heappop(self._singletons)
            if self.count[r] != 1:
                continue
            members = self.table.relations[r]
            lone = next(m for m in members if self.suppressed[m])
            candidate = self._best(members, self.need[lone])
            if candidate is None:  # pragma: no cover - a relation has at least two cells
                raise RuntimeError("relation with a single cell")
            self.suppress(candidate, self.need[lone])

    def _best(self, cells: Iterable[int], need: float) -> int | None:
        """The preferred cell to suppress next among ``cells`` (suppressed ones are skipped).

        In order: never a zero while a positive cell is available (a zero hides nothing, and it cannot
        give way downward); the least aggregated cell (totals last, they are what readers look at); the
        cell whose relations already hold suppressed cells (it closes a pattern instead of opening new
        relations); a value large enough to give way by ``need``; the smallest value; key order.
        """
        best: tuple[bool, int, int, bool, float, int] | None = None
        tol = _AUDIT_REL_TOL * need
        for cell in cells:
            if self.suppressed[cell]:
                continue
            value = float(self.values[cell])
            adjacent = sum(1 for r in self.table.cell_relations[cell] if self.count[r] > 0)
            rank = (value <= 0, self.table.aggregation[cell], -adjacent, value < need - tol, value, cell)
            if best is None or rank < best:
                best = rank
        return None if best is None else best[-1]

    def _component(self, target: int) -> _Component:
        relations = self.table.relations
        cells = [target]
        seen_cells = {target}
        seen_relations: set[int] = set()
        for cell in cells:
            for r in self.table.cell_relations[cell]:
                if r in seen_relations:
                    continue
                seen_relations.add(r)
                for m in relations[r]:
                    if self.suppressed[m] and m not in seen_cells:
                        seen_cells.add(m)
                        cells.append(m)
        cells.sort()
        rows = sorted(seen_relations)
        column = {cell: j for j, cell in enumerate(cells)}
        row_idx: list[int] = []
        col_idx: list[int] = []
        data: list[float] = []
        rhs = np.zeros(len(rows))
        for i, r in enumerate(rows):
            for position, m in enumerate(relations[r]):
                if not self.suppressed[m]:
                    continue
                coefficient = 1.0 if position == 0 else -1.0
                row_idx.append(i)
                col_idx.append(column[m])
                data.append(coefficient)
                # Equal to minus the published part for an additive table, and keeps the true table
                # exactly feasible when the input is additive only up to float noise.
                rhs[i] += coefficient * self.scaled[m]
        matrix = coo_array((data, (row_idx, col_idx)), shape=(len(rows), len(cells)))
        return _Component(cells, rows, column[target], matrix, rhs)

    def _bound(self, component: _Component, *, maximise: bool) -> float:
        objective = np.zeros(len(component.cells))
        objective[component.column] = -1.0 if maximise else 1.0
        result = linprog(
            objective,
            A_eq=component.matrix.tocsr(),
            b_eq=component.rhs,
            bounds=(0, None),
            method="highs",
        )
        if result.status == 3:  # unbounded: only possible upward, values have no ceiling
            return math.inf
        if result.status != 0:
            raise RuntimeError(f"disclosure audit LP failed: {result.message}")
        point = result.x * self.scale
        self._witnesses.append(dict(zip(component.cells, point.tolist(), strict=True)))
        return float(point[component.column])

    def _witnessed(self, target: int, *, above: float | None = None, below: float | None = None) -> bool:
        """Whether a table found by an earlier LP already puts ``target`` at or beyond the bound.

        Any such table stays feasible after further suppressions (they only free published cells), so an
        LP that drove a neighbour to its limit often settles this cell's question without another solve.
        """
        for point in self._witnesses:
            y = point.get(target)
            if y is not None and ((above is not None and y >= above) or (below is not None and y <= below)):
                return True
        return False

    def protect_cell(self, target: int) -> None:
        """Suppress further cells until ``target``'s feasible interval reaches its protection level."""
        value = float(self.values[target])
        level = self.levels[target]
        tol = _AUDIT_REL_TOL * (value + level)
        upper = value + level - tol
        lower = value - min(level, value) + tol
        while True:
            component: _Component | None = None
            shortfall = 0.0
            if not self._witnessed(target, above=upper):
                component = self._component(target)
                shortfall = max(0.0, upper - self._bound(component, maximise=True))
            if not shortfall:
                if self._witnessed(target, below=lower):
                    return
                component = component or self._component(target)
                if self._bound(component, maximise=False) <= lower:
                    return
                # Downward any value gives way: a neighbour that rises has no ceiling of its own.
            candidate = self._next_candidate(target, shortfall)
            if candidate is None:
                # With every relation around it suppressed, the target scales freely from 0 upward.
                raise RuntimeError(f"cannot protect cell {self.table.keys[target]!r}")  # pragma: no cover
            self.suppress(candidate, level)
            self.clear_singletons()

    def _next_candidate(self, target: int, shortfall: float) -> int | None:
        """A cell in a relation of the target; if those are all suppressed, in the nearest relation of its
        component (breadth-first), since the target can only move if its suppressed neighbours can."""
        frontier = [target]
        visited = {target}
        seen_relations: set[int] = set()
        while frontier:
            layer = sorted({r for cell in frontier for r in self.table.cell_relations[cell]} - seen_relations)
            seen_relations.update(layer)
            members = sorted({m for r in layer for m in self.table.relations[r]})
            candidate = self._best(members, shortfall)
            if candidate is not None:
                return candidate
            frontier = [m for m in members if m not in visited]
            visited.update(frontier)
        return None


def protect(
    cells: Mapping[tuple[str, ...], CellInput],
    dimensions: Sequence[Dimension],
    *,
    p: float,
    min_groups: int = 3,
) -> dict[tuple[str, ...], Status]:
    """The status of every cell of the table spanned by ``dimensions`` (missing cells count as empty).

    Primary cells are those failing :func:`is_sensitive`. Secondary cells are added until each primary
    cell, as seen by someone who knows every published cell, that values are >= 0 and that the table is
    additive, can only be bounded to an interval that reaches its protection level on both sides.
    """
    _check_rule(p, min_groups)
    table = _Table(dimensions)
    values = np.zeros(len(table.keys))
    levels = [0.0] * len(table.keys)
    primaries: list[int] = []
    for key, cell in cells.items():
        i = table.index.get(tuple(key))
        if i is None:
            raise ValueError(f"cell {key!r} is not in the table")
        values[i] = cell.value
        if is_sensitive(cell, p=p, min_groups=min_groups):
            primaries.append(i)
            levels[i] = _required_protection(cell, p)
    table.check_additive(values)
    primaries.sort()

    suppressor = _Suppressor(table, values, levels)
    for i in primaries:
        suppressor.suppress(i, levels[i])
    suppressor.clear_singletons()
    # One pass suffices: a suppression only turns a published constant into a variable, so the feasible
    # set only grows and a cell found protected stays protected. Cells later in the pass are audited
    # after every earlier addition, which is the "re-audit all" without repeating settled audits.
    for i in primaries:
        suppressor.protect_cell(i)

    primary = set(primaries)
    return {
        key: Status.PRIMARY if i in primary else Status.SECONDARY if suppressor.suppressed[i] else Status.SAFE
        for i, key in enumerate(table.keys)
    }
