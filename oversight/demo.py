"""The oversight's demo world (`manage.py load_demo`, idempotent): enough battery makers in several
corporate groups, on both markets, with supply chains and recyclers, that the regulator's cube has real
figures, protected cells, one waste shipment to a non-OECD country and one concentration breach whose
country is withheld. Made through the apps' own services, as a user would."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Permission
from django.utils import timezone

from endoflife import services as endoflife_services
from endoflife.models import RecoveredOutput, Transfer
from passports import services as passport_services
from passports.demo import battery_values_for, model_values_for
from passports.models import BatteryModel, Passport
from portal.accounts.models import User
from portal.identifiers import bpn_check_characters, corporate_number_check_digit
from portal.tenancy.models import (
    CorporateGroup,
    Membership,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Role,
)

from .worker import alerts, cube

GROUPS = {"volta": "Volta Mobility Group", "hikari": "Hikari Holdings"}
# key, name, kind, country, data space, group, the base of its identifier (a BPNL's first 14 characters or a
# corporate number's last 12 digits; the check characters are computed)
COMPANIES = [
    ("volta-de", "Volta Zellwerk GmbH", "economic_operator", "DE", "catenax", "volta", "BPNL0000007VDE"),
    (
        "volta-pl",
        "Volta Ogniwa Sp. z o.o.",
        "economic_operator",
        "PL",
        "catenax",
        "volta",
        "BPNL0000007VPL",
    ),
    ("lumen-fr", "Lumen Batteries SAS", "economic_operator", "FR", "catenax", None, "BPNL0000007LFR"),
    ("norrcell-se", "Norrcell AB", "economic_operator", "SE", "catenax", None, "BPNL0000007NSE"),
    ("hikari-jp", "Hikari Chikudenchi K.K.", "economic_operator", "JP", "ouranos", "hikari", "010001088888"),
    ("fuji-jp", "Fujimoto Energy Devices K.K.", "economic_operator", "JP", "ouranos", None, "010001099999"),
    ("kaze-jp", "Kaze Power Cells K.K.", "economic_operator", "JP", "ouranos", None, "010001011112"),
    ("circulo-be", "Circulo Battery Recycling NV", "recycler", "BE", "catenax", None, "BPNL0000007CBE"),
    ("kreis-de", "Kreislauf Batterierecycling GmbH", "recycler", "DE", "catenax", None, "BPNL0000007KDE"),
    ("renew-fi", "Renewa Metals Oy", "recycler", "FI", "catenax", None, "BPNL0000007RFI"),
    ("saisei-jp", "Saisei Recycling K.K.", "recycler", "JP", "ouranos", None, "010001022223"),
]

# Each operator's supply chain: material -> [(extraction country, mine, processing country, refiner)].
# Manganese is refined by one Chinese plant for everyone: its processing cell is withheld (one facility),
# while China's share breaches the 65 % line, so the alert names no country.
SUPPLY = {
    "lithium": [
        ("AU", "Greenbushes", "CN", "Tianqi Kwinana"),
        ("CL", "Atacama", "CL", "Antofagasta plant"),
        ("AR", "Olaroz", "CN", "Ganfeng Xinyu"),
    ],
    "cobalt": [
        ("CD", "Kolwezi", "FI", "Kokkola refinery"),
        ("CD", "Tenke", "CN", "Huayou Quzhou"),
        ("ID", "Morowali", "CN", "GEM Jingmen"),
    ],
    "nickel": [
        ("ID", "Weda Bay", "ID", "Morowali HPAL"),
        ("AU", "Nova", "FI", "Harjavalta"),
        ("CA", "Sudbury", "CA", "Sudbury smelter"),
        ("ID", "Pomalaa", "CN", "Huayou Quzhou"),
    ],
    "manganese": [
        ("ZA", "Kalahari", "CN", "Guizhou sulphate plant"),
        ("GA", "Moanda", "CN", "Guizhou sulphate plant"),
    ],
    "natural_graphite": [
        ("CN", "Heilongjiang", "CN", "Jixi spherical plant"),
        ("MZ", "Balama", "CN", "Qingdao anode"),
        ("CN", "Inner Mongolia", "CN", "Shandong anode"),
    ],
}

COMPOSITION = [
    {"material": "Lithium", "cas_number": "7439-93-2", "share": Decimal("1.6")},
    {"material": "Cobalt", "cas_number": "7440-48-4", "share": Decimal("1.9")},
    {"material": "Nickel", "cas_number": "7440-02-0", "share": Decimal("11.8")},
    {"material": "Manganese", "cas_number": "7439-96-5", "share": Decimal("1.7")},
    {"material": "Natural graphite", "cas_number": "7782-42-5", "share": Decimal("9.5")},
]


def _user(key: str, organization: Organization) -> User:
    user, created = User.objects.get_or_create(
        username=f"demo-{key}", defaults={"email": f"{key}@passbridge-demo.example", "first_name": "Demo"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    Membership.objects.update_or_create(
        user=user, defaults={"organization": organization, "role": Role.ADMIN}
    )
    return user


def _organization(spec: tuple) -> Organization:
    _key, name, kind, country, space, group, base = spec
    if base.isdigit():
        ids = {"corporate_number": f"{corporate_number_check_digit(base)}{base}"}
    else:
        ids = {"bpnl": base + bpn_check_characters(base)}
    organization, _created = Organization.objects.get_or_create(
        legal_name=name,
        defaults={
            "kind": kind,
            "country": country,
            "data_spaces": space,
            "street": "Demo Street 1",
            "postal_code": "00000",
            "city": "Demo",
            "status": OrganizationStatus.ACTIVE,
            **ids,
        },
    )
    if group:
        organization.corporate_group, _created = CorporateGroup.objects.get_or_create(name=GROUPS[group])
        organization.save(update_fields=["corporate_group"])
    return organization


def _supply_rows(index: int, year: int) -> list[dict[str, Any]]:
    rows = []
    for material, options in SUPPLY.items():
        for offset, (origin, mine, refiner_country, refiner) in enumerate(options):
            # Three mines and refiners per place, so that most country cells have enough facilities;
            # manganese keeps its single refinery.
            mine = f"{mine} {'ABC'[index % 3]}"
            refiner = refiner if material == "manganese" else f"{refiner} {'ABC'[(index + 1) % 3]}"
            amount = 100 + 37 * ((index + offset) % 5)
            rows.append(
                {
                    "material": material,
                    "country_of_origin": origin,
                    "mine_or_extraction_site": mine,
                    "refiner_processor": refiner,
                    "refiner_country": refiner_country,
                    "supplier_name": f"Demo trader {index}-{offset}",
                    "supplier_identifier": "",
                    "procurement_amount": Decimal(amount),
                    "procurement_unit": "t",
                    "procurement_period_start": datetime.date(year, 1, 1),
                    "procurement_period_end": datetime.date(year, 12, 31),
                    "recycled_share": Decimal(0),
                    "assurance_scheme": "",
                }
            )
    return rows


def _model(user: User, organization: Organization, index: int, year: int) -> BatteryModel:
    part_id = f"DEMO-OV-{index:02d}"
    model = BatteryModel.objects.filter(organization=organization, manufacturer_part_id=part_id).first()
    if model is not None:
        return model
    values = model_values_for(
        organization,
        part_id=part_id,
        name=f"{organization.legal_name.split()[0]} Pack {60 + 5 * index}",
        changes={
            "weight": Decimal(380 + 15 * index),
            "chemistry": "Lithium nickel manganese cobalt oxide (NMC 622) / graphite",
            "critical_raw_materials": COMPOSITION,
            "cobalt_recycled_share": Decimal(8 + index % 4),
            "cobalt_recycled_pre_consumer": Decimal(5),
            "cobalt_recycled_post_consumer": Decimal(3 + index % 4),
            "lithium_recycled_share": Decimal(3 + index % 3),
            "lithium_recycled_pre_consumer": Decimal(1),
            "lithium_recycled_post_consumer": Decimal(2 + index % 3),
            "nickel_recycled_share": Decimal(4 + index % 2),
            "nickel_recycled_pre_consumer": Decimal(2),
            "nickel_recycled_post_consumer": Decimal(2 + index % 2),
        },
    )
    model = passport_services.battery_model_create(actor=user, organization=organization, values=values)
    passport_services.supply_chain_replace(actor=user, battery_model=model, rows=_supply_rows(index, year))
    return model


def _passports(user: User, model: BatteryModel, index: int, year: int, today: datetime.date) -> None:
    organization = model.organization
    for quarter in range(1, 5):
        made = datetime.date(year, 3 * quarter - 1, 1)  # placed on the market on the 28th of that month
        if made.replace(day=28) > today:
            continue
        for n in range(1, 3 + (index + quarter) % 2):
            values = battery_values_for(organization, f"{model.manufacturer_part_id}-{quarter}", n, made=made)
            if Passport.objects.filter(
                organization=organization, unique_identifier=values["unique_identifier"]
            ).exists():
                continue
            passport = passport_services.passport_create(actor=user, battery_model=model, values=values)
            passport_services.passport_publish(actor=user, passport=passport)


def _end_of_life(users: dict[str, User], organizations: dict[str, Organization], year: int) -> None:
    if Transfer.objects.filter(organization__in=organizations.values()).exists():
        return
    lots = [
        # sender, recipient, destination, condition, code, treatment, batteries, mass, shipped
        ("volta-de", "kreis-de", "DE", "waste", "16 06 05", "recycling", 40, "16400", (2, 10)),
        ("lumen-fr", "circulo-be", "BE", "waste", "16 06 05", "recycling", 25, "10100", (5, 20)),
        ("norrcell-se", "renew-fi", "FI", "waste", "16 06 05", "recycling", 30, "12600", (8, 4)),
        ("volta-pl", "circulo-be", "BE", "used", "", "repurposing", 12, "5100", (9, 12)),
        ("hikari-jp", "saisei-jp", "JP", "waste", "16 06 05", "recycling", 35, "14000", (6, 18)),
        ("fuji-jp", "saisei-jp", "JP", "waste", "16 06 05", "recycling", 20, "8200", (10, 2)),
        ("kaze-jp", "saisei-jp", "JP", "waste", "16 06 05", "recycling", 18, "7300", (7, 7)),
    ]
    for sender, recipient, destination, condition, code, treatment, count, mass, (month, day) in lots:
        endoflife_services.transfer_record(
            actor=users[sender],
            values={
                "content": "batteries",
                "battery_count": count,
                "mass_kg": mass,
                "recipient": organizations[recipient],
                "destination_country": destination,
                "condition": condition,
                "waste_code": code,
                "treatment": treatment,
                "shipped_on": datetime.date(year, month, day),
                "annex_xiv_evidence": "State-of-health test reports per battery, UN 3480 packaging"
                if condition == "used"
                else "",
            },
        )
    # Black mass to a non-OECD country after 9 November 2026: hazardous waste that may not go there.
    endoflife_services.transfer_record(
        actor=users["kreis-de"],
        values={
            "content": "black_mass",
            "mass_kg": "6200",
            "recipient_name": "Demo metals trader, Chennai",
            "destination_country": "IN",
            "condition": "waste",
            "waste_code": "19 12 11*",
            "treatment": "recycling",
            "shipped_on": datetime.date(year, 11, 20),
            "lithium_based": True,
        },
    )
    for key, material, mass in (
        ("circulo-be", "cobalt", "410"),
        ("circulo-be", "nickel", "1650"),
        ("kreis-de", "cobalt", "380"),
        ("kreis-de", "lithium", "95"),
        ("renew-fi", "cobalt", "350"),
        ("renew-fi", "nickel", "1400"),
        ("saisei-jp", "cobalt", "520"),
        ("saisei-jp", "lithium", "130"),
    ):
        organization = organizations[key]
        if not RecoveredOutput.objects.filter(
            organization=organization, material=material, year=year
        ).exists():
            endoflife_services.recovered_output_record(
                actor=users[key],
                values={
                    "lot_reference": f"{key.upper()}-{year}-07",
                    "year": year,
                    "quarter": 3,
                    "material": material,
                    "mass_kg": mass,
                    "facility_country": organization.country.code,
                },
            )


def load() -> list[str]:
    today = timezone.localdate()
    year = today.year
    organizations = {spec[0]: _organization(spec) for spec in COMPANIES}
    users = {key: _user(key, organization) for key, organization in organizations.items()}
    for index, (key, organization) in enumerate(organizations.items()):
        if organization.kind != OrganizationKind.ECONOMIC_OPERATOR:
            continue
        model = _model(users[key], organization, index, year)
        _passports(users[key], model, index, year, today)
    _end_of_life(users, organizations, year)
    regulator = User.objects.filter(username="regulator").first()
    if regulator is not None:
        regulator.user_permissions.add(
            Permission.objects.get(codename="enforce", content_type__app_label="oversight")
        )
    built = [cube.build_cube(cube.request_build(y).pk) for y in (year - 1, year)]
    flagged = alerts.flag_transfers()
    groups = CorporateGroup.objects.count()
    return [
        f"{len(COMPANIES)} more companies ({groups} corporate groups, both markets, 4 recyclers)",
        *(f"Cube {b.year} version {b.version}: {b.cells.count()} cells" for b in built),
        f"{flagged} flagged transfer(s); the regulator holds the enforcement permission",
    ]
