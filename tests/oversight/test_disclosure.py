"""The disclosure rule for magnitude tables: primary sensitivity, protection levels and suppression."""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Mapping

import pytest

from oversight.disclosure import (
    CellInput,
    Dimension,
    Status,
    contributor_band,
    is_sensitive,
    merge_for_chart,
    protect,
    protection_level,
    round_significant,
)

P = 15.0

Key = tuple[str, ...]
Leaves = dict[Key, Mapping[str, float]]


def cell(groups: Mapping[str, float], facilities: Mapping[str, float] | None = None) -> CellInput:
    return CellInput(math.fsum(groups.values()), dict(groups), facilities)


def _ancestors(parents: Mapping[str, str | None], code: str) -> list[str]:
    chain = [code]
    while (parent := parents[chain[-1]]) is not None:
        chain.append(parent)
    return chain


def table(dimensions: list[Dimension], leaves: Leaves) -> dict[Key, CellInput]:
    """Every cell of the table, margins summed per group from the leaf contributions."""
    sums: dict[Key, dict[str, float]] = {}
    for leaf, groups in leaves.items():
        chains = [_ancestors(d.parents, code) for d, code in zip(dimensions, leaf, strict=True)]
        for key in itertools.product(*chains):
            total = sums.setdefault(key, {})
            for group, value in groups.items():
                total[group] = total.get(group, 0.0) + value
    return {key: cell(groups) for key, groups in sums.items()}


def suppressed(statuses: Mapping[Key, Status]) -> dict[Key, Status]:
    return {key: status for key, status in statuses.items() if status is not Status.SAFE}


def three(value: float, *names: str) -> dict[str, float]:
    """A safe spread: ``value`` shared evenly by three (or the given) groups."""
    names = names or ("s1", "s2", "s3")
    return {name: value / len(names) for name in names}


# --- primary rule ----------------------------------------------------------------------------------------


def test_p_percent_rule_vectors() -> None:
    # 100,000 - 50,000 - 49,000 = 1,000 < 7,500: the runner-up estimates the leader to within 2 %.
    assert is_sensitive(cell({"a": 50_000, "b": 49_000, "c": 1_000}), p=P)
    # 110,000 - 52,000 - 50,000 = 8,000 >= 7,800.
    assert not is_sensitive(cell({"a": 52_000, "b": 50_000, "c": 8_000}), p=P)


def test_p_percent_rule_boundary_is_safe_and_p_matters() -> None:
    # Remainder exactly p % of x1 (15 = 0.15 * 100) is not "<": safe, float noise notwithstanding.
    assert not is_sensitive(cell({"a": 100, "b": 50, "c": 10, "d": 5}), p=P)
    assert is_sensitive(cell({"a": 100, "b": 50, "c": 10, "d": 5}), p=16)
    assert not is_sensitive(cell({"a": 50_000, "b": 49_000, "c": 1_000}), p=2)


def test_threshold_rule() -> None:
    assert is_sensitive(cell({"a": 10}), p=P)
    assert is_sensitive(cell({"a": 10, "b": 10}), p=P)
    assert not is_sensitive(cell({"a": 10, "b": 10, "c": 10}), p=P)
    # Zero contributions are no contributors.
    assert is_sensitive(cell({"a": 10, "b": 10, "c": 0}), p=P)
    assert is_sensitive(cell({"a": 10, "b": 10, "c": 10}), p=P, min_groups=4)


def test_holding_rule_counts_a_corporate_group_once() -> None:
    # Three companies of one group, summed by the caller into one contributor: dominated, unsafe.
    assert is_sensitive(cell({"Group A": 30 + 30 + 30, "B": 5, "C": 5}), p=P)
    # The same companies taken as separate contributors would wrongly pass.
    assert not is_sensitive(cell({"A1": 30, "A2": 30, "A3": 30, "B": 5, "C": 5}), p=P)
    # Three companies of one group alone are one contributor: the threshold rule bites.
    assert is_sensitive(cell({"Group A": 90}), p=P)


def test_facility_side_makes_a_cell_unsafe() -> None:
    groups = three(300, "a", "b", "c")
    assert not is_sensitive(cell(groups), p=P)
    # Processed in a country with two plants: the plants' data would be exposed.
    assert is_sensitive(cell(groups, {"plant 1": 150, "plant 2": 150}), p=P)
    # Three plants, one dominant: the p %-rule on the facility side.
    assert is_sensitive(cell(groups, {"plant 1": 290, "plant 2": 5, "plant 3": 5}), p=P)
    assert not is_sensitive(cell(groups, {"plant 1": 100, "plant 2": 100, "plant 3": 100}), p=P)


def test_empty_cell_is_safe() -> None:
    assert not is_sensitive(CellInput(0.0, {}), p=P)
    assert not is_sensitive(CellInput(0.0, {"a": 0.0}, {}), p=P)
    assert protection_level(CellInput(0.0, {}), p=P) == 0.0


