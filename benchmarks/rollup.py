"""Supplier data exchange roll-up benchmark: prints figures, passes or fails nothing.

    .venv/bin/python benchmarks/rollup.py [--rounds 20] [--parts 1000] [--keep]

On a PostgreSQL database of its own (BENCH_ROLLUP_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/pb_bench_rollup; dropped and created afresh, migrated, dropped again at
the end unless `--keep`), it seeds a five-level chain of `--parts` parts over five companies:

    L1 cell maker   pack -> 39 modules -> cells (the rest of the parts) -> 40 bought cathode materials
    L2 cathode      40 products -> 40 intermediates -> 40 bought precursors     (own two-level bill)
    L3 precursor    40 products -> 40 bought metal salts
    L4 refiner      40 products -> 40 bought raw materials
    L5 mine         40 raw materials (own emissions, two own materials each)

Every made part has its own emissions; every bought part names its supplier. Parts, bill-of-materials
lines and own materials are bulk-inserted (the services would spend minutes re-checking each line for
loops, which is not what is measured); every request and answer goes through `exchange.services`, level
by level from the mine up, so each level's answers roll up the answers released to it.

Then it measures, each over `--rounds` rounds (median, p95, min):

- `selectors.rollup_for` of the top part (the pack): target under 1 s, and its SQL query count;
- the query count of `rollup_for` on parts of every level (companies of 40 to several hundred parts,
  with and without received answers): it must be the same whatever the size;
- releasing an answer at each level (`services.answer_request`: the supplier's roll-up, the answer and
  its materials stored, audit, notification), each round in a transaction that is rolled back, with the
  customer's fresh request sent (untimed) inside it. E-mail is not sent (a dummy mailer).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal

from own_database import (
    check_target,
    environment,
    percentile,
    recreate_database,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pb_bench_rollup"
#: Databases this script must never drop: the tests', the demo's, the other benchmarks'.
PRODUCTS = 40  # products per supplier level (L2-L5) and bought parts per company
MODULES = 39
TARGET_SECONDS = 1.0
LEVELS = ("L1 cell maker", "L2 cathode", "L3 precursor", "L4 refiner", "L5 mine")
MATERIALS = (
    ("lithium", {"AU": "60", "CL": "40"}, {"CN": "70", "FI": "30"}),
    ("nickel", {"ID": "55", "AU": "25", "FI": "20"}, {"FI": "100"}),
    ("cobalt", {"CD": "100"}, {"FI": "100"}),
    ("manganese", {"ZA": "70", "GA": "30"}, {"CN": "100"}),
)


# ---- environment ------------------------------------------------------------------------------------------


# ---- figures ----------------------------------------------------------------------------------------------


def measure(function: Callable[[], object], rounds: int) -> tuple[list[float], list[int]]:
    """Seconds and SQL queries of each round (after one untimed warm-up)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    function()
    times, queries = [], []
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        queries.append(len(captured.captured_queries))
    return times, queries


def line(label: str, times: list[float], queries: list[int], target: float | None = None) -> None:
    median, p95 = statistics.median(times), percentile(times, 0.95)
    verdict = ""
    if target is not None:
        verdict = f"  target < {target * 1000:.0f} ms: {'PASS' if p95 < target else 'FAIL'}"
    spread = f"{min(queries)}" if min(queries) == max(queries) else f"{min(queries)}-{max(queries)}"
    print(
        f"  {label:<40} median {median * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms   "
        f"min {min(times) * 1000:8.1f} ms   queries {spread:>5}{verdict}"
    )


# ---- seeding ----------------------------------------------------------------------------------------------


def _company(index: int, name: str):
    from portal.accounts.models import User
    from portal.identifiers import bpn_check_characters
    from portal.tenancy.models import Membership, Organization, OrganizationKind, OrganizationStatus, Role

    prefix = f"BPNL{index:010d}"
    organization = Organization.objects.create(
        kind=OrganizationKind.SUPPLIER if index > 1 else OrganizationKind.ECONOMIC_OPERATOR,
        legal_name=f"Bench {name}",
        country="FI",
        street="Benchmark 1",
        postal_code="00100",
        city="Helsinki",
        bpnl=prefix + bpn_check_characters(prefix),
        status=OrganizationStatus.ACTIVE,
    )
    user = User(username=f"bench-rollup-{index}", email=f"bench-rollup-{index}@example.com")
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, organization=organization, role=Role.ADMIN)
    return organization, User.objects.select_related("membership__organization").get(pk=user.pk)


