"""The raw facts one year's cube is computed from, read in bulk by the worker (never by a page).

Each fact carries the *protection unit* of the company that declared it (its corporate group, or the
company itself) and, where the fact is located by a facility, that facility's key. Amounts are kg, or a
number of batteries. Nothing here leaves the worker: `tables` aggregates and protects it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Substr

from endoflife.models import RecoveredOutput, Transfer
from oversight import reference
from passports.models import BatteryModel, Passport, PassportVersion, SupplyChainEntry, VersionState
from portal.tenancy.models import DataSpace, Organization

#: The five materials the oversight follows, and the words a passport's critical raw materials use.
MATERIALS = ("lithium", "cobalt", "nickel", "manganese", "natural_graphite")
MATERIAL_WORDS = {
    "lithium": ("lithium",),
    "cobalt": ("cobalt",),
    "nickel": ("nickel",),
    "manganese": ("manganese",),
    "natural_graphite": ("graphite",),
}
#: Materials with Art. 8 recycled-content attributes in the passport.
RECYCLED_METALS = ("cobalt", "lithium", "nickel")
MASS_UNITS = {"unit:kilogram": Decimal(1), "unit:gram": Decimal("0.001"), "unit:tonne": Decimal(1000)}
PROCUREMENT_UNITS = {"kg": Decimal(1), "t": Decimal(1000)}


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def market_of(organization: Organization, on: datetime.date) -> str | None:
    """The market an economic operator places its batteries on: the EU for an operator established in a
    member state, Japan for one in Japan; otherwise the market its data space serves (Catena-X: EU,
    Ouranos: JP). An operator elsewhere without one is counted in neither."""
    country = organization.country.code
    if "eu" in reference.groups_of(country, on):
        return "EU"
    if country == "JP":
        return "JP"
    return {DataSpace.CATENA_X: "EU", DataSpace.OURANOS: "JP"}.get(organization.data_spaces)


def area_of(country: str, on: datetime.date) -> str:
    """The country group a country falls in, seen from a market: its own area, the partner's, other
    OECD-Decision countries, or the rest."""
    groups = reference.groups_of(country, on)
    if "eu" in groups:
        return "@EU"
    if country == "JP":
        return "@JP"
    if "oecd_decision" in groups:
        return "@OECD"
    return "@NON_OECD"


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and number >= 0 else None


@dataclass
class Composition:
    """What one battery of a model contains, by material (kg), and its declared recycled shares (%)."""

    contained: dict[str, Decimal] = field(default_factory=dict)
    recycled: dict[str, tuple[Decimal, Decimal, Decimal]] = field(default_factory=dict)  # total, pre, post
    extraction: dict[str, dict[tuple[str, str], Decimal]] = field(default_factory=dict)
    processing: dict[str, dict[tuple[str, str], Decimal]] = field(default_factory=dict)
    #: material -> (extraction country, mine, processing country) -> procured mass: the route of each lot.
    routes: dict[str, dict[tuple[str, str, str], Decimal]] = field(default_factory=dict)


def composition(model_data: dict[str, Any], supply_chain: list[SupplyChainEntry]) -> Composition:
    """A model's composition from its published values (weight x share by weight of each critical raw
    material) and the origin split of each material from its supply chain (by procured mass; the
    facility is the mine or extraction site, and the refiner or processor)."""
    result = Composition()
    weight = _decimal(model_data.get("weight"))
    factor = MASS_UNITS.get(model_data.get("weight_unit") or "unit:kilogram")
    if weight and factor:
        kg = weight * factor
        for line in model_data.get("critical_raw_materials") or []:
            name = str(line.get("material") or "").lower()
            share = _decimal(line.get("share"))
            for code, words in MATERIAL_WORDS.items():
                if share is not None and any(word in name for word in words):
                    result.contained[code] = result.contained.get(code, Decimal(0)) + kg * share / 100
    for metal in RECYCLED_METALS:
        total = _decimal(model_data.get(f"{metal}_recycled_share")) or Decimal(0)
        pre = _decimal(model_data.get(f"{metal}_recycled_pre_consumer")) or Decimal(0)
        post = _decimal(model_data.get(f"{metal}_recycled_post_consumer")) or Decimal(0)
        total = min(max(total, pre + post), Decimal(100))
        if total:
            result.recycled[metal] = (total, min(pre, total), min(post, max(total - pre, Decimal(0))))
    for entry in supply_chain:
        if entry.material not in MATERIALS:
            continue
        mass = entry.procurement_amount * PROCUREMENT_UNITS.get(entry.procurement_unit, Decimal(1))
        if mass <= 0:
            continue
        mine = _facility(entry.mine_or_extraction_site, entry.country_of_origin.code)
        extraction = result.extraction.setdefault(entry.material, {})
        key = (entry.country_of_origin.code, mine)
        extraction[key] = extraction.get(key, Decimal(0)) + mass
        country = entry.refiner_country.code if entry.refiner_country else ""
        if country:
            processing = result.processing.setdefault(entry.material, {})
            key = (country, _facility(entry.refiner_processor, country))
            processing[key] = processing.get(key, Decimal(0)) + mass
            routes = result.routes.setdefault(entry.material, {})
            route = (entry.country_of_origin.code, mine, country)
            routes[route] = routes.get(route, Decimal(0)) + mass
    return result


def _facility(name: str, country: str) -> str:
    """A facility's key: its normalised name; an unnamed facility is one unknown facility per country, so
    that blanks can never add contributors."""
    return " ".join(name.lower().split()) or f"?{country}"


@dataclass(frozen=True)
class PlacedBatteries:
    """Batteries of one model placed on one market in one quarter, by their status now."""

    unit: str
    battery_model_id: int
    market: str
    quarter: int
    status: str
    count: int


def placed_batteries(year: int) -> Iterator[PlacedBatteries]:
    """Published passports placed on the market in `year` (the latest published version's date),
    grouped in the database: one row per company, model, status and month."""
    organizations = _organizations()
    start = datetime.date(year, 1, 1)
    latest = PassportVersion.objects.filter(passport=OuterRef("pk"), state=VersionState.PUBLISHED).order_by(
        "-number"
    )
    rows = (
        Passport.objects.annotate(placed=Subquery(latest.values(date=KT("data__placed_on_market_date"))[:1]))
        .filter(placed__gte=start.isoformat(), placed__lt=datetime.date(year + 1, 1, 1).isoformat())
        .annotate(month=Substr("placed", 6, 2))
        .values_list("organization_id", "battery_model_id", "status", "month")
        .annotate(count=Count("id"))
        .order_by()
    )
    for organization_id, model_id, status, month, count in rows:
        organization = organizations.get(organization_id)
        if organization is None or not str(month or "").isdigit() or not 1 <= int(month) <= 12:
            continue
        market = market_of(organization, start)
        if market is None:
            continue
        yield PlacedBatteries(
            organization.protection_unit, model_id, market, (int(month) - 1) // 3 + 1, status, count
        )


def compositions(model_ids: set[int]) -> dict[int, Composition]:
    """The composition of each model, from its model-level values (weight, critical raw materials,
    recycled shares: what its published passports show) and its supply chain."""
    supply: dict[int, list[SupplyChainEntry]] = defaultdict(list)
    for entry in SupplyChainEntry.objects.filter(battery_model_id__in=model_ids):
        supply[entry.battery_model_id].append(entry)
    return {
        model.pk: composition(model.data or {}, supply[model.pk])
        for model in BatteryModel.objects.filter(pk__in=model_ids).only("pk", "data")
    }


def _organizations() -> dict[int, Organization]:
    return {org.pk: org for org in Organization.objects.all()}


@dataclass(frozen=True)
class TransferFact:
    unit: str
    recipient_unit: str
    market: str
    quarter: int
    condition: str
    destination: str  # destination class
    batteries: int
    mass_kg: Decimal
    content: str
    battery_model_id: int | None


def transfers(year: int) -> Iterator[TransferFact]:
    """Transfers shipped in `year`, located by the market of the country of dispatch."""
    organizations = _organizations()
    rows = Transfer.objects.filter(shipped_on__year=year).values_list(
        "organization_id",
        "recipient_id",
        "recipient_name",
        "origin_country",
        "destination_country",
        "shipped_on",
        "condition",
        "content",
        "battery_count",
        "mass_kg",
        "passport__battery_model_id",
    )
    for (
        org_id,
        recipient_id,
        recipient_name,
        origin,
        destination,
        shipped,
        condition,
        content,
        count,
        mass,
        model,
    ) in rows:
        sender = organizations[org_id]
        market = _market_of_country(origin, shipped)
        if market is None:
            continue
        recipient = organizations.get(recipient_id)
        recipient_unit = (
            recipient.protection_unit if recipient else "name:" + " ".join(recipient_name.lower().split())
        )
        yield TransferFact(
            unit=sender.protection_unit,
            recipient_unit=recipient_unit,
            market=market,
            quarter=quarter_of(shipped),
            condition=condition,
            destination=reference.destination_class(origin, destination, shipped),
            batteries=1 if content == "battery" else (count or 0),
            mass_kg=mass,
            content=content,
            battery_model_id=model,
        )


def _market_of_country(country: str, on: datetime.date) -> str | None:
    if "eu" in reference.groups_of(country, on):
        return "EU"
    return "JP" if country == "JP" else None


@dataclass(frozen=True)
class RecoveryFact:
    unit: str
    market: str
    quarter: int
    material: str
    country: str
    mass_kg: Decimal


def recoveries(year: int) -> Iterator[RecoveryFact]:
    """Recovered material declared by recyclers for `year`, by the country of the recycling facility."""
    organizations = _organizations()
    rows = RecoveredOutput.objects.filter(year=year).values_list(
        "organization_id", "quarter", "material", "facility_country", "mass_kg"
    )
    for org_id, quarter, material, country, mass in rows:
        market = _market_of_country(country, datetime.date(year, 1, 1))
        if market is None:
            continue
        yield RecoveryFact(organizations[org_id].protection_unit, market, quarter, material, country, mass)
