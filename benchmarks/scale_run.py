"""Scale run (issue 18): the portal's latency targets over ten million passports, measured with wrk.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_scale \\
        .venv/bin/python benchmarks/scale_run.py --companies 10000

Seeds `--companies` x 1,000 published passports with `benchmarks/seed_fast.py` (skipped company by company
when already seeded; `--skip-seed` skips even the check), the authority inspector of
`benchmarks/authority_lists.py` with an API token, and `--certificates` bulk certificates
(`authority_lists._seed_certificates`). Then it starts gunicorn (`--web-workers` sync workers, 2 unless told;
the deployment runs 2 x cores + 1; `benchmarks.wsgi`) and wrk
exactly as `benchmarks/run.py` does (its functions, imported: 2 threads, 8 connections, 10 s per endpoint,
2 s warm-up, the shared Django cache in Redis) and measures:

- public passport JSON `/p/<id>/`, cached: 2,000 random published passports, each requested once before;
- public passport JSON, not cached: the Redis cache database emptied, then `--uncached-ids` random passports
  nobody asked for, each thread of wrk walking its own share so no id is requested twice (checked: requests
  <= ids; the cache's key count after the run is printed);
- the public HTML page `/p/<id>/`, cached (the 2,000 passports, each page requested once before: its body
  is kept under its ETag) and not cached (`--uncached-ids` other passports, none requested before, walked
  as for the JSON: every request renders a body);
- a company's list API `/api/v1/passports/`, pages 1 and 2, rotating over 200 companies' tokens;
- as the authority: the list API page 1, deep pages by keyset cursor (the exact middle, and 50 random
  positions), searches (one company's identifier prefix, a number every company uses, a model name, no
  match), the filters by manufacturer (one company's BPNL) and by its country (`JP`: every tenth company,
  a million passports spread over the table; `FR`: every hundredth, `_spread_countries`), and the
  certificate registry API (first page, holder-name search, holder country);
- a passport's publication: `--publications` fresh drafts published by `services.passport_publish` in
  process, and as many through `POST /api/v1/passports/<id>/publish/` on the gunicorn server, one at a time
  (200 by default: a nearest-rank p99 of 50 samples is their slowest one, of 200 the third slowest; the
  slowest is printed beside it).

Prints a table of p50/p99 with the issue's target and PASS/FAIL per row (a row with failed requests fails),
the seeding time (from the seeder's record of its run) and the database size per passport.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import run, seed_fast  # noqa: E402
from benchmarks.own_database import percentile  # noqa: E402

DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/9"
PUBLIC_TARGET, HTML_TARGET, COMPANY_TARGET, AUTHORITY_TARGET, PUBLISH_TARGET = 20.0, 50.0, 50.0, 100.0, 50.0
#: API publications made before the timed ones (two per gunicorn worker), as the wrk rows warm up for 2 s.
WARM_PUBLICATIONS = 4


# ---- data for the requests ----------------------------------------------------------------------------
def _sample_ids(count: int, exclude: set[str]) -> list[str]:
    """`count` random public ids of published passports (a block sample of the table, shuffled)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'passports_passport'")
        total = max(1.0, cursor.fetchone()[0])
        share = min(100.0, 100.0 * count * 1.5 / total + 0.01)
        cursor.execute(
            f"SELECT p.public_id FROM passports_passport p TABLESAMPLE SYSTEM ({share:.4f}) "  # noqa: S608
            "WHERE EXISTS (SELECT 1 FROM passports_passportversion v WHERE v.passport_id = p.id "
            "AND v.state = 'published')"
        )
        ids = [str(row[0]) for row in cursor.fetchall()]
    ids = [i for i in ids if i not in exclude]
    random.shuffle(ids)
    return ids[:count]


def _spread_countries() -> None:
    """The seeded companies are all in Germany: every tenth (by its number) is moved to Japan and every
    hundredth, but those, to France, so the country filter has a common and a rarer country to read.
    Idempotent: a company already in its country is not written again."""
    from django.db import connection

    from benchmarks.seed import NAME_PREFIX

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tenancy_organization o SET country = c.country FROM (SELECT id, CASE "
            "WHEN n %% 10 = 0 THEN 'JP' WHEN n %% 100 = 1 THEN 'FR' ELSE 'DE' END AS country "
            "FROM (SELECT id, "
            "substring(legal_name FROM ' ([0-9]+) GmbH$')::int AS n FROM tenancy_organization "
            "WHERE kind = 'economic_operator' AND starts_with(legal_name, %s)) numbered) c "
            "WHERE o.id = c.id AND o.country <> c.country",
            [f"{NAME_PREFIX} "],
        )


