"""Load run (issue 15): the seven roles against gunicorn + Celery worker and beat + PostgreSQL + Redis.

    .venv/bin/python benchmarks/load/run.py                      # 100 users, 5 minutes (about 10 min in all)
    .venv/bin/python benchmarks/load/run.py --users 20 --run-time 1m --reuse    # a quick rerun

Unattended, in this order:

1. a fresh database (`--database-url`, default postgres://postgres@127.0.0.1:5432/passbridge_load, dropped
   and created; never the demo, test or other benchmark databases), migrated; static files collected;
   seeded by `benchmarks/load/seed.py` (the demo world, `--companies` x 1,000 passports from
   `benchmarks/seed.py`, certificates, a review queue, registrations, logins); `--reuse` skips this step;
2. Redis database 12 emptied (`--redis-url`), then the production services as `deploy/` runs them:
   gunicorn with `deploy/gunicorn.conf.py` (5 sync workers on 2 cores), a Celery worker per queue
   (`default` with 4 processes, `pdf` with 1) and beat, all with PASSBRIDGE_ENV=production;
3. locust headless (`benchmarks/load/locustfile.py`, `--users`, `--spawn-rate`, `--run-time`, `--seed`),
   its CSV statistics in `benchmarks/.cache/load/`. People arrive one a second (locust's own default
   spawn rate), as a working day's sign-ins spread out: 100 users are all there after 100 s, and the
   default run time of 6m40s keeps all of them for 5 minutes after that. `--spawn-rate 10` is the
   sign-in burst of the first runs (every password hash at once: see benchmarks/README.md);
4. every process it started is stopped (also on failure or Ctrl-C), then the table is printed: requests,
   failures, median, p95, p99 per endpoint group and in total, plus the server's own view from gunicorn's
   access log. Exit status 1 when any request failed or the total p95 exceeds `--p95-ms` (500).

Production settings, with what a local run over loopback needs and nothing weakened: a random SECRET_KEY,
ALLOWED_HOSTS=127.0.0.1, SITE_URL=https://127.0.0.1:<port>, TRUST_X_FORWARDED_FOR=1 (as behind the TLS
proxy of deploy/nginx.conf.example). There is no proxy here: the load generator sends what the proxy would
add (X-Forwarded-Proto: https and the client's own address in X-Forwarded-For, a different one per
simulated person), so HTTPS redirects, secure cookies, CSRF origin checks, two-factor authentication for
certifiers, inspectors and operators, per-address rate limits and lockouts all stay on. E-mail goes to
files (`EMAIL_BACKEND=file`): there is no SMTP server here. The signing key is a development CA made for
the run (production refuses to make one).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))  # benchmarks/: own_database

from own_database import check_target, percentile, recreate_database  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache" / "load"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/passbridge_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"  # the tests use 10-15 per xdist process; 12 is ours here
VENV_BIN = Path(sys.executable).parent


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.node()}, {os.cpu_count()} cores{memory}, {cpu}, Python {platform.python_version()}"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# ---- environment ---------------------------------------------------------------------------------------
def base_environment(args: argparse.Namespace) -> dict[str, str]:
    """What every process of the run shares (the database, files, signing key)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PASSBRIDGE_", "CELERY_")) and key not in ("REDIS_URL", "DEBUG")
    }
    signing = CACHE / "signing"
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=args.database_url,
        STATIC_ROOT=str(CACHE / "static"),
        PRIVATE_STORAGE_ROOT=str(CACHE / "private"),
        PASSBRIDGE_SIGNING_KEY=str(signing / "signing-key.pem"),
        PASSBRIDGE_SIGNING_CERT=str(signing / "signing-cert.pem"),
        PASSBRIDGE_SIGNING_CA=str(signing / "ca-cert.pem"),
        MPLCONFIGDIR=str(CACHE / "matplotlib"),
        XDG_CACHE_HOME=str(CACHE / "xdg"),
        EMAIL_BACKEND="file",
        EMAIL_FILE_PATH=str(CACHE / "mail"),
        PYTHONPATH=str(ROOT),
    )
    return env


def seed_environment(args: argparse.Namespace) -> dict[str, str]:
    """Seeding: the embedded default's development mode (tasks in-process: certificate PDFs are rendered
    while seeding, nothing waits in a queue when the load starts; the development CA is made here)."""
    return {**base_environment(args), "PASSBRIDGE_ENV": "development", "DEBUG": "0", "LOG_LEVEL": "WARNING"}


