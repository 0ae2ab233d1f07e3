"""Certificate PDF benchmark (issue 5, "Performance"): prints figures, passes or fails nothing.

    .venv/bin/python benchmarks/certificate_pdf.py [--rounds 20] [--documents 30] [--concurrency 1 2]

In one run, on a PostgreSQL database of its own (BENCH_PDF_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/pb_bench_pdf; dropped and created afresh, filled by `load_demo`, dropped
again at the end) with its own temporary private storage and development signing CA:

- render time per certificate document through the portal code (facts, template, QR code, allow-list URL
  fetcher, PDF/A-3b with the JSON attachment) versus a bare WeasyPrint render of the same HTML with
  WeasyPrint's own fetcher and no attachment (goal: at most 1.3x);
- the PAdES signature time (pyHanko, EC P-256);
- the whole task body (render + sign + store) per document;
- documents per second through the Celery "pdf" queue: for each concurrency N a real
  `celery -A portal worker -Q pdf --pool=prefork --concurrency=N` subprocess consumes Redis
  (BENCH_REDIS_URL, default redis://127.0.0.1:6379/9: a database of the benchmark's own, whose "pdf" queue
  is purged), 2N warm-up documents are rendered first (each pool process loads fonts and templates once),
  then the render task is enqueued for `--documents` fresh certificates and the wall time runs until the
  database shows every one of their documents ready, with the CPU time the worker's processes spent on
  them. The worker is stopped after each batch, also on errors, Ctrl-C and SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pb_bench_pdf"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
QUEUE = "pdf"
#: Databases this script must never drop: the test databases, the demo's, the passports benchmark's seed.
PROTECTED_DATABASES = ("passbridge", "pb_bench", "postgres", "template0", "template1")


def _environment(workdir: Path, database_url: str, redis_url: str) -> None:
    for name in ("PRIVATE_STORAGE_ROOT", "CELERY_TASK_ALWAYS_EAGER"):
        os.environ.pop(name, None)
    os.environ.update(
        PASSBRIDGE_ENV="development",
        DEBUG="0",  # DEBUG keeps every SQL query in memory, in the workers too
        SECRET_KEY=secrets.token_urlsafe(50),
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="benchmarks.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        PRIVATE_STORAGE_ROOT=str(workdir / "private"),
        PASSBRIDGE_SIGNING_KEY=str(workdir / "signing" / "key.pem"),
        PASSBRIDGE_SIGNING_CERT=str(workdir / "signing" / "cert.pem"),
        PASSBRIDGE_SIGNING_CA=str(workdir / "signing" / "ca.pem"),
    )
    sys.path.insert(0, str(ROOT))


def _recreate_database(database_url: str, *, drop_only: bool = False) -> None:
    import psycopg

    server, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def _check_targets(database_url: str, redis_url: str) -> None:
    name = database_url.rsplit("/", 1)[-1]
    if not database_url.startswith("postgres") or name.startswith("test") or name in PROTECTED_DATABASES:
        sys.exit(f"Refusing to drop and recreate {database_url}: give the benchmark a database of its own.")
    if not redis_url.startswith("redis://"):
        sys.exit(f"BENCH_REDIS_URL must be a redis:// URL, not {redis_url}")


def _raise_keyboard_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def timed(function, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def line(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    print(f"  {label:<44} median {median * 1000:7.1f} ms   min {min(times) * 1000:7.1f} ms   n={len(times)}")
    return median


# ---- the Celery "pdf" queue with real workers --------------------------------------------------------------


def start_worker(concurrency: int, log: Path) -> subprocess.Popen:
    celery = Path(sys.executable).parent / "celery"
    command = [
        str(celery), "-A", "portal", "worker", "-Q", QUEUE, "--pool=prefork", f"--concurrency={concurrency}",
        "-n", f"pb-bench-pdf-{concurrency}-{os.getpid()}@%h", "--loglevel=WARNING",
        # Alone on its own Redis database: no other worker to synchronise with or to hear from.
        "--without-mingle", "--without-gossip", "--without-heartbeat",
    ]  # fmt: skip
    environment = {k: v for k, v in os.environ.items() if k != "CELERY_TASK_ALWAYS_EAGER"}
    # Its own session: Ctrl-C in the terminal reaches this script only, which stops the worker itself.
    with log.open("ab") as output:  # banner, warnings and errors: printed when something goes wrong
        return subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # warm shutdown: running tasks end, reserved ones go back
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
    # The pool processes too, should the main process have died without them (the session is the worker's).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def session_cpu_seconds(session: int) -> float:
    """CPU time (user + system) of the worker's processes so far: its session holds the main process and
    the pool. On a shared machine this tells what the documents cost, whatever the neighbours took."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[3]) == session:  # after the name: state, ppid, pgrp, session, ..., utime, stime
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def purge_queue() -> None:
    from portal.celery import app

    with app.connection_for_write() as connection:
        channel = connection.default_channel
        channel.queue_purge(QUEUE)
        # Called while no worker runs: what a killed worker still held (acks_late) would otherwise come back
        # after the visibility timeout, into a later run.
        channel.client.delete(channel.unacked_key, channel.unacked_index_key)


