"""IDTA Digital Battery Passport (CX-0160) <-> the portal's catalogue values. Mapping: see `__init__`.

Export builds the eight submodels from exactly what the caller may see: the values and dynamic points
of `selectors.passport_view` and the metadata of `catenax.passport_document`, both filtered by the
passport policy (the Catena-X export uses the same two). A submodel is exported only when every value
its schema requires is known to the caller: an empty list is written where the schema allows one
(nothing to declare), but a required number, date or identifier is never invented; such a submodel is
listed under `omittedSubmodels` with the paths it lacks.

Import reads the submodels into catalogue values (each checked by the catalogue, errors at the IDTA
path), writes the values the BatteryPass 6.1.0 model has a place for into a 6.1.0 document and hands it
to `catenax.import_documents` (all or nothing, economic operator confirmation, identifier and metadata
preservation), then stores the model-level values only the catalogue has (manufacturer name, renewable
share, pre-/post-consumer shares...) on the battery model, in the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _

from .. import catenax
from ..catalogue import attribute, check_value, validate_record
from ..models import BatteryModel
from ..qr import passport_url
from . import schemas
from .shell import shell_descriptor

LANGUAGE = "en"  # the portal stores one text per value, written in the language its users enter
DPP_SCHEMA_VERSION = "CX-0160 IDTA Digital Battery Passport 1.0"
ACCEPTED_KEYS = frozenset(s.key for s in schemas.SUBMODELS) | {"shellDescriptor", "omittedSubmodels"}
WEIGHT_TO_KG = {"unit:kilogram": Decimal(1), "unit:gram": Decimal("0.001"), "unit:tonne": Decimal(1000)}
WARRANTY_UNITS = {"Y": "unit:year", "M": "unit:month", "D": "unit:day"}
# Art. 7 life-cycle stages <-> EN 15804 modules of `LifeCyclePhases` (the nearest module or range).
LIFECYCLE_PHASES = {
    "raw material acquisition and pre-processing": "A1 - raw material supply (and upstream production)",
    "main product production": "A3 - production",
    "cradle-to-gate": "A1-A3",
    "distribution": "A4 - transport to final destination",
    "end of life and recycling": "C1-C4",
}
PHASE_STAGES = {phase: stage for stage, phase in LIFECYCLE_PHASES.items()}
RECYCLED_MATERIALS = {"Cobalt": "cobalt", "Nickel": "nickel", "Lithium": "lithium", "Lead": "lead"}
CAS_RE = re.compile(r"^\d{2,7}-\d{2}-\d$")
CHEMISTRY_RE = re.compile(r"^(?P<clear>.+?) \((?P<short>[^()]+)\)$")
PCF_UNIT_RE = re.compile(
    r"^kg CO2e? ?/ ?(?:(?P<quantity>[0-9.]+) )?(?P<unit>g|kg|t|ml|l|cbm|qm|piece|kWh)$", re.IGNORECASE
)
_TPA = "TechnicalPropertyAreas."
# 6.1.0 dynamic values the TechnicalData submodel carries without a time of measurement.
TECHNICAL_DYNAMIC = {
    f"{_TPA}{leaf}": key
    for leaf, key in {
        "CapacityEnergyVoltage.CapacityFade": "capacity_fade",
        "RoundTripEnergyEfficiency.EnergyRoundTripEfficiencyFade": "round_trip_efficiency_fade",
        "Resistance.InternalResistanceIncreaseAtBatteryCellLevel": "resistance_increase_cell",
        "Resistance.InternalResistanceIncreaseAtBatteryPackLevel": "resistance_increase_pack",
        "Resistance.InternalResistanceIncreaseAtBatteryModuleLevel": "resistance_increase_module",
        "PowerCapability.PowerFade": "power_fade",
    }.items()
}
TECHNICAL_RATED = {
    f"{_TPA}{leaf}": key
    for leaf, key in {
        "CapacityEnergyVoltage.NominalVoltage": "voltage_nominal",
        "CapacityEnergyVoltage.MinVoltage": "voltage_minimum",
        "CapacityEnergyVoltage.MaxVoltage": "voltage_maximum",
        "CapacityEnergyVoltage.RatedCapacity": "rated_capacity",
        "CapacityEnergyVoltage.CertifiedUsableBatteryEnergy": "rated_energy",
        "RoundTripEnergyEfficiency.InitialRoundTripEnergyEfficiency": "round_trip_efficiency_initial",
        "RoundTripEnergyEfficiency.RoundTripEnergyEfficiencyAt50PercentOfCycleLife": (
            "round_trip_efficiency_50_percent_life"
        ),
        "RoundTripEnergyEfficiency.InitialSelfDischargingRate": "rated_self_discharge_rate",
        "Resistance.InitialInternalResistanceAtBatteryCellLevel": "internal_resistance_cell",
        "Resistance.InitialInternalResistanceAtBatteryPackLevel": "internal_resistance_pack",
        "Resistance.InitialInternalResistanceAtBatteryModuleLevel": "internal_resistance_module",
        "PowerCapability.MaximumPermittedBatteryPower": "rated_power",
        "Temperature.TemperatureRangeIdleState_LowerBoundary": "idle_temperature_lower",
        "Temperature.TemperatureRangeIdleState_UpperBoundary": "idle_temperature_upper",
        "Lifetime.ExpectedLifetimeInCalendarYears": "expected_lifetime_years",
        "Lifetime.ExpectedNumberOfCycles": "expected_lifetime_cycles",
        "Lifetime.CapacityThresholdExhaustion": "capacity_threshold_exhaustion",
        "Lifetime.CrateOfRelevantCycleLifeTest": "cycle_life_discharge_rate",
    }.items()
}
RATIO_PATH = "TechnicalPropertyAreas.PowerCapability.RatioNominalBatteryPowerAndBatteryEnergy"
POWER_AT_SOC = {80: "power_at_80_percent_soc", 20: "power_at_20_percent_soc"}
# ProductCondition entries {<Name>Value, LastUpdate} <-> timestamped catalogue keys.
CONDITION_DYNAMIC = {
    "EnergyThroughput": "energy_throughput",
    "CapacityThroughput": "capacity_throughput",
    "NumberOfFullCycles": "full_cycles",
    "StateOfCertifiedEnergy": "state_of_certified_energy",
    "RemainingEnergy": "remaining_energy",
    "RemainingCapacity": "remaining_capacity",
    "RemainingRoundTripEnergyEfficiency": "remaining_round_trip_efficiency",
    "StateOfCharge": "state_of_charge",
}
# Document lists written as plain strings (a link or a reference) in the IDTA models.
STRING_DOCUMENTS = {
    ("Nameplate", "EUDeclarationOfConformity"): "eu_declaration_of_conformity",
    ("Nameplate", "ResultsOfTestReportsProvingCompliance"): "test_reports",
    ("Circularity", "DismantlingAndRemovalInformation"): "dismantling_information",
    ("Circularity", "SafetyMeasures.SafetyInstructions"): "safety_measures",
    ("Circularity", "EndOfLifeInformation.WastePrevention"): "waste_prevention_information",
    ("Circularity", "EndOfLifeInformation.SeparateCollection"): "separate_collection_information",
}


class IdtaImportError(Exception):
    """Refused; nothing was stored. `errors`: [{"submodel", "path", "message"}] (submodel None: the whole
    request)."""

    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__(errors)
        self.errors = errors


# ---- small helpers -------------------------------------------------------------------------------------


def _get(node: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _put(node: dict, dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value


def _number(value: Any) -> float | int | None:
    if value is None or value == "":
        return None
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() and "." not in str(value) else float(number)


def _texts(value: Any) -> list[tuple[str, str]]:
    """[(language, text)] of a multi-language value (already normalised to a list of {lang: text})."""
    return [(lang, text) for item in value or [] if isinstance(item, dict) for lang, text in item.items()]


def _lang(text: Any) -> list[dict[str, str]]:
    return [{LANGUAGE: str(text)}] if text not in (None, "") else []


def _newest(dynamic: dict[str, list[dict[str, Any]]], key: str) -> dict[str, Any] | None:
    points = dynamic.get(key) or []
    return points[0] if points else None


def _time(value: Any) -> str:
    return catenax._iso_time(value)  # the 6.1.0 spelling: the offset as measured, UTC as "Z"


# ---- export ---------------------------------------------------------------------------------------------


@dataclass
class _Export:
    values: dict[str, Any]
    dynamic: dict[str, list[dict[str, Any]]]
    metadata: dict[str, Any]
    passport_id: str
    missing: dict[str, list[str]] = field(default_factory=dict)

    def need(self, submodel: str, path: str, value: Any) -> Any:
        if value is None or value == "":
            self.missing.setdefault(submodel, []).append(path)
        return value


def passport_submodels(*, actor, passport) -> dict[str, Any] | None:
    """{submodel key: value-only JSON, ..., "shellDescriptor", "omittedSubmodels"} as `actor` may see it.

    None: nothing the actor may read. Raises `catenax.CatenaxExportUnavailable` like the 6.1.0 export
    (the Catena-X identifiers of the shell are the same BPNLs)."""
    from ..selectors import passport_view

    document = catenax.passport_document(actor=actor, passport=passport)
    if document is None:
        return None
    view = passport_view(actor=actor, passport=passport)
    out = _Export(dict(view.values), view.dynamic, document["metadata"], str(passport.public_id))
    builders = {
        "Nameplate": _nameplate,
        "TechnicalData": _technical_data,
        "ProductCondition": _product_condition,
        "CarbonFootprint": _carbon_footprint,
        "MaterialComposition": _material_composition,
        "Circularity": _circularity,
        "HandoverDocumentation": _handover,
        "DppMetadata": _dpp_metadata,
    }
    result: dict[str, Any] = {}
    for key, build in builders.items():
        payload = build(out)
        if key in out.missing:
            continue
        for error in schemas.schema_errors(key, payload):  # a bug, not the data: leave the submodel out
            catenax.logger.error(
                "IDTA %s of passport %s is not schema-valid at %s", key, passport.public_id, error["path"]
            )
            out.missing.setdefault(key, []).append(error["path"])
        if key not in out.missing:
            result[key] = payload
    result["shellDescriptor"] = shell_descriptor(
        document, out.values, present=[k for k in builders if k in result]
    )
    result["omittedSubmodels"] = out.missing
    return result


def _serial(out: _Export) -> str | None:
    rows = out.values.get("serial_identifiers") or []
    for row in rows:
        if row.get("key") == "partInstanceId":
            return row.get("value")
    return rows[0].get("value") if rows else out.values.get("unique_identifier")


def _address(values: dict[str, Any]) -> dict[str, Any]:
    """The postal address text as the import writes it ("street / zip city / country", one per line);
    any other text goes whole into Street, which is what it most likely starts with."""
    text = values.get("manufacturer_address") or ""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    street, zip_code, city, country = (text.strip() if text else ""), "", "", ""
    if len(lines) == 3 and " " in lines[1]:
        street, (zip_code, city), country = lines[0], lines[1].split(" ", 1), lines[2]
    address: dict[str, Any] = {
        "NationalCode": _lang(country),
        "CityTown": _lang(city),
        "Street": _lang(street),
        "ZipCode": _lang(zip_code),
    }
    if values.get("manufacturer_email"):
        address["Email"] = {"EmailAddress": values["manufacturer_email"]}
    if values.get("manufacturer_website"):
        address["AddressOfAdditionalLink"] = values["manufacturer_website"]
    return address


def _nameplate(out: _Export) -> dict[str, Any]:
    v, name = out.values, "Nameplate"
    facilities = v.get("manufacturing_facilities") or []
    payload: dict[str, Any] = {
        "URIOfTheProduct": passport_url(out.passport_id),
        "ManufacturerName": out.need(name, "ManufacturerName", _lang(v.get("manufacturer_name"))) or [],
        "AddressInformation": _address(v),
        "SerialNumber": out.need(name, "SerialNumber", _serial(out)),
        "DateOfManufacture": out.need(name, "DateOfManufacture", v.get("manufacturing_date")),
        "UniqueFacilityIdentifier": out.need(
            name, "UniqueFacilityIdentifier", facilities[0] if facilities else None
        ),
        "LifeCycleStage": out.need(name, "LifeCycleStage", v.get("battery_status")),
        "ManufacturerIdentifier": out.need(name, "ManufacturerIdentifier", v.get("manufacturer_bpnl")),
        "Markings": [
            {
                "MarkingName": d["header"],
                "MarkingFile": {"value": d["content"], "contentType": d["content_type"]},
            }
            for d in v.get("meaning_of_labels") or []
        ],
        "EUDeclarationOfConformity": [d["content"] for d in v.get("eu_declaration_of_conformity") or []],
        "ResultsOfTestReportsProvingCompliance": [d["content"] for d in v.get("test_reports") or []],
    }
    if v.get("put_into_service_date"):
        payload["DateOfPuttingIntoService"] = v["put_into_service_date"]
    if out.metadata.get("economicOperatorId"):
        payload["OperatorIdentifier"] = out.metadata["economicOperatorId"]
    return payload


def _warranty(values: dict[str, Any]) -> str | None:
    period, unit = values.get("warranty_period"), values.get("warranty_period_unit") or "unit:year"
    letter = {u: letter for letter, u in WARRANTY_UNITS.items()}.get(unit)
    return f"P{int(period)}{letter}" if period is not None and letter else None


def _technical_data(out: _Export) -> dict[str, Any]:
    v, name = out.values, "TechnicalData"
    weight, unit = v.get("weight"), v.get("weight_unit") or "unit:kilogram"
    mass = (
        _number(Decimal(str(weight)) * WEIGHT_TO_KG[unit])
        if weight is not None and unit in WEIGHT_TO_KG
        else None
    )
    category = v.get("battery_category")
    payload: dict[str, Any] = {
        "GeneralInformation": {
            "ManufacturerName": out.need(
                name, "GeneralInformation.ManufacturerName", v.get("manufacturer_name")
            ),
            "ManufacturerIdentifier": out.need(
                name, "GeneralInformation.ManufacturerIdentifier", v.get("manufacturer_bpnl")
            ),
            "WarrantyInformation": {
                "WarrantyPeriod": out.need(
                    name, "GeneralInformation.WarrantyInformation.WarrantyPeriod", _warranty(v)
                )
            },
            "BatteryCategory": out.need(
                name,
                "GeneralInformation.BatteryCategory",
                category if category in ("lmt", "ev", "industrial", "stationary") else None,
            ),
            "BatteryMass": out.need(name, "GeneralInformation.BatteryMass", mass),
        }
    }
    required = {
        f"TechnicalPropertyAreas.{leaf}"
        for leaf in (
            "CapacityEnergyVoltage.NominalVoltage",
            "CapacityEnergyVoltage.MinVoltage",
            "CapacityEnergyVoltage.MaxVoltage",
            "CapacityEnergyVoltage.RatedCapacity",
            "RoundTripEnergyEfficiency.InitialRoundTripEnergyEfficiency",
            "RoundTripEnergyEfficiency.RoundTripEnergyEfficiencyAt50PercentOfCycleLife",
            "Resistance.InitialInternalResistanceAtBatteryCellLevel",
            "Resistance.InitialInternalResistanceAtBatteryPackLevel",
            "Resistance.InternalResistanceIncreaseAtBatteryPackLevel",
            "PowerCapability.MaximumPermittedBatteryPower",
            "PowerCapability.PowerFade",
            "Temperature.TemperatureRangeIdleState_LowerBoundary",
            "Temperature.TemperatureRangeIdleState_UpperBoundary",
            "Lifetime.ExpectedLifetimeInCalendarYears",
            "Lifetime.ExpectedNumberOfCycles",
            "Lifetime.CapacityThresholdExhaustion",
            "Lifetime.CrateOfRelevantCycleLifeTest",
        )
    }
    for path, key in TECHNICAL_RATED.items():
        value = _number(v.get(key))
        if path in required:
            out.need(name, path, value)
        if value is not None:
            _put(payload, path, value)
    for path, key in TECHNICAL_DYNAMIC.items():
        point = _newest(out.dynamic, key)
        value = _number(point["value"]) if point else None
        if path in required:
            out.need(name, path, value)
        if value is not None:
            _put(payload, path, value)
    power, energy = v.get("rated_power"), v.get("rated_energy")
    ratio = None
    if power is not None and energy not in (None, 0, "0"):
        # W / (kWh * 1000): the nominal power as a multiple of the energy (C-rate-like), a derived value.
        ratio = float(Decimal(str(power)) / (Decimal(str(energy)) * 1000))
    _put(payload, RATIO_PATH, out.need(name, RATIO_PATH, ratio))
    original = [
        {"atSoC": soc, "powerCapabilityAt": _number(v[key])}
        for soc, key in POWER_AT_SOC.items()
        if v.get(key) is not None
    ]
    if not original:
        out.need(name, "TechnicalPropertyAreas.PowerCapability.OriginalPowerCapability", None)
    _put(payload, "TechnicalPropertyAreas.PowerCapability.OriginalPowerCapability", original)
    reference = v.get("cycle_life_reference_test")
    _put(payload, "TechnicalPropertyAreas.Lifetime.CycleLifeReferenceTest", [reference] if reference else [])
    return payload


def _product_condition(out: _Export) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for name, key in CONDITION_DYNAMIC.items():
        point = _newest(out.dynamic, key)
        if point is None:
            if name in ("NumberOfFullCycles", "StateOfCharge"):
                out.need("ProductCondition", name, None)
            continue
        payload[name] = {f"{name}Value": _number(point["value"]), "LastUpdate": _time(point["measured_at"])}
    rate = out.values.get("self_discharge_rate")
    last_update = _last_update(out.metadata)
    if rate is not None:
        payload["CurrentSelfDischargingRate"] = {
            "CurrentSelfDischargingRateValue": _number(rate),
            "LastUpdate": last_update,
        }
    # Required, but the portal records accidents as negative-event reports (documents), which have no
    # place here: an empty set, and the temperature entry with its time only.
    payload["InformationOnAccidents"] = []
    payload["TemperatureInformation"] = {"LastUpdate": last_update}
    return payload


def _last_update(metadata: dict[str, Any]) -> str:
    return f"{metadata.get('lastModification') or metadata.get('issueDate')}T00:00:00Z"


def _carbon_footprint(out: _Export) -> dict[str, Any]:
    rows = []
    for row in out.values.get("carbon_footprint") or []:
        match = PCF_UNIT_RE.match(str(row.get("unit") or "").strip())
        phase = LIFECYCLE_PHASES.get(row.get("lifecycle_stage"))
        if row.get("impact_category") != "Climate Change Total" or not match or row.get("value") is None:
            continue  # another impact category, or a unit the IDTA model cannot say: left out
        unit = match["unit"].lower()
        item = {
            "PcfCalculationMethods": [d["header"] for d in row.get("rulebook") or []],
            "PcfCo2eq": _number(row["value"]),
            "ReferenceImpactUnitForCalculation": "kwH" if unit == "kwh" else unit,
            "QuantityOfMeasureForCalculation": _number(match["quantity"] or 1),
            "LifeCyclePhases": [phase] if phase else [],
            "PerformanceClass": row.get("performance_class") or "",
            "WebLinkToPublicCarbonFootprintStudy": [row["study_url"]] if row.get("study_url") else [],
        }
        rows.append(item)
    return {"ProductCarbonFootprints": rows}


def _cas(row: dict[str, Any]) -> tuple[str | None, str | None]:
    for identifier in row.get("identifiers") or []:
        if identifier.get("scheme") == "CAS" and CAS_RE.match(str(identifier.get("identifier") or "")):
            return identifier["identifier"], identifier.get("name")
    return None, None


def _material_composition(out: _Export) -> dict[str, Any]:
    v = out.values
    chemistry = v.get("chemistry")
    match = CHEMISTRY_RE.match(chemistry or "")
    materials = []
    for row in v.get("material_composition") or []:
        cas, material = _cas(row)
        if cas and material and row.get("critical") is not None:
            materials.append(
                {
                    "BatteryMaterialLocation": {"ComponentName": row["location"]}
                    if row.get("location")
                    else {},
                    "BatteryMaterialIdentifier": cas,
                    "BatteryMaterialName": material,
                    "IsCriticalRawMaterial": bool(row["critical"]),
                }
            )
    hazardous = []
    for row in v.get("hazardous_substances") or []:
        cas, substance = _cas(row)
        if not (cas and substance):
            continue
        item: dict[str, Any] = {"HazardousSubstanceName": substance, "HazardousSubstanceIdentifier": cas}
        if row.get("hazard_class") in ("AcuteToxicity", "SkinCorrosionOrIrritation", "EyeDamageOrIrritation"):
            item["HazardousSubstanceClass"] = row["hazard_class"]
        if row.get("concentration") is not None and row.get("concentration_unit") == "unit:percent":
            item["HazardousSubstanceConcentration"] = _number(row["concentration"])
        if row.get("impact_documents"):
            item["HazardousSubstanceImpact"] = [d["content"] for d in row["impact_documents"]]
        if row.get("location"):
            item["HazardousSubstanceLocation"] = {"ComponentName": row["location"]}
        hazardous.append(item)
    return {
        "BatteryChemistry": {
            "ShortName": out.need(
                "MaterialComposition", "BatteryChemistry.ShortName", match["short"] if match else chemistry
            ),
            "ClearName": match["clear"] if match else chemistry,
        },
        "BatteryMaterials": materials,
        "HazardousSubstances": hazardous,
    }


def _circularity(out: _Export) -> dict[str, Any]:
    v = out.values
    payload: dict[str, Any] = {
        "SparePartSources": [],
        "RecycledContentInformation": [],
        "SafetyMeasures": {},
        "EndOfLifeInformation": {},
    }
    for (submodel, path), key in STRING_DOCUMENTS.items():
        if submodel == "Circularity":
            _put(payload, path, [d["content"] for d in v.get(key) or []])
    if v.get("spare_parts"):
        # The suppliers of spare parts are not recorded as contacts, only the parts: one source without
        # supplier details would claim an empty supplier, so the parts stay out (see the module notes).
        pass
    for label, material in RECYCLED_MATERIALS.items():
        pre, post = v.get(f"{material}_recycled_pre_consumer"), v.get(f"{material}_recycled_post_consumer")
        if pre is not None and post is not None:
            payload["RecycledContentInformation"].append(
                {
                    "PreConsumerShare": _number(pre),
                    "RecycledMaterial": label,
                    "PostConsumerShare": _number(post),
                }
            )
    payload["SafetyMeasures"]["ExtinguishingAgents"] = [
        row["agent"] for row in v.get("extinguishing_agents") or [] if row.get("agent")
    ]
    payload["EndOfLifeInformation"]["InformationOnCollection"] = []
    payload["RenewableContent"] = out.need(
        "Circularity", "RenewableContent", _number(v.get("renewable_content_share"))
    )
    return payload


def _handover(out: _Export) -> dict[str, Any]:
    documents = []
    for row in out.values.get("additional_sources") or []:
        documents.append(
            {
                "DocumentIds": [],
                "DocumentClassifications": [],
                "DocumentVersions": [
                    {
                        "Language": [LANGUAGE],
                        "Title": _lang(row.get("header")),
                        "DigitalFiles": [
                            {"value": row["content"], "contentType": row.get("content_type") or "URL"}
                        ],
                    }
                ],
            }
        )
    return {"Documents": documents}


def _dpp_metadata(out: _Export) -> dict[str, Any]:
    metadata, v = out.metadata, out.values
    payload = {
        "digitalProductPassportId": metadata["passportIdentifier"],
        "uniqueProductIdentifier": out.need(
            "DppMetadata", "uniqueProductIdentifier", v.get("unique_identifier")
        ),
        "granularity": "Item",
        "dppSchemaVersion": DPP_SCHEMA_VERSION,
        "dppStatus": metadata["status"],
        "lastUpdate": _last_update(metadata),
        "economicOperatorId": metadata["economicOperatorId"],
    }
    facilities = v.get("manufacturing_facilities") or []
    if facilities:
        payload["facilityId"] = facilities[0]
    return payload


# ---- import ---------------------------------------------------------------------------------------------


@dataclass
class _Read:
    """Catalogue values read from the submodels, each remembering the IDTA path it came from."""

    values: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, tuple[str, str]] = field(default_factory=dict)  # catalogue key -> (submodel, path)
    dynamic: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # key -> (value, time)
    system: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def put(self, key: str, value: Any, submodel: str, path: str) -> None:
        if value is None or value == "" or value == []:
            return
        if key in self.values and self.values[key] != value:
            first = ".".join(self.paths[key])
            self.warnings.append(
                _("%(path)s: differs from %(first)s, which is kept.")
                % {"path": f"{submodel}.{path}", "first": first}
            )
            return
        self.values[key] = value
        self.paths.setdefault(key, (submodel, path))

    def drop(self, submodel: str, path: str, why: str = "") -> None:
        self.warnings.append(
            _("%(path)s: not imported, the passport has no place for it.") % {"path": f"{submodel}.{path}"}
            + (f" {why}" if why else "")
        )

    def error(self, submodel: str | None, path: str, message: str) -> None:
        self.errors.append({"submodel": submodel, "path": path, "message": str(message)})


def _documents(strings: Any, header: str) -> list[dict[str, str]]:
    return [
        {"header": header, "content": s, "content_type": "URL" if str(s).startswith("http") else "text/plain"}
        for s in strings or []
        if s
    ]


def _warn_unread(read: _Read, submodel: str, node: Any, known: set[str], prefix: str = "") -> None:
    for name, value in (node or {}).items():
        path = f"{prefix}{name}"
        if path not in known and value not in (None, [], {}, ""):
            read.drop(submodel, path)


def _read_nameplate(read: _Read, p: dict[str, Any]) -> None:
    s = "Nameplate"
    names = _texts(p.get("ManufacturerName"))
    if names:
        read.put("manufacturer_name", names[0][1], s, "ManufacturerName[0]")
        for index in range(1, len(names)):
            read.drop(s, f"ManufacturerName[{index}]", _("One text per value is kept."))
    address = p.get("AddressInformation") or {}
    parts = [
        next((t for _l, t in _texts(address.get(name))), "")
        for name in ("Street", "ZipCode", "CityTown", "NationalCode")
    ]
    street, zip_code, city, country = parts
    if any(parts):
        read.put(
            "manufacturer_address",
            f"{street}\n{zip_code} {city}\n{country}".strip(),
            s,
            "AddressInformation.Street",
        )
    email = (address.get("Email") or {}).get("EmailAddress")
    read.put("manufacturer_email", email, s, "AddressInformation.Email.EmailAddress")
    read.put(
        "manufacturer_website",
        address.get("AddressOfAdditionalLink"),
        s,
        "AddressInformation.AddressOfAdditionalLink",
    )
    _warn_unread(
        read,
        s,
        address,
        {"Street", "ZipCode", "CityTown", "NationalCode", "AddressOfAdditionalLink"},
        "AddressInformation.",
    )
    for key in set(address.get("Email") or {}) - {"EmailAddress"}:
        read.drop(s, f"AddressInformation.Email.{key}")
    serial = p.get("SerialNumber")
    if serial:
        read.values.setdefault("_serial", serial)
        read.paths["_serial"] = (s, "SerialNumber")
    read.put("manufacturing_date", p.get("DateOfManufacture"), s, "DateOfManufacture")
    read.put("put_into_service_date", p.get("DateOfPuttingIntoService"), s, "DateOfPuttingIntoService")
    if p.get("UniqueFacilityIdentifier"):
        read.put("manufacturing_facilities", [p["UniqueFacilityIdentifier"]], s, "UniqueFacilityIdentifier")
    read.put("battery_status", p.get("LifeCycleStage"), s, "LifeCycleStage")
    if p.get("OperatorIdentifier"):
        read.system.setdefault("economic_operator_id", p["OperatorIdentifier"])
        read.paths.setdefault("economic_operator_id", (s, "OperatorIdentifier"))
    read.put("manufacturer_bpnl", p.get("ManufacturerIdentifier"), s, "ManufacturerIdentifier")
    labels = []
    for index, marking in enumerate(p.get("Markings") or []):
        file = marking.get("MarkingFile") or {}
        labels.append(
            {
                "header": marking.get("MarkingName"),
                "content": file.get("value"),
                "content_type": file.get("contentType"),
            }
        )
        for extra in set(marking) - {"MarkingName", "MarkingFile"}:
            read.drop(s, f"Markings[{index}].{extra}")
    read.put("meaning_of_labels", labels, s, "Markings")
    for (submodel, path), key in STRING_DOCUMENTS.items():
        if submodel == s:
            read.put(key, _documents(p.get(path), str(attribute(key).label)), s, path)
    _warn_unread(
        read,
        s,
        p,
        {
            "URIOfTheProduct",
            "ManufacturerName",
            "AddressInformation",
            "SerialNumber",
            "DateOfManufacture",
            "DateOfPuttingIntoService",
            "UniqueFacilityIdentifier",
            "LifeCycleStage",
            "OperatorIdentifier",
            "ManufacturerIdentifier",
            "Markings",
            "EUDeclarationOfConformity",
            "ResultsOfTestReportsProvingCompliance",
        },
    )


def _read_technical_data(read: _Read, p: dict[str, Any], when: Any) -> None:
    s = "TechnicalData"
    general = p.get("GeneralInformation") or {}
    read.put("manufacturer_name", general.get("ManufacturerName"), s, "GeneralInformation.ManufacturerName")
    read.put(
        "manufacturer_bpnl",
        general.get("ManufacturerIdentifier"),
        s,
        "GeneralInformation.ManufacturerIdentifier",
    )
    warranty = (general.get("WarrantyInformation") or {}).get("WarrantyPeriod")
    if warranty:
        match = re.fullmatch(r"P(\d+)([YMD])", warranty)
        if match:
            read.put(
                "warranty_period", int(match[1]), s, "GeneralInformation.WarrantyInformation.WarrantyPeriod"
            )
            read.put(
                "warranty_period_unit",
                WARRANTY_UNITS[match[2]],
                s,
                "GeneralInformation.WarrantyInformation.WarrantyPeriod",
            )
        else:
            read.drop(
                s,
                "GeneralInformation.WarrantyInformation.WarrantyPeriod",
                _("Only whole years, months or days (P8Y, P96M, P30D) are kept."),
            )
    read.put("battery_category", general.get("BatteryCategory"), s, "GeneralInformation.BatteryCategory")
    if general.get("BatteryMass") is not None:
        read.put("weight", general["BatteryMass"], s, "GeneralInformation.BatteryMass")
        read.put("weight_unit", "unit:kilogram", s, "GeneralInformation.BatteryMass")
    _warn_unread(
        read,
        s,
        general,
        {
            "ManufacturerName",
            "ManufacturerIdentifier",
            "WarrantyInformation",
            "BatteryCategory",
            "BatteryMass",
        },
        "GeneralInformation.",
    )
    for path, key in TECHNICAL_RATED.items():
        read.put(key, _get(p, path), s, path)
    for path, key in TECHNICAL_DYNAMIC.items():
        value = _get(p, path)
        if value is not None:
            # No time of measurement in this submodel: the passport's last update is when it was current.
            read.dynamic.setdefault(key, (value, when))
            read.paths.setdefault(key, (s, path))
    for index, item in enumerate(
        _get(p, "TechnicalPropertyAreas.PowerCapability.OriginalPowerCapability") or []
    ):
        path = f"TechnicalPropertyAreas.PowerCapability.OriginalPowerCapability[{index}]"
        key = POWER_AT_SOC.get(_number(item.get("atSoC")))
        if key:
            read.put(key, item.get("powerCapabilityAt"), s, f"{path}.powerCapabilityAt")
        else:
            read.drop(s, path, _("Only the power at 80 and 20 percent state of charge is kept."))
    tests = _get(p, "TechnicalPropertyAreas.Lifetime.CycleLifeReferenceTest") or []
    if tests:
        read.put(
            "cycle_life_reference_test",
            tests[0],
            s,
            "TechnicalPropertyAreas.Lifetime.CycleLifeReferenceTest[0]",
        )
        for index in range(1, len(tests)):
            read.drop(s, f"TechnicalPropertyAreas.Lifetime.CycleLifeReferenceTest[{index}]")
    for image in range(len(general.get("ProductImages") or [])):
        read.drop(s, f"GeneralInformation.ProductImages[{image}]")


def _read_product_condition(read: _Read, p: dict[str, Any], when: Any) -> None:
    s = "ProductCondition"
    for name, key in CONDITION_DYNAMIC.items():
        entry = p.get(name)
        if isinstance(entry, dict) and entry.get(f"{name}Value") is not None:
            read.dynamic[key] = (entry[f"{name}Value"], entry.get("LastUpdate"))
            read.paths[key] = (s, name)
    rate = (p.get("CurrentSelfDischargingRate") or {}).get("CurrentSelfDischargingRateValue")
    read.put("self_discharge_rate", rate, s, "CurrentSelfDischargingRate.CurrentSelfDischargingRateValue")
    for name in (
        "EvolutionOfSelfDischarge",
        "RemainingPowerCapability",
        "NegativeEvents",
        "InformationOnAccidents",
    ):
        if p.get(name):
            read.drop(s, name)
    temperature = {k: v for k, v in (p.get("TemperatureInformation") or {}).items() if k != "LastUpdate"}
    if temperature:
        read.drop(s, "TemperatureInformation")


def _read_carbon_footprint(read: _Read, p: dict[str, Any]) -> None:
    s = "CarbonFootprint"
    rows = []
    for index, item in enumerate(p.get("ProductCarbonFootprints") or []):
        path = f"ProductCarbonFootprints[{index}]"
        phases = item.get("LifeCyclePhases") or []
        stage = PHASE_STAGES.get(phases[0]) if len(phases) == 1 else None
        if stage is None:
            read.drop(
                s, path, _("Only one life-cycle phase per footprint that matches an Art. 7 stage is kept.")
            )
            continue
        unit = item.get("ReferenceImpactUnitForCalculation")
        quantity = _number(item.get("QuantityOfMeasureForCalculation"))
        per = (
            f"{quantity} {'kWh' if unit == 'kwH' else unit}"
            if quantity != 1
            else ("kWh" if unit == "kwH" else unit)
        )
        row = {
            "lifecycle_stage": stage,
            "impact_category": "Climate Change Total",
            "value": item.get("PcfCo2eq"),
            "unit": f"kg CO2e / {per}",
            "performance_class": item.get("PerformanceClass") or None,
            "rulebook": [
                {"header": m, "content": m, "content_type": "text/plain"}
                for m in item.get("PcfCalculationMethods") or []
            ],
        }
        studies = item.get("WebLinkToPublicCarbonFootprintStudy") or []
        if studies:
            row["study_url"] = studies[0]
            for extra in range(1, len(studies)):
                read.drop(s, f"{path}.WebLinkToPublicCarbonFootprintStudy[{extra}]")
        rows.append({k: v for k, v in row.items() if v not in (None, [])})
    read.put("carbon_footprint", rows, s, "ProductCarbonFootprints")


def _read_material_composition(read: _Read, p: dict[str, Any]) -> None:
    s = "MaterialComposition"
    chemistry = p.get("BatteryChemistry") or {}
    short, clear = chemistry.get("ShortName"), chemistry.get("ClearName")
    read.put(
        "chemistry",
        f"{clear} ({short})" if clear and short and clear != short else (clear or short),
        s,
        "BatteryChemistry",
    )
    rows = []
    for index, item in enumerate(p.get("BatteryMaterials") or []):
        location = item.get("BatteryMaterialLocation") or {}
        row = {
            "identifiers": [
                {
                    "scheme": "CAS",
                    "identifier": item.get("BatteryMaterialIdentifier"),
                    "name": item.get("BatteryMaterialName"),
                }
            ],
            "critical": item.get("IsCriticalRawMaterial"),
        }
        if location.get("ComponentName"):
            row["location"] = location["ComponentName"]
        for extra in ("BatteryMaterialMass", "BatteryMaterialLocation.ComponentId"):
            if _get(item, extra) is not None:
                read.drop(s, f"BatteryMaterials[{index}].{extra}")
        rows.append(row)
    read.put("material_composition", rows, s, "BatteryMaterials")
    hazardous = []
    for index, item in enumerate(p.get("HazardousSubstances") or []):
        row: dict[str, Any] = {
            "identifiers": [
                {
                    "scheme": "CAS",
                    "identifier": item.get("HazardousSubstanceIdentifier"),
                    "name": item.get("HazardousSubstanceName"),
                }
            ]
        }
        if item.get("HazardousSubstanceClass"):
            row["hazard_class"] = item["HazardousSubstanceClass"]
        if item.get("HazardousSubstanceConcentration") is not None:
            row["concentration"] = item["HazardousSubstanceConcentration"]
            row["concentration_unit"] = "unit:percent"
        if item.get("HazardousSubstanceImpact"):
            row["impact_documents"] = _documents(
                item["HazardousSubstanceImpact"], _("Impact of the substance")
            )
        location = item.get("HazardousSubstanceLocation") or {}
        if location.get("ComponentName"):
            row["location"] = location["ComponentName"]
        if location.get("ComponentId"):
            read.drop(s, f"HazardousSubstances[{index}].HazardousSubstanceLocation.ComponentId")
        hazardous.append(row)
    read.put("hazardous_substances", hazardous, s, "HazardousSubstances")


def _read_circularity(read: _Read, p: dict[str, Any]) -> None:
    s = "Circularity"
    for (submodel, path), key in STRING_DOCUMENTS.items():
        if submodel == s:
            read.put(key, _documents(_get(p, path), str(attribute(key).label)), s, path)
    parts = []
    for index, source in enumerate(p.get("SparePartSources") or []):
        for part in source.get("Components") or []:
            parts.append({"part_id": part.get("PartNumber"), "name": part.get("PartName")})
        read.drop(
            s, f"SparePartSources[{index}]", _("Only the parts (Components) are kept, not the supplier.")
        )
    read.put("spare_parts", parts, s, "SparePartSources")
    for index, item in enumerate(p.get("RecycledContentInformation") or []):
        material = RECYCLED_MATERIALS[item["RecycledMaterial"]]
        path = f"RecycledContentInformation[{index}]"
        read.put(
            f"{material}_recycled_pre_consumer", item.get("PreConsumerShare"), s, f"{path}.PreConsumerShare"
        )
        read.put(
            f"{material}_recycled_post_consumer",
            item.get("PostConsumerShare"),
            s,
            f"{path}.PostConsumerShare",
        )
        if item.get("PreConsumerShare") is not None and item.get("PostConsumerShare") is not None:
            # The catalogue's total is the sum of the two (a rule it enforces on publication).
            total = Decimal(str(item["PreConsumerShare"])) + Decimal(str(item["PostConsumerShare"]))
            read.put(f"{material}_recycled_share", str(total), s, path)
    agents = [{"agent": agent} for agent in _get(p, "SafetyMeasures.ExtinguishingAgents") or [] if agent]
    read.put("extinguishing_agents", agents, s, "SafetyMeasures.ExtinguishingAgents")
    if _get(p, "EndOfLifeInformation.InformationOnCollection"):
        read.drop(s, "EndOfLifeInformation.InformationOnCollection")
    read.put("renewable_content_share", p.get("RenewableContent"), s, "RenewableContent")


def _read_handover(read: _Read, p: dict[str, Any]) -> None:
    s = "HandoverDocumentation"
    rows = []
    for index, document in enumerate(p.get("Documents") or []):
        path = f"Documents[{index}]"
        versions = document.get("DocumentVersions") or []
        version = versions[0] if versions else {}
        files = version.get("DigitalFiles") or []
        titles = _texts(version.get("Title"))
        if not files:
            continue
        rows.append(
            {
                "header": titles[0][1] if titles else files[0].get("value"),
                "category": "Other",
                "content_type": files[0].get("contentType"),
                "content": files[0].get("value"),
            }
        )
        for name in ("DocumentIds", "DocumentClassifications"):
            if document.get(name):
                read.drop(s, f"{path}.{name}")
        for name in ("Version", "Subtitle", "Description"):
            if version.get(name):
                read.drop(s, f"{path}.DocumentVersions[0].{name}")
        for extra in range(1, len(versions)):
            read.drop(s, f"{path}.DocumentVersions[{extra}]")
        for extra in range(1, len(files)):
            read.drop(s, f"{path}.DocumentVersions[0].DigitalFiles[{extra}]")
    read.put("additional_sources", rows, s, "Documents")


def _read_dpp_metadata(read: _Read, p: dict[str, Any]) -> None:
    s = "DppMetadata"
    passport_id = str(p.get("digitalProductPassportId") or "")
    raw = passport_id.lower().removeprefix("urn:uuid:")
    if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", raw):
        read.system["passport_id"] = passport_id
        read.paths["passport_id"] = (s, "digitalProductPassportId")
    elif passport_id:
        read.drop(
            s,
            "digitalProductPassportId",
            _("The portal's passport identifiers are UUIDs: a new one is given."),
        )
    read.put("unique_identifier", p.get("uniqueProductIdentifier"), s, "uniqueProductIdentifier")
    if p.get("granularity") not in (None, "Item"):
        read.drop(s, "granularity", _("A passport here is always one per battery (Item)."))
    status = p.get("dppStatus")
    if status in {"draft", "approved", "invalid", "expired"}:
        read.system["passport_status"] = status
    elif status:
        read.drop(s, "dppStatus", _("Statuses are draft, approved, invalid or expired."))
    if p.get("economicOperatorId"):
        read.system["economic_operator_id"] = p["economicOperatorId"]
        read.paths["economic_operator_id"] = (s, "economicOperatorId")
    if p.get("facilityId"):
        read.put("manufacturing_facilities", [p["facilityId"]], s, "facilityId")
    for name in ("contentSpecificationIds",):
        if p.get(name):
            read.drop(s, name)


def _last_update_time(payload: dict[str, Any], read: _Read) -> datetime:
    raw = _get(payload, "DppMetadata.lastUpdate")
    try:
        when = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        when = None
    if when is None:
        return datetime.now(UTC).replace(microsecond=0)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if (when.hour, when.minute, when.second) != (0, 0, 0) and when.utcoffset() == UTC.utcoffset(None):
        read.warnings.append(_("DppMetadata.lastUpdate: only its date is kept (as the last modification)."))
    read.system["passport_last_modification"] = when.date().isoformat()
    read.paths["passport_last_modification"] = ("DppMetadata", "lastUpdate")
    return when


def read_submodels(payload: Any) -> _Read:
    """The catalogue values of one IDTA export object; `errors` lists what is refused."""
    read = _Read()
    if not isinstance(payload, dict) or not payload:
        read.error(None, "$", _("Send one JSON object keyed by submodel (Nameplate, TechnicalData, ...)."))
        return read
    for key in set(payload) - ACCEPTED_KEYS:
        read.error(
            None,
            key,
            _("Unknown submodel. Expected: %(keys)s.")
            % {"keys": ", ".join(s.key for s in schemas.SUBMODELS)},
        )
    given: dict[str, Any] = {}
    for submodel in schemas.SUBMODELS:
        if submodel.key not in payload:
            continue
        normalised, notes = schemas.normalise(submodel.key, payload[submodel.key])
        errors = schemas.schema_errors(submodel.key, normalised)
        read.errors.extend(errors)
        read.warnings.extend(
            _("%(path)s: a single value where the schema wants a list; read as a list of one.")
            % {"path": note}
            for note in notes
        )
        given[submodel.key] = normalised
    if read.errors:
        return read
    when = _last_update_time(payload, read)
    readers = {
        "Nameplate": _read_nameplate,
        "CarbonFootprint": _read_carbon_footprint,
        "MaterialComposition": _read_material_composition,
        "Circularity": _read_circularity,
        "HandoverDocumentation": _read_handover,
        "DppMetadata": _read_dpp_metadata,
    }
    if "DppMetadata" in given:
        _read_dpp_metadata(read, given["DppMetadata"])  # first: its identifiers win over the others'
    for key, payload_part in given.items():
        if key == "TechnicalData":
            _read_technical_data(read, payload_part, when)
        elif key == "ProductCondition":
            _read_product_condition(read, payload_part, when)
        elif key != "DppMetadata":
            readers[key](read, payload_part)
    _read_shell(read, payload.get("shellDescriptor"))
    serial = read.values.pop("_serial", None)
    if serial and serial != read.values.get("unique_identifier"):
        read.values["serial_identifiers"] = [{"key": "partInstanceId", "value": serial}]
        read.paths["serial_identifiers"] = ("Nameplate", "SerialNumber")
    elif serial:
        read.values.setdefault("unique_identifier", serial)
    _check(read)
    return read


def _read_shell(read: _Read, shell: Any) -> None:
    """The battery model is found by its `manufacturerPartId`, which only the shell descriptor carries."""
    ids = (
        {
            item.get("name"): item.get("value")
            for item in (shell or {}).get("specificAssetIds") or []
            if isinstance(item, dict)
        }
        if isinstance(shell, dict)
        else {}
    )
    if ids.get("manufacturerPartId"):
        read.values["manufacturer_part_id"] = ids["manufacturerPartId"]
        read.paths["manufacturer_part_id"] = ("shellDescriptor", "specificAssetIds.manufacturerPartId")
    else:
        read.error(
            "shellDescriptor",
            "specificAssetIds",
            _(
                "Give the battery model's manufacturerPartId as a specific asset id of the shell descriptor: "
                "it is how the passport finds its battery model."
            ),
        )
    names = (
        [item.get("text") for item in (shell or {}).get("displayName") or [] if isinstance(item, dict)]
        if isinstance(shell, dict)
        else []
    )
    if names and names[0]:
        read.values["model_name"] = names[0]
        read.paths["model_name"] = ("shellDescriptor", "displayName[0].text")
    elif ids.get("manufacturerPartId"):
        # The battery model needs a name and no submodel carries one: the part id says what the model is.
        read.values["model_name"] = ids["manufacturerPartId"]
        read.paths["model_name"] = ("shellDescriptor", "specificAssetIds.manufacturerPartId")
        read.warnings.append(
            _(
                "shellDescriptor.displayName: not given; the battery model is named after its "
                "manufacturerPartId."
            )
        )
    if ids.get("batchId"):
        read.values.setdefault("batch_identifiers", [{"key": "batchId", "value": ids["batchId"]}])


def _check(read: _Read) -> None:
    """Every value through the catalogue, each error at the IDTA path the value came from."""
    for key, raw in list(read.values.items()):
        submodel, path = read.paths.get(key, (None, key))
        try:
            checked = check_value(attribute(key), raw)
        except ValidationError as exc:
            for message in exc.messages:
                read.error(submodel, path, message)
            del read.values[key]
            continue
        read.values[key] = checked.value
        read.warnings.extend(f"{submodel}.{path}: {warning}" for warning in checked.warnings)
    model = {k: v for k, v in read.values.items() if attribute(k).level.value == "model"}
    try:
        validate_record(model)  # rules between values (voltages ordered, shares adding up...)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            submodel, path = read.paths.get(key.split("[", 1)[0], (None, key))
            for message in messages:
                read.error(submodel, path, message)
    for key, (raw, when) in list(read.dynamic.items()):
        submodel, path = read.paths[key]
        try:
            value = check_value(attribute(key), raw).value
        except ValidationError as exc:
            for message in exc.messages:
                read.error(submodel, f"{path}", message)
            continue
        if isinstance(when, str):
            parsed = datetime.fromisoformat(when) if when else None
            if parsed is not None and parsed.tzinfo is None:
                read.warnings.append(
                    _("%(path)s: a time without a time zone offset, read as UTC.")
                    % {"path": f"{submodel}.{path}.LastUpdate"}
                )
                parsed = parsed.replace(tzinfo=UTC)
            when = parsed
        read.dynamic[key] = (value, when)


def _catenax_path_to_idta(read: _Read, path: str) -> tuple[str | None, str]:
    generic = re.sub(r"\[\d+\]", "[]", path)
    from ..catalogue import by_catenax_path

    candidates = [a for p, a in by_catenax_path().items() if p == generic or p.startswith(generic + ".")]
    for a in candidates:
        key = a.key.split(".", 1)[0]
        if key in read.paths:
            return read.paths[key]
    return None, path


def import_submodels(*, actor, organization, payload: Any, confirm_economic_operator: bool = False):
    """Create one draft passport from an IDTA export object: all or nothing.

    Returns (`catenax.ImportedPassport`, warnings). Raises `IdtaImportError` with errors naming the
    submodel and the path (the request as a whole: submodel None), `PermissionDenied` like the 6.1.0
    import."""
    read = read_submodels(payload)
    if read.errors:
        raise IdtaImportError(read.errors)
    dynamic = {key: [{"value": value, "measured_at": when}] for key, (value, when) in read.dynamic.items()}
    document = catenax.values_to_document(read.values, dynamic=dynamic, system=read.system)
    with transaction.atomic():
        try:
            imported = catenax.import_documents(
                actor=actor,
                organization=organization,
                payload=document,
                confirm_economic_operator=confirm_economic_operator,
            )
        except catenax.CatenaxImportError as exc:
            errors = []
            for error in exc.errors:
                submodel, path = _catenax_path_to_idta(read, error["path"])
                errors.append({"submodel": submodel, "path": path, "message": error["message"]})
            raise IdtaImportError(errors) from None
        except catenax.CatenaxInvalid as exc:
            raise IdtaImportError([{"submodel": None, **error} for error in exc.errors]) from None
        result = imported[0]
        _store_model_extras(actor, result.battery_model, read)
    warnings = [*read.warnings, *result.warnings]
    return result, warnings


def _store_model_extras(actor, battery_model: BatteryModel, read: _Read) -> None:
    """The model-level values the 6.1.0 document had no place for (or only part of: rows whose columns it
    lacks), stored on the battery model the 6.1.0 import found or created."""
    import json

    from .. import services

    model = BatteryModel.objects.get(pk=battery_model.pk)
    wanted = {key: value for key, value in read.values.items() if attribute(key).level.value == "model"}
    as_json = json.loads(json.dumps(wanted, cls=DjangoJSONEncoder))
    changes = {key: wanted[key] for key, value in as_json.items() if model.data.get(key) != value}
    # The 6.1.0 document fills leaves its schema requires with neutral values (0, "", false), which its
    # import reads back as given: those the submodels did not give are cleared again.
    for key, value in model.data.items():
        if (
            key not in wanted
            and key not in ("manufacturer_part_id", "model_name")
            and value in (0, "0", "", False)
        ):
            changes[key] = None
    if changes:
        try:
            services.battery_model_update(actor=actor, battery_model=model, values=changes)
        except ValidationError as exc:  # checked in `_check` already; kept so a rule added later cannot 500
            errors = [
                {
                    "submodel": read.paths.get(key, (None, key))[0],
                    "path": read.paths.get(key, (None, key))[1],
                    "message": str(message),
                }
                for key, messages in getattr(exc, "message_dict", {"$": exc.messages}).items()
                for message in messages
            ]
            raise IdtaImportError(errors) from None