def test_protection_level_formula() -> None:
    # max(0.15 * 50,000 - 1,000, 0.15 * 100,000) = 15,000.
    assert protection_level(cell({"a": 50_000, "b": 49_000, "c": 1_000}), p=P) == pytest.approx(15_000)
    # Threshold cell: its p %-term is 0.15 * 60 - 0, the floor p % of X = 15 wins.
    assert protection_level(cell({"a": 60, "b": 40}), p=P) == pytest.approx(15)
    # Two sides: the larger requirement. Groups: max(0.15*100 - 200, 45) = 45; plants the same X: 45.
    two_sided = cell(three(300, "a", "b", "c"), {"p1": 290, "p2": 5, "p3": 5})
    assert protection_level(two_sided, p=P) == pytest.approx(45)
    # A safe cell needs no protection.
    assert protection_level(cell({"a": 52_000, "b": 50_000, "c": 8_000}), p=P) == 0.0


def test_protection_level_is_p_percent_of_the_value_for_consistent_contributions() -> None:
    # With contributions adding up to X the remainder is >= 0, so p/100 * x1 - remainder never exceeds
    # the floor p/100 * X: the floor is what protects, whichever rule made the cell unsafe.
    rng = random.Random(5)
    for _ in range(200):
        groups = {f"g{i}": rng.uniform(0, 100) for i in range(rng.randint(1, 6))}
        x = cell(groups)
        if is_sensitive(x, p=P):
            assert protection_level(x, p=P) == pytest.approx(P / 100 * x.value)


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError, match="finite"):
        CellInput(-1.0, {})
    with pytest.raises(ValueError, match="add up"):
        CellInput(100.0, {"a": 50.0})
    with pytest.raises(ValueError, match="add up"):
        CellInput(100.0, {"a": 100.0}, {"p1": 10.0})
    with pytest.raises(ValueError, match=">= 0"):
        CellInput(0.0, {"a": 5.0, "b": -5.0})
    with pytest.raises(ValueError, match="p must"):
        is_sensitive(cell({"a": 1}), p=0)


# --- presentation helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (123456, 3, 123000),
        (0.012345, 3, 0.0123),
        (0, 3, 0),
        (999.6, 3, 1000),
        (-123456, 2, -120000),
        (1234.5, 1, 1000),
        (5, 3, 5),
    ],
)
def test_round_significant(value: float, digits: int, expected: float) -> None:
    assert round_significant(value, digits) == pytest.approx(expected, rel=1e-12, abs=0)


def test_round_significant_rejects_zero_digits() -> None:
    with pytest.raises(ValueError, match="digits"):
        round_significant(1.0, 0)


@pytest.mark.parametrize(
    ("count", "band"),
    [
        (0, "0"),
        (1, "1-2"),
        (2, "1-2"),
        (3, "3-4"),
        (4, "3-4"),
        (5, "5-9"),
        (9, "5-9"),
        (10, "10-19"),
        (19, "10-19"),
        (20, "20-49"),
        (49, "20-49"),
        (50, "50+"),
        (10_000, "50+"),
    ],
)
def test_contributor_band(count: int, band: str) -> None:
    assert contributor_band(count) == band


def test_merge_for_chart() -> None:
    values = {"DE": 500.0, "FR": 300.0, "PL": 40.0, "CZ": 25.0, "SK": 0.0}
    statuses = {"DE": Status.SAFE, "FR": Status.SAFE, "PL": Status.PRIMARY, "CZ": Status.SECONDARY}
    statuses["SK"] = Status.SAFE
    assert merge_for_chart(values, statuses, "Other") == [
        ("DE", 500.0),
        ("FR", 300.0),
        ("SK", 0.0),
        ("Other", 65.0),
    ]


def test_merge_for_chart_never_gives_a_single_suppressed_value() -> None:
    values = {"DE": 500.0, "PL": 40.0, "CZ": 0.0}
    statuses = {"DE": Status.SAFE, "PL": Status.PRIMARY, "CZ": Status.SECONDARY}
    # PL + CZ = PL: the sum would be PL's value.
    assert merge_for_chart(values, statuses, "Other") == [("DE", 500.0), ("Other", None)]
    assert merge_for_chart({"DE": 1.0}, {"DE": Status.SAFE}, "Other") == [("DE", 1.0)]
    with pytest.raises(ValueError, match="no status"):
        merge_for_chart({"DE": 1.0}, {}, "Other")


# --- protect ---------------------------------------------------------------------------------------------

ONE_D = Dimension("country", {"TOTAL": None, "A": "TOTAL", "B": "TOTAL", "C": "TOTAL", "D": "TOTAL"})


