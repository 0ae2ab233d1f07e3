"""Seed the benchmark database: 100 active companies x 1,000 published passports = 100,000 passports.

Each company gets an admin user with an API token (values kept in `benchmarks/.cache/tokens.json` for the
runner), three battery models built from the official Catena-X 6.1.0 example's model values, a
confidential supply chain per model, and 1,000 passports each with one PUBLISHED version.

Realism without spending an hour in the services: per battery model one template passport goes through
the real services (`passport_create` + `passport_publish`), so its published version holds exactly what
a publication produces (model values frozen in, system values, battery status). The other passports of
the model are bulk copies of that template: new `public_id`, unique product identifier and serial
number, and the same three keys rewritten in the version's `data` (`passport_id`, `unique_identifier`,
`serial_identifiers`); every other column is the template's. Copies get no audit entries (nobody reads
those in the benchmark).

Idempotent and resumable: a company that already has its 1,000 passports is skipped; each company is
seeded in its own transaction.

Run inside a configured Django (the runner does `django.setup()` with `benchmarks.settings`):
`benchmarks.seed.seed()`.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from django.db import transaction

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
TOKENS_FILE = CACHE_DIR / "tokens.json"

COMPANIES = 100
PASSPORTS_PER_COMPANY = 1_000
MODELS_PER_COMPANY = 3
BATCH = 500
NAME_PREFIX = "Bench Battery Works"
USERNAME = "bench-admin-{:03d}"
TOKEN_NAME = "benchmark"

MODEL_VARIANTS = (
    ("Bench Pack 75 NMC", "BP-75-NMC"),
    ("Bench Pack 60 LFP", "BP-60-LFP"),
    ("Bench Module 12 NMC", "BM-12-NMC"),
)

SUPPLY_CHAIN = [
    {
        "material": "lithium",
        "country_of_origin": "AU",
        "mine_or_extraction_site": "Greenbushes",
        "refiner_processor": "Kwinana refinery",
        "refiner_country": "AU",
        "supplier_name": "Bench Lithium Supply Pty",
        "procurement_amount": "410.0",
        "procurement_unit": "t",
        "procurement_period_start": "2025-01-01",
        "procurement_period_end": "2025-12-31",
        "recycled_share": "6",
        "assurance_scheme": "IRMA",
    },
    {
        "material": "cobalt",
        "country_of_origin": "CD",
        "mine_or_extraction_site": "Kolwezi",
        "refiner_processor": "Kokkola refinery",
        "refiner_country": "FI",
        "supplier_name": "Bench Cobalt Trading SA",
        "procurement_amount": "120.5",
        "procurement_unit": "t",
        "procurement_period_start": "2025-01-01",
        "procurement_period_end": "2025-12-31",
        "recycled_share": "12",
        "assurance_scheme": "RMAP",
    },
]


def _bpn(kind: str, n: int) -> str:
    from portal.identifiers import ALPHABET, bpn_check_characters

    body = ""
    while n:
        n, rem = divmod(n, 36)
        body = ALPHABET[rem] + body
    prefix = f"BPN{kind}{body.rjust(10, '0')}"
    return prefix + bpn_check_characters(prefix)


def _example_values() -> tuple[dict[str, Any], dict[str, Any]]:
    """(model values, battery values) of the official example with its impossible date corrected."""
    from passports import catenax, services

    document = catenax.corrected_example_document(into_service="2023-07-08")
    result = catenax.read_document(document)
    model_values = {k: v for k, v in result.model_values.items() if k in services.MODEL_KEYS}
    battery_values = {k: v for k, v in result.battery_values.items() if k in services.BATTERY_KEYS}
    return model_values, battery_values


def _fix_identifiers(values: Any, company_index: int) -> Any:
    """The example's BPNs have wrong check characters (the import only warns); give valid ones."""
    if isinstance(values, dict):
        return {key: _fix_identifiers(value, company_index) for key, value in values.items()}
    if isinstance(values, list):
        return [_fix_identifiers(value, company_index) for value in values]
    if isinstance(values, str) and values.upper().startswith(("BPNL", "BPNA", "BPNS")) and len(values) == 16:
        return _bpn(values[3].upper(), 50_000 + company_index)
    return values


def _identifier(company_index: int, number: int) -> str:
    return f"PB{company_index:03d}-{number:06d}"


def _serials(company_index: int, number: int) -> list[dict[str, str]]:
    return [{"key": "partInstanceId", "value": f"SN{company_index:03d}{number:06d}"}]


def _company(index: int):
    """The company, its admin and its organization group (created when missing)."""
    from portal.accounts.models import User
    from portal.tenancy.groups import organization_group
    from portal.tenancy.models import (
        DataSpace,
        Membership,
        Organization,
        OrganizationKind,
        OrganizationStatus,
        Role,
    )

    bpnl = _bpn("L", 40_000 + index)
    organization, _created = Organization.objects.get_or_create(
        bpnl=bpnl,
        defaults={
            "kind": OrganizationKind.ECONOMIC_OPERATOR,
            "legal_name": f"{NAME_PREFIX} {index:03d} GmbH",
            "country": "DE",
            "street": f"Zellenstraße {index}",
            "postal_code": "38440",
            "city": "Wolfsburg",
            "data_spaces": DataSpace.CATENA_X,
            "status": OrganizationStatus.ACTIVE,
        },
    )
    organization_group(organization)
    user = User.objects.filter(username=USERNAME.format(index)).first()
    if user is None:
        user = User.objects.create_user(
            username=USERNAME.format(index),
            email=f"{USERNAME.format(index)}@bench.example",
            password=None,  # unusable: the benchmark authenticates with API tokens only
        )
        Membership.objects.create(user=user, organization=organization, role=Role.ADMIN)
    return organization, user