def _authority_token() -> str:
    from benchmarks.authority_lists import AUTHORITY_USER
    from portal.accounts.models import ApiToken, User, hash_token
    from portal.accounts.services import api_token_create

    user = User.objects.get(username=AUTHORITY_USER)
    token_file = seed_fast.CACHE_DIR / f"authority-token-{seed_fast._database_name()}.json"
    if token_file.exists():
        value = json.loads(token_file.read_text())["token"]
        if ApiToken.objects.usable().filter(user=user, key_hash=hash_token(value)).exists():
            return value
    _token, value = api_token_create(actor=user, name="scale run")
    token_file.write_text(json.dumps({"token": value}))
    token_file.chmod(0o600)
    return value


def _deep_cursors(count: int) -> list[str]:
    """Cursors of the authority's default order (newest first) at random positions of the whole list."""
    from django.db import connection

    from passports.list_query import ListKey

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM passports_passport")
        top = cursor.fetchone()[0]
        cursor.execute(
            "SELECT created_at, id FROM passports_passport WHERE id = ANY(%s)",
            [random.sample(range(1, top + 1), count * 2)],
        )
        rows = cursor.fetchall()[:count]
    # `number` is for display only: an estimate of the page from the id (ids follow creation).
    return [
        ListKey(ordering=("-created_at",), values=(value,), pk=pk, number=(top - pk) // 50 + 1).encode()
        for value, pk in rows
    ]


def _publication_drafts(count: int, index: int, tag: str) -> tuple[list, object, object]:
    """`count` fresh drafts of company `index`'s first model, made by `passport_create`."""
    from benchmarks import seed
    from passports import services
    from passports.models import BatteryModel

    organization, admin = seed._company(index)
    battery_model = BatteryModel.objects.filter(organization=organization).order_by("pk").first()
    _model_values, battery_values = seed._example_values()
    values = seed._fix_identifiers(battery_values, index)
    drafts = [
        services.passport_create(
            actor=admin,
            battery_model=battery_model,
            values={
                **values,
                "unique_identifier": f"PUB-{tag}-{n:03d}",
                "serial_identifiers": [{"key": "partInstanceId", "value": f"SNPUB{tag}{n:03d}"}],
            },
        )
        for n in range(count)
    ]
    return drafts, admin, organization


def _time_service_publications(drafts: list, admin) -> list[float]:
    from passports import services

    times = []
    for draft in drafts:
        started = time.perf_counter()
        services.passport_publish(actor=admin, passport=draft)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _time_api_publications(port: int, drafts: list, token: str) -> tuple[list[float], int]:
    times, bad = [], 0
    for draft in drafts:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/passports/{draft.public_id}/publish/", data=b"", method="POST"
        )
        request.add_header("Authorization", f"Token {token}")
        request.add_header("Accept", "application/json")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                answer.read()
                ok = answer.status == 200
        except urllib.error.HTTPError as error:
            error.read()
            ok = False
        times.append((time.perf_counter() - started) * 1000)
        bad += not ok
    return times, bad


def _strided_lua(threads: int):
    """A replacement for `run.lua_script` for the uncached run: thread t requests paths t, t + threads,
    t + 2 x threads..., so no two requests ask for the same passport while there are paths left."""

    def script(endpoint: run.Endpoint, tokens: list[str]) -> Path:
        paths = "{" + ",".join(json.dumps(p) for p in endpoint.paths) + "}"
        path = run.CACHE / "wrk-scale-uncached.lua"
        path.write_text(
            f"""
local paths = {paths}
local step = {threads}
local accept = {json.dumps(endpoint.accept)}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  counter = (tid or 1) - 1 - step
end
function request()
  counter = counter + step
  local headers = {{}}
  headers["Accept"] = accept
  return wrk.format("GET", paths[counter % #paths + 1], headers)
end
"""
        )
        return path

    return script