def test_single_unsafe_leaf_forces_a_second_suppression() -> None:
    # A: two groups, protection 15 % of 90 = 13.5. B is too small to hide that much (A + B published
    # as TOTAL - C - D gives A <= 102), C is the smallest that is large enough.
    leaves: Leaves = {
        ("A",): {"g1": 50, "g2": 40},
        ("B",): three(12),
        ("C",): three(30, "c1", "c2", "c3"),
        ("D",): three(100, "d1", "d2", "d3"),
    }
    statuses = protect(table([ONE_D], leaves), [ONE_D], p=P)
    assert suppressed(statuses) == {("A",): Status.PRIMARY, ("C",): Status.SECONDARY}
    assert statuses[("TOTAL",)] is Status.SAFE


def test_audit_adds_a_third_cell_when_the_second_is_too_small() -> None:
    # Both partners are too small for A's 15; the pattern check picks B (the smallest), the LP audit
    # finds A <= 100 + 10 < 115 and adds C rather than the total.
    dimension = Dimension("country", {"TOTAL": None, "A": "TOTAL", "B": "TOTAL", "C": "TOTAL"})
    leaves: Leaves = {("A",): {"g1": 50, "g2": 50}, ("B",): three(10), ("C",): three(12, "c1", "c2", "c3")}
    statuses = protect(table([dimension], leaves), [dimension], p=P)
    assert suppressed(statuses) == {
        ("A",): Status.PRIMARY,
        ("B",): Status.SECONDARY,
        ("C",): Status.SECONDARY,
    }


def test_total_is_suppressed_when_nothing_else_is_left() -> None:
    # TOTAL (50, 50, 4, 3, 3) passes both rules; A needs 15 upward but B only gives way by 10.
    dimension = Dimension("country", {"TOTAL": None, "A": "TOTAL", "B": "TOTAL"})
    leaves: Leaves = {("A",): {"g1": 50, "g2": 50}, ("B",): {"g3": 4, "g4": 3, "g5": 3}}
    cells = table([dimension], leaves)
    assert not is_sensitive(cells[("TOTAL",)], p=P)
    assert protect(cells, [dimension], p=P) == {
        ("A",): Status.PRIMARY,
        ("B",): Status.SECONDARY,
        ("TOTAL",): Status.SECONDARY,
    }


ROWS = Dimension("country", {"TOTAL": None, "a": "TOTAL", "b": "TOTAL", "c": "TOTAL"})
COLUMNS = Dimension("period", {"ALL": None, "x": "ALL", "y": "ALL", "z": "ALL"})


def test_two_dimensional_table_suppresses_a_rectangle() -> None:
    # (a, x) has one contributor. Its row and its column each need a partner, and those partners'
    # column and row meet in (b, y): the four corners hide each other; margins stay published.
    values = {
        ("a", "x"): 20,
        ("a", "y"): 30,
        ("a", "z"): 60,
        ("b", "x"): 40,
        ("b", "y"): 50,
        ("b", "z"): 80,
        ("c", "x"): 70,
        ("c", "y"): 90,
        ("c", "z"): 100,
    }
    leaves: Leaves = {key: three(v, *(f"{key[0]}{key[1]}{i}" for i in range(3))) for key, v in values.items()}
    leaves[("a", "x")] = {"solo": 20}
    statuses = protect(table([ROWS, COLUMNS], leaves), [ROWS, COLUMNS], p=P)
    assert suppressed(statuses) == {
        ("a", "x"): Status.PRIMARY,
        ("a", "y"): Status.SECONDARY,
        ("b", "x"): Status.SECONDARY,
        ("b", "y"): Status.SECONDARY,
    }


def test_inner_primary_is_hidden_in_both_its_relations() -> None:
    country = Dimension(
        "country",
        {"TOTAL": None, "EU": "TOTAL", "DE": "EU", "FR": "EU", "NON_OECD": "TOTAL", "CN": "NON_OECD"}
        | {"IN": "NON_OECD"},
    )
    leaves: Leaves = {
        ("DE",): {"g1": 60, "g2": 40},
        ("FR",): {"g1": 30, "g3": 5},
        ("CN",): three(300),
        ("IN",): three(200, "i1", "i2", "i3"),
    }
    statuses = protect(table([country], leaves), [country], p=P)
    # EU (g1 90, g2 40, g3 5) is dominated, and so are DE and FR. EU's partner under TOTAL is NON_OECD
    # (the total itself last), which in turn needs a partner below it: IN, smaller than CN and enough.
    assert suppressed(statuses) == {
        ("DE",): Status.PRIMARY,
        ("FR",): Status.PRIMARY,
        ("EU",): Status.PRIMARY,
        ("NON_OECD",): Status.SECONDARY,
        ("IN",): Status.SECONDARY,
    }