def server_environment(args: argparse.Namespace, secret_key: str) -> dict[str, str]:
    origin = f"https://127.0.0.1:{args.port}"
    return {
        **base_environment(args),
        "PASSBRIDGE_ENV": "production",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": origin,
        "SITE_URL": origin,
        "REDIS_URL": args.redis_url,
        "TRUST_X_FORWARDED_FOR": "1",
        "LOG_LEVEL": "INFO",
    }


def prepare(args: argparse.Namespace) -> None:
    check_target(args.database_url)
    name = args.database_url.rsplit("/", 1)[-1]
    if "load" not in name:
        sys.exit(f"Refusing to recreate {name}: the load run's database name must contain 'load'.")
    for sub in ("static", "private", "mail", "matplotlib", "xdg"):
        (CACHE / sub).mkdir(parents=True, exist_ok=True)
    env = seed_environment(args)
    log(f"recreating database {name}")
    recreate_database(args.database_url)
    started = time.monotonic()
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)  # noqa: S603
    log(f"migrated ({time.monotonic() - started:.0f} s)")
    if not (CACHE / "static" / "staticfiles.json").exists():  # delete the folder to collect them again
        production = {**server_environment(args, "collectstatic-only-" + "x" * 40), "REDIS_URL": ""}
        subprocess.run(  # noqa: S603
            [*manage, "collectstatic", "--noinput", "-v", "0"], env=production, cwd=ROOT, check=True
        )
        log("static files collected (WhiteNoise's compressed manifest, as production serves them)")
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "benchmarks.load.seed", "--companies", str(args.companies), "--out",
         str(CACHE / "accounts.json")],
        env=env, cwd=ROOT, check=True,
    )  # fmt: skip


# ---- services ------------------------------------------------------------------------------------------
class Services:
    """The processes of one run; each in a session of its own, so that stopping it stops its children."""

    def __init__(self) -> None:
        self.processes: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        out = (CACHE / f"{name}.out").open("wb")
        err = (CACHE / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True
        )
        self.processes.append((name, process))
        return process

    def check_alive(self) -> None:
        for name, process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {CACHE / (name + '.log')}")

    def stop(self) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # gunicorn and Celery shut down gracefully on TERM
        for name, process in reversed(self.processes):
            try:
                process.wait(timeout=35)
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop within 35 s: killing its process group")
                os.killpg(process.pid, signal.SIGKILL)  # the session started for this process only
                process.wait(timeout=10)
        self.processes.clear()


