"""A battery model's carbon footprint (Art. 7) as the Catena-X `io.catenax.pcf` 9.0.0 aspect, and back.

The footprint is the catalogue group `carbon_footprint`: rows of life-cycle stage, impact category, value
(kg CO2e per kWh of total energy over the service life), unit as declared, performance class, plants,
study, declaration and rules. The document carries the rows of impact category "Climate Change Total"
(rows without a category count as such, as the supplier roll-up reads them) declared per kWh: the other
impact categories are not greenhouse-gas figures and have no place in the model; an import keeps them.

Export (`export`): built from `selectors.battery_model_view`, the same filtered view as the model page
and API (the owner's working values; everyone else the values as last published). 409 (`PcfUnavailable`)
when there are no such rows (`no_carbon_footprint`, `no_climate_footprint`) or they are more than one
footprint (several plants, or one stage twice: `several_footprints`), since a document states one.

- `scopeOfPcfForm`: the spec version and "Cradle-to-gate" (the production stage is cradle to gate;
  distribution is its own stage in the model).
- `companyAndProductInformation`: the manufacturer as the model names it (`manufacturer_name`, and
  `urn:<BPNL>` from `manufacturer_bpnl` when stated; `companyInformation` is an empty collection, "not
  stated", without a name, since the entity requires one); the product: the model's name and its
  manufacturer part id (`urn:pathfinder:product:customcode:vendor-assigned:<id>`), declared unit
  "kilowatt hour", amount 1, and `productMassPerDeclaredUnit` (required) = weight / (rated energy x
  expected lifetime cycles), the battery's mass per kWh of total energy over its service life, when the
  model states all three (weight in kg, g or t); otherwise 0, which the schema allows and the import
  reads as "not stated" (mass is derived from the model's values, never stored from a document).
- `productLifeCycleStagesAndEmissions`: `productionStage` holds the cradle-to-gate figure: the
  "cradle-to-gate" row, else "raw material acquisition and pre-processing" + "main product production"
  when both are stated; `pcfIncludingBiogenicUptake` (required) equals `pcfExcludingBiogenicUptake`,
  which the schema allows for a product without relevant biogenic carbon (the model has no biogenic
  figure). `distributionStage` holds the distribution row (`distributionStageIncluded` true). Stages the
  model does not state are empty collections; `packagingStage` is always empty (packaging is part of
  production in Art. 7).
- `general[0].comment`: the schema gives no field to the Art. 7 split (the two production stages apart,
  end of life and recycling, the total); the comment, "additional information not reflected by other
  attributes", carries every stated stage in one fixed line (`SPLIT_PREFIX`, then `stage = value` joined
  by "; "). The import reads it back only when it agrees with the structured figures.
- `carbonContent`: an empty collection (the model states none).
- `pcfAssessmentAndMethodology`: `dataSourcesAndQuality` (required) is one empty entry (nothing stated);
  `pcfMethodology` is written only when the rows name calculation rules: their titles as
  `productOrSectorSpecificRules`, with the other required collections empty. `pcfAssessmentInformation`
  (PCF id, version, status, reference period, geography) is left out: the model states none of them and
  the schema does not require the collection, so none is invented.
- Not carried (the model keeps them on import): performance class, plants (BPNA: the PCF has no place
  for a plant), study link and declaration documents; nor is an attestation written.

Import (`read`, then `import_document`): the schema first (400 with the JSON path), one entry per
group the portal reads, then the figures: the Art. 7 line of the comment when present and consistent;
otherwise the production stage as a "cradle-to-gate" row (a document without the split cannot be split
without guessing) and the distribution stage when `distributionStageIncluded` is true. Values are
`pcfExcludingBiogenicUptake` (never negative, PACT's headline figure); the unit as declared is "kg
CO2e/<amount> <unit>" ("kg CO2e/kWh" for one kilowatt hour). The document's rules replace the rows'
rules (as text documents); plants, class, study and declaration stay as the model has them. The stored
footprint replaces the model's climate-change rows, through `services.battery_model_update` (policy,
validation, audit), all or nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import selectors, services
from .catalogue.validation import DOCUMENT_HEADER_MAX_LENGTH
from .models import BatteryModel
from .pcf_schema import PRODUCT_URN, SPEC_VERSION, schema_problem

FOOTPRINT = "carbon_footprint"
CLIMATE = "Climate Change Total"
TOTAL = "total"
PRE = "raw material acquisition and pre-processing"
MAIN = "main product production"
CRADLE_TO_GATE = "cradle-to-gate"
DISTRIBUTION = "distribution"
END_OF_LIFE = "end of life and recycling"
#: Every stage the comment line may name, in the order it names them.
STAGES = (TOTAL, PRE, MAIN, CRADLE_TO_GATE, DISTRIBUTION, END_OF_LIFE)
#: The fixed opening of the comment line carrying the Art. 7 split (data between systems: never translated).
SPLIT_PREFIX = (
    "Regulation (EU) 2023/1542 Art. 7 carbon footprint, kg CO2e per kWh of total energy over the service "
    "life: "
)
KWH = "kilowatt hour"
PER_KWH = re.compile(r"^kg\s*CO2-?e(q)?\s*/\s*(1\s*)?kWh$", re.IGNORECASE)
#: Weight units the mass per kWh can be computed from (`weight_unit` choices), in kilograms.
KILOGRAMS = {"unit:kilogram": Decimal(1), "unit:gram": Decimal("0.001"), "unit:tonneMetricTon": Decimal(1000)}
MASS_PLACES = Decimal("0.000001")
#: Fields of a row the document does not carry: an import keeps them as the model has them.
KEPT_FIELDS = ("performance_class", "manufacturing_plants", "study_url", "declaration", "rulebook")


class PcfUnavailable(Exception):
    """The model's footprint cannot be one io.catenax.pcf document (409); `code` says why."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class PcfInvalid(Exception):
    """A document that cannot be imported (400): `errors` is a list of {"path", "message"}."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _invalid(path: str, message: str) -> PcfInvalid:
    return PcfInvalid([{"path": path, "message": message}])


@dataclass(frozen=True)
class Footprint:
    """What a document states that the model stores: figures by life-cycle stage, their unit, the rules."""

    values: dict[str, Decimal]
    unit: str
    rules: tuple[str, ...] = ()


# ---- export ---------------------------------------------------------------------------------------------


def _is_climate(row: dict[str, Any]) -> bool:
    return (row.get("impact_category") or CLIMATE) == CLIMATE


def _climate_rows(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows one document carries; raises `PcfUnavailable` when there are none or several footprints."""
    rows = values.get(FOOTPRINT) or []
    if not rows:
        raise PcfUnavailable(
            _("This battery model has no carbon footprint to export."), "no_carbon_footprint"
        )
    climate = [
        row
        for row in rows
        if _is_climate(row)
        and row.get("value") not in (None, "")
        and (not row.get("unit") or PER_KWH.match(str(row["unit"]).strip()))
    ]
    if not climate:
        raise PcfUnavailable(
            _(
                "The carbon footprint has no value for climate change (total) in kg CO2e per kWh, which is "
                "what a Catena-X PCF states."
            ),
            "no_climate_footprint",
        )
    plants = {tuple(sorted(row.get("manufacturing_plants") or ())) for row in climate}
    stages = [row.get("lifecycle_stage") for row in climate]
    if len(plants) > 1 or len(set(stages)) != len(stages):
        raise PcfUnavailable(
            _(
                "The carbon footprint declares more than one footprint (several manufacturing plants, or one "
                "life-cycle stage twice); a Catena-X PCF document states one."
            ),
            "several_footprints",
        )
    return climate


