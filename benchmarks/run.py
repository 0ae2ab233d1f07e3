"""Passports performance benchmark (issue 3, "Performance"): prints figures, passes or fails nothing.

    .venv/bin/python benchmarks/run.py [--duration 10] [--connections 8] [--threads 2] [--rounds 1]

Steps: create and migrate the benchmark database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/pb_bench; never a test database), seed 100,000 passports in 100
companies (skipped when already seeded), count the SQL queries of the list API at two page sizes
in-process, start gunicorn (2 sync workers) with `benchmarks.settings`, warm up, measure each endpoint
with wrk, stop gunicorn (always), run `benchmarks/import_catenax.py` when it exists, print the table.

Every endpoint is compared with a baseline served by the same server in the same run, so the ratios
hold on any machine even if the absolute figures do not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "benchmarks" / ".cache"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pb_bench"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/8"  # a database of its own: the tests use 10-15
SAMPLE_PASSPORTS = 2_000
PAGE = 2
HELLO = "A  hello-world Django view"
PLAIN = "B  plain DRF list (50/page)"


@dataclass
class Endpoint:
    name: str
    paths: list[str]
    accept: str = "application/json"
    authenticated: bool = False
    baseline: str | None = None  # name of the endpoint it is compared with
    target: float | None = None  # minimum ratio to the baseline


@dataclass
class Result:
    endpoint: Endpoint
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # non-2xx/3xx answers, socket errors and timeouts


# ---- environment ---------------------------------------------------------------------------------------
def configure_environment() -> str:
    """Environment of this process and of gunicorn: development mode without DEBUG, the bench database."""
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    name = database_url.rsplit("/", 1)[-1]
    if not database_url.startswith("postgres") or name.startswith("test") or name == "passbridge":
        sys.exit(f"Refusing to seed 100,000 passports into {database_url}: use a database of its own.")
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            # Production mode would redirect plain HTTP to HTTPS; development with DEBUG off is the
            # same code path without the redirect.
            "PASSBRIDGE_ENV": "development",
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
            "LOG_LEVEL": "WARNING",
        }
    )
    # No REDIS_URL: Celery runs eagerly and nothing is queued on the tests' broker; the Django cache is
    # `--cache-url` (benchmarks/settings.py).
    os.environ.pop("REDIS_URL", None)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    return database_url


def create_database(database_url: str) -> None:
    import psycopg

    server, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()}, {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


# ---- data for the requests ------------------------------------------------------------------------
def sample_passport_ids(count: int) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.public_id FROM passports_passport p WHERE EXISTS (SELECT 1 FROM "
            "passports_passportversion v WHERE v.passport_id = p.id AND v.state = 'published') "
            "ORDER BY random() LIMIT %s",
            [count],
        )
        return [str(row[0]) for row in cursor.fetchall()]


def count_list_queries(token: str) -> dict[str, object]:
    """SQL queries of one request to the list API at page sizes 10 and 50 (in-process, bench database)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    figures: dict[str, object] = {}
    # A first request settles once-a-minute writes (the token's last use) and per-process caches.
    client.get(f"/api/v1/passports/?page={PAGE}&page_size=10", headers=headers)
    client.get(f"/bench/plain-list/?page={PAGE}", headers=headers)
    for size in (10, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/passports/?page={PAGE}&page_size={size}", headers=headers)
        rows = len(response.json().get("results", [])) if response.status_code == 200 else None
        figures[f"list_{size}"] = len(queries)
        figures[f"list_{size}_rows"] = rows
        figures[f"list_{size}_status"] = response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/bench/plain-list/?page={PAGE}", headers=headers)
    figures["plain_list_50"] = len(queries)
    return figures


def count_public_queries(passport_id: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    client.get(f"/p/{passport_id}/", headers={"Accept": "application/json"})
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/p/{passport_id}/", headers={"Accept": "application/json"})
    return len(queries)


# ---- gunicorn ------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(port: int, threads: int = 1, workers: int = 2) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = CACHE / "gunicorn.log"
    command = [
        str(gunicorn),
        "benchmarks.wsgi:application",
        "--workers", str(workers),
        "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}",
        "--chdir", str(REPO),
        "--error-logfile", str(log),
        "--log-level", "warning",
        "--timeout", "60",
        # More than one thread makes gunicorn use its gthread worker (diagnosis runs only).
        *(["--threads", str(threads)] if threads > 1 else []),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/hello/", timeout=2) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    stop_gunicorn(process)
    sys.exit("gunicorn did not answer within 60 s")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # the arbiter stops its workers gracefully
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the session started for this gunicorn only
        process.wait(timeout=10)


def wait_idle(port: int, timeout: float = 120.0) -> None:
    """Wait until the server answers the hello view quickly again: requests wrk left queued when it stopped
    (a slow endpoint leaves up to one per connection) must not be charged to the next endpoint."""
    deadline, quick = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and quick < 3:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/hello/", timeout=timeout) as answer:
                answer.read()
        except OSError:
            time.sleep(0.5)
            continue
        quick = quick + 1 if time.monotonic() - started < 0.05 else 0
    time.sleep(0.5)


def probe(port: int, endpoint: Endpoint, token: str | None) -> tuple[int, int]:
    """(status, body bytes) of one request, to show that an endpoint answers before measuring it."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{endpoint.paths[0]}")
    request.add_header("Accept", endpoint.accept)
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, len(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, len(error.read())


# ---- wrk -------------------------------------------------------------------------------------------------
def lua_script(endpoint: Endpoint, tokens: list[str]) -> Path:
    """A wrk script rotating over the endpoint's paths (and over the companies' tokens)."""

    def table(values: list[str]) -> str:
        return "{" + ",".join(json.dumps(value) for value in values) + "}"

    script = f"""
local paths = {table(endpoint.paths)}
local tokens = {table(tokens if endpoint.authenticated else [])}
local accept = {json.dumps(endpoint.accept)}
local threads = 0
local counter = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  counter = (tid or 0) * 7919
end
function request()
  counter = counter + 1
  local headers = {{}}
  headers["Accept"] = accept
  if #tokens > 0 then
    headers["Authorization"] = "Token " .. tokens[(counter * 31) % #tokens + 1]
  end
  return wrk.format("GET", paths[counter % #paths + 1], headers)
end
"""
    path = CACHE / f"wrk-{re.sub(r'[^a-z0-9]+', '-', endpoint.name.lower()).strip('-')}.lua"
    path.write_text(script)
    return path


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(
    port: int, endpoint: Endpoint, tokens: list[str], args: argparse.Namespace, duration: int
) -> Result:
    script = lua_script(endpoint, tokens)
    command = [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s", "--timeout", "10s",
        "--latency", "-s", str(script), f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    wait_idle(port)

    def found(pattern: str, convert, default=0.0):
        match = re.search(pattern, output)
        return convert(match.group(1)) if match else default  # no answer at all: no percentiles either

    rps = found(r"Requests/sec:\s+([\d.]+)", float)
    p50 = found(r"\s50%\s+(\S+)", _ms)
    p99 = found(r"\s99%\s+(\S+)", _ms)
    requests = found(r"(\d+) requests in", int, 0)
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", output))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if errors:
        # Sync workers close every connection; wrk counts those closes as read errors, which are no failures.
        bad += int(errors.group(1)) + int(errors.group(3)) + int(errors.group(4))
    return Result(endpoint, rps, p50, p99, requests, bad)


# ---- the Catena-X import (its own script, written separately) ---------------------------------------------
def run_import_benchmark() -> tuple[str | None, float | None]:
    script = REPO / "benchmarks" / "import_catenax.py"
    if not script.exists():
        return None, None
    # --cleanup (when the script offers it) keeps the imported drafts from piling up run after run.
    extra = ["--cleanup"] if "--cleanup" in script.read_text() else []
    completed = subprocess.run(  # noqa: S603
        [sys.executable, str(script), *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    output = completed.stdout + completed.stderr
    print(output.rstrip())
    if completed.returncode:
        return f"import_catenax.py exited with {completed.returncode}", None
    for line in reversed(output.splitlines()):
        found = re.search(r"([\d.,]+)\s*(passports/s|passports per second|passports/second)", line)
        if found:
            return line.strip(), float(found.group(1).replace(",", ""))
    return None, None


# ---- report ----------------------------------------------------------------------------------------------
def median_run(runs: list[Result]) -> Result:
    return sorted(runs, key=lambda r: r.rps)[len(runs) // 2]


def ratio(runs: list[Result], baseline_runs: list[Result]) -> float:
    """Median over rounds of the throughput ratio to the baseline measured in the same round: the load of a
    shared machine drifts between rounds, so ratios are only taken between neighbouring measurements."""
    return statistics.median(
        r.rps / b.rps if b.rps else 0.0 for r, b in zip(runs, baseline_runs, strict=True)
    )


def print_table(measured: dict[str, list[Result]]) -> None:
    columns = ("req/s", 7), ("p50 ms", 8), ("p99 ms", 8), ("bad", 5), ("ratio", 7), ("target", 8)
    header = f"{'endpoint':<40} " + " ".join(f"{title:>{width}}" for title, width in columns) + "  verdict"
    print(header)
    print("-" * len(header))
    for runs in measured.values():
        result = median_run(runs)
        endpoint = result.endpoint
        bad = sum(r.bad for r in runs)
        shown_ratio = target = ""
        if endpoint.baseline:
            value = ratio(runs, measured[endpoint.baseline])
            shown_ratio, target = f"{value:.2f}x", f">={endpoint.target}x"
            verdict = "PASS" if value >= endpoint.target and not bad else "FAIL"
        else:
            verdict = "baseline" if not bad else "baseline (errors!)"
        print(
            f"{endpoint.name:<40} {result.rps:>7.{0 if result.rps >= 100 else 1}f} "
            f"{result.p50_ms:>8.1f} {result.p99_ms:>8.1f} "
            f"{bad:>5} {shown_ratio:>7} {target:>8}  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint (default 10)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every endpoint N times, report the median"
    )
    parser.add_argument("--companies", type=int, default=100, help="companies to seed (1,000 passports each)")
    parser.add_argument(
        "--pgoptions",
        default="",
        help='diagnosis only: PostgreSQL session options for every connection, e.g. "-c jit=off"',
    )
    parser.add_argument(
        "--cache-url",
        default=DEFAULT_CACHE_URL,
        help=f"Redis URL of the shared Django cache, emptied first (default {DEFAULT_CACHE_URL}); "
        "'none' for per-process memory",
    )
    parser.add_argument("--ids", type=int, default=SAMPLE_PASSPORTS, help="passport ids to rotate over")
    parser.add_argument(
        "--gunicorn-threads",
        type=int,
        default=1,
        help="diagnosis only: threads per gunicorn worker (gthread); the benchmark is 2 sync workers",
    )
    parser.add_argument("--skip-import", action="store_true", help="do not run benchmarks/import_catenax.py")
    args = parser.parse_args()

    database_url = configure_environment()
    if args.pgoptions:
        os.environ["PGOPTIONS"] = args.pgoptions  # read by libpq, so by every psycopg connection
        print(f"PGOPTIONS={args.pgoptions} (diagnosis run: not the configuration the portal ships)")
    if args.cache_url != "none":
        import redis

        redis.Redis.from_url(args.cache_url).flushdb()  # the benchmark's own database: no stale documents
        os.environ["BENCH_CACHE_URL"] = args.cache_url
    CACHE.mkdir(exist_ok=True)
    started = time.monotonic()
    print(f"machine: {machine()}")
    print(f"database: {database_url}")
    create_database(database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from benchmarks import seed

    print("migrating ...")
    call_command("migrate", verbosity=0, interactive=False)
    print("seeding ...")
    token_by_org = seed.seed(companies=args.companies)
    tokens = list(token_by_org.values())
    ids = sample_passport_ids(args.ids)
    queries = count_list_queries(tokens[0])
    public_queries = count_public_queries(ids[0])
    connections.close_all()

    endpoints = [
        Endpoint(HELLO, ["/bench/hello/"]),
        Endpoint("   public passport JSON /p/<id>/", [f"/p/{i}/" for i in ids], baseline=HELLO, target=0.5),
        Endpoint(PLAIN, [f"/bench/plain-list/?page={PAGE}"], authenticated=True),
        Endpoint(
            "   portal list API /api/v1/passports/", [f"/api/v1/passports/?page={PAGE}"], authenticated=True,
            baseline=PLAIN, target=2.0,
        ),
    ]  # fmt: skip

    port = free_port()
    print(f"starting gunicorn (2 sync workers) on 127.0.0.1:{port} ...")
    if args.gunicorn_threads > 1:
        print(f"  {args.gunicorn_threads} threads per worker (gthread): a diagnosis run, not the benchmark")
    server = start_gunicorn(port, args.gunicorn_threads)
    measured: dict[str, list[Result]] = {endpoint.name: [] for endpoint in endpoints}
    try:
        for endpoint in endpoints:
            status, size = probe(port, endpoint, tokens[0] if endpoint.authenticated else None)
            print(f"  probe {endpoint.paths[0][:60]}: HTTP {status}, {size} bytes")
        print("warming up ...")
        for endpoint in endpoints:
            run_wrk(port, endpoint, tokens, args, duration=2)
        for round_number in range(args.rounds):
            for endpoint in endpoints:
                result = run_wrk(port, endpoint, tokens, args, duration=args.duration)
                measured[endpoint.name].append(result)
                print(f"  round {round_number + 1}: {endpoint.name.strip():<40} {result.rps:>8.1f} req/s")
    finally:
        stop_gunicorn(server)
        print("gunicorn stopped")

    if args.rounds > 1:
        for name, runs in measured.items():
            print(f"  {name.strip()}: rounds {', '.join(f'{r.rps:.1f}' for r in runs)} req/s")

    import_line, import_rate = (None, None) if args.skip_import else run_import_benchmark()

    print()
    print(
        f"wrk: {args.threads} threads, {args.connections} connections, {args.duration} s per endpoint, "
        f"{args.rounds} round(s) (median shown)"
    )
    print_table(measured)
    equal = queries["list_10"] == queries["list_50"]
    print()
    print(
        f"SQL queries, list API page {PAGE}: page_size=10 -> {queries['list_10']} queries "
        f"({queries['list_10_rows']} rows, HTTP {queries['list_10_status']}); page_size=50 -> "
        f"{queries['list_50']} queries ({queries['list_50_rows']} rows, HTTP {queries['list_50_status']}); "
        f"{'equal: PASS' if equal else 'NOT equal: FAIL'}"
    )
    print(
        f"SQL queries, plain DRF list (50 rows): {queries['plain_list_50']}; "
        f"public passport JSON: {public_queries}"
    )
    if args.skip_import or not (REPO / "benchmarks" / "import_catenax.py").exists():
        print("Catena-X import: not measured (--skip-import, or benchmarks/import_catenax.py missing)")
    elif import_rate is not None:
        print(
            f"Catena-X import: {import_line}  "
            f"(target >= 200 passports/s: {'PASS' if import_rate >= 200 else 'FAIL'})"
        )
    else:
        print(f"Catena-X import: {import_line or 'no passports/second line found in its output'}")
    print(f"total time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
