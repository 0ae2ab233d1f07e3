"""Build one year's cube: facts -> protected tables -> stored cells, then the alerts they raise.

Tables (`CubeCell.table`), each per material where it has one:
- `origins`: contained material in batteries placed on the market, by country of extraction or processing
  (`stage`), and recovered material by country of the recycling facility (stage `recycling`);
- `flows`: the same contained material by extraction country and the country group it was processed in
  (`stage` holds @EU, @JP, @OECD, @NON_OECD or TOTAL);
- `content`: contained material split into recycled (pre-consumer, post-consumer, unsplit) and virgin;
- `status`: batteries placed on the market, by their battery status now;
- `eol`: batteries, lots and black mass handed over, by destination class (`stage` holds used/waste/ALL);
- `outflow`: contained material (and black mass) handed over to destinations outside the EU and Japan.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from oversight import reference
from oversight.models import BuildState, CubeBuild, CubeCell

from . import facts
from .alerts import raise_cube_alerts
from .tables import ALL, PublishedCell, Table, country_dimension, flat_dimension, market_dimension
from .tables import period_dimension as periods

logger = logging.getLogger(__name__)

STAGES = ("extraction", "processing")
RECYCLED_PARTS = ("pre_consumer", "post_consumer", "recycled_unsplit", "virgin")
STATUSES = ("original", "repurposed", "re-used", "remanufactured", "waste")
DESTINATIONS = ("domestic", "eu", "japan", "oecd", "non_oecd")
OUTSIDE = ("oecd", "non_oecd")


def _p() -> float:
    return float(settings.OVERSIGHT_P_PERCENT)


def _period(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def _country_table(name: str, year: int, countries: set[str]) -> Table:
    on = datetime.date(year, 12, 31)
    areas = {country: facts.area_of(country, on) for country in countries}
    return Table(
        name, [country_dimension(areas), periods(year), market_dimension()], facility_dimension="category"
    )


def _origin_tables(
    year: int,
    placed: list[facts.PlacedBatteries],
    models: dict[int, facts.Composition],
    recovered: list[facts.RecoveryFact],
) -> dict[tuple[str, str], Table]:
    """Contained mass split over origin countries by each model's supply-chain shares."""
    leaves: dict[tuple[str, str], list[tuple[tuple[str, str, str], Decimal, str, str]]] = defaultdict(list)
    for row in placed:
        comp = models.get(row.battery_model_id)
        if comp is None:
            continue
        for material, per_battery in comp.contained.items():
            for stage, split in (("extraction", comp.extraction), ("processing", comp.processing)):
                origins = split.get(material)
                if not origins:
                    continue
                whole = sum(origins.values())
                for (country, facility), mass in origins.items():
                    amount = per_battery * row.count * mass / whole
                    leaves[(material, stage)].append(
                        ((country, _period(year, row.quarter), row.market), amount, row.unit, facility)
                    )
    for fact in recovered:
        if fact.material in facts.MATERIALS:
            leaves[(fact.material, "recycling")].append(
                ((fact.country, _period(year, fact.quarter), fact.market), fact.mass_kg, fact.unit, fact.unit)
            )
    tables = {}
    for (material, stage), items in leaves.items():
        table = _country_table("origins", year, {key[0] for key, *_rest in items})
        for key, amount, unit, facility in items:
            table.add(key, amount, unit, facility)
        tables[(material, stage)] = table
    return tables


def _flow_tables(year: int, placed: list[facts.PlacedBatteries], models: dict[int, facts.Composition]):
    """Contained mass by extraction country (rows) and the country group where it was processed (`stage`),
    split by each model's supply-chain routes; the extraction side is located by its mines."""
    on = datetime.date(year, 12, 31)
    leaves: dict[str, list] = defaultdict(list)
    for row in placed:
        comp = models.get(row.battery_model_id)
        if comp is None:
            continue
        for material, per_battery in comp.contained.items():
            routes = comp.routes.get(material)
            if not routes:
                continue
            whole = sum(routes.values())
            for (origin, mine, processed_in), mass in routes.items():
                key = (origin, facts.area_of(processed_in, on), _period(year, row.quarter), row.market)
                leaves[material].append((key, per_battery * row.count * mass / whole, row.unit, mine))
    tables = {}
    for material, items in leaves.items():
        areas = {key[0]: facts.area_of(key[0], on) for key, *_rest in items}
        processing = flat_dimension("stage", ("@EU", "@JP", "@OECD", "@NON_OECD"))
        table = Table(
            "flows",
            [country_dimension(areas), processing, periods(year), market_dimension()],
            facility_dimension="category",
        )
        for key, amount, unit, mine in items:
            table.add(key, amount, unit, mine)
        tables[material] = table
    return tables


def _content_tables(year: int, placed: list[facts.PlacedBatteries], models: dict[int, facts.Composition]):
    tables: dict[str, Table] = {}
    for row in placed:
        comp = models.get(row.battery_model_id)
        if comp is None:
            continue
        for material, per_battery in comp.contained.items():
            table = tables.get(material)
            if table is None:
                table = tables[material] = Table(
                    "content", [flat_dimension("category", RECYCLED_PARTS), periods(year), market_dimension()]
                )
            mass = per_battery * row.count
            total, pre, post = comp.recycled.get(material, (Decimal(0), Decimal(0), Decimal(0)))
            period = _period(year, row.quarter)
            for part, share in (
                ("pre_consumer", pre),
                ("post_consumer", post),
                ("recycled_unsplit", total - pre - post),
                ("virgin", 100 - total),
            ):
                table.add((part, period, row.market), mass * share / 100, row.unit)
    return tables


