"""PACT v3 host API benchmark (issue 13): prints figures, passes or fails nothing.

    .venv/bin/python benchmarks/pact.py [--requests 300] [--duration 5] [--keep] [--reuse] [--no-wrk]

Target of issue 13: the PACT list of 1,000 released footprints, with filters, answers page one in < 100 ms.

On a PostgreSQL database of its own (BENCH_PACT_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/pb_bench_pact; dropped and created afresh, migrated, dropped again at
the end unless `--keep`; `--reuse` measures a database an earlier `--keep` run left seeded) it seeds:

- a supplier ("Bench Cathode") releasing 1,000 footprints to one customer ("Bench Cell Maker"): 900
  requests, 100 of them corrected once (100 superseded v1 + 100 v2 + 800 v1 = 1,000 answers with
  footprints and materials), plus 100 materials-only answers to the same customer (not footprints);
- noise: the same supplier answering three other customers, the customer answering a customer of its own,
  and two unrelated pairs: 10,000 answers in all;
- a PACT client of the customer and an access token (`pact.services.client_save`, `pact.tokens.issue_token`).

Three answers go through the real services (`send_request` + `answer_request`, then `correct_answer`,
and one materials-only request), so their rows are exactly what a release produces (roll-up figures,
descriptors, materials). Every other answer is a bulk copy of one of them with its own data request,
its own supplier part (a copy of the template part with its own materials) and its own bought part at the
customer; product name/id, CN code, country and reference period vary, release times are spread over two
years (corrections after what they correct). Copies get no audit entries or notifications.

Then, in-process (Django test client, wall clock, after a warm-up): median, p95, p99 of `--requests`
requests per endpoint, the SQL queries per request and the SQL wall time; and, unless `--no-wrk`, a short
wrk run (2 sync gunicorn workers, as `run.py`) of page one, a filtered page and a single footprint.

The benchmark settings set `PACT_REQUIRE_HTTPS = False`: the server is plain HTTP on 127.0.0.1, and the
API refuses plain HTTP otherwise. Production keeps requiring HTTPS.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import time
import uuid

from own_database import (
    ROOT,
    check_target,
    environment,
    percentile,
    recreate_database,
)

CACHE = ROOT / "benchmarks" / ".cache"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pb_bench_pact"
TARGET_MS = 100.0
CORRECTED = 100  # requests of the customer answered twice (v1 superseded, v2 current)
TARGET_REQUESTS = 900  # + CORRECTED corrections = 1,000 footprints released to the customer
MATERIALS_ONLY = 100
NOISE = (  # (supplier, customer, answers): everything the customer's client must not see
    ("supplier", "noise-1", 1_000),
    ("supplier", "noise-2", 1_000),
    ("supplier", "noise-3", 1_000),
    ("customer", "noise-4", 1_000),
    ("noise-5", "noise-6", 2_450),
    ("noise-7", "noise-4", 2_450),
)
COMPANIES = {
    "supplier": ("Bench Cathode KK", "SUPPLIER", "JP"),
    "customer": ("Bench Cell Maker GmbH", "ECONOMIC_OPERATOR", "DE"),
    **{f"noise-{i}": (f"Bench Noise {i} Oy", "SUPPLIER", "FI") for i in range(1, 8)},
}
CN_CODES = ("28369100", "282200", "850760", "28259019")
COUNTRIES = ("JP", "FI", "CL", "DE")
BATCH = 2_000
SECRET = "bench-pact-secret-0123456789"


# ---- environment ------------------------------------------------------------------------------------------


# ---- seeding ----------------------------------------------------------------------------------------------


def _companies() -> dict:
    """{key: (organization, editor)}; BPNLs BPNL00000000130x."""
    from portal.accounts.models import User
    from portal.identifiers import bpn_check_characters
    from portal.tenancy.models import Membership, Organization, OrganizationKind, OrganizationStatus, Role

    companies = {}
    for index, (key, (name, kind, country)) in enumerate(COMPANIES.items(), start=1):
        prefix = f"BPNL{1300 + index:010d}"
        organization = Organization.objects.create(
            kind=getattr(OrganizationKind, kind),
            legal_name=name,
            country=country,
            street="Benchmark 1",
            postal_code="00100",
            city="Bench",
            bpnl=prefix + bpn_check_characters(prefix),
            status=OrganizationStatus.ACTIVE,
        )
        user = User(username=f"bench-pact-{key}", email=f"bench-pact-{key}@example.com")
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, organization=organization, role=Role.ADMIN)
        companies[key] = (
            organization,
            User.objects.select_related("membership__organization").get(pk=user.pk),
        )
    return companies


def _details(**overrides):
    from exchange import services

    values = dict(
        reference_period_start="2025-01-01",
        reference_period_end="2026-01-01",
        geography_country="JP",
        quality={"technological": "2", "geographical": "1.5", "temporal": "1"},
        assurance_provider="Bench Assurance AG",
        assurance_standard="ISO 14064-3",
        assurance_date="2026-02-01",
        product_rules="PEFCR Batteries",
    )
    return services.AnswerDetails(**{**values, **overrides})


def _templates(companies: dict) -> dict:
    """The three template answers, released through the real services."""
    from exchange import services

    supplier, supplier_user = companies["supplier"]
    _customer, customer_user = companies["customer"]
    due = datetime.date.today() + datetime.timedelta(days=30)
    made = services.create_part(
        actor=supplier_user,
        kind="made",
        data={
            "local_id": "NMC811-T",
            "name": "NMC 811 cathode active material",
            "unit": "kilogram",
            "mass_per_unit": "1",
            "cn_code": CN_CODES[0],
            "own_pre_processing": "6.5",
            "own_main_production": "3.25",
            "own_primary_share": "85",
            "own_quality": {
                "pre": {"technological": 2, "geographical": 2, "temporal": 1},
                "main": {"technological": 1, "geographical": 1, "temporal": 1},
            },
        },
    )
    for material, mass, extraction, processing in (
        ("lithium", "0.072", {"AU": "60", "CL": "40"}, {"CN": "70", "FI": "30"}),
        ("nickel", "0.48", {"ID": "100"}, {"JP": "100"}),
    ):
        services.set_own_material(
            actor=supplier_user,
            part=made,
            data={
                "material": material,
                "mass_per_unit": mass,
                "extraction_shares": extraction,
                "processing_shares": processing,
                "recycled_pre_consumer": "2",
                "recycled_post_consumer": "5",
            },
        )

    def bought(local_id: str):
        part = services.create_part(
            actor=customer_user,
            kind="bought",
            data={"local_id": local_id, "name": "Cathode material", "unit": "kilogram"},
        )
        return services.link_supplier(actor=customer_user, part=part, identifier=supplier.bpnl)

    def release(part, *, footprint: bool):
        request = services.send_request(
            actor=customer_user, part=part, wants_footprint=footprint, wants_materials=True, message="",
            due_date=due,
        )  # fmt: skip
        return services.answer_request(
            actor=supplier_user, request=request, supplier_part=made, details=_details()
        )

    first = release(bought("CAM-T1"), footprint=True)
    second = services.correct_answer(actor=supplier_user, answer=first, details=_details())
    first.refresh_from_db()
    materials_only = release(bought("CAM-T2"), footprint=False)
    return {"made": made, "v1": first, "v2": second, "materials_only": materials_only}


def _copy(model_object, **changes):
    """An unsaved copy of a row (new primary key and public id) with `changes`."""
    values = {
        field.attname: getattr(model_object, field.attname)
        for field in model_object._meta.concrete_fields
        if not field.primary_key
    }
    if "public_id" in values:
        values["public_id"] = uuid.uuid4()
    values.update(changes)
    return type(model_object)(**values)


def _answers_between(
    templates: dict, supplier_key: str, customer_key: str, companies: dict, plan: list
) -> int:
    """Bulk copies for one supplier -> customer pair. `plan`: one entry per request, each a list of the
    template answers it got ("v1" alone, "v1" + "v2" for a corrected one, "materials_only")."""
    from exchange.models import (
        Answer,
        AnswerMaterial,
        AnswerStatus,
        DataRequest,
        OwnMaterial,
        Part,
        RequestState,
    )

    supplier, supplier_user = companies[supplier_key]
    customer, customer_user = companies[customer_key]
    made_template = templates["made"]
    own_materials = list(OwnMaterial.objects.filter(part=made_template))
    template_materials = {
        name: list(AnswerMaterial.objects.filter(answer=templates[name]))
        for name in ("v1", "v2", "materials_only")
    }
    count = 0
    for start in range(0, len(plan), BATCH):
        chunk = plan[start : start + BATCH]
        made, bought = [], []
        for offset, _kinds in enumerate(chunk):
            n = start + offset
            made.append(
                _copy(
                    made_template,
                    organization_id=supplier.pk,
                    local_id=f"{customer_key.upper()}-P-{n:05d}",
                    name=f"Cathode material grade {n:05d}",
                    cn_code=CN_CODES[n % len(CN_CODES)],
                )
            )
            bought.append(
                Part(
                    organization=customer,
                    kind="bought",
                    local_id=f"{supplier_key.upper()}-B-{n:05d}",
                    name=f"Bought cathode material {n:05d}",
                    unit=made_template.unit,
                    supplier=supplier,
                )
            )
        Part.objects.bulk_create(made + bought)
        OwnMaterial.objects.bulk_create(_copy(row, part_id=part.pk) for part in made for row in own_materials)
        requests = DataRequest.objects.bulk_create(
            DataRequest(
                customer=customer,
                customer_part=bought[i],
                supplier=supplier,
                supplier_part=made[i],
                wants_footprint=kinds[0] != "materials_only",
                wants_materials=True,
                due_date=datetime.date.today() + datetime.timedelta(days=30),
                state=RequestState.FULFILLED,
                created_by=customer_user,
            )
            for i, kinds in enumerate(chunk)
        )
        firsts, seconds = [], []
        for i, kinds in enumerate(chunk):
            n = start + i
            year = 2022 + n % 4
            per_row = dict(
                request_id=requests[i].pk,
                supplier_id=supplier.pk,
                customer_id=customer.pk,
                supplier_part_id=made[i].pk,
                product_name=made[i].name,
                product_id=made[i].local_id,
                cn_code=made[i].cn_code,
                released_by_id=supplier_user.pk,
            )
            if kinds[0] != "materials_only":
                per_row.update(
                    geography_country=COUNTRIES[n % len(COUNTRIES)],
                    reference_period_start=datetime.datetime(year, 1, 1, tzinfo=datetime.UTC),
                    reference_period_end=datetime.datetime(year + 1, 1, 1, tzinfo=datetime.UTC),
                )
            first = templates[kinds[0]]
            corrected = len(kinds) > 1
            firsts.append(
                _copy(
                    first,
                    **per_row,
                    status=AnswerStatus.SUPERSEDED if corrected else AnswerStatus.ACTIVE,
                    superseded_at=first.superseded_at if corrected else None,
                    preceding_id=None,
                )
            )
            seconds.append(_copy(templates["v2"], **per_row, preceding_id=None) if corrected else None)
        Answer.objects.bulk_create(firsts)
        successors = []
        for first, second in zip(firsts, seconds, strict=True):
            if second is not None:
                second.preceding_id = first.pk
                successors.append(second)
        Answer.objects.bulk_create(successors)
        materials = [
            _copy(row, answer_id=answer.pk)
            for answer, name in [
                *((a, "materials_only" if not a.has_footprint else "v1") for a in firsts),
                *((a, "v2") for a in successors),
            ]
            for row in template_materials[name]
        ]
        AnswerMaterial.objects.bulk_create(materials)
        count += len(firsts) + len(successors)
    return count


def seed() -> dict:
    from django.db import connection, transaction

    from exchange.models import Answer
    from pact.services import client_save
    from pact.tokens import issue_token

    with transaction.atomic():
        companies = _companies()
        templates = _templates(companies)
        # The target pair: the templates themselves count (1 corrected request + 1 materials-only one).
        plan = [["v1", "v2"]] * (CORRECTED - 1) + [["v1"]] * (TARGET_REQUESTS - CORRECTED)
        plan += [["materials_only"]] * (MATERIALS_ONLY - 1)
        _answers_between(templates, "supplier", "customer", companies, plan)
        for supplier_key, customer_key, total in NOISE:
            _answers_between(templates, supplier_key, customer_key, companies, [["v1"]] * total)
    # Release times (auto_now_add in bulk_create gives them all "now"): one every 50 minutes or so over two
    # years, in insertion order, so a correction comes after what it corrects.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE exchange_answer SET released_at = now() - interval '730 days' "
            "+ (id - (SELECT min(id) FROM exchange_answer)) * interval '50 minutes' "
            "+ mod(id * 7919, 600) * interval '1 second'"
        )
        cursor.execute("VACUUM ANALYZE")
    customer = companies["customer"][0]
    client, _created = client_save(
        actor=None, organization=customer, client_id="bench-pact", secret=SECRET,
        callback_url="https://partner.example/pact", name="Bench partner",
    )  # fmt: skip
    token, _lifetime = issue_token(client)
    visible = Answer.objects.filter(customer=customer, has_footprint=True)
    return {
        "token": token,
        "customer": customer,
        "supplier": companies["supplier"][0],
        "answers": Answer.objects.count(),
        "footprints": visible.count(),
        "active": visible.filter(status="active").count(),
        "materials_only": Answer.objects.filter(customer=customer, has_footprint=False).count(),
    }


# ---- measuring --------------------------------------------------------------------------------------------


def measure(http, path: str, token: str, requests: int) -> dict:
    """Wall-clock ms per request (after 5 warm-ups), SQL queries and SQL wall time of each request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(5):
        response = http.get(path, headers=headers)
    sql = [0.0]

    def timed(execute, statement, params, many, context):
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            sql[0] += time.perf_counter() - started

    times, sql_times, queries = [], [], []
    with connection.execute_wrapper(timed):
        for _ in range(requests):
            sql[0] = 0.0
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = http.get(path, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
            sql_times.append(sql[0] * 1000)
            queries.append(len(captured.captured_queries))
    body = response.json() if response.status_code in (200, 404) else {}
    rows = len(body["data"]) if isinstance(body.get("data"), list) else (1 if "data" in body else 0)
    return {
        "status": response.status_code,
        "rows": rows,
        "bytes": len(response.content),
        "next": "Link" in response,
        "median": statistics.median(times),
        "p95": percentile(times, 0.95),
        "p99": percentile(times, 0.99),
        "sql_ms": statistics.median(sql_times),
        "queries": sorted(set(queries)),
        "statements": [q["sql"] for q in captured.captured_queries],
    }


def print_row(label: str, figures: dict, target: float | None = None) -> None:
    queries = figures["queries"]
    shown = str(queries[0]) if len(queries) == 1 else f"{queries[0]}-{queries[-1]}"
    verdict = ""
    if target is not None:
        verdict = "PASS" if figures["p95"] < target and figures["status"] == 200 else "FAIL"
    print(
        f"  {label:<46} {figures['status']:>4} {figures['rows']:>5} {figures['bytes'] / 1024:>7.1f} "
        f"{figures['median']:>7.1f} {figures['p95']:>7.1f} {figures['p99']:>7.1f} {figures['sql_ms']:>6.2f} "
        f"{shown:>4}  {verdict}"
    )


# ---- wrk --------------------------------------------------------------------------------------------------


def run_wrk(port: int, paths: list[str], token: str, duration: int, name: str) -> dict:
    from benchmarks.run import _ms, wait_idle

    script = CACHE / f"wrk-pact-{name}.lua"
    script.write_text(
        f"local paths = {{{','.join(json.dumps(p) for p in paths)}}}\n"
        "local counter = 0\n"
        "function request()\n"
        "  counter = counter + 1\n"
        f"  local headers = {{}}\n  headers['Authorization'] = {json.dumps('Bearer ' + token)}\n"
        "  return wrk.format('GET', paths[counter % #paths + 1], headers)\n"
        "end\n"
    )
    command = [
        "wrk", "-t2", "-c8", f"-d{duration}s", "--timeout", "10s", "--latency", "-s", str(script),
        f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    wait_idle(port)

    def found(pattern: str, convert, default=0.0):
        match = re.search(pattern, output)
        return convert(match.group(1)) if match else default

    return {
        "rps": found(r"Requests/sec:\s+([\d.]+)", float),
        "p50": found(r"\s50%\s+(\S+)", _ms),
        "p99": found(r"\s99%\s+(\S+)", _ms),
        "bad": found(r"Non-2xx or 3xx responses:\s+(\d+)", int, 0),
    }


# ---- main -------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, database_url: str) -> None:
    import django

    django.setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # not one "Not Found" line per 404 request
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import override_settings

    from exchange.models import Answer
    from pact.models import PactClient
    from pact.tokens import issue_token

    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}, {os.cpu_count()} cores")
    if args.reuse and PactClient.objects.filter(client_id="bench-pact").exists():
        client = PactClient.objects.get(client_id="bench-pact")
        token, _lifetime = issue_token(client)
        customer = client.organization
        world = {"token": token, "customer": customer, "answers": Answer.objects.count()}
        visible = Answer.objects.filter(customer=customer, has_footprint=True)
        world |= {"footprints": visible.count(), "active": visible.filter(status="active").count()}
        world["materials_only"] = Answer.objects.filter(customer=customer, has_footprint=False).count()
        world["supplier"] = visible.first().supplier
        print(f"Reusing the seeded {database_url}")
    else:
        print(f"Preparing {database_url}: migrate, seed ...", flush=True)
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter() - started
        quiet = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
        with override_settings(MAILERS=quiet):
            started = time.perf_counter()
            world = seed()
        print(f"  migrated in {migrated:.1f} s, seeded in {time.perf_counter() - started:.1f} s")
    token, customer, supplier = world["token"], world["customer"], world["supplier"]
    print(
        f"  {world['answers']} answers in all; released to the customer: {world['footprints']} footprints "
        f"({world['active']} active, {world['footprints'] - world['active']} superseded) and "
        f"{world['materials_only']} materials-only answers"
    )
    print(
        "  PACT_REQUIRE_HTTPS = False (benchmarks/settings.py): plain HTTP to 127.0.0.1; "
        "production requires HTTPS"
    )

    visible = Answer.objects.filter(customer=customer, has_footprint=True).order_by("-released_at", "-id")
    newest = visible.select_related("supplier_part", "request__customer_part").first()
    corrected = visible.filter(version=2).select_related("supplier_part").last()
    foreign = Answer.objects.exclude(customer=customer).filter(has_footprint=True).first()
    detail_ids = [str(pk) for pk in visible.values_list("public_id", flat=True)[::10]]
    base = "/pact/3/footprints"
    list_paths = [
        ("page one, default limit (100)", base),
        ("page one, limit=10", f"{base}?limit=10"),
        ("page one, limit=1000 (all)", f"{base}?limit=1000"),
        ("last page, limit=100&offset=900", f"{base}?limit=100&offset=900"),
        ("productId=urn:uuid:<supplier part>", f"{base}?productId=urn:uuid:{newest.supplier_part.public_id}"),
        (
            "productId=<buyer-id URN>",
            f"{base}?productId=urn:pact:127.0.0.1:buyer-id:{newest.request.customer_part.local_id}",
        ),
        ("companyId=urn:bpn:id:<supplier BPNL>", f"{base}?companyId=urn:bpn:id:{supplier.bpnl}"),
        ("status=Active", f"{base}?status=Active"),
        ("status=Deprecated", f"{base}?status=Deprecated"),
        ("validAfter=2025-06-01T00:00:00Z", f"{base}?validAfter=2025-06-01T00:00:00Z"),
        ("validOn=2026-03-01T00:00:00Z", f"{base}?validOn=2026-03-01T00:00:00Z"),
        (
            "geography=JP&classification=<CN code>",
            f"{base}?geography=JP&classification=urn:pact:ec.europa.eu:cn-code:{CN_CODES[0]}",
        ),
        (
            "companyId+status=Active+validAfter",
            f"{base}?companyId=urn:bpn:id:{supplier.bpnl}&status=Active&validAfter=2024-01-01T00:00:00Z",
        ),
    ]  # fmt: skip
    detail_paths = [
        ("footprint, newest", f"{base}/{newest.public_id}"),
        ("footprint, a correction (precedingPfIds)", f"{base}/{corrected.public_id}"),
        ("footprint of another customer (404)", f"{base}/{foreign.public_id}"),
    ]
    http = Client(SERVER_NAME="127.0.0.1")
    print(
        f"\nIn-process (Django test client, wall clock), {args.requests} requests each after 5 warm-ups; "
        f"target page one < {TARGET_MS:.0f} ms (p95):"
    )
    print(
        f"  {'request':<46} {'HTTP':>4} {'rows':>5} {'kB':>7} {'median':>7} {'p95':>7} {'p99':>7} "
        f"{'SQL ms':>6} {'SQL':>4}"
    )
    measured = {}
    for label, path in list_paths:
        measured[label] = figures = measure(http, path, token, args.requests)
        print_row(label, figures, TARGET_MS)
    for label, path in detail_paths:
        measured[label] = figures = measure(http, path, token, args.requests)
        print_row(label, figures)
    counts = {label: measured[label]["queries"] for label in list(measured)[:3]}
    equal = len({tuple(q) for q in counts.values()}) == 1
    print(
        "  SQL queries per list request at limit 10 / 100 / 1000: "
        + " / ".join(str(q[0]) if len(q) == 1 else str(q) for q in counts.values())
        + f": {'the same, PASS' if equal else 'NOT the same, FAIL'}"
    )
    if args.sql:
        for number, statement in enumerate(measured[list_paths[0][0]]["statements"], 1):
            print(f"    {number}. {statement[:400]}")
        page_sql = measured[list_paths[0][0]]["statements"][1]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, SUMMARY) {page_sql}")
            print("\n".join("      " + row[0] for row in cursor.fetchall()))

    if args.no_wrk:
        return
    from benchmarks.run import free_port, start_gunicorn, stop_gunicorn

    connections.close_all()
    CACHE.mkdir(exist_ok=True)
    port = free_port()
    print(f"\nwrk: 2 sync gunicorn workers, 2 threads, 8 connections, {args.duration} s each:")
    server = start_gunicorn(port)
    try:
        runs = [
            ("page one, default limit (100)", [base]),
            ("page one, companyId+status+validAfter", [list_paths[-1][1]]),
            ("single footprint (100 ids rotated)", [f"{base}/{pk}" for pk in detail_ids]),
        ]
        for label, paths in runs:
            run_wrk(port, paths, token, 2, "warm")
            result = run_wrk(port, paths, token, args.duration, "run")
            print(
                f"  {label:<46} {result['rps']:>7.1f} req/s   p50 {result['p50']:>6.1f} ms   "
                f"p99 {result['p99']:>6.1f} ms   non-2xx {result['bad']}"
            )
    finally:
        stop_gunicorn(server)
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=300, help="in-process requests per endpoint (300)")
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per endpoint (5)")
    parser.add_argument("--no-wrk", action="store_true", help="in-process figures only")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure the database a --keep run left")
    parser.add_argument(
        "--sql", action="store_true", help="print the SQL of page one and its EXPLAIN ANALYZE"
    )
    args = parser.parse_args()
    if args.requests < 20:
        parser.error("--requests must be at least 20 (percentiles)")
    database_url = os.environ.get("BENCH_PACT_DATABASE_URL", DEFAULT_DATABASE_URL)
    check_target(database_url)
    environment(database_url)
    if not args.reuse:
        recreate_database(database_url)
    else:
        from benchmarks.run import create_database

        create_database(database_url)  # when missing; `run` seeds it then
    try:
        run(args, database_url)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate_database(database_url, drop_only=True)


if __name__ == "__main__":
    main()
