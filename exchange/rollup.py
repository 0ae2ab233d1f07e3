"""Rolling a part up from its own data, its internal sub-parts and its suppliers' answers, by mass.

Pure arithmetic on plain values (no database): `selectors.rollup_for` loads a company's bill of materials,
own data and the answers it received in a few queries and calls `roll_up`. Emissions add up per declared
unit; purchased emissions keep their supplier's stage (pre-processing or main production, the Ouranos
split); primary-data shares and quality ratings are weighted by emissions; material masses add up and
their country and recycled shares are weighted by mass.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
STAGES = ("pre", "main")
ASPECTS = ("technological", "geographical", "temporal")


@dataclass
class MaterialMass:
    """One material per declared unit, as masses (kg): total, by country, and recycled."""

    mass: Decimal = ZERO
    extraction: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    processing: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    recycled_pre: Decimal = ZERO
    recycled_post: Decimal = ZERO

    def add(self, other: MaterialMass, factor: Decimal) -> None:
        self.mass += other.mass * factor
        for country, mass in other.extraction.items():
            self.extraction[country] += mass * factor
        for country, mass in other.processing.items():
            self.processing[country] += mass * factor
        self.recycled_pre += other.recycled_pre * factor
        self.recycled_post += other.recycled_post * factor

    @classmethod
    def from_shares(
        cls, mass: Decimal, extraction: dict, processing: dict, pre: Decimal, post: Decimal
    ) -> MaterialMass:
        figure = cls(mass=mass)
        for country, share in extraction.items():
            figure.extraction[country] += mass * Decimal(str(share)) / HUNDRED
        for country, share in processing.items():
            figure.processing[country] += mass * Decimal(str(share)) / HUNDRED
        figure.recycled_pre = mass * Decimal(str(pre)) / HUNDRED
        figure.recycled_post = mass * Decimal(str(post)) / HUNDRED
        return figure

    def shares(self, masses: dict[str, Decimal]) -> dict[str, Decimal]:
        if not self.mass:
            return {}
        ordered = sorted(masses.items(), key=lambda item: (-item[1], item[0]))
        return {country: _round(mass * HUNDRED / self.mass, 3) for country, mass in ordered if mass}

    def percent(self, mass: Decimal) -> Decimal:
        return _round(mass * HUNDRED / self.mass, 3) if self.mass else ZERO


@dataclass
class Figures:
    """A part's rolled-up figures per declared unit."""

    own_pre: Decimal = ZERO
    own_main: Decimal = ZERO
    purchased_pre: Decimal = ZERO
    purchased_main: Decimal = ZERO
    biogenic_uptake: Decimal = ZERO
    biogenic_carbon: Decimal = ZERO
    #: sum of emissions x primary share (per cent), to divide by the total.
    primary_weighted: Decimal = ZERO
    #: per stage and aspect: sum of the stage's emissions x rating, and the emissions rated.
    quality_weighted: dict[tuple[str, str], Decimal] = field(
        default_factory=lambda: defaultdict(lambda: ZERO)
    )
    quality_weight: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    mass: Decimal | None = None
    materials: dict[str, MaterialMass] = field(default_factory=dict)
    has_emissions: bool = False

    @property
    def pre(self) -> Decimal:
        return self.own_pre + self.purchased_pre

    @property
    def main(self) -> Decimal:
        return self.own_main + self.purchased_main

    @property
    def total(self) -> Decimal:
        return self.pre + self.main

    @property
    def including_biogenic(self) -> Decimal:
        return self.total + self.biogenic_uptake

    @property
    def primary_data_share(self) -> Decimal | None:
        return _round(self.primary_weighted / self.total, 3) if self.total else None

    def stage_quality(self) -> dict[str, dict[str, int]]:
        ratings: dict[str, dict[str, int]] = {}
        for stage in STAGES:
            weight = self.quality_weight[stage]
            if weight:
                ratings[stage] = {
                    aspect: int((self.quality_weighted[(stage, aspect)] / weight).to_integral_value())
                    for aspect in ASPECTS
                }
        return ratings

    def add_upstream(self, other: Figures, factor: Decimal) -> None:
        """`factor` declared units of `other` go into one unit of this part: all of it is purchased."""
        self.purchased_pre += other.pre * factor
        self.purchased_main += other.main * factor
        self.biogenic_uptake += other.biogenic_uptake * factor
        self.biogenic_carbon += other.biogenic_carbon * factor
        self.primary_weighted += other.primary_weighted * factor
        for key, value in other.quality_weighted.items():
            self.quality_weighted[key] += value * factor
        for stage, value in other.quality_weight.items():
            self.quality_weight[stage] += value * factor
        self.has_emissions = self.has_emissions or other.has_emissions
        for code, material in other.materials.items():
            self.materials.setdefault(code, MaterialMass()).add(material, factor)