def _status_table(year: int, placed: list[facts.PlacedBatteries]) -> Table:
    table = Table("status", [flat_dimension("category", STATUSES), periods(year), market_dimension()])
    for row in placed:
        if row.status in STATUSES:
            table.add((row.status, _period(year, row.quarter), row.market), row.count, row.unit)
    return table


def _eol_table(year: int, transfers: list[facts.TransferFact]) -> Table:
    table = Table(
        "eol",
        [
            flat_dimension("category", DESTINATIONS),
            flat_dimension("stage", ("used", "waste"), ALL),
            periods(year),
            market_dimension(),
        ],
        facility_dimension="category",
    )
    for fact in transfers:
        key = (fact.destination, fact.condition, _period(year, fact.quarter), fact.market)
        table.add(key, fact.mass_kg, fact.unit, fact.recipient_unit)
    return table


def _outflow_tables(year: int, transfers: list[facts.TransferFact], models: dict[int, facts.Composition]):
    tables: dict[str, Table] = {}

    def table_for(material: str) -> Table:
        if material not in tables:
            tables[material] = Table(
                "outflow",
                [flat_dimension("category", OUTSIDE), periods(year), market_dimension()],
                facility_dimension="category",
            )
        return tables[material]

    for fact in transfers:
        if fact.destination not in OUTSIDE:
            continue
        key = (fact.destination, _period(year, fact.quarter), fact.market)
        if fact.content == "black_mass":
            table_for("black_mass").add(key, fact.mass_kg, fact.unit, fact.recipient_unit)
            continue
        comp = models.get(fact.battery_model_id) if fact.battery_model_id else None
        for material, per_battery in comp.contained.items() if comp else ():
            table_for(material).add(key, per_battery * fact.batteries, fact.unit, fact.recipient_unit)
    return tables


def _rows(
    build: CubeBuild, table: str, material: str, stage: str, cells: list[PublishedCell]
) -> list[CubeCell]:
    rows = []
    for cell in cells:
        if len(cell.key) == 4:  # eol: destination, condition, ...; flows: extraction, processing group, ...
            category, row_stage, period, market = cell.key
        else:
            (category, period, market), row_stage = cell.key, stage
        rows.append(
            CubeCell(
                build=build,
                table=table,
                material=material,
                stage=row_stage,
                market=market,
                period=period,
                category=category,
                value=cell.value,
                share=cell.share,
                band=cell.band,
                suppressed=cell.suppressed,
            )
        )
    return rows


def compute(build: CubeBuild) -> dict[tuple[str, str, str], list[PublishedCell]]:
    """Every protected table of the build's year: (table, material, stage) -> published cells."""
    year, p = build.year, _p()
    placed = list(facts.placed_batteries(year))
    models = facts.compositions({row.battery_model_id for row in placed})
    transfers = list(facts.transfers(year))
    models.update(
        facts.compositions({t.battery_model_id for t in transfers if t.battery_model_id} - set(models))
    )
    recovered = list(facts.recoveries(year))
    published: dict[tuple[str, str, str], list[PublishedCell]] = {}
    for (material, stage), table in _origin_tables(year, placed, models, recovered).items():
        published[("origins", material, stage)] = table.publish(p=p)
    for material, table in _flow_tables(year, placed, models).items():
        published[("flows", material, "")] = table.publish(p=p)
    for material, table in _content_tables(year, placed, models).items():
        published[("content", material, "")] = table.publish(p=p)
    published[("status", "", "")] = _status_table(year, placed).publish(p=p)
    published[("eol", "", "")] = _eol_table(year, transfers).publish(p=p)
    for material, table in _outflow_tables(year, transfers, models).items():
        published[("outflow", material, "")] = table.publish(p=p)
    return published


def build_cube(build_id: int) -> CubeBuild:
    """Compute and store the cube of a requested build; idempotent (a finished build is left alone, and of
    two deliveries of the same build only the first to finish writes)."""
    build = CubeBuild.objects.get(pk=build_id)
    if build.state != BuildState.BUILDING:
        return build
    try:
        published = compute(build)
    except Exception:
        logger.exception("Cube build %s failed", build.pk)
        CubeBuild.objects.filter(pk=build.pk, state=BuildState.BUILDING).update(
            state=BuildState.FAILED, finished_at=timezone.now(), error="computation failed"
        )
        raise
    with transaction.atomic():
        build = CubeBuild.objects.select_for_update().get(pk=build_id)
        if build.state != BuildState.BUILDING:
            return build
        rows = [
            row
            for (table, material, stage), cells in published.items()
            for row in _rows(build, table, material, stage, cells)
        ]
        CubeCell.objects.bulk_create(rows, batch_size=2000)
        build.state = BuildState.READY
        build.finished_at = timezone.now()
        build.reference_edition = reference.edition()[:200]
        build.save(update_fields=["state", "finished_at", "reference_edition"])
        raise_cube_alerts(build, published)
    return build


def request_build(year: int) -> CubeBuild:
    """A build of `year` to run (the one already waiting, if any)."""
    with transaction.atomic():
        waiting = CubeBuild.objects.filter(year=year, state=BuildState.BUILDING).first()
        return waiting or CubeBuild.objects.create(year=year)
