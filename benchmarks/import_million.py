"""Benchmark: a million-passport Catena-X import as a worker job, with the worker killed half-way (issue 18,
"Import at scale"). Prints what happened; not a test.

Writes one JSON lines file of `--count` documents (the corrected official example; what differs per
battery differs per line, as in `import_catenax.py`), starts a bulk import job with it as the browser or
the API does (`job_start`: stored, queued on the `imports` queue after the commit), and runs a real Celery
worker process (`--queues imports,default --pool solo`) on Redis and the benchmark database. When the job
has imported `--kill-at` rows the worker is killed with SIGKILL (as the OOM killer or a lost host would)
and started again: the job must continue after its last committed chunk (500 rows a transaction, each
with its resume point) and end with exactly `--count` passports. Progress is printed every 10 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_import .venv/bin/python benchmarks/import_million.py

The file takes about 10 kB a document (10 GB for a million) in a temporary directory, and the job's stored
copy as much again until the job ends. Redis database 7 is the broker of the run (emptied at the start).
"""

# ruff: noqa: S603 - the worker command is fixed (this venv's celery), no input in it.
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _environment(redis_db: int) -> dict[str, str]:
    return {
        **os.environ,
        "PASSBRIDGE_ENV": os.environ.get("PASSBRIDGE_ENV", "development"),
        "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }


def _write_file(path: Path, count: int, run: str) -> None:
    from benchmarks.import_catenax import _variant
    from passports import catenax

    template = catenax.corrected_example_document()
    rng = random.Random(run)  # noqa: S311 - test data, not secrets
    started = time.perf_counter()
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            handle.write(_variant(template, run, n, rng))
            handle.write("\n")
    size = path.stat().st_size
    print(f"wrote {count:,} documents ({size / 1e9:.2f} GB) in {time.perf_counter() - started:.0f} s")


def _start_worker(environment: dict[str, str], log: Path) -> subprocess.Popen:
    celery = Path(sys.executable).with_name("celery")
    command = [str(celery), "--app", "portal", "worker", "--queues", "imports,default", "--pool", "solo",
               "--hostname", f"million-{os.getpid()}@%h", "--without-mingle", "--without-gossip",
               "--loglevel", "INFO"]  # fmt: skip
    return subprocess.Popen(
        command, env=environment, cwd=REPO, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument(
        "--kill-at", type=int, default=None, help="imported rows at which the worker is killed"
    )
    parser.add_argument("--redis-db", type=int, default=7)
    parser.add_argument("--directory", default=None, help="where the file is written (default: a temp dir)")
    parser.add_argument(
        "--file", default=None, help="a file of an earlier run to import (deleted once stored)"
    )
    args = parser.parse_args()
    kill_at = args.count // 2 if args.kill_at is None else args.kill_at
    environment = _environment(args.redis_db)
    # A million documents are 10.2 GB, above the default limit of one import (2 GiB): a deployment taking
    # such files raises it the same way.
    environment.setdefault("PASSPORT_IMPORT_MAX_BYTES", str(64 * 1024**3))
    os.environ.update(environment)
    import django

    django.setup()
    import redis
    from django.core.files import File

    from benchmarks.import_catenax import _actor
    from passports.bulk_import import services as bulk
    from passports.bulk_import.models import ImportJob, ImportState
    from passports.models import Passport

    redis.Redis.from_url(environment["REDIS_URL"]).flushdb()
    if args.file:
        path = Path(args.file)
        directory = path.parent
        with path.open(encoding="utf-8") as handle:
            run = json.loads(handle.readline())["identification"]["idDmc"].split("-")[1]
    else:
        directory = Path(args.directory or tempfile.mkdtemp(prefix="pb-million-"))
        path = directory / "passports.jsonl"
        run = uuid.uuid4().hex[:8]
        _write_file(path, args.count, run)
    log = directory / "worker.log"
    actor, _organization = _actor()
    worker = _start_worker(environment, log)
    try:
        started = time.perf_counter()
        with path.open("rb") as handle:
            job = bulk.job_start(actor=actor, upload=File(handle, name="passports.jsonl"),
                                 confirm_economic_operator=True)  # fmt: skip
        print(f"job {job.pk} stored and queued in {time.perf_counter() - started:.0f} s; worker log: {log}")
        path.unlink()  # the job keeps its own copy
        killed_at = restarted_at = None
        last_print = 0.0
        while True:
            time.sleep(2)
            job = ImportJob.objects.get(pk=job.pk)
            now = time.perf_counter() - started
            if now - last_print >= 10 or job.state not in (ImportState.QUEUED, ImportState.RUNNING):
                last_print = now
                print(f"  {now:6.0f} s  {job.state:8s} {job.phase:6s} checked {job.checked_rows:>9,} "
                      f"imported {job.imported_rows:>9,} (resume row {job.resume_row:,})")  # fmt: skip
            if job.state not in (ImportState.QUEUED, ImportState.RUNNING):
                break
            if killed_at is None and kill_at and job.imported_rows >= kill_at:
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                killed_at = now
                print(f"  {now:6.0f} s  worker killed (SIGKILL) after {job.imported_rows:,} imported rows")
                worker = _start_worker(environment, log)
                restarted_at = now
        elapsed = time.perf_counter() - started
        stored = Passport.objects.filter(unique_identifier__startswith=f"BENCH-{run}-").count()
        print(f"job {job.state} after {elapsed:.0f} s: {job.imported_rows:,} of {job.total_rows:,} rows "
              f"imported, {job.issue_count} errors, {job.attempts} runs; stored: {stored:,}")  # fmt: skip
        print(f"overall {job.imported_rows / elapsed:.0f} passports/s including the kill and the restart")
        if killed_at is not None:
            print(f"killed at {killed_at:.0f} s, worker started again at {restarted_at:.0f} s")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


if __name__ == "__main__":
    main()
