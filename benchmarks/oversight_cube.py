"""Oversight cube benchmark (issue 14): prints figures, passes or fails nothing.

    .venv/bin/python benchmarks/oversight_cube.py [--passports 1000000] [--requests 30] [--keep] [--reuse]

Targets of issue 14: building the cube over 1,000,000 passports finishes in < 10 minutes on this machine;
every oversight page and API answer comes from the cube in < 0.5 s with a constant number of queries.

On a PostgreSQL database of its own (BENCH_OVERSIGHT_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/pb_bench_oversight; dropped and created afresh, migrated, dropped at the
end unless `--keep`; `--reuse` measures a database an earlier `--keep` run seeded) it seeds, through SQL:

- 60 battery makers (40 in EU member states, 20 in Japan) in 30 corporate groups, one battery model each
  with a composition (weight, five critical raw materials, recycled shares) and a supply chain of 3 to 6
  origins per material over 12 countries and 40 mines and refineries (made through the services);
- `--passports` published passports spread over the makers and the four quarters of this year (one
  published version each, with its placing-on-the-market date);
- 20,000 transfers (lots and black mass, some to non-OECD countries) and 400 recovered outputs by 8
  recyclers.

Then it times one cube build (the worker's `build_cube`, in-process) and, after a warm-up, `--requests`
requests to every oversight page and API answer as an authority member (Django test client, wall clock):
median, p95, queries per request.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import time

from own_database import check_target, environment, percentile, recreate_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pb_bench_oversight"
TARGET_BUILD_S = 600.0
TARGET_PAGE_MS = 500.0
EU = ("DE", "FR", "PL", "SE", "HU", "IT", "ES", "FI", "BE", "NL")
ORIGINS = {
    "lithium": ("AU", "CL", "AR", "CN", "ZW"),
    "cobalt": ("CD", "ID", "AU", "PH"),
    "nickel": ("ID", "PH", "AU", "CA", "RU", "FI"),
    "manganese": ("ZA", "GA", "AU", "CN"),
    "natural_graphite": ("CN", "MZ", "MG", "BR"),
}
REFINERS = ("CN", "FI", "JP", "KR", "ID", "DE", "CL", "CA")


def seed(passports: int) -> None:
    from django.db import connection

    from passports import services as passport_services
    from portal.accounts.models import User
    from portal.tenancy.models import CorporateGroup, Membership, Organization, OrganizationStatus, Role

    rng = random.Random(14)  # noqa: S311 - seeded benchmark data, nothing secret
    year = datetime.date.today().year
    groups = [CorporateGroup.objects.create(name=f"Bench group {n}") for n in range(30)]
    makers = []
    for n in range(60):
        country = EU[n % len(EU)] if n < 40 else "JP"
        organization = Organization.objects.create(
            kind="economic_operator",
            legal_name=f"Bench maker {n}",
            country=country,
            street="Bench 1",
            postal_code="1",
            city="Bench",
            status=OrganizationStatus.ACTIVE,
            lei=f"5299{n:016d}",
            data_spaces="ouranos" if country == "JP" else "catenax",
            corporate_group=groups[n // 2],
        )
        user = User.objects.create(username=f"bench-maker-{n}", email=f"bench-maker-{n}@bench.example")
        Membership.objects.create(user=user, organization=organization, role=Role.ADMIN)
        user = User.objects.select_related("membership__organization").get(pk=user.pk)
        model = passport_services.battery_model_create(
            actor=user,
            organization=organization,
            values={
                "model_name": f"Bench pack {n}",
                "manufacturer_part_id": f"BP-{n}",
                "battery_category": "ev",
                "weight": 350 + n,
                "weight_unit": "unit:kilogram",
                "critical_raw_materials": [
                    {"material": name, "share": share}
                    for name, share in (
                        ("Lithium", "1.6"),
                        ("Cobalt", "1.9"),
                        ("Nickel", "11.8"),
                        ("Manganese", "1.7"),
                        ("Natural graphite", "9.5"),
                    )
                ],
                "cobalt_recycled_share": 10,
                "lithium_recycled_share": 5,
                "nickel_recycled_share": 6,
            },
        )
        rows = []
        for material, countries in ORIGINS.items():
            for origin in rng.sample(countries, k=min(len(countries), rng.randint(3, 6))):
                rows.append(
                    {
                        "material": material,
                        "country_of_origin": origin,
                        "mine_or_extraction_site": f"Mine {origin}-{rng.randint(1, 4)}",
                        "refiner_processor": f"Refinery {rng.randint(1, 5)}",
                        "refiner_country": rng.choice(REFINERS),
                        "supplier_name": "Bench trader",
                        "supplier_identifier": "",
                        "procurement_amount": rng.randint(50, 900),
                        "procurement_unit": "t",
                        "procurement_period_start": datetime.date(year, 1, 1),
                        "procurement_period_end": datetime.date(year, 12, 31),
                        "recycled_share": 0,
                        "assurance_scheme": "",
                    }
                )
        passport_services.supply_chain_replace(actor=user, battery_model=model, rows=rows)
        makers.append((organization.pk, model.pk))
    last_month = max(1, datetime.date.today().month - 1)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_makers (n int, org int, model int)")
        cursor.executemany(
            "INSERT INTO bench_makers VALUES (%s, %s, %s)",
            [(n, org, model) for n, (org, model) in enumerate(makers)],
        )
        cursor.execute(
            """
            INSERT INTO passports_passport (public_id, organization_id, battery_model_id, unique_identifier,
                                            status, created_at)
            SELECT gen_random_uuid(), m.org, m.model, 'BENCH-' || s, CASE WHEN s %% 50 = 0 THEN 'waste'
                   WHEN s %% 70 = 0 THEN 'repurposed' ELSE 'original' END, now()
            FROM generate_series(1, %s) s JOIN bench_makers m ON m.n = s %% 60
            """,
            [passports],
        )
        cursor.execute(
            """
            INSERT INTO passports_passportversion (passport_id, number, state, data, created_at, updated_at,
                                                   published_at)
            SELECT p.id, 1, 'published',
                   jsonb_build_object('unique_identifier', p.unique_identifier, 'placed_on_market_date',
                                      to_char(make_date(%s, (1 + p.id %% %s)::int, (1 + p.id %% 28)::int),
                                              'YYYY-MM-DD')),
                   now(), now(), now()
            FROM passports_passport p WHERE p.unique_identifier LIKE 'BENCH-%%'
            """,
            [year, last_month],
        )
    _end_of_life(rng, year, last_month)


def _end_of_life(rng: random.Random, year: int, last_month: int) -> None:
    from endoflife.models import RecoveredOutput, Transfer
    from portal.tenancy.models import Organization, OrganizationStatus

    recyclers = [
        Organization.objects.create(
            kind="recycler",
            legal_name=f"Bench recycler {n}",
            country=EU[n],
            street="Bench 1",
            postal_code="1",
            city="Bench",
            status=OrganizationStatus.ACTIVE,
            lei=f"5298{n:016d}",
        )
        for n in range(8)
    ]
    senders = list(Organization.objects.filter(kind="economic_operator"))
    transfers = []
    for n in range(20_000):
        waste = n % 3 != 0
        transfers.append(
            Transfer(
                organization=rng.choice(senders),
                content="batteries" if n % 10 else "black_mass",
                battery_count=None if n % 10 == 0 else rng.randint(1, 40),
                mass_kg=rng.randint(300, 20_000),
                recipient=rng.choice(recyclers) if n % 7 else None,
                recipient_name="" if n % 7 else "Bench trader",
                origin_country=rng.choice(EU),
                destination_country=rng.choice((*EU, "JP", "US", "IN", "CN")),
                condition="waste" if waste else "used",
                waste_code="16 06 05" if waste else "",
                treatment="recycling" if waste else "repurposing",
                shipped_on=datetime.date(year, rng.randint(1, last_month), rng.randint(1, 28)),
            )
        )
    Transfer.objects.bulk_create(transfers, batch_size=2_000)
    RecoveredOutput.objects.bulk_create(
        [
            RecoveredOutput(
                organization=recycler,
                lot_reference=f"LOT-{n}",
                year=year,
                quarter=1 + n % 4,
                material=material,
                mass_kg=rng.randint(100, 5_000),
                facility_country=recycler.country,
            )
            for recycler in recyclers
            for n in range(10)
            for material in ("cobalt", "lithium", "nickel", "copper", "lead")
        ],
        batch_size=2_000,
    )


def measure_build() -> tuple[float, int]:
    from oversight.worker import cube

    year = datetime.date.today().year
    started = time.perf_counter()
    build = cube.build_cube(cube.request_build(year).pk)
    return time.perf_counter() - started, build.cells.count()


def measure_pages(requests: int) -> list[tuple[str, float, float, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.accounts.models import User
    from portal.tenancy.models import Membership, Organization, Role

    authority = Organization.objects.create(
        kind="authority",
        legal_name="Bench authority",
        country="DE",
        street="1",
        postal_code="1",
        city="B",
        status="active",
        lei="52970000000000000001",
    )
    user = User.objects.create(username="bench-inspector", email="bench-inspector@bench.example")
    Membership.objects.create(user=user, organization=authority, role=Role.INSPECTOR)
    client = Client()
    client.force_login(user)
    year = datetime.date.today().year
    urls = [
        f"/oversight/?year={year}",
        f"/oversight/materials/lithium/?year={year}&market=EU",
        f"/oversight/materials/cobalt/?year={year}",
        f"/oversight/end-of-life/?year={year}",
        "/oversight/alerts/",
        f"/api/v1/oversight/tables/origins/?year={year}&material=nickel",
        f"/api/v1/oversight/tables/eol/?year={year}",
        "/api/v1/oversight/alerts/",
    ]
    results = []
    for url in urls:
        for _ in range(3):  # warm-up: charts drawn once per cube version, slice and language
            assert client.get(url, HTTP_HOST="127.0.0.1").status_code == 200, url
        times = []
        for _ in range(requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(url, HTTP_HOST="127.0.0.1")
                times.append((time.perf_counter() - started) * 1000)
        results.append((url, statistics.median(times), percentile(times, 0.95), len(queries)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passports", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_OVERSIGHT_DATABASE_URL", DEFAULT_DATABASE_URL)
    check_target(database_url)
    if not args.reuse:
        recreate_database(database_url)
    environment(database_url)
    import django

    django.setup()
    from django.core.management import call_command

    try:
        if not args.reuse:
            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            seed(args.passports)
            print(f"seeded {args.passports:,} passports in {time.perf_counter() - started:.0f} s")
        seconds, cells = measure_build()
        print(
            f"cube build: {seconds:.1f} s for {args.passports:,} passports, {cells:,} cells "
            f"(target < {TARGET_BUILD_S:.0f} s)"
        )
        print(f"{'request':<70} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for url, median, p95, queries in measure_pages(args.requests):
            print(f"{url:<70} {median:>10.1f} {p95:>8.1f} {queries:>8}")
        print(f"(target: every page and answer < {TARGET_PAGE_MS:.0f} ms)")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            recreate_database(database_url, drop_only=True)


if __name__ == "__main__":
    main()
