"""Demo battery models and passports for the demo world (`manage.py load_demo`). Idempotent.

Everything is built through the services, acting as the demo company admins, so the demo data passes
the same validation, permissions and audit as real data. What exists already (found by model identifier
or unique battery identifier) is left alone, so a second run changes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from guardian.core import ObjectPermissionChecker

from portal.accounts.models import User
from portal.identifiers import bpn_check_characters
from portal.tenancy.groups import organization_group
from portal.tenancy.models import Organization

from . import services
from .models import BatteryModel, Passport, VersionState

EU_MAKER = "Elektra Batteriewerk GmbH"
JP_MAKER = "Sakura Denchi Kabushiki Kaisha"
SUPPLIER = "Nordic Cathode Materials Oy"


def _bpn(kind: str, body: str) -> str:
    """A BPN with correct check characters (body: 10 upper-case letters or digits)."""
    prefix = f"BPN{kind}{body}"
    return prefix + bpn_check_characters(prefix)


def _doc(header: str, url: str) -> dict[str, str]:
    return {"header": header, "content_type": "URL", "content": url}


EU_PLANT = _bpn("A", "00000000E1")  # Werk Salzgitter (cell and pack assembly)
EU_PACK_PLANT = _bpn("A", "00000000E2")  # Werk Wolfsburg (pack assembly)
JP_PLANT = _bpn("A", "00000000J1")  # Himeji Cell Plant


def _footprint(plant: str, site_url: str, total: str, stages: tuple[str, str, str, str]) -> list[dict]:
    """Art. 7: per plant, the total and one row per life-cycle stage, kg CO2e per kWh."""
    names = (
        "raw material acquisition and pre-processing",
        "main product production",
        "distribution",
        "end of life and recycling",
    )
    rows = []
    for stage, value in (("total", total), *zip(names, stages, strict=True)):
        rows.append(
            {
                "lifecycle_stage": stage,
                "impact_category": "Climate Change Total",
                "value": Decimal(value),
                "unit": "kg CO2e/kWh",
                "performance_class": "B",
                "manufacturing_plants": [plant],
                "study_url": f"{site_url}/carbon-footprint-study.pdf",
                "declaration": [_doc("Carbon footprint declaration", f"{site_url}/cfp-declaration.pdf")],
                "rulebook": [_doc("PEFCR batteries (calculation rules)", f"{site_url}/cfp-rules.pdf")],
            }
        )
    return rows


def _common_model_values(site: str) -> dict[str, Any]:
    """Documents and facts every demo pack publishes (links on the maker's own website)."""
    return {
        "battery_category": "ev",
        "weight_unit": "unit:kilogram",
        "length_unit": "unit:millimetre",
        "width_unit": "unit:millimetre",
        "height_unit": "unit:millimetre",
        "data_carrier_type": "QR",
        "data_carrier_layout": "Label on the upper housing, next to the high-voltage connector",
        "intended_purposes": ["automotive"],
        "product_codes": [{"key": "TARIC", "value": "8507 60 00 10"}],
        "meaning_of_labels": [_doc("Symbols and labels explained", f"{site}/labels.pdf")],
        "eu_declaration_of_conformity": [_doc("EU declaration of conformity", f"{site}/doc.pdf")],
        "instructions_for_use": [_doc("Instructions for use", f"{site}/instructions.pdf")],
        "test_reports": [_doc("Test report (notified body)", f"{site}/reports/test-report.pdf")],
        "due_diligence_report": [_doc("Battery due diligence report 2025", f"{site}/due-diligence.pdf")],
        "third_party_verification": [_doc("Third-party verification summary", f"{site}/verification.pdf")],
        "separate_collection_information": [_doc("Take-back and collection", f"{site}/take-back")],
        "waste_prevention_information": [_doc("Waste prevention", f"{site}/waste-prevention")],
        "dismantling_information": [_doc("Dismantling manual", f"{site}/service/dismantling.pdf")],
        "removal_instructions": [_doc("Removal from the vehicle", f"{site}/service/removal.pdf")],
        "safety_measures": [_doc("Safety measures", f"{site}/service/safety.pdf")],
        "safe_discharging_information": [_doc("Safe discharging", f"{site}/service/discharging.pdf")],
        "extinguishing_agents": [
            {"agent": "Water (large quantities, cooling)", "fire_class": "A"},
            {
                "agent": "Dry powder (class D) for small cell fires",
                "fire_class": "D",
                "documents": [_doc("Fire-fighting guidance", f"{site}/service/fire-fighting.pdf")],
            },
        ],
        "additional_sources": [
            {
                "header": "Product data sheet",
                "category": "Product Specifications",
                "content_type": "URL",
                "content": f"{site}/datasheet.pdf",
            },
        ],
        "lead_concentration": Decimal("0"),
        "lead_concentration_unit": "unit:partPerMillion",
        "lead_location": "Not contained",
        "lead_critical": False,
        "cadmium_concentration": Decimal("0"),
        "cadmium_concentration_unit": "unit:partPerMillion",
        "cadmium_location": "Not contained",
        "cadmium_critical": False,
        "mercury_concentration": Decimal("0"),
        "mercury_concentration_unit": "unit:partPerMillion",
        "mercury_location": "Not contained",
        "mercury_critical": False,
        "spare_parts_applicable": True,
        "warranty_period": 8,
        "warranty_period_unit": "unit:year",
        "cycle_life_reference_test": "IEC 62660-1:2018",
        "idle_temperature_reference_test": "IEC 62660-2:2018 storage test",
        "capacity_threshold_exhaustion": Decimal("70"),
    }


EU_SITE = "https://elektra-batteriewerk.example/passport"
JP_SITE = "https://sakura-denchi.example/passport"


def _eu_nmc_pack(bpnl: str | None) -> dict[str, Any]:
    values = _common_model_values(EU_SITE)
    values.update(
        {
            "model_name": "Elektra EP-75 NMC 811 traction pack",
            "manufacturer_part_id": "EP-75-NMC811",
            "manufacturer_name": EU_MAKER,
            "manufacturer_address": "Industriestraße 12\n38440 Wolfsburg\nGermany",
            "manufacturer_email": "passport@elektra-batteriewerk.example",
            "manufacturer_website": "https://elektra-batteriewerk.example",
            "manufacturer_bpnl": bpnl,
            "weight": Decimal("452"),
            "length": Decimal("2100"),
            "width": Decimal("1450"),
            "height": Decimal("150"),
            "chemistry": "Lithium nickel manganese cobalt oxide (NMC 811) / graphite",
            "critical_raw_materials": [
                {"material": "Cobalt", "cas_number": "7440-48-4", "share": Decimal("1.9")},
                {"material": "Lithium", "cas_number": "7439-93-2", "share": Decimal("1.6")},
                {"material": "Nickel", "cas_number": "7440-02-0", "share": Decimal("11.8")},
                {"material": "Natural graphite", "cas_number": "7782-42-5", "share": Decimal("9.5")},
            ],
            "cobalt_critical": True,
            "cobalt_location": "Cathode active material",
            "lithium_critical": True,
            "lithium_location": "Cathode active material and electrolyte",
            "nickel_critical": True,
            "nickel_location": "Cathode active material",
            "other_active_materials": [
                {
                    "identifiers": [{"scheme": "CAS", "identifier": "7439-96-5", "name": "Manganese"}],
                    "location": "Cathode active material",
                    "critical": True,
                    "recycled_share": Decimal("0"),
                },
                {
                    "identifiers": [{"scheme": "CAS", "identifier": "7782-42-5", "name": "Graphite"}],
                    "location": "Anode active material",
                    "critical": True,
                    "recycled_share": Decimal("0"),
                },
            ],
            "hazardous_substances": [
                {
                    "identifiers": [
                        {"scheme": "CAS", "identifier": "21324-40-3", "name": "Lithium hexafluorophosphate"}
                    ],
                    "hazard_class": "Acute Tox. 3; Skin Corr. 1A; STOT RE 1",
                    "concentration": Decimal("1.2"),
                    "concentration_unit": "unit:percent",
                    "location": "Electrolyte",
                    "critical": False,
                },
                {
                    "identifiers": [
                        {"scheme": "CAS", "identifier": "7440-48-4", "name": "Cobalt"},
                        {"scheme": "EC", "identifier": "231-158-0", "name": "Cobalt"},
                    ],
                    "hazard_class": "Carc. 1B; Resp. Sens. 1; Skin Sens. 1",
                    "concentration": Decimal("1.9"),
                    "concentration_unit": "unit:percent",
                    "location": "Cathode",
                    "critical": True,
                },
            ],
            "cathode_composition": "LiNi0.8Mn0.1Co0.1O2 (NMC 811), PVDF binder 2 %, carbon black 1.5 %",
            "anode_composition": "Natural and synthetic graphite (60/40), SBR/CMC binder, copper foil",
            "electrolyte_composition": "1.2 M LiPF6 in EC:EMC (3:7) with 2 % vinylene carbonate",
            "material_composition": [
                {
                    "identifiers": [{"scheme": "CAS", "identifier": "7440-02-0", "name": "Nickel"}],
                    "location": "Cathode",
                    "concentration": Decimal("11.8"),
                    "concentration_unit": "unit:percent",
                    "critical": True,
                    "recycled_share": Decimal("7"),
                    "renewable_share": Decimal("0"),
                },
                {
                    "identifiers": [{"scheme": "CAS", "identifier": "7429-90-5", "name": "Aluminium"}],
                    "location": "Housing",
                    "concentration": Decimal("18"),
                    "concentration_unit": "unit:percent",
                    "critical": False,
                    "recycled_share": Decimal("45"),
                    "renewable_share": Decimal("0"),
                },
            ],
            "cobalt_recycled_share": Decimal("16"),
            "cobalt_recycled_pre_consumer": Decimal("10"),
            "cobalt_recycled_post_consumer": Decimal("6"),
            "lithium_recycled_share": Decimal("6"),
            "lithium_recycled_pre_consumer": Decimal("4"),
            "lithium_recycled_post_consumer": Decimal("2"),
            "nickel_recycled_share": Decimal("7"),
            "nickel_recycled_pre_consumer": Decimal("5"),
            "nickel_recycled_post_consumer": Decimal("2"),
            "renewable_content_share": Decimal("3.5"),
            "carbon_footprint": [
                *_footprint(EU_PLANT, EU_SITE, "68.4", ("41.2", "22.9", "1.8", "2.5")),
                *_footprint(EU_PACK_PLANT, EU_SITE, "71.0", ("41.2", "25.3", "2.0", "2.5")),
            ],
            "declaration_of_conformity_id": "EBW-DoC-2026-0075",
            "spare_parts": [
                {"part_id": "EP-75-MOD-12S", "name": "Battery module 12S"},
                {"part_id": "EP-75-BMS-3", "name": "Battery management system controller"},
            ],
            "spare_part_producers": [bpnl] if bpnl else [],
            "spare_part_sources_contact": "Elektra Service Parts, service@elektra-batteriewerk.example",
            "rated_capacity": Decimal("206"),
            "rated_capacity_temperature": Decimal("25"),
            "rated_energy": Decimal("75"),
            "rated_energy_temperature": Decimal("25"),
            "voltage_minimum": Decimal("280"),
            "voltage_nominal": Decimal("364"),
            "voltage_maximum": Decimal("403"),
            "voltage_temperature": Decimal("25"),
            "rated_power": Decimal("250000"),
            "power_at_80_percent_soc": Decimal("245000"),
            "power_at_20_percent_soc": Decimal("180000"),
            "power_temperature": Decimal("25"),
            "expected_lifetime_cycles": 2000,
            "cycle_life_depth_of_discharge": Decimal("80"),
            "cycle_life_temperature": Decimal("25"),
            "cycle_life_charge_rate": Decimal("0.5"),
            "cycle_life_discharge_rate": Decimal("1"),
            "expected_lifetime_years": Decimal("12"),
            "idle_temperature_lower": Decimal("-30"),
            "idle_temperature_upper": Decimal("55"),
            "round_trip_efficiency_initial": Decimal("95.5"),
            "round_trip_efficiency_50_percent_life": Decimal("93"),
            "round_trip_efficiency_depth_of_discharge": Decimal("80"),
            "round_trip_efficiency_temperature": Decimal("25"),
            "internal_resistance_cell": Decimal("0.0008"),
            "internal_resistance_module": Decimal("0.012"),
            "internal_resistance_pack": Decimal("0.11"),
            "internal_resistance_temperature": Decimal("25"),
            "rated_self_discharge_rate": Decimal("2"),
            "rated_performance_documents": [_doc("Rated performance data", f"{EU_SITE}/reports/rated.pdf")],
            "rated_test_reports": [_doc("Rated values test report", f"{EU_SITE}/reports/rated-test.pdf")],
            "lifetime_test_reports": [_doc("Cycle-life test report", f"{EU_SITE}/reports/cycle-life.pdf")],
        }
    )
    return {key: value for key, value in values.items() if value not in (None, [])}


def _eu_compact_pack(bpnl: str | None) -> dict[str, Any]:
    values = _eu_nmc_pack(bpnl)
    values.update(
        {
            "model_name": "Elektra EP-50 NMC 811 compact pack",
            "manufacturer_part_id": "EP-50-NMC811",
            "weight": Decimal("318"),
            "length": Decimal("1650"),
            "rated_capacity": Decimal("137"),
            "rated_energy": Decimal("50"),
            "rated_power": Decimal("150000"),
            "power_at_80_percent_soc": Decimal("147000"),
            "power_at_20_percent_soc": Decimal("110000"),
            "carbon_footprint": _footprint(EU_PLANT, EU_SITE, "70.1", ("42.0", "23.6", "1.9", "2.6")),
            "declaration_of_conformity_id": "EBW-DoC-2026-0050",
        }
    )
    return values


def _jp_lfp_pack() -> dict[str, Any]:
    values = _common_model_values(JP_SITE)
    values.update(
        {
            "model_name": "Sakura SD-60 LFP blade pack",
            "manufacturer_part_id": "SD-60-LFP",
            "manufacturer_name": JP_MAKER,
            "manufacturer_address": "1-2-3 Marunouchi, Chiyoda-ku\nTokyo 100-0005\nJapan",
            "manufacturer_email": "passport@sakura-denchi.example",
            "manufacturer_website": "https://sakura-denchi.example",
            "weight": Decimal("405"),
            "length": Decimal("1980"),
            "width": Decimal("1320"),
            "height": Decimal("140"),
            "chemistry": "Lithium iron phosphate (LFP) / graphite",
            "critical_raw_materials": [
                {"material": "Lithium", "cas_number": "7439-93-2", "share": Decimal("1.3")},
                {"material": "Natural graphite", "cas_number": "7782-42-5", "share": Decimal("10.4")},
                {"material": "Phosphorus", "cas_number": "7723-14-0", "share": Decimal("5.2")},
            ],
            "cobalt_critical": False,
            "cobalt_location": "Not contained",
            "lithium_critical": True,
            "lithium_location": "Cathode active material and electrolyte",
            "nickel_critical": False,
            "nickel_location": "Not contained",
            "other_active_materials": [
                {
                    "identifiers": [
                        {"scheme": "CAS", "identifier": "15365-14-7", "name": "Lithium iron phosphate"}
                    ],
                    "location": "Cathode active material",
                    "critical": True,
                    "recycled_share": Decimal("0"),
                },
                {
                    "identifiers": [{"scheme": "CAS", "identifier": "7782-42-5", "name": "Graphite"}],
                    "location": "Anode active material",
                    "critical": True,
                    "recycled_share": Decimal("5"),
                },
            ],
            "hazardous_substances": [
                {
                    "identifiers": [
                        {"scheme": "CAS", "identifier": "21324-40-3", "name": "Lithium hexafluorophosphate"}
                    ],
                    "hazard_class": "Acute Tox. 3; Skin Corr. 1A; STOT RE 1",
                    "concentration": Decimal("1.1"),
                    "concentration_unit": "unit:percent",
                    "location": "Electrolyte",
                    "critical": False,
                },
                {
                    "identifiers": [{"scheme": "CAS", "identifier": "96-49-1", "name": "Ethylene carbonate"}],
                    "hazard_class": "Eye Irrit. 2; STOT RE 2",
                    "concentration": Decimal("4.5"),
                    "concentration_unit": "unit:percent",
                    "location": "Electrolyte",
                    "critical": False,
                },
            ],
            "cathode_composition": "LiFePO4 with 2 % carbon coating, PVDF binder 3 %, aluminium foil",
            "anode_composition": "Natural graphite 90 %, synthetic graphite 10 %, SBR/CMC binder, Cu foil",
            "electrolyte_composition": "1.0 M LiPF6 in EC:DMC:EMC (1:1:1)",
            "material_composition": [
                {
                    "identifiers": [
                        {"scheme": "CAS", "identifier": "15365-14-7", "name": "Lithium iron phosphate"}
                    ],
                    "location": "Cathode",
                    "concentration": Decimal("32"),
                    "concentration_unit": "unit:percent",
                    "critical": True,
                    "recycled_share": Decimal("0"),
                    "renewable_share": Decimal("0"),
                },
            ],
            "cobalt_recycled_share": Decimal("0"),
            "lithium_recycled_share": Decimal("8"),
            "lithium_recycled_pre_consumer": Decimal("6"),
            "lithium_recycled_post_consumer": Decimal("2"),
            "nickel_recycled_share": Decimal("0"),
            "renewable_content_share": Decimal("2"),
            "carbon_footprint": _footprint(JP_PLANT, JP_SITE, "54.6", ("30.8", "19.7", "2.4", "1.7")),
            "declaration_of_conformity_id": "SD-DoC-2026-060",
            "spare_parts": [{"part_id": "SD-60-CTP-1", "name": "Cell-to-pack enclosure lid"}],
            "spare_part_sources_contact": "Sakura Denchi parts desk, parts@sakura-denchi.example",
            "rated_capacity": Decimal("180"),
            "rated_capacity_temperature": Decimal("25"),
            "rated_energy": Decimal("60"),
            "rated_energy_temperature": Decimal("25"),
            "voltage_minimum": Decimal("280"),
            "voltage_nominal": Decimal("333"),
            "voltage_maximum": Decimal("380"),
            "voltage_temperature": Decimal("25"),
            "rated_power": Decimal("160000"),
            "power_at_80_percent_soc": Decimal("158000"),
            "power_at_20_percent_soc": Decimal("140000"),
            "power_temperature": Decimal("25"),
            "expected_lifetime_cycles": 4000,
            "cycle_life_depth_of_discharge": Decimal("100"),
            "cycle_life_temperature": Decimal("25"),
            "cycle_life_charge_rate": Decimal("1"),
            "cycle_life_discharge_rate": Decimal("1"),
            "expected_lifetime_years": Decimal("15"),
            "idle_temperature_lower": Decimal("-30"),
            "idle_temperature_upper": Decimal("60"),
            "round_trip_efficiency_initial": Decimal("96"),
            "round_trip_efficiency_50_percent_life": Decimal("94.5"),
            "round_trip_efficiency_depth_of_discharge": Decimal("100"),
            "round_trip_efficiency_temperature": Decimal("25"),
            "internal_resistance_cell": Decimal("0.0004"),
            "internal_resistance_pack": Decimal("0.09"),
            "internal_resistance_temperature": Decimal("25"),
            "rated_self_discharge_rate": Decimal("1.5"),
            "lifetime_test_reports": [_doc("Cycle-life test report", f"{JP_SITE}/reports/cycle-life.pdf")],
        }
    )
    return values


def _supply(material, origin, site, refiner, refiner_country, supplier, supplier_id, amount, recycled,
            scheme, period=(date(2025, 1, 1), date(2025, 12, 31))) -> dict[str, Any]:  # fmt: skip
    return {
        "material": material,
        "country_of_origin": origin,
        "mine_or_extraction_site": site,
        "refiner_processor": refiner,
        "refiner_country": refiner_country,
        "supplier_name": supplier,
        "supplier_identifier": supplier_id,
        "procurement_amount": Decimal(amount),
        "procurement_unit": "t",
        "procurement_period_start": period[0],
        "procurement_period_end": period[1],
        "recycled_share": Decimal(recycled),
        "assurance_scheme": scheme,
    }


EU_SUPPLY_CHAIN = [
    _supply("lithium", "AU", "Greenbushes, Western Australia", "Kwinana lithium hydroxide refinery", "AU",
            "Southern Cross Lithium Pty Ltd", _bpn("L", "0000000AU1"), "1250", "4", "IRMA Standard"),
    _supply("lithium", "CL", "Salar de Atacama brine operations", "Antofagasta carbonate plant", "CL",
            "Andes Litio SpA", _bpn("L", "0000000CL1"), "830", "0", "IRMA Standard"),
    _supply("cobalt", "CD", "Kolwezi copper-cobalt mine, Lualaba", "Kokkola cobalt refinery", "FI",
            SUPPLIER, "BPNL00000000SPU7", "410", "16", "RMI Responsible Minerals Assurance Process"),
    _supply("nickel", "ID", "Morowali industrial park, Central Sulawesi", "Morowali HPAL plant", "ID",
            "Sulawesi Nickel Processing PT", _bpn("L", "0000000ID1"), "2900", "7",
            "RMI Responsible Minerals Assurance Process"),
    _supply("natural_graphite", "CN", "Heilongjiang flake graphite mine", "Jixi spherical graphite plant",
            "CN", "Heilongjiang Graphite Materials Co.", _bpn("L", "0000000CN1"), "2100", "0",
            "Third-party audit (OECD Due Diligence Guidance)"),
]  # fmt: skip
JP_SUPPLY_CHAIN = [
    _supply("lithium", "AU", "Pilbara spodumene mine, Western Australia", "Kwinana hydroxide refinery", "AU",
            "Southern Cross Lithium Pty Ltd", _bpn("L", "0000000AU1"), "980", "6", "IRMA Standard"),
    _supply("lithium", "CL", "Salar de Atacama brine operations", "Antofagasta carbonate plant", "CL",
            "Andes Litio SpA", _bpn("L", "0000000CL1"), "1420", "2", "IRMA Standard"),
    _supply("natural_graphite", "CN", "Inner Mongolia flake graphite mine", "Qingdao anode material plant",
            "CN", "Qingdao Carbon Anode Co.", _bpn("L", "0000000CN2"), "2650", "5",
            "Third-party audit (OECD Due Diligence Guidance)"),
]  # fmt: skip


def _battery(prefix: str, number: int, facility: str, place: str, country: str, made: date,
             in_service: date | None) -> dict[str, Any]:  # fmt: skip
    values: dict[str, Any] = {
        "unique_identifier": f"{prefix}-{number:05d}",
        "serial_identifiers": [{"key": "partInstanceId", "value": f"SN-{prefix}-{number:05d}"}],
        "batch_identifiers": [{"key": "batchId", "value": f"B-{made:%Y%m}-{prefix}"}],
        "manufacturing_date": made,
        "manufacturing_place": place,
        "manufacturing_country": country,
        "manufacturing_facilities": [facility],
        "placed_on_market_date": made.replace(day=28),
        "self_discharge_rate": Decimal("2"),
    }
    if in_service:
        values["put_into_service_date"] = in_service
    return values


# State of health over time: (measured on, SOH %, SOCE %, full cycles, remaining capacity Ah)
AGEING = [
    (datetime(2025, 7, 1, 9, 0, tzinfo=UTC), "100", "100", "12", "206"),
    (datetime(2025, 10, 1, 9, 0, tzinfo=UTC), "99.1", "99.0", "96", "204.1"),
    (datetime(2026, 1, 1, 9, 0, tzinfo=UTC), "98.2", "98.0", "181", "202.3"),
    (datetime(2026, 4, 1, 9, 0, tzinfo=UTC), "97.4", "97.1", "262", "200.6"),
]


def _append_ageing(actor, passport: Passport, capacity: Decimal, wear: Decimal) -> None:
    for measured_at, soh, soce, cycles, remaining in AGEING:
        factor = Decimal(remaining) / Decimal("206")
        points = {
            "state_of_health": Decimal(soh) - wear,
            "state_of_certified_energy": Decimal(soce) - wear,
            "full_cycles": Decimal(cycles),
            "remaining_capacity": (capacity * factor).quantize(Decimal("0.1")),
        }
        for key, value in points.items():
            services.dynamic_data_append(
                actor=actor, passport=passport, key=key, value=value, measured_at=measured_at
            )


def _ensure_model(actor, organization, values, supply_chain) -> tuple[BatteryModel, bool]:
    model = BatteryModel.objects.filter(
        organization=organization, manufacturer_part_id=values["manufacturer_part_id"]
    ).first()
    if model is not None:
        return model, False
    model = services.battery_model_create(actor=actor, organization=organization, values=values)
    services.supply_chain_replace(actor=actor, battery_model=model, rows=supply_chain)
    return model, True


def _ensure_passport(actor, model, values, *, wear: Decimal) -> tuple[Passport, bool]:
    passport = Passport.objects.filter(
        organization=model.organization, unique_identifier=values["unique_identifier"]
    ).first()
    if passport is not None:
        return passport, False
    passport = services.passport_create(actor=actor, battery_model=model, values=values)
    if "put_into_service_date" in values:
        _append_ageing(actor, passport, Decimal(str(model.data["rated_capacity"])), wear)
    services.passport_publish(actor=actor, passport=passport)
    return passport, True


def _ensure_successor(actor, passport: Passport, identifier: str) -> None:
    """Repurposing (e.g. into stationary storage) creates a new passport linked to its predecessor."""
    if Passport.objects.filter(predecessor=passport).exists():
        return
    successor = services.passport_change_status(
        actor=actor,
        passport=passport,
        status="repurposed",
        note="Second life as stationary storage",
        occurred_at=datetime(2026, 5, 4, 8, 0, tzinfo=UTC),
        new_unique_identifier=identifier,
    )
    services.passport_publish(actor=actor, passport=successor)


def _ensure_grant(actor, model: BatteryModel, grantee: Organization) -> None:
    checker = ObjectPermissionChecker(organization_group(grantee))
    if not checker.has_perm("view_legitimate_interest_batterymodel", model):
        services.grant_legitimate_interest(actor=actor, target=model, organization=grantee)


@transaction.atomic
def load_demo_passports() -> list[str]:
    """Create the demo battery models and passports (idempotent); returns a short summary (no supply chain:
    it is confidential even in a console)."""
    eu = Organization.objects.get(legal_name=EU_MAKER)
    jp = Organization.objects.get(legal_name=JP_MAKER)
    supplier = Organization.objects.get(legal_name=SUPPLIER)
    eu_admin = User.objects.get(username="eu-maker")
    jp_admin = User.objects.get(username="jp-maker")

    nmc, _created = _ensure_model(eu_admin, eu, _eu_nmc_pack(eu.bpnl), EU_SUPPLY_CHAIN)
    compact, _created = _ensure_model(eu_admin, eu, _eu_compact_pack(eu.bpnl), EU_SUPPLY_CHAIN)
    lfp, _created = _ensure_model(jp_admin, jp, _jp_lfp_pack(), JP_SUPPLY_CHAIN)

    made, in_service = date(2025, 3, 12), date(2025, 6, 20)
    eu_passports = [
        _ensure_passport(
            eu_admin,
            nmc,
            _battery("EBW-EP75", n, EU_PLANT, "Salzgitter", "DE", made, in_service),
            wear=Decimal(n - 1) / 2,
        )[0]
        for n in (1, 2, 3)
    ]
    _ensure_passport(eu_admin, compact, _battery("EBW-EP50", 1, EU_PLANT, "Salzgitter", "DE", made, None),
                     wear=Decimal(0))  # fmt: skip
    for n in (1, 2, 3):
        _ensure_passport(jp_admin, lfp, _battery("SD-SD60", n, JP_PLANT, "Himeji", "JP", date(2025, 2, 3),
                         date(2025, 6, 1)), wear=Decimal(n - 1) / 4)  # fmt: skip
    _ensure_successor(eu_admin, eu_passports[2], "EBW-EP75-00003-R1")
    _ensure_grant(eu_admin, nmc, supplier)

    summary = []
    for organization in (eu, jp):
        models = BatteryModel.objects.filter(organization=organization)
        passports = Passport.objects.filter(organization=organization)
        published = passports.filter(versions__state=VersionState.PUBLISHED).distinct().count()
        successors = passports.filter(predecessor__isnull=False).count()
        summary.append(
            f"{organization.legal_name}: battery models {models.count()}, passports {passports.count()} "
            f"(published {published}, repurposed successors {successors})"
        )
    summary.append(f"{supplier.legal_name}: legitimate-interest access to {nmc.name}")
    return summary


def model_values_for(organization: Organization, *, part_id: str, name: str, changes: dict[str, Any]) -> dict:
    """Complete battery-model values for another demo company (the oversight's statistical world): the
    demo makers' EU or Japanese pack, with that company as manufacturer and `changes` on top, so that its
    published passports are as valid as the demo makers' own."""
    japanese = organization.country.code == "JP"
    values = _jp_lfp_pack() if japanese else _eu_compact_pack(organization.bpnl)
    slug = "".join(ch for ch in organization.legal_name.lower() if ch.isalnum())[:30]
    values.update(
        {
            "model_name": name,
            "manufacturer_part_id": part_id,
            "manufacturer_name": organization.legal_name,
            "manufacturer_address": f"{organization.street}\n{organization.postal_code} {organization.city}\n"
            f"{organization.country.name}",
            "manufacturer_email": f"passport@{slug}.example",
            "manufacturer_website": f"https://{slug}.example",
            "spare_part_sources_contact": f"{organization.legal_name} parts desk, parts@{slug}.example",
            **changes,
        }
    )
    if not japanese:
        values["manufacturer_bpnl"] = organization.bpnl
    return values


def battery_values_for(organization: Organization, prefix: str, number: int, *, made: date) -> dict[str, Any]:
    """Complete values of one battery of another demo company, made in its home town in `made`'s month and
    placed on the market on the 28th; its plant's BPNA is derived from the company's identifier."""
    digits = "".join(ch for ch in (organization.bpnl or organization.corporate_number or "") if ch.isalnum())
    body = "BPNA" + digits[-10:].rjust(10, "0")
    plant = body + bpn_check_characters(body)
    return _battery(prefix, number, plant, organization.city, organization.country.code, made, None)