def _figure(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _production(figures: dict[str, Decimal]) -> Decimal | None:
    """The cradle-to-gate figure: stated as such, or the sum of the two production stages."""
    if CRADLE_TO_GATE in figures:
        return figures[CRADLE_TO_GATE]
    if PRE in figures and MAIN in figures:
        return figures[PRE] + figures[MAIN]
    return None


def _split_line(figures: dict[str, Decimal]) -> str:
    return SPLIT_PREFIX + "; ".join(
        f"{stage} = {format(figures[stage], 'f')}" for stage in STAGES if stage in figures
    )


def _mass_per_kwh(values: dict[str, Any]) -> Decimal:
    """kg per kWh of total energy over the service life, or 0 ("not stated") when a factor is missing."""
    weight, energy, cycles = (
        values.get(key) for key in ("weight", "rated_energy", "expected_lifetime_cycles")
    )
    factor = KILOGRAMS.get(values.get("weight_unit") or "unit:kilogram")
    if not (weight and energy and cycles and factor):
        return Decimal(0)
    return (_figure(weight) * factor / (_figure(energy) * _figure(cycles))).quantize(MASS_PLACES)


def _rules(rows: list[dict[str, Any]]) -> list[str]:
    titles: list[str] = []
    for row in rows:
        for document in row.get("rulebook") or []:
            title = document.get("header")
            if title and title not in titles:  # the schema wants unique rules
                titles.append(title)
    return titles


def _company(values: dict[str, Any]) -> list[dict[str, Any]]:
    # The manufacturer as the model states it: the owner company's own records (legal name, LEI) are not
    # part of what the model's readers may see.
    name = values.get("manufacturer_name")
    if not name:
        return []
    bpnl = values.get("manufacturer_bpnl")
    return [{"companyName": name, "companyIds": [f"urn:{bpnl}"] if bpnl else []}]


def _stages(figures: dict[str, Decimal]) -> dict[str, list[dict[str, Any]]]:
    production = _production(figures)
    stages: dict[str, list[dict[str, Any]]] = {
        "productionStage": [],
        "distributionStage": [],
        "packagingStage": [],
    }
    if production is not None:
        stages["productionStage"] = [
            {"pcfExcludingBiogenicUptake": float(production), "pcfIncludingBiogenicUptake": float(production)}
        ]
    if DISTRIBUTION in figures:
        value = float(figures[DISTRIBUTION])
        stages["distributionStage"] = [
            {
                "distributionStageIncluded": True,
                "distributionStagePcfExcludingBiogenicUptake": value,
                "distributionStagePcfIncludingBiogenicUptake": value,
            }
        ]
    return stages


def export(battery_model: BatteryModel, *, actor) -> dict[str, Any]:
    """The io.catenax.pcf document of the model's footprint as `actor` may see it (the caller has found the
    model through `selectors.battery_model_get`). Raises `PcfUnavailable`."""
    view = selectors.battery_model_view(actor=actor, battery_model=battery_model)
    rows = _climate_rows(view.values)
    figures = {row["lifecycle_stage"]: _figure(row["value"]) for row in rows}
    assessment: dict[str, Any] = {"dataSourcesAndQuality": [{}]}
    rules = _rules(rows)
    if rules:
        assessment["pcfMethodology"] = [
            {
                "standards": [{"crossSectoralStandards": [], "productOrSectorSpecificRules": rules}],
                "gwpCharacterizationFactorDetails": [],
                "massBalancingInformation": [],
                "allocationInForeground": [],
            }
        ]
    return {
        "scopeOfPcfForm": [{"specVersion": SPEC_VERSION, "partialFullPcf": "Cradle-to-gate"}],
        "companyAndProductInformation": [
            {
                "companyInformation": _company(view.values),
                "productInformation": [
                    {
                        "productNameCompany": view.name,
                        "productIds": [PRODUCT_URN + quote(view.manufacturer_part_id, safe="")],
                        "declaredUnitOfMeasurement": KWH,
                        "declaredUnitAmount": 1,
                        "productMassPerDeclaredUnit": float(_mass_per_kwh(view.values)),
                    }
                ],
            }
        ],
        "pcfAssessmentAndMethodology": [assessment],
        "general": [{"comment": _split_line(figures)}],
        "carbonContent": [],
        "productLifeCycleStagesAndEmissions": [_stages(figures)],
    }


# ---- import ---------------------------------------------------------------------------------------------


def _one(container: dict[str, Any] | None, key: str, path: str) -> tuple[dict[str, Any] | None, str]:
    """The single entry of the collection `key` (None when empty) and its path; the portal reads one."""
    path = f"{path}.{key}"
    entries = (container or {}).get(key) or []
    if len(entries) > 1:
        raise _invalid(
            path, _("The portal reads one entry here; the document has %(count)s.") % {"count": len(entries)}
        )
    return (entries[0] if entries else None), f"{path}[0]"


def _unit(product: dict[str, Any]) -> str:
    unit = "kWh" if product["declaredUnitOfMeasurement"] == KWH else product["declaredUnitOfMeasurement"]
    amount = _figure(product["declaredUnitAmount"])
    return f"kg CO2e/{unit}" if amount == 1 else f"kg CO2e/{format(amount.normalize(), 'f')} {unit}"


def _split(document: dict[str, Any]) -> tuple[dict[str, Decimal], str] | None:
    """The Art. 7 figures of the portal's comment line and its path, or None when no comment has one."""
    for index, entry in enumerate(document.get("general") or []):
        comment = entry.get("comment") or ""
        if not comment.startswith(SPLIT_PREFIX):
            continue
        path = f"$.general[{index}].comment"
        figures: dict[str, Decimal] = {}
        for part in comment.removeprefix(SPLIT_PREFIX).split(";"):
            stage, _equals, value = part.partition("=")
            stage = stage.strip()
            try:
                figure = Decimal(value.strip())
            except InvalidOperation:
                figure = Decimal("NaN")
            if stage not in STAGES or stage in figures or not figure.is_finite() or figure < 0:
                raise _invalid(
                    path, _("The Art. 7 figures cannot be read at “%(part)s”.") % {"part": part.strip()[:80]}
                )
            figures[stage] = figure
        return figures, path
    return None


def _stated(
    production: Decimal | None, distribution: Decimal | None, split: tuple[dict[str, Decimal], str] | None
) -> dict[str, Decimal]:
    """The figures by stage: the comment's split when it agrees with the stages, else the stages alone."""
    if split is None:
        stated = {CRADLE_TO_GATE: production, DISTRIBUTION: distribution}
        return {stage: value for stage, value in stated.items() if value is not None}
    figures, path = split
    if _production(figures) != production or figures.get(DISTRIBUTION) != distribution:
        raise _invalid(
            path,
            _(
                "The Art. 7 figures in this comment do not agree with the production and distribution "
                "stages of the document."
            ),
        )
    return figures


def _document_rules(document: dict[str, Any]) -> tuple[str, ...]:
    assessment, path = _one(document, "pcfAssessmentAndMethodology", "$")
    methodology, path = _one(assessment, "pcfMethodology", path)
    standards, _path = _one(methodology, "standards", path)
    rules = (standards or {}).get("productOrSectorSpecificRules") or []
    return tuple(rule.strip() for rule in rules if rule.strip())


def read(document: Any) -> Footprint:
    """The footprint an io.catenax.pcf 9.0.0 document states, checked. Raises `PcfInvalid`."""
    problem = schema_problem(document)
    if problem is not None:
        path, message = problem
        raise _invalid(
            path, _("Does not match the io.catenax.pcf 9.0.0 schema: %(problem)s") % {"problem": message}
        )
    company_product, path = _one(document, "companyAndProductInformation", "$")
    product, _path = _one(company_product, "productInformation", path)
    if product is None:
        raise _invalid(f"{path}.productInformation", _("The declared unit is required here."))
    stages, path = _one(document, "productLifeCycleStagesAndEmissions", "$")
    production_stage, _path = _one(stages, "productionStage", path)
    distribution_stage, _path = _one(stages, "distributionStage", path)
    production = distribution = None
    if production_stage is not None:
        production = _figure(production_stage["pcfExcludingBiogenicUptake"])
    figure = (distribution_stage or {}).get("distributionStagePcfExcludingBiogenicUptake")
    if (distribution_stage or {}).get("distributionStageIncluded") and figure is not None:
        distribution = _figure(figure)
    values = _stated(production, distribution, _split(document))
    if not values:
        raise _invalid(
            "$.productLifeCycleStagesAndEmissions",
            _("The document states no carbon footprint figure (production or distribution stage)."),
        )
    return Footprint(values=values, unit=_unit(product), rules=_document_rules(document))


# ---- storing ----------------------------------------------------------------------------------------------


def _rulebook(rules: tuple[str, ...], current: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The rules as the rows' documents: the model's own documents when they name exactly these rules."""
    if current and [document.get("header") for document in current] == list(rules):
        return current
    return [
        {
            "header": rule[:DOCUMENT_HEADER_MAX_LENGTH],
            "content": rule,
            "content_type": "URL" if rule.lower().startswith(("https://", "http://")) else "text/plain",
        }
        for rule in rules
    ]


def footprint_rows(current: list[dict[str, Any]], footprint: Footprint) -> list[dict[str, Any]]:
    """The model's footprint rows with its climate-change rows replaced by `footprint`: a stage keeps what
    the document does not carry from its current row (or from another climate-change row); rows of other
    impact categories stay. Raises `PcfUnavailable` when the model declares several plants' footprints."""
    climate = [row for row in current if _is_climate(row)]
    if len({tuple(sorted(row.get("manufacturing_plants") or ())) for row in climate}) > 1:
        raise PcfUnavailable(
            _(
                "This battery model declares carbon footprints for several manufacturing plants; a Catena-X "
                "PCF document does not say which plant it is for."
            ),
            "several_footprints",
        )
    by_stage = {row.get("lifecycle_stage"): row for row in climate}
    shared = {key: value for key, value in (climate[0] if climate else {}).items() if key in KEPT_FIELDS}
    rows = []
    for stage in STAGES:
        if stage not in footprint.values:
            continue
        base = by_stage.get(stage) or shared
        row = {**base, "lifecycle_stage": stage, "impact_category": CLIMATE}
        row.update(value=format(footprint.values[stage], "f"), unit=footprint.unit)
        if footprint.rules:
            row["rulebook"] = _rulebook(footprint.rules, base.get("rulebook"))
        rows.append(row)
    return rows + [row for row in current if not _is_climate(row)]


def _service_errors(exc: ValidationError) -> PcfInvalid:
    # The catalogue's messages name the attribute and row; the document's path is not known here.
    messages = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
    return PcfInvalid(
        [
            {"path": "$", "message": f"{key}: {message}" if key else message}
            for key, found in messages
            for message in found
        ]
    )


def import_document(*, actor, battery_model: BatteryModel, document: Any) -> BatteryModel:
    """Store the footprint `document` states as the model's carbon footprint, all or nothing.

    The caller has asked the policy whether `actor` may change the model (the service asks again).
    Raises `PcfInvalid` (400), `PcfUnavailable` (409) or `PermissionDenied`."""
    footprint = read(document)
    with transaction.atomic():
        # Locked before reading the rows the new ones are merged into: two imports cannot interleave.
        locked = BatteryModel.objects.select_for_update().get(pk=battery_model.pk)
        rows = footprint_rows(list(locked.data.get(FOOTPRINT) or []), footprint)
        try:
            return services.battery_model_update(actor=actor, battery_model=locked, values={FOOTPRINT: rows})
        except ValidationError as exc:
            raise _service_errors(exc) from None