def start_services(services: Services, args: argparse.Namespace, env: dict[str, str]) -> None:
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()  # our own database: no stale cache, queue or counters
    services.start(
        "gunicorn",
        [str(VENV_BIN / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{args.port}", "portal.wsgi:application"],
        env,
    )  # fmt: skip
    celery = [str(VENV_BIN / "celery"), "--app", "portal"]
    services.start(
        "worker-default",
        [*celery, "worker", "--queues", "default", "--hostname", "load-default@%h", "--concurrency", "4",
         "--max-tasks-per-child", "200", "--loglevel", "INFO"],
        env,
    )  # fmt: skip
    services.start(
        "worker-pdf",
        [*celery, "worker", "--queues", "pdf", "--hostname", "load-pdf@%h", "--concurrency", "1",
         "--max-tasks-per-child", "50", "--loglevel", "INFO"],
        env,
    )  # fmt: skip
    services.start(
        "beat",
        [*celery, "beat", "--schedule", str(CACHE / "celerybeat-schedule"), "--loglevel", "INFO"],
        env,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        services.check_alive()
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{args.port}/healthz", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        raise RuntimeError("gunicorn did not answer /healthz within 90 s")
    time.sleep(3)  # let the Celery workers finish starting (they only read the queues)
    services.check_alive()


# ---- locust --------------------------------------------------------------------------------------------
def run_locust(args: argparse.Namespace) -> int:
    prefix = CACHE / "locust"
    for old in CACHE.glob("locust_*.csv"):
        old.unlink()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PASSBRIDGE_"))},
        "LOAD_ACCOUNTS": str(CACHE / "accounts.json"),
        "LOAD_SEED": str(args.seed),
    }
    command = [
        str(VENV_BIN / "locust"), "--locustfile", str(HERE / "locustfile.py"), "--headless",
        "--host", f"http://127.0.0.1:{args.port}", "--users", str(args.users),
        "--spawn-rate", str(args.spawn_rate), "--run-time", args.run_time, "--stop-timeout", "30",
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
        "--logfile", str(CACHE / "locust.log"), "--exit-code-on-error", "0",
    ]  # fmt: skip
    log(f"locust: {args.users} users, spawn rate {args.spawn_rate}/s, {args.run_time}, seed {args.seed}")
    completed = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603
    return completed.returncode


# ---- report --------------------------------------------------------------------------------------------
def read_stats() -> tuple[list[dict], list[dict]]:
    with (CACHE / "locust_stats.csv").open() as handle:
        stats = list(csv.DictReader(handle))
    failures_file = CACHE / "locust_failures.csv"
    failures = list(csv.DictReader(failures_file.open())) if failures_file.exists() else []
    return stats, failures


def print_table(stats: list[dict]) -> dict:
    header = (
        f"{'endpoint group':<46} {'requests':>8} {'fail':>5} {'req/s':>6} {'median':>7} {'p95':>6} "
        f"{'p99':>6} {'max':>6}"
    )
    print(header)
    print("-" * len(header))
    total: dict = {}
    rows = sorted(stats, key=lambda row: (row["Name"] == "Aggregated", row["Name"]))
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "TOTAL"
        if name == "TOTAL":
            print("-" * len(header))
            total = row
        print(
            f"{name[:46]:<46} {int(row['Request Count']):>8} {int(row['Failure Count']):>5} "
            f"{float(row['Requests/s']):>6.1f} {row['50%']:>7} {row['95%']:>6} {row['99%']:>6} "
            f"{float(row['Max Response Time']):>6.0f}"
        )
    print("times in ms, as the load generator saw them (client side, on the same 2 cores)")
    return total


def server_view(since: float) -> None:
    """Durations gunicorn logged itself (deploy/gunicorn.conf.py's JSON access log): the server's share."""
    durations: list[float] = []
    statuses: dict[int, int] = {}
    slow: dict[str, list[float]] = {}
    for line in (CACHE / "gunicorn.out").read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("type") != "access":
            continue
        durations.append(record["duration_ms"])
        statuses[record["status"]] = statuses.get(record["status"], 0) + 1
        if record["duration_ms"] > 500:
            slow.setdefault(record["method"] + " " + record["path"], []).append(record["duration_ms"])
    if not durations:
        print("gunicorn access log: no requests")
        return
    print(
        f"gunicorn access log: {len(durations)} requests, median {percentile(durations, 0.5):.0f} ms, "
        f"p95 {percentile(durations, 0.95):.0f} ms, p99 {percentile(durations, 0.99):.0f} ms, "
        f"statuses {dict(sorted(statuses.items()))}"
    )
    if slow:
        worst = sorted(slow.items(), key=lambda item: -len(item[1]))[:8]
        print("requests over 500 ms in the server (path: count, max ms):")
        for path, values in worst:
            print(f"  {path[:70]:<70} {len(values):>4} {max(values):>7.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=1)
    parser.add_argument("--run-time", default="6m40s", help="ramp-up (users / spawn rate) + 5 minutes")
    parser.add_argument("--seed", type=int, default=15, help="seed of every simulated person's choices")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--companies", type=int, default=5, help="seeded companies, 1,000 passports each")
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--p95-ms", type=float, default=500.0)
    parser.add_argument("--reuse", action="store_true", help="skip step 1: reuse the seeded database")
    args = parser.parse_args()

    CACHE.mkdir(parents=True, exist_ok=True)
    log(f"machine: {machine()}; load average {load_average()}")
    if not args.reuse or not (CACHE / "accounts.json").exists():
        prepare(args)
    services = Services()
    started = time.time()
    code = 1
    try:
        start_services(services, args, server_environment(args, secrets.token_urlsafe(50)))
        log(f"services up (gunicorn on 127.0.0.1:{args.port}); load average {load_average()}")
        code = run_locust(args)
        log(f"locust finished (exit {code}); load average {load_average()}")
        services.check_alive()
    finally:
        log("stopping services")
        services.stop()
    stats, failures = read_stats()
    print()
    total = print_table(stats)
    if failures:
        print("\nfailures:")
        for row in failures:
            print(f"  {row['Occurrences']:>5} x {row['Method']} {row['Name']}: {row['Error'][:150]}")
    print()
    server_view(started)
    failed = int(total.get("Failure Count", 1))
    p95 = float(total.get("95%", "inf") if total.get("95%") not in (None, "N/A") else "inf")
    verdict = failed == 0 and p95 <= args.p95_ms
    print(
        f"\n{'PASS' if verdict else 'FAIL'}: {failed} failed requests (target 0), total p95 {p95:.0f} ms "
        f"(target <= {args.p95_ms:.0f} ms); CSV files in {CACHE}"
    )
    sys.exit(0 if verdict and code == 0 else 1)


if __name__ == "__main__":
    main()