def ensure_model(admin, organization, company_model_values: dict, name: str, part_id: str):
    """The company's battery model with this part id, made by the services with its supply chain if new."""
    from passports import services
    from passports.models import BatteryModel

    battery_model = BatteryModel.objects.filter(
        organization=organization, manufacturer_part_id=part_id
    ).first()
    if battery_model is None:
        battery_model = services.battery_model_create(
            actor=admin,
            organization=organization,
            values={**company_model_values, "model_name": name, "manufacturer_part_id": part_id},
        )
        services.supply_chain_replace(actor=admin, battery_model=battery_model, rows=SUPPLY_CHAIN)
    return battery_model


def _seed_company(index: int, model_values: dict, battery_values: dict) -> int:
    """Seed one company; returns the number of passports it has afterwards."""
    from passports import services
    from passports.models import Passport, PassportVersion, VersionState

    organization, admin = _company(index)
    have = Passport.objects.filter(organization=organization).count()
    if have >= PASSPORTS_PER_COMPANY:
        return have
    if have:  # an interrupted seed: start this company's passports again
        PassportVersion.objects.filter(passport__organization=organization).delete()
        Passport.objects.filter(organization=organization).delete()

    company_model_values = _fix_identifiers(model_values, index)
    company_model_values["manufacturer_bpnl"] = organization.bpnl
    templates = []
    for m, (name, part_id) in enumerate(MODEL_VARIANTS[:MODELS_PER_COMPANY]):
        battery_model = ensure_model(admin, organization, company_model_values, name, part_id)
        number = m + 1
        template = services.passport_create(
            actor=admin,
            battery_model=battery_model,
            values={
                **_fix_identifiers(battery_values, index),
                "unique_identifier": _identifier(index, number),
                "serial_identifiers": _serials(index, number),
            },
        )
        version = services.passport_publish(actor=admin, passport=template)
        templates.append((battery_model, template, version))

    # Bulk copies of the templates, round-robin over the models.
    number = len(templates)
    while number < PASSPORTS_PER_COMPANY:
        passports, versions = [], []
        for _ in range(min(BATCH, PASSPORTS_PER_COMPANY - number)):
            number += 1
            battery_model, template, version = templates[number % len(templates)]
            public_id = uuid.uuid4()
            identifier = _identifier(index, number)
            passport = Passport(
                public_id=public_id,
                organization=organization,
                battery_model=battery_model,
                unique_identifier=identifier,
                status=template.status,
            )
            passports.append(passport)
            data = dict(version.data)  # shallow: nested values are shared only until serialised
            data["passport_id"] = str(public_id)
            data["unique_identifier"] = identifier
            data["serial_identifiers"] = _serials(index, number)
            versions.append(
                PassportVersion(
                    passport=passport,
                    number=version.number,
                    state=VersionState.PUBLISHED,
                    data=data,
                    published_at=version.published_at,
                    published_by=admin,
                )
            )
        Passport.objects.bulk_create(passports)
        PassportVersion.objects.bulk_create(versions)
    return number


def _tokens(companies: list[tuple[int, Any, Any]]) -> dict[str, str]:
    """One usable API token per company admin: reused from the cache file, created when missing."""
    from portal.accounts.models import ApiToken, hash_token
    from portal.accounts.services import api_token_create

    cached: dict[str, str] = json.loads(TOKENS_FILE.read_text()) if TOKENS_FILE.exists() else {}
    tokens: dict[str, str] = {}
    for _index, organization, admin in companies:
        value = cached.get(str(organization.public_id))
        if not value or not ApiToken.objects.usable().filter(user=admin, key_hash=hash_token(value)).exists():
            _token, value = api_token_create(actor=admin, name=TOKEN_NAME)
        tokens[str(organization.public_id)] = value
    CACHE_DIR.mkdir(exist_ok=True)
    TOKENS_FILE.write_text(json.dumps(tokens, indent=1))
    TOKENS_FILE.chmod(0o600)
    return tokens


def seed(companies: int = COMPANIES, log=print) -> dict[str, str]:
    """Seed (or complete) the benchmark data; returns {organization public id: API token value}."""
    from passports.models import Passport

    started = time.monotonic()
    model_values, battery_values = _example_values()
    seeded = []
    for index in range(1, companies + 1):
        with transaction.atomic():
            count = _seed_company(index, model_values, battery_values)
            organization, admin = _company(index)
        seeded.append((index, organization, admin))
        if index % 10 == 0 or index == companies:
            log(
                f"  seeded {index}/{companies} companies "
                f"({time.monotonic() - started:.0f} s, {count} passports each)"
            )
    tokens = _tokens(seeded)
    # Planner statistics as a live database has them (autovacuum would get there later, mid-benchmark).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM (ANALYZE) passports_passport, passports_passportversion, passports_batterymodel, "
            "tenancy_organization, accounts_apitoken"
        )
    total = Passport.objects.filter(organization__in=[org for _i, org, _a in seeded]).count()
    log(f"  {total} passports in {companies} companies, {time.monotonic() - started:.0f} s")
    return tokens