def _made(organization, local_id: str, index: int, **extra):
    from exchange.models import Part

    return Part(
        organization=organization,
        kind="made",
        local_id=local_id,
        name=f"Made part {local_id}",
        unit=extra.pop("unit", "kilogram"),
        mass_per_unit=extra.pop("mass_per_unit", Decimal(1)),
        own_pre_processing=Decimal(index % 7) / 4 + Decimal("0.5"),
        own_main_production=Decimal(index % 5) / 3 + Decimal("0.25"),
        own_primary_share=Decimal(60 + index % 40),
        own_quality={
            "pre": {"technological": 2, "geographical": 2, "temporal": 1},
            "main": {"technological": 1, "geographical": 1, "temporal": 1},
        },
        **extra,
    )


def _bought(organization, local_id: str, supplier):
    from exchange.models import Part

    return Part(
        organization=organization, kind="bought", local_id=local_id, name=f"Bought {local_id}",
        unit="kilogram", supplier=supplier,
    )  # fmt: skip


def seed(total_parts: int) -> dict:
    """The five companies, their parts, bills of materials and own materials; returns what is measured."""
    from django.db import transaction

    from exchange.models import Component, Material, OwnMaterial, Part

    cells_count = total_parts - 9 * PRODUCTS - 1 - MODULES
    if cells_count < MODULES:
        sys.exit(f"--parts must be at least {9 * PRODUCTS + 1 + 2 * MODULES}")
    companies = [_company(index + 1, name) for index, name in enumerate(LEVELS)]
    materials = {material.code: material for material in Material.objects.all()}
    components: list[Component] = []
    own_materials: list[OwnMaterial] = []
    products: dict[int, list[Part]] = {}
    bought_of: dict[int, list[Part]] = {}

    with transaction.atomic():
        # L5: raw materials with their own materials, nothing bought.
        mine = companies[4][0]
        raw = Part.objects.bulk_create(_made(mine, f"L5-RAW-{i:03d}", i) for i in range(PRODUCTS))
        for i, part in enumerate(raw):
            for code, extraction, processing in (MATERIALS[i % 4], MATERIALS[(i + 1) % 4]):
                own_materials.append(
                    OwnMaterial(
                        part=part,
                        material=materials[code],
                        mass_per_unit=Decimal("0.05") + Decimal(i % 3) / 100,
                        extraction_shares=extraction,
                        processing_shares=processing,
                        recycled_pre_consumer=Decimal(i % 5),
                        recycled_post_consumer=Decimal(i % 3),
                        evidence="bench",
                    )
                )
        products[4] = raw
        # L4, L3: bought from the level below, one product per bought part (two lines each).
        for level in (3, 2):
            organization, supplier = companies[level][0], companies[level + 1][0]
            bought = Part.objects.bulk_create(
                _bought(organization, f"L{level + 1}-B-{i:03d}", supplier) for i in range(PRODUCTS)
            )
            made = Part.objects.bulk_create(
                _made(organization, f"L{level + 1}-P-{i:03d}", i) for i in range(PRODUCTS)
            )
            for i, part in enumerate(made):
                components.append(Component(parent=part, child=bought[i], quantity=Decimal("1.1")))
                components.append(
                    Component(parent=part, child=bought[(i + 1) % PRODUCTS], quantity=Decimal("0.3"))
                )
            bought_of[level], products[level] = bought, made
        # L2: bought precursors -> intermediates -> products (a two-level bill inside one company).
        cathode, precursor = companies[1][0], companies[2][0]
        bought = Part.objects.bulk_create(
            _bought(cathode, f"L2-B-{i:03d}", precursor) for i in range(PRODUCTS)
        )
        middle = Part.objects.bulk_create(_made(cathode, f"L2-M-{i:03d}", i) for i in range(PRODUCTS))
        made = Part.objects.bulk_create(_made(cathode, f"L2-P-{i:03d}", i) for i in range(PRODUCTS))
        for i in range(PRODUCTS):
            components.append(Component(parent=middle[i], child=bought[i], quantity=Decimal("0.95")))
            components.append(Component(parent=made[i], child=middle[i], quantity=Decimal("0.9")))
            components.append(
                Component(parent=made[i], child=middle[(i + 7) % PRODUCTS], quantity=Decimal("0.1"))
            )
        bought_of[1], products[1] = bought, made
        # L1: pack -> modules -> cells -> bought cathode materials (a three-level bill).
        cells_maker, cathode = companies[0][0], companies[1][0]
        bought = Part.objects.bulk_create(
            _bought(cells_maker, f"L1-B-{i:03d}", cathode) for i in range(PRODUCTS)
        )
        cells = Part.objects.bulk_create(
            _made(cells_maker, f"L1-CELL-{i:04d}", i, unit="piece", mass_per_unit=Decimal("1.5"))
            for i in range(cells_count)
        )
        modules = Part.objects.bulk_create(
            _made(cells_maker, f"L1-MOD-{i:02d}", i, unit="piece", mass_per_unit=None) for i in range(MODULES)
        )
        (pack,) = Part.objects.bulk_create(
            [_made(cells_maker, "L1-PACK", 0, unit="piece", mass_per_unit=None)]
        )
        for i, cell in enumerate(cells):
            components.append(Component(parent=cell, child=bought[i % PRODUCTS], quantity=Decimal("0.5")))
            components.append(
                Component(parent=cell, child=bought[(i + 3) % PRODUCTS], quantity=Decimal("0.06"))
            )
            components.append(Component(parent=modules[i % MODULES], child=cell, quantity=Decimal(2)))
        components.extend(Component(parent=pack, child=module, quantity=Decimal(1)) for module in modules)
        bought_of[0] = bought
        Component.objects.bulk_create(components)
        OwnMaterial.objects.bulk_create(own_materials)
    return {
        "companies": companies,
        "products": products,
        "bought_of": bought_of,
        "pack": pack,
        "cell": cells[0],
        "parts": Part.objects.count(),
        "lines": len(components),
    }


