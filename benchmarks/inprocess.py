"""CPU time per request of the benchmarked endpoints, in-process (Django test client, bench database).

    .venv/bin/python benchmarks/inprocess.py [--requests 200] [--repeat 3] [--profile list|plain|hello|public]

Steadier than wrk on a shared machine: it measures this process's CPU time only (`time.process_time`), so
neither the neighbours' load nor PostgreSQL's own CPU time counts; `--sql` adds the wall time spent in
the database (query execution as the client sees it). The database is the one `run.py` seeds
(`BENCH_DATABASE_URL`, default pb_bench); run `run.py` once first. `--profile NAME` prints the cProfile
top 30 (cumulative) of that endpoint instead of the table.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import PAGE, configure_environment, sample_passport_ids


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="requests per measurement (200)")
    parser.add_argument("--repeat", type=int, default=3, help="measurements per endpoint; the best is shown")
    parser.add_argument("--profile", choices=["hello", "public", "plain", "list"], default=None)
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key for --profile (tottime, ...)")
    parser.add_argument("--sql", action="store_true", help="also time the database calls (wall clock)")
    parser.add_argument("--path-suffix", default="", help="extra list query string, e.g. '&search=ev'")
    args = parser.parse_args()

    configure_environment()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from portal.accounts.models import ApiToken

    tokens = __import__("json").loads((Path(__file__).parent / ".cache" / "tokens.json").read_text())
    token = next(iter(tokens.values()))
    assert ApiToken.objects.exists(), "seed the benchmark database with benchmarks/run.py first"
    passport_id = sample_passport_ids(1)[0]
    client = Client(SERVER_NAME="127.0.0.1")
    auth = {"Authorization": f"Token {token}", "Accept": "application/json"}
    endpoints = {
        "hello": ("/bench/hello/", {}),
        "public": (f"/p/{passport_id}/", {"Accept": "application/json"}),
        "plain": (f"/bench/plain-list/?page={PAGE}", auth),
        "list": (f"/api/v1/passports/?page={PAGE}{args.path_suffix}", auth),
    }
    for path, headers in endpoints.values():  # warm caches, settle the token's once-a-minute write
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])

    if args.profile:
        path, headers = endpoints[args.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            client.get(path, headers=headers)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(40)
        return

    sql_time = [0.0]

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_time[0] += time.perf_counter() - started

    print(f"{'endpoint':<10} {'CPU ms/request':>15}" + (f" {'SQL wall ms/request':>20}" if args.sql else ""))
    for name, (path, headers) in endpoints.items():
        best_cpu, best_sql = float("inf"), float("inf")
        for _ in range(args.repeat):
            sql_time[0] = 0.0
            with connection.execute_wrapper(timed) if args.sql else _nothing():
                started = time.process_time()
                for _ in range(args.requests):
                    client.get(path, headers=headers)
                cpu = (time.process_time() - started) / args.requests * 1000
            best_cpu = min(best_cpu, cpu)
            best_sql = min(best_sql, sql_time[0] / args.requests * 1000)
        line = f"{name:<10} {best_cpu:>15.2f}"
        print(line + (f" {best_sql:>20.2f}" if args.sql else ""))


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    main()
