"""What the stand-alone benchmarks (rollup.py, pact.py) share: a database of their own, recreated for each
run and dropped afterwards, settings for an in-process portal, and nearest-rank percentiles."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Databases a benchmark never drops, whatever it is told.
PROTECTED_DATABASES = ("passbridge", "pb_bench", "pb_bench_pdf", "postgres", "template0", "template1")


def environment(database_url: str) -> None:
    for name in ("REDIS_URL", "BENCH_CACHE_URL"):
        os.environ.pop(name, None)  # Celery in-process, nothing queued on a shared broker
    os.environ.update(
        PASSBRIDGE_ENV="development",
        DEBUG="0",  # DEBUG keeps every SQL query in memory
        SECRET_KEY=secrets.token_urlsafe(50),
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="benchmarks.settings",
        DATABASE_URL=database_url,
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    sys.path.insert(0, str(ROOT))


def check_target(database_url: str) -> None:
    name = database_url.rsplit("/", 1)[-1]
    if not database_url.startswith("postgres") or name.startswith("test") or name in PROTECTED_DATABASES:
        sys.exit(f"Refusing to drop and recreate {database_url}: give the benchmark a database of its own.")


def recreate_database(database_url: str, *, drop_only: bool = False) -> None:
    import psycopg

    server, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]