@dataclass(frozen=True)
class OwnData:
    """A made part's own processes, per declared unit."""

    pre: Decimal | None = None
    main: Decimal | None = None
    biogenic_uptake: Decimal | None = None
    biogenic_carbon: Decimal | None = None
    primary_share: Decimal | None = None
    quality: dict | None = None
    mass: Decimal | None = None
    materials: tuple[tuple[str, MaterialMass], ...] = ()


@dataclass(frozen=True)
class Line:
    """One bill-of-materials line: `quantity` of part `child` per declared unit of the parent."""

    child: int
    quantity: Decimal


@dataclass(frozen=True)
class Source:
    """Where a figure of the top part comes from: its own data, or one of its lines."""

    part: int | None
    quantity: Decimal | None
    emissions: Decimal
    materials: dict[str, Decimal]
    answer: object | None = None
    missing: str = ""


@dataclass
class Result:
    figures: Figures
    sources: list[Source]
    #: (part id, reason) of every line below the top that had nothing to give.
    gaps: list[tuple[int, str]]
    top: int = 0
    lines: dict[int, list[Line]] = field(default_factory=dict)
    bought: dict[int, tuple[Figures | None, object | None, str]] = field(default_factory=dict)

    def bought_lines(self) -> list[tuple[int, Decimal, object | None]]:
        """Each bought part reached from the top through the company's own levels, with how many of its
        units go into one unit of the top part, and the answer it uses."""
        totals: dict[int, Decimal] = defaultdict(lambda: ZERO)

        def walk(part: int, factor: Decimal) -> None:
            for line in self.lines.get(part, ()):
                if line.child in self.bought:
                    totals[line.child] += factor * line.quantity
                else:
                    walk(line.child, factor * line.quantity)

        walk(self.top, Decimal(1))
        return [(part, factor, self.bought[part][1]) for part, factor in totals.items()]


class CycleError(ValueError):
    pass


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places)).normalize() if value else ZERO


def own_figures(own: OwnData) -> Figures:
    figures = Figures(mass=own.mass)
    for stage, value in (("pre", own.pre), ("main", own.main)):
        if value is None:
            continue
        figures.has_emissions = True
        if stage == "pre":
            figures.own_pre = value
        else:
            figures.own_main = value
        ratings = (own.quality or {}).get(stage) or {}
        if value and all(ratings.get(aspect) for aspect in ASPECTS):
            figures.quality_weight[stage] += value
            for aspect in ASPECTS:
                figures.quality_weighted[(stage, aspect)] += value * Decimal(ratings[aspect])
    figures.biogenic_uptake = own.biogenic_uptake or ZERO
    figures.biogenic_carbon = own.biogenic_carbon or ZERO
    figures.primary_weighted = (figures.own_pre + figures.own_main) * (own.primary_share or ZERO)
    for code, material in own.materials:
        figures.materials.setdefault(code, MaterialMass()).add(material, Decimal(1))
    return figures


def roll_up(
    top: int,
    *,
    own: dict[int, OwnData],
    lines: dict[int, list[Line]],
    bought: dict[int, tuple[Figures | None, object | None, str]],
) -> Result:
    """Figures of part `top`. `own` holds made parts' own data, `lines` their bills of materials,
    `bought` each bought part's figures from its supplier's current answer (or None and why not)."""
    memo: dict[int, Figures] = {}
    gaps: list[tuple[int, str]] = []
    visiting: set[int] = set()

    def figures_of(part: int) -> Figures:
        if part in memo:
            return memo[part]
        if part in bought:
            received, _answer, why = bought[part]
            if received is None:
                gaps.append((part, why))
                received = Figures()
            memo[part] = received
            return received
        if part in visiting:
            raise CycleError(part)
        visiting.add(part)
        figures = own_figures(own.get(part, OwnData()))
        masses = sum((material.mass for material in figures.materials.values()), ZERO)
        all_masses_known = True
        for line in lines.get(part, ()):
            child = figures_of(line.child)
            figures.add_upstream(child, line.quantity)
            if child.mass is None:
                all_masses_known = False
            else:
                masses += child.mass * line.quantity
        if figures.mass is None and lines.get(part) and all_masses_known:
            figures.mass = masses
        visiting.discard(part)
        memo[part] = figures
        return figures

    result = figures_of(top)
    sources = []
    own_data = own.get(top)
    if own_data is not None:
        mine = own_figures(own_data)
        sources.append(Source(None, None, mine.total, {c: m.mass for c, m in mine.materials.items()}))
    for line in lines.get(top, ()):
        child = memo[line.child]
        answer, why = (bought[line.child][1], bought[line.child][2]) if line.child in bought else (None, "")
        sources.append(
            Source(
                line.child,
                line.quantity,
                child.total * line.quantity,
                {code: material.mass * line.quantity for code, material in child.materials.items()},
                answer,
                why,
            )
        )
    return Result(result, sources, gaps, top, lines, bought)