def fresh_certificates(template, count: int, tag: str) -> list[int]:
    """`count` new recognised certificates with the template's facts, each with a copy of the template's
    origin (a recognised certificate's document states the most: its origin too). No document yet."""
    from django.db import transaction

    from certification.models import Certificate

    def copy(certificate, number: str, **changes) -> Certificate:
        clone = Certificate.objects.get(pk=certificate.pk)
        clone.pk = None
        clone.public_id = uuid.uuid4()
        clone.number = number
        clone.application = None
        for field, value in changes.items():
            setattr(clone, field, value)
        return clone

    origin = template.origin
    with transaction.atomic():
        origins = Certificate.objects.bulk_create(
            [copy(origin, f"{origin.number}-{tag}{i:03d}") for i in range(count)]
        )
        copies = Certificate.objects.bulk_create(
            [copy(template, f"{template.number}-{tag}{i:03d}", origin=o) for i, o in enumerate(origins)]
        )
    return [c.pk for c in copies]


def wait_ready(ids: list[int], worker: subprocess.Popen, log: Path, timeout: float) -> float:
    """Seconds until the documents of `ids` are all ready (polling the database, as a page would)."""
    from certification.documents.models import CertificateDocument, DocumentStatus

    start = time.perf_counter()
    documents = CertificateDocument.objects.filter(certificate_id__in=ids)
    while True:
        if documents.filter(status=DocumentStatus.READY).count() == len(ids):
            return time.perf_counter() - start
        failed = list(documents.exclude(last_error="").values_list("certificate__number", "last_error")[:3])
        if failed:
            raise RuntimeError(f"render failed: {failed}; worker log {log}:\n{_tail(log)}")
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited with {worker.returncode}:\n{_tail(log)}")
        if time.perf_counter() - start > timeout:
            raise RuntimeError(f"documents not ready within {timeout:.0f} s:\n{_tail(log)}")
        time.sleep(0.05)


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no worker log)"


def queue_throughput(
    template, concurrency: int, documents: int, workdir: Path, batch_number: int
) -> tuple[float, float]:
    """(wall seconds, worker CPU seconds) for `documents` fresh certificates through a worker with N pool
    processes."""
    from certification import tasks

    warm_up = fresh_certificates(template, 2 * concurrency, f"W{batch_number}-")
    batch = fresh_certificates(template, documents, f"B{batch_number}-")
    purge_queue()
    log = workdir / f"worker-{batch_number}.log"
    worker = start_worker(concurrency, log)
    try:
        timeout = 120 + 10 * documents
        for pk in warm_up:  # also waits for the worker to start (its boot is not charged to the batch)
            tasks.render_certificate_document.delay(pk)
        wait_ready(warm_up, worker, log, timeout)
        cpu = session_cpu_seconds(worker.pid)
        start = time.perf_counter()
        for pk in batch:
            tasks.render_certificate_document.delay(pk)
        wait_ready(batch, worker, log, timeout)
        seconds = time.perf_counter() - start  # from the first enqueue to the last document ready
        cpu = session_cpu_seconds(worker.pid) - cpu
    finally:
        stop_worker(worker)
        purge_queue()
    return seconds, cpu