def details():
    from exchange import services

    return services.AnswerDetails(
        reference_period_start="2025-01-01", reference_period_end="2026-01-01", geography_country="FI"
    )


def release_all(world: dict) -> tuple[int, float]:
    """Every bought part's request sent and answered, level by level from the mine up."""
    from exchange import services

    companies, products, bought_of = world["companies"], world["products"], world["bought_of"]
    due = datetime.date.today() + datetime.timedelta(days=30)
    count, start = 0, time.perf_counter()
    for level in (3, 2, 1, 0):  # customer level; its supplier is level + 1
        customer, supplier = companies[level][1], companies[level + 1][1]
        for i, part in enumerate(bought_of[level]):
            request = services.send_request(
                actor=customer,
                part=part,
                wants_footprint=True,
                wants_materials=True,
                message="",
                due_date=due,
            )
            services.answer_request(
                actor=supplier, request=request, supplier_part=products[level + 1][i], details=details()
            )
            count += 1
    return count, time.perf_counter() - start


# ---- main -------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, database_url: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext, override_settings

    from exchange import selectors, services
    from exchange.models import Answer, Part

    print(f"Preparing {database_url}: migrate, seed {args.parts} parts ...", flush=True)
    call_command("migrate", verbosity=0)
    quiet = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    with override_settings(MAILERS=quiet):
        start = time.perf_counter()
        world = seed(args.parts)
        seeded = time.perf_counter() - start
        answers, released = release_all(world)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        companies, pack = world["companies"], world["pack"]
        print(
            f"  seeded {world['parts']} parts, {world['lines']} bill-of-materials lines in {seeded:.1f} s; "
            f"{answers} requests answered level by level in {released:.1f} s"
        )
        sizes = {
            LEVELS[i]: Part.objects.filter(organization=companies[i][0]).count() for i in range(len(LEVELS))
        }
        print("  parts per company: " + ", ".join(f"{name} {count}" for name, count in sizes.items()))
        result = selectors.rollup_for(actor=companies[0][1], part=pack)
        figures = result.figures
        print(
            f"  top part L1-PACK: {figures.total.quantize(Decimal('0.01'))} kg CO2e per pack, "
            f"materials {sorted(figures.materials)}, gaps {len(result.gaps)}, "
            f"answers received by L1 {Answer.objects.filter(customer=companies[0][0]).count()}"
        )

        print(f"\nselectors.rollup_for, {args.rounds} rounds each (after one warm-up):")
        times, queries = measure(lambda: selectors.rollup_for(actor=companies[0][1], part=pack), args.rounds)
        line("top part (pack, whole L1 bill)", times, queries, TARGET_SECONDS)
        counts = {}
        probes = [
            ("L1 one cell", companies[0][1], world["cell"]),
            ("L2 product (2-level bill)", companies[1][1], world["products"][1][0]),
            ("L3 product", companies[2][1], world["products"][2][0]),
            ("L4 product", companies[3][1], world["products"][3][0]),
            ("L5 raw material (no answers)", companies[4][1], world["products"][4][0]),
        ]
        for label, actor, part in probes:
            times, queries = measure(
                lambda actor=actor, part=part: selectors.rollup_for(actor=actor, part=part), args.rounds
            )
            line(label, times, queries)
            counts[label] = queries[0]
        # A company that buys nothing skips the answers query (an empty `__in`), so compare like with like.
        with_answers = {label: count for label, count in counts.items() if not label.startswith("L5")}
        with_answers["top part"] = measure(lambda: selectors.rollup_for(actor=companies[0][1], part=pack), 1)[
            1
        ][0]
        fixed = len(set(with_answers.values())) == 1
        verdict = "PASS" if fixed else "FAIL"
        print(
            f"  query count the same for every size (companies of 80 to {sizes[LEVELS[0]]} parts): {verdict} "
            f"{sorted(set(with_answers.values()))}; a company without bought parts: {counts[probes[-1][0]]}"
        )
        if args.sql:
            with CaptureQueriesContext(connection) as captured:
                selectors.rollup_for(actor=companies[0][1], part=pack)
            for number, query in enumerate(captured.captured_queries, 1):
                print(f"    {number}. {query['sql'][:300]}")

        print(f"\nservices.answer_request (release one answer), {args.rounds} rounds per level:")
        due = datetime.date.today() + datetime.timedelta(days=30)
        for level in (3, 2, 1, 0):
            customer, supplier = companies[level][1], companies[level + 1][1]
            bought, product = world["bought_of"][level][0], world["products"][level + 1][0]
            times, queries = [], []
            for _ in range(args.rounds + 1):
                with transaction.atomic():
                    request = services.send_request(
                        actor=customer, part=bought, wants_footprint=True, wants_materials=True, message="",
                        due_date=due,
                    )  # fmt: skip
                    with CaptureQueriesContext(connection) as captured:
                        start = time.perf_counter()
                        services.answer_request(
                            actor=supplier, request=request, supplier_part=product, details=details()
                        )
                        times.append(time.perf_counter() - start)
                    queries.append(len(captured.captured_queries))
                    transaction.set_rollback(True)
            label = f"{LEVELS[level + 1]} -> {LEVELS[level]} ({sizes[LEVELS[level + 1]]} parts)"
            line(label, times[1:], queries[1:])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20, help="measured rounds per figure")
    parser.add_argument("--parts", type=int, default=1000, help="parts in the whole chain")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--sql", action="store_true", help="print the SQL of one roll-up of the top part")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    database_url = os.environ.get("BENCH_ROLLUP_DATABASE_URL", DEFAULT_DATABASE_URL)
    check_target(database_url)
    environment(database_url)
    recreate_database(database_url)
    try:
        run(args, database_url)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate_database(database_url, drop_only=True)


if __name__ == "__main__":
    main()
