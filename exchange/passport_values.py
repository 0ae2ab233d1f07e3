"""From answers received to a battery model's passport values: a proposal the owner reviews, then accepts.

A battery model is linked to the made part that is the battery (`Part.battery_model`). Its roll-up gives:
- the carbon footprint of the two stages the supply chain covers (raw material acquisition and
  pre-processing; main product production), per kWh of total energy over the service life (rated energy x
  expected lifetime cycles) when the part is declared per piece, or as declared when per kilowatt hour;
  the total adds the distribution and end-of-life rows already in the model;
- recycled content per Art. 8 metal (pre- and post-consumer), checked against the 2031 and 2036 minimums;
- the confidential supply-chain table: one row per direct supplier linked on the portal, material and
  country of extraction, with the main country of processing, the mass per battery and the recycled share.
  Only direct suppliers appear (their own suppliers never reach this company), and rows of suppliers that
  are not linked on the portal (typed by hand) are kept.

Nothing is written until `accept` (through the passports services, so the model's own rules and
validation apply), and nothing is published until the owner publishes passports.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passports import selectors as passport_selectors
from passports import services as passport_services
from passports.catalogue import RECYCLED_CONTENT_TARGETS
from passports.models import BatteryModel
from portal.audit.services import audit_record
from portal.restrict import permits, visible_then_permitted

from .models import Answer, DeclaredUnit, Part, PartKind
from .rollup import Figures, MaterialMass, Result
from .selectors import rollup_for
from .validation import plain

PRE_STAGE = "raw material acquisition and pre-processing"
MAIN_STAGE = "main product production"
ART8_METALS = ("cobalt", "lithium", "nickel", "lead")
SUPPLY_CHAIN_MATERIALS = {"lithium", "cobalt", "nickel", "natural_graphite", "manganese"}
FOOTPRINT_PLACES = Decimal("0.0001")


@dataclass
class TargetCheck:
    metal: str
    share: Decimal
    target: int
    year: int

    @property
    def met(self) -> bool:
        return self.share >= self.target


@dataclass
class Proposal:
    battery_model: BatteryModel
    part: Part | None
    result: Result | None = None
    #: model data key -> (current value, proposed value)
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    supply_chain: list[dict[str, Any]] = field(default_factory=list)
    kept_rows: int = 0
    checks: list[TargetCheck] = field(default_factory=list)
    primary_data_share: Decimal | None = None
    functional_unit_kwh: Decimal | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def acceptable(self) -> bool:
        return self.part is not None and not self.problems and bool(self.changes or self.supply_chain)


def battery_part(*, actor, battery_model: BatteryModel) -> Part | None:
    return (
        Part.objects.restrict(actor, "view").filter(battery_model=battery_model, kind=PartKind.MADE).first()
    )


@transaction.atomic
def link_battery_model(*, actor, part: Part, battery_model: BatteryModel | None) -> Part:
    """Say which made part is the battery of `battery_model` (None unlinks). One part per model."""
    visible_then_permitted(actor, "change", part)
    if battery_model is not None:
        if (
            not permits(actor, "change", battery_model)
            or battery_model.organization_id != part.organization_id
        ):
            raise ValidationError({"battery_model": [_("Choose one of your own battery models.")]})
        if part.kind != PartKind.MADE:
            raise ValidationError({"battery_model": [_("Only a part you make can be a battery model.")]})
        Part.objects.filter(battery_model=battery_model).exclude(pk=part.pk).update(battery_model=None)
    part.battery_model = battery_model
    part.save(update_fields=["battery_model", "updated_at"])
    return part


def _functional_unit(part: Part, data: dict[str, Any], problems: list[str]) -> Decimal | None:
    if part.unit == DeclaredUnit.KILOWATT_HOUR:
        return Decimal(1)
    if part.unit != DeclaredUnit.PIECE:
        problems.append(
            _("Declare the battery part per piece or per kilowatt hour to compute a footprint per kWh.")
        )
        return None
    energy, cycles = data.get("rated_energy"), data.get("expected_lifetime_cycles")
    if not energy or not cycles:
        problems.append(
            _("Enter the rated energy and the expected lifetime in cycles to compute a footprint per kWh.")
        )
        return None
    return Decimal(str(energy)) * Decimal(str(cycles))


def _footprint_rows(current: list[dict], figures: Figures, per: Decimal) -> list[dict]:
    """The model's footprint rows with the two supply-chain stages replaced and the total recomputed,
    per manufacturing plant as the model already declares them (one plant-less set if none)."""
    pre = (figures.pre / per).quantize(FOOTPRINT_PLACES)
    main = (figures.main / per).quantize(FOOTPRINT_PLACES)
    climate = [
        row for row in current if row.get("impact_category", "Climate Change Total") == "Climate Change Total"
    ]
    others = [row for row in current if row not in climate]
    plants: dict[tuple, list[dict]] = {}
    for row in climate:
        plants.setdefault(tuple(row.get("manufacturing_plants") or ()), []).append(row)
    if not plants:
        plants[()] = []
    rows: list[dict] = []
    for plant, plant_rows in plants.items():
        by_stage = {row.get("lifecycle_stage"): row for row in plant_rows}
        template = {
            key: value
            for key, value in (plant_rows[0] if plant_rows else {}).items()
            if key not in ("lifecycle_stage", "value")
        }
        template.setdefault("impact_category", "Climate Change Total")
        template.setdefault("unit", "kg CO2e/kWh")
        if plant:
            template["manufacturing_plants"] = list(plant)
        stages = {PRE_STAGE: pre, MAIN_STAGE: main}
        for stage in ("distribution", "end of life and recycling"):
            if stage in by_stage and by_stage[stage].get("value") is not None:
                stages[stage] = Decimal(str(by_stage[stage]["value"]))
        total = sum(stages.values(), Decimal(0))
        rows.append({**by_stage.get("total", template), **{"lifecycle_stage": "total", "value": total}})
        for stage, value in stages.items():
            rows.append({**by_stage.get(stage, template), "lifecycle_stage": stage, "value": value})
    return rows + others


def _recycled_values(figures: Figures, changes: dict, data: dict, checks: list[TargetCheck]) -> None:
    for metal in ART8_METALS:
        material: MaterialMass | None = figures.materials.get(metal)
        if material is None or not material.mass:
            continue
        pre, post = material.percent(material.recycled_pre), material.percent(material.recycled_post)
        for key, value in (
            (f"{metal}_recycled_share", pre + post),
            (f"{metal}_recycled_pre_consumer", pre),
            (f"{metal}_recycled_post_consumer", post),
        ):
            _propose(changes, data, key, value)
        for start, targets in sorted(RECYCLED_CONTENT_TARGETS.items()):
            if metal in targets:
                checks.append(TargetCheck(metal, pre + post, targets[metal], start.year))


def _propose(changes: dict, data: dict, key: str, value: Any) -> None:
    current = data.get(key)
    if current is None or str(current) != str(value):
        changes[key] = (current, value)


def _supplier_identifier(answer: Answer) -> str:
    supplier = answer.supplier
    return supplier.bpnl or supplier.corporate_number or supplier.lei or ""


def _supply_chain_rows(result: Result) -> tuple[list[dict[str, Any]], set[str]]:
    """Rows from every bought part reached through the battery's own bill of materials, with the mass
    that goes into one battery (quantities multiplied down the company's own internal levels)."""
    rows: list[dict[str, Any]] = []
    identifiers: set[str] = set()
    for _part, factor, answer in result.bought_lines():
        if answer is None:
            continue
        identifiers.add(_supplier_identifier(answer))
        start = (answer.reference_period_start or answer.released_at).date()
        end = answer.reference_period_end.date() if answer.reference_period_end else start
        end = max(end - datetime.timedelta(days=1), start)
        for line in answer.materials.all():
            code = line.material.code
            mass = line.mass_per_unit * factor
            processing = max(
                line.processing_shares.items(), key=lambda item: Decimal(item[1]), default=("", 0)
            )[0]
            for country, share in line.extraction_shares.items():
                rows.append(
                    {
                        "material": code if code in SUPPLY_CHAIN_MATERIALS else "other",
                        "country_of_origin": country,
                        "refiner_country": processing,
                        "supplier_name": answer.supplier.legal_name,
                        "supplier_identifier": _supplier_identifier(answer),
                        "procurement_amount": plain((mass * Decimal(share) / 100).quantize(Decimal("0.001"))),
                        "procurement_unit": "kg",
                        "procurement_period_start": start.isoformat(),
                        "procurement_period_end": end.isoformat(),
                        "recycled_share": plain(line.recycled_pre_consumer + line.recycled_post_consumer),
                        "assurance_scheme": answer.assurance_standard,
                    }
                )
    return rows, identifiers


def proposal(*, actor, battery_model: BatteryModel) -> Proposal:
    """What the answers received say about `battery_model`, next to what it says now."""
    visible_then_permitted(actor, "change", battery_model)
    part = battery_part(actor=actor, battery_model=battery_model)
    offer = Proposal(battery_model, part)
    if part is None:
        offer.problems.append(_("Link one of the parts you make to this battery model first."))
        return offer
    data = battery_model.data or {}
    offer.result = result = rollup_for(actor=actor, part=part)
    figures = result.figures
    offer.primary_data_share = figures.primary_data_share
    if figures.has_emissions:
        per = _functional_unit(part, data, offer.problems)
        offer.functional_unit_kwh = per
        if per:
            current = list(data.get("carbon_footprint") or [])
            proposed = _footprint_rows(current, figures, per)
            if _footprint_signature(current) != _footprint_signature(proposed):
                offer.changes["carbon_footprint"] = (current, proposed)
    _recycled_values(figures, offer.changes, data, offer.checks)
    rows, identifiers = _supply_chain_rows(result)
    existing = [
        passport_selectors.supply_chain_row(entry)
        for entry in passport_selectors.supply_chain_for(actor=actor, battery_model=battery_model)
    ]
    kept = [row for row in existing if row["supplier_identifier"] not in identifiers]
    offer.kept_rows = len(kept)
    offer.supply_chain = kept + rows if rows else []
    return offer


def _footprint_signature(rows: list[dict]) -> list[tuple]:
    return sorted(
        (
            str(r.get("lifecycle_stage")),
            tuple(r.get("manufacturing_plants") or ()),
            str(Decimal(str(r.get("value"))).normalize()) if r.get("value") is not None else "",
        )
        for r in rows
    )


@transaction.atomic
def accept(*, actor, battery_model: BatteryModel) -> Proposal:
    """Write the proposal (recomputed now, never taken from the browser) into the model's draft values
    and supply chain. Passports publish it later, as for any other change."""
    offer = proposal(actor=actor, battery_model=battery_model)
    if not offer.acceptable:
        raise ValidationError(offer.problems or [_("There is nothing to take over.")])
    values = {key: proposed for key, (_current, proposed) in offer.changes.items()}
    if values:
        passport_services.battery_model_update(actor=actor, battery_model=battery_model, values=values)
    if offer.supply_chain:
        passport_services.supply_chain_replace(
            actor=actor, battery_model=battery_model, rows=offer.supply_chain
        )
    audit_record(
        actor=actor,
        action="exchange.battery_model_filled",
        organization=battery_model.organization,
        target=battery_model,
        details={
            "fields": sorted(values),
            "supply_chain_rows": len(offer.supply_chain),
            "on": timezone.localdate().isoformat(),
        },
    )
    return offer