# ---- main ------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20, help="renders and signatures measured in-process")
    parser.add_argument("--documents", type=int, default=30, help="fresh certificates per queue batch")
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[1, 2], help="worker pool sizes, one batch each"
    )
    args = parser.parse_args()
    if args.rounds < 1 or args.documents < 1 or min(args.concurrency) < 1:
        parser.error("--rounds, --documents and --concurrency must be at least 1")
    database_url = os.environ.get("BENCH_PDF_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    _check_targets(database_url, redis_url)
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)  # so that `finally` stops the workers
    signal.signal(signal.SIGHUP, _raise_keyboard_interrupt)

    with tempfile.TemporaryDirectory(prefix="pb-pdf-bench-") as tmp:
        workdir = Path(tmp)
        _environment(workdir, database_url, redis_url)
        _recreate_database(database_url)
        try:
            run(args, workdir, database_url, redis_url)
        finally:
            from django.db import connections

            connections.close_all()
            _recreate_database(database_url, drop_only=True)


def run(args: argparse.Namespace, workdir: Path, database_url: str, redis_url: str) -> None:
    # load_demo renders the demo documents in-process; the queue measurement turns that off below.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from weasyprint import HTML

    from certification.documents.models import CertificateDocument
    from certification.documents.render import certificate_html, render_certificate
    from certification.documents.services import document_render
    from certification.documents.signature import sign_pdf
    from certification.models import Certificate
    from portal.celery import app as celery_app

    print(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    print(f"Preparing: migrate and load_demo on {database_url} ...", flush=True)
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("migrate", verbosity=0)
        call_command("load_demo")
    certificate = Certificate.objects.filter(origin__isnull=False).order_by("pk").first()
    count = CertificateDocument.objects.count()
    print(f"Certificate {certificate.number} ({count} demo documents rendered)")

    html, _data, _digest = certificate_html(certificate)
    base_url = (ROOT / "static").as_uri() + "/"
    rendered = render_certificate(certificate)  # warm-up: fonts, caches, imports
    HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/a-3b")

    def bare_render() -> None:
        HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/a-3b")

    # Interleaved, so a busy neighbour or CPU frequency drift weighs on both sides alike.
    portal_times: list[float] = []
    bare_times: list[float] = []
    for _ in range(args.rounds):
        portal_times += timed(lambda: render_certificate(certificate), 1)
        bare_times += timed(bare_render, 1)
    print(f"Render ({args.rounds} rounds each, interleaved):")
    portal = line("portal code (render_certificate)", portal_times)
    bare = line("bare WeasyPrint, same HTML", bare_times)
    print(f"  ratio portal / bare: {portal / bare:.2f}x (goal <= 1.3x)")

    print("Signature:")
    line("PAdES sign (pyHanko, EC P-256)", timed(lambda: sign_pdf(rendered.pdf), args.rounds))

    def full_task() -> None:
        with transaction.atomic():
            CertificateDocument.objects.filter(certificate=certificate).delete()
        document_render(certificate_id=certificate.pk)

    print("Whole task body:")
    task_body = line("render + sign + store (document_render)", timed(full_task, max(3, args.rounds // 2)))
    print(f"  in-process, one after the other: {1 / task_body:.2f} documents/s")

    celery_app.conf.task_always_eager = False
    print(
        f"Celery '{QUEUE}' queue ({args.documents} fresh certificates per batch after 2N warm-up documents; "
        f"prefork workers on {redis_url}, {os.cpu_count()} cores):",
        flush=True,
    )
    rates: dict[int, list[float]] = {}
    for batch_number, concurrency in enumerate(args.concurrency, start=1):
        load = os.getloadavg()[0]
        seconds, cpu = queue_throughput(certificate, concurrency, args.documents, workdir, batch_number)
        rate = args.documents / seconds
        rates.setdefault(concurrency, []).append(rate)
        print(
            f"  concurrency {concurrency}: {args.documents} documents in {seconds:6.2f} s = "
            f"{rate:5.2f} documents/s   (worker CPU {cpu:.1f} s = {cpu / args.documents * 1000:.0f} ms per "
            f"document; load average before {load:.1f})",
            flush=True,
        )
    # Repeated pool sizes (`--concurrency 1 2 1 2`): the median of each, since a shared machine drifts; the
    # ratio is to the smallest pool.
    medians = {n: statistics.median(values) for n, values in sorted(rates.items())}
    smallest = min(medians)
    summary = ", ".join(
        f"{n}: {rate:.2f} documents/s" + (f" = {rate / medians[smallest]:.2f}x" if n != smallest else "")
        for n, rate in medians.items()
    )
    print(f"  median per concurrency: {summary}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("Interrupted: workers stopped, benchmark database dropped.")