def test_missing_cells_count_as_empty_and_safe() -> None:
    leaves: Leaves = {("a", "x"): three(30), ("b", "y"): three(30, "b1", "b2", "b3")}
    cells = table([ROWS, COLUMNS], leaves)
    statuses = protect(cells, [ROWS, COLUMNS], p=P)
    assert len(statuses) == 16
    assert statuses[("c", "z")] is Status.SAFE
    assert set(statuses.values()) == {Status.SAFE}


def test_rejects_tables_that_do_not_add_up_or_do_not_exist() -> None:
    cells = table([ROWS], {("a",): three(30), ("b",): three(30, "b1", "b2", "b3")})
    with pytest.raises(ValueError, match="not in the table"):
        protect({**cells, ("nowhere",): cell(three(30))}, [ROWS], p=P)
    with pytest.raises(ValueError, match="not the sum"):
        protect({**cells, ("TOTAL",): cell(three(100))}, [ROWS], p=P)


def test_root_may_be_implicit() -> None:
    market = Dimension("market", {"EU": "EU+JP", "JP": "EU+JP"})
    cells = table([MARKET], {("EU",): {"g1": 10}, ("JP",): three(50)})
    assert protect(cells, [market], p=P) == {
        ("EU",): Status.PRIMARY,
        ("EU+JP",): Status.SAFE,
        ("JP",): Status.SECONDARY,
    }


@pytest.mark.parametrize(
    "parents",
    [
        {"A": None, "B": None},
        {"A": "B", "B": "A", "T": None},
        {"A": "NOWHERE", "T": None},
        {},
    ],
)
def test_rejects_malformed_hierarchies(parents: dict[str, str | None]) -> None:
    with pytest.raises(ValueError, match="dimension"):
        protect({}, [Dimension("bad", parents)], p=P)


COUNTRY = Dimension(
    "country",
    {"TOTAL": None, "EU": "TOTAL", "NON_OECD": "TOTAL", "DE": "EU", "FR": "EU", "FI": "EU", "PL": "EU"}
    | {"CN": "NON_OECD", "IN": "NON_OECD", "ID": "NON_OECD"},
)
PERIOD = Dimension("period", {"2026": None} | {f"2026Q{q}": "2026" for q in range(1, 5)})
MARKET = Dimension("market", {"EU+JP": None, "EU": "EU+JP", "JP": "EU+JP"})


def _random_leaves(seed: int) -> Leaves:
    rng = random.Random(seed)
    leaves: Leaves = {}
    groups = [f"group {i}" for i in range(12)]
    for country in ("DE", "FR", "FI", "PL", "CN", "IN", "ID"):
        for quarter in range(1, 5):
            for market in ("EU", "JP"):
                n = rng.choice((0, 1, 2, 3, 4, 5, 6))
                leaves[(country, f"2026Q{quarter}", market)] = {
                    g: rng.uniform(1, 1000) for g in rng.sample(groups, n)
                }
    return leaves


def test_protect_is_deterministic() -> None:
    dims = [COUNTRY, PERIOD, MARKET]
    cells = table(dims, _random_leaves(7))
    first = protect(cells, dims, p=P)
    assert any(s is Status.SECONDARY for s in first.values())
    # Same table, cells and codes given in another order: same answer.
    shuffled_cells = list(cells.items())
    random.Random(1).shuffle(shuffled_cells)
    shuffled_dims = [Dimension(d.name, dict(reversed(list(d.parents.items())))) for d in dims]
    assert protect(dict(shuffled_cells), shuffled_dims, p=P) == first
    assert protect(cells, dims, p=P) == first


def test_protect_of_a_realistic_table_is_fast() -> None:
    # About 60 countries (5 regions) x 5 periods x 3 markets, ~10 % thin leaves.
    rng = random.Random(3)
    parents: dict[str, str | None] = {"TOTAL": None}
    for region in range(5):
        parents[f"R{region}"] = "TOTAL"
        for c in range(11):
            parents[f"R{region}C{c:02d}"] = f"R{region}"
    country = Dimension("country", parents)
    dims = [country, PERIOD, MARKET]
    groups = [f"group {i}" for i in range(40)]
    leaves: Leaves = {}
    for code in (c for c in parents if c.count("C")):
        for quarter in range(1, 5):
            for market in ("EU", "JP"):
                n = rng.choice((0, 1, 2) + (3, 4, 5, 6, 7, 8) * 4)
                leaves[(code, f"2026Q{quarter}", market)] = {
                    g: rng.uniform(1, 1000) for g in rng.sample(groups, n)
                }
    cells = table(dims, leaves)
    assert len(cells) == 61 * 5 * 3
    started = time.perf_counter()
    statuses = protect(cells, dims, p=P)
    elapsed = time.perf_counter() - started
    assert sum(s is Status.PRIMARY for s in statuses.values()) >= 20
    assert elapsed < 2.0