# ---- report -----------------------------------------------------------------------------------------------
def _verdict(p99: float, target: float, bad: int) -> str:
    return "PASS" if p99 < target and not bad else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100, help="seed_fast.py: companies per copy transaction")
    parser.add_argument("--workers", type=int, default=2, help="seed_fast.py: copy connections")
    parser.add_argument("--skip-seed", action="store_true", help="the database is seeded: do not check")
    parser.add_argument("--certificates", type=int, default=200_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint (default 10)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ids", type=int, default=2_000, help="passports the cached endpoints rotate over")
    parser.add_argument("--uncached-ids", type=int, default=100_000)
    parser.add_argument("--publications", type=int, default=200)
    parser.add_argument("--cache-url", default=DEFAULT_CACHE_URL, help="Redis database of the Django cache")
    parser.add_argument(
        "--web-workers",
        type=int,
        default=2,
        help="gunicorn sync workers (2, as every earlier run; the "
        "deployment's deploy/gunicorn.conf.py starts 2 x cores + 1)",
    )
    parser.add_argument(
        "--only", default="", help="measure only the rows whose name contains this text (a re-run of a few)"
    )
    args = parser.parse_args()

    os.environ.setdefault("BENCH_DATABASE_URL", seed_fast.DEFAULT_DATABASE_URL)
    os.environ["BENCH_CACHE_URL"] = args.cache_url
    import redis

    cache = redis.Redis.from_url(args.cache_url)
    cache.flushdb()
    started = time.monotonic()
    database_url = seed_fast.configure()
    run.CACHE.mkdir(exist_ok=True)
    print(f"machine: {run.machine()}")
    print(f"database: {database_url}; cache: {args.cache_url}")

    from django.core.management import call_command
    from django.db import connection, connections

    from benchmarks import authority_lists
    from benchmarks.seed import _bpn as seed_bpn
    from passports.models import Passport

    call_command("migrate", verbosity=0, interactive=False)
    if not args.skip_seed:
        print("seeding (seed_fast.py) ...")
        seed_fast.seed_fast(args.companies, args.batch, workers=args.workers)
    authority_lists._seed_authority()
    _spread_countries()
    if args.certificates:
        authority_lists._seed_certificates(args.certificates)
    record = seed_fast.CACHE_DIR / f"seed-{connection.settings_dict['NAME']}.json"
    seeding = json.loads(record.read_text()) if record.exists() else None
    company_tokens: dict[str, str] = json.loads(seed_fast.tokens_path().read_text())
    # Only the companies of this database (the file outlives a dropped and recreated database).
    from portal.tenancy.models import Organization

    existing = {str(i) for i in Organization.objects.values_list("public_id", flat=True)}
    company_tokens = {org: value for org, value in company_tokens.items() if org in existing}

    print("preparing requests ...")
    total = Passport.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        database_bytes = cursor.fetchone()[0]
    authority_token = _authority_token()
    tokens = random.sample(sorted(company_tokens.values()), min(200, len(company_tokens)))
    ids = _sample_ids(args.ids, set())
    uncached = _sample_ids(args.uncached_ids, set(ids))
    uncached_pages = _sample_ids(args.uncached_ids, {*ids, *uncached})
    middle = authority_lists._cursor_at_middle("passports")
    deep = _deep_cursors(50)
    labels = [f"{i:03d}" for i in random.sample(range(1, args.companies + 1), min(50, args.companies))]
    numbers = [f"{n:06d}" for n in random.sample(range(4, 1001), 50)]
    bpnls = [seed_bpn("L", 40_000 + int(label)) for label in labels]
    tag = datetime.now(UTC).strftime("%H%M%S")
    publisher = max(1, args.companies // 2)
    service_drafts, admin, organization = _publication_drafts(args.publications, publisher, tag + "S")
    # Like every wrk row's 2 s warm-up: the first publications of each worker load what the publication
    # path needs once per process (serializers, the catalogue's checks); they are published, not timed.
    api_drafts, _admin, _organization = _publication_drafts(
        args.publications + WARM_PUBLICATIONS, publisher, tag + "A"
    )
    publisher_token = company_tokens[str(organization.public_id)]
    print(f"publishing {len(service_drafts)} drafts with services.passport_publish ...")
    service_times = _time_service_publications(service_drafts, admin)
    connections.close_all()

    E = run.Endpoint
    html = "text/html,application/xhtml+xml"
    api = "/api/v1/passports/"
    endpoints = [
        (E("public JSON /p/<id>/, cached", [f"/p/{i}/" for i in ids]), PUBLIC_TARGET),
        (E("public JSON /p/<id>/, not cached", [f"/p/{i}/" for i in uncached]), PUBLIC_TARGET),
        (E("public HTML page /p/<id>/, cached", [f"/p/{i}/" for i in ids], accept=html), HTML_TARGET),
        (
            E("public HTML page /p/<id>/, not cached", [f"/p/{i}/" for i in uncached_pages], accept=html),
            HTML_TARGET,
        ),
        (E("company list API, page 1", [api], authenticated=True), COMPANY_TARGET),
        (E("company list API, page 2", [f"{api}?page=2"], authenticated=True), COMPANY_TARGET),
        (E("authority list API, page 1", [api], authenticated=True), AUTHORITY_TARGET),
        (
            E("authority list API, middle by cursor", [f"{api}?cursor={middle}"], authenticated=True),
            AUTHORITY_TARGET,
        ),
        (
            E("authority list API, 50 random cursors", [f"{api}?cursor={c}" for c in deep],
              authenticated=True),
            AUTHORITY_TARGET,
        ),
        (
            E("authority search 'PB<company>-' (1,000 rows)", [f"{api}?search=PB{x}-" for x in labels],
              authenticated=True),
            AUTHORITY_TARGET,
        ),
        (
            E(f"authority search '<number>' ({args.companies:,} rows)",
              [f"{api}?search={n}" for n in numbers], authenticated=True),
            AUTHORITY_TARGET,
        ),
        (
            E("authority search 'bench module' (1/3 of all)", [f"{api}?search=bench+module"],
              authenticated=True),
            AUTHORITY_TARGET,
        ),
        (E("authority search 'PB99999-' (no match)", [f"{api}?search=PB99999-"], authenticated=True),
         AUTHORITY_TARGET),
        (E("authority manufacturer=<BPNL> (1,000 rows)", [f"{api}?manufacturer={b}" for b in bpnls],
           authenticated=True), AUTHORITY_TARGET),
        (E("authority country=JP (a tenth of all)", [f"{api}?country=JP"], authenticated=True),
         AUTHORITY_TARGET),
        (E("authority country=FR (a hundredth)", [f"{api}?country=FR"], authenticated=True),
         AUTHORITY_TARGET),
    ]  # fmt: skip
    if args.certificates:
        certificates = "/api/v1/certificates/"
        endpoints += [
            (E("authority certificates API, page 1", [certificates], authenticated=True), AUTHORITY_TARGET),
            (
                E("authority certificates, holder 'Works <n>'",
                  [f"{certificates}?q=Works+{x}+GmbH" for x in labels], authenticated=True),
                AUTHORITY_TARGET,
            ),
            (
                E("authority certificates, country=JP", [f"{certificates}?country=JP"], authenticated=True),
                AUTHORITY_TARGET,
            ),
        ]  # fmt: skip

    endpoints = [(endpoint, target) for endpoint, target in endpoints if args.only in endpoint.name]

    def tokens_for(endpoint: run.Endpoint) -> list[str]:
        return [authority_token] if endpoint.name.startswith("authority") else tokens

    port = run.free_port()
    print(f"starting gunicorn ({args.web_workers} sync workers) on 127.0.0.1:{port} ...")
    server = run.start_gunicorn(port, workers=args.web_workers)
    results: list[tuple[run.Result, float, str]] = []
    api_times: list[float] = []
    api_bad = 0
    uncached_notes: list[str] = []
    try:
        for endpoint, _target in endpoints:
            if "not cached" in endpoint.name:
                continue  # probing would cache one of them
            token = tokens_for(endpoint)[0] if endpoint.authenticated else None
            status, size = run.probe(port, endpoint, token)
            print(f"  probe {endpoint.paths[0][:70]}: HTTP {status}, {size} bytes")
        # Every id of the cached endpoints requested once (the JSON document, the page's body in the
        # visitor's language): the cached runs measure cache hits only.
        for i, accept in itertools.product(ids, ("application/json", html)):
            with urllib.request.urlopen(
                urllib.request.Request(f"http://127.0.0.1:{port}/p/{i}/", headers={"Accept": accept})
            ) as answer:
                answer.read()
        for endpoint, target in endpoints:
            own_tokens = tokens_for(endpoint)
            if "not cached" in endpoint.name:
                keys_before = cache.dbsize()
                original = run.lua_script
                run.lua_script = _strided_lua(args.threads)
                try:
                    result = run.run_wrk(port, endpoint, own_tokens, args, duration=args.duration)
                finally:
                    run.lua_script = original
                new_keys = cache.dbsize() - keys_before
                fresh = result.requests <= len(endpoint.paths)
                uncached_notes.append(
                    f"{endpoint.name}: {result.requests:,} requests over {len(endpoint.paths):,} passports "
                    f"never requested before ({'no id twice' if fresh else 'SOME IDS TWICE'}); "
                    f"{new_keys:,} documents added to the cache during the run"
                )
            else:
                run.run_wrk(port, endpoint, own_tokens, args, duration=2)  # warm-up, as run.py
                result = run.run_wrk(port, endpoint, own_tokens, args, duration=args.duration)
            results.append((result, target, ""))
            print(
                f"  {endpoint.name:<48} {result.rps:>8.1f} req/s  p50 {result.p50_ms:6.1f}  "
                f"p99 {result.p99_ms:6.1f} ms  bad {result.bad}"
            )
        warm_times, _warm_bad = _time_api_publications(port, api_drafts[:WARM_PUBLICATIONS], publisher_token)
        print(
            f"warm-up: {WARM_PUBLICATIONS} publications through the API, "
            + ", ".join(f"{t:.0f}" for t in warm_times)
            + " ms"
        )
        print(f"publishing {len(api_drafts) - WARM_PUBLICATIONS} drafts through the API ...")
        api_times, api_bad = _time_api_publications(port, api_drafts[WARM_PUBLICATIONS:], publisher_token)
        print("  slowest: " + ", ".join(f"{t:.0f}" for t in sorted(api_times)[-3:]) + " ms")
    finally:
        run.stop_gunicorn(server)
        print("gunicorn stopped")

    print()
    print(
        f"wrk: {args.threads} threads, {args.connections} connections, {args.duration} s per endpoint; "
        f"{total:,} passports; gunicorn {args.web_workers} sync workers"
    )
    header = f"{'measured':<50} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'bad':>5} {'target':>9}  verdict"
    print(header)
    print("-" * len(header))
    for result, target, _note in results:
        print(
            f"{result.endpoint.name:<50} {result.rps:>7.0f} {result.p50_ms:>8.1f} {result.p99_ms:>8.1f} "
            f"{result.bad:>5} {'< ' + format(target, 'g') + ' ms':>9}  "
            f"{_verdict(result.p99_ms, target, result.bad)}"
        )
    for label, times, bad in (
        (f"publication, services.passport_publish (n={len(service_times)})", service_times, 0),
        (f"publication, POST .../publish/ API (n={len(api_times)})", api_times, api_bad),
    ):
        if times:
            p50, p99 = statistics.median(times), percentile(times, 0.99)
            print(
                f"{label:<50} {'':>7} {p50:>8.1f} {p99:>8.1f} {bad:>5} {'< 50 ms':>9}  "
                f"{_verdict(p99, PUBLISH_TARGET, bad)} (slowest {max(times):.1f} ms)"
            )
    print()
    print("\n".join(uncached_notes))
    print(
        f"database: {database_bytes / 1024**3:.2f} GB for {total:,} passports = "
        f"{database_bytes / total / 1024:.2f} kB per passport (pg_database_size / passports)"
    )
    if seeding:
        print(
            f"seeding (seed_fast.py, its last run on this database): {seeding['seconds'] / 60:.1f} min for "
            f"{seeding['made']:,} passports (load {seeding['load']:.0f} s, index rebuild "
            f"{seeding['rebuild']:.0f} s, VACUUM ANALYZE {seeding['vacuum']:.0f} s)"
        )
    print(f"total time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
