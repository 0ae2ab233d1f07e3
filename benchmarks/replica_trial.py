"""Trial: the public look-ups on a real streaming replica (issue 18, "public look-ups from a read replica
behind an HTTP cache"). Prints what happened; not a test.

Starts two throw-away PostgreSQL clusters on this machine (a primary on 127.0.0.1:5433 and a streaming
replica of it on 5434, made with pg_basebackup), migrates a portal database on the primary, publishes a
passport through the services, then asks the public URLs with `DATABASE_REPLICA_URL` pointing at the
replica and reports, from each server's own statistics, which one answered them; then publishes a new
version and asks its JSON at once (read from the primary during the grace period, not the lagging
replica), and measures the replica's lag. Everything is removed at the end.

    .venv/bin/python benchmarks/replica_trial.py

Needs PostgreSQL 15 server binaries (/usr/lib/postgresql/15/bin), root (the clusters run as `postgres`)
and Redis on 127.0.0.1:6379 (database 6 is the shared cache of the trial, emptied at the start).
"""

# ruff: noqa: S603, S607 - fixed commands (runuser, PostgreSQL's own binaries), no input in them.
from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
PRIMARY, REPLICA = 5433, 5434
NAME = "passbridge_replica_trial"
GRACE = 3  # seconds (PUBLIC_READ_REPLICA_GRACE_SECONDS; 30 by default)


def _as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True)


def _start_clusters(root: Path) -> None:
    primary, replica = root / "primary", root / "replica"
    _as_postgres(str(BIN / "initdb"), "-D", str(primary), "-A", "trust", "-U", "postgres")
    with (primary / "postgresql.conf").open("a") as conf:
        conf.write(f"port = {PRIMARY}\nlisten_addresses = '127.0.0.1'\nwal_level = replica\n")
        conf.write("log_statement = 'all'\n")
        conf.write("max_wal_senders = 4\nunix_socket_directories = '/tmp'\n")
    _as_postgres(str(BIN / "pg_ctl"), "-D", str(primary), "-l", str(root / "primary.log"), "-w", "start")
    _as_postgres(str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY), "-U", "postgres",
                 "-D", str(replica), "-R", "-X", "stream")  # fmt: skip
    with (replica / "postgresql.conf").open("a") as conf:
        conf.write(f"port = {REPLICA}\n")  # log_statement = 'all' comes with the primary's configuration
    _as_postgres(str(BIN / "pg_ctl"), "-D", str(replica), "-l", str(root / "replica.log"), "-w", "start")


def _stop_clusters(root: Path) -> None:
    for name in ("replica", "primary"):
        if (root / name / "postmaster.pid").exists():
            subprocess.run(["runuser", "-u", "postgres", "--", str(BIN / "pg_ctl"), "-D", str(root / name),
                            "-m", "fast", "-w", "stop"], capture_output=True)  # fmt: skip


class _Statements:
    """The statements each server logged (log_statement = 'all') that touch the portal's passport tables,
    since the last `take`: each server's own account of what it answered."""

    def __init__(self, root: Path) -> None:
        self.logs = {"primary": root / "primary.log", "replica": root / "replica.log"}
        self.seen = {name: 0 for name in self.logs}

    def take(self) -> dict[str, list[str]]:
        from django.db import connections

        connections.close_all()
        time.sleep(0.2)
        found = {}
        for name, log in self.logs.items():
            text = log.read_text(errors="replace")
            new, self.seen[name] = text[self.seen[name] :], len(text)
            # One entry per statement, over several lines when the SQL has them; simple queries are logged as
            # "statement:", prepared ones (the hot queries) as "execute <name>:".
            entries = re.split(r"\n(?=\d{4}-\d\d-\d\d )", new)
            found[name] = [
                entry
                for entry in entries
                if ("statement:" in entry or "execute " in entry) and "passports_" in entry
            ]
        return found


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="pb-replica-"))
    shutil.chown(root, "postgres", "postgres")
    try:
        _start_clusters(root)
        subprocess.run(["runuser", "-u", "postgres", "--", "createdb", "-h", "127.0.0.1", "-p", str(PRIMARY),
                        NAME], check=True)  # fmt: skip
        os.environ.update(
            {
                "PASSBRIDGE_ENV": "development",
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PRIMARY}/{NAME}",
                "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{REPLICA}/{NAME}",
                "REDIS_URL": "redis://127.0.0.1:6379/6",
                "PUBLIC_READ_REPLICA_GRACE_SECONDS": str(GRACE),
                "DJANGO_SETTINGS_MODULE": "portal.settings",
            }
        )
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        _trial(root)
    finally:
        _stop_clusters(root)
        shutil.rmtree(root, ignore_errors=True)


def _trial(root: Path) -> None:
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from passports import services
    from portal.tenancy.models import Role
    from tests.factories import BEFORE_OBLIGATIONS, OrganizationFactory, member
    from tests.passports.conftest import MODEL_VALUES

    call_command("migrate", verbosity=0)
    cache.clear()
    company = OrganizationFactory(legal_name="Replica Trial GmbH")
    admin = member(Role.ADMIN, company, username="replica-admin")
    model = services.battery_model_create(actor=admin, organization=company, values=dict(MODEL_VALUES))
    passport = services.passport_create(
        actor=admin, battery_model=model, values={"unique_identifier": "RT-1"}
    )
    services.passport_publish(actor=admin, passport=passport, on=BEFORE_OBLIGATIONS)
    lag = _lag(passport.public_id)
    print(f"replica caught up with the publication after {lag * 1000:.0f} ms")

    time.sleep(GRACE + 0.5)  # the publication's grace period over: the replica answers from now on
    client = Client()
    urls = [f"/p/{passport.public_id}/", f"/p/{passport.public_id}/qr.svg", "/p/lookup/?id=RT-1"]
    statements = _Statements(root)
    statements.take()
    statuses = [client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code for url in urls]
    statuses.append(client.get(urls[0], HTTP_ACCEPT="application/json").status_code)
    seen = statements.take()
    print(f"public look-ups (page, QR, look-up, JSON) answered {statuses}; statements on passport tables: "
          f"primary {len(seen['primary'])}, replica {len(seen['replica'])}")  # fmt: skip

    services.passport_update(actor=admin, passport=passport, values={"manufacturing_place": "Kyoto"})
    services.passport_publish(actor=admin, passport=passport, on=BEFORE_OBLIGATIONS)
    statements.take()
    answer = client.get(urls[0], HTTP_ACCEPT="application/json").json()
    seen = statements.take()
    print(f"JSON asked at once after a second publication: version {answer['version']}; statements: "
          f"primary {len(seen['primary'])}, replica {len(seen['replica'])} (the grace period)")  # fmt: skip

    logging.disable(logging.INFO)  # the sign-in's log lines
    client.force_login(admin)
    assert client.get(f"/passports/{passport.public_id}/").status_code == 200
    seen = statements.take()
    print(f"the owner's passport page: statements on passport tables: primary {len(seen['primary'])}, "
          f"replica {len(seen['replica'])}")  # fmt: skip


def _lag(public_id) -> float:
    """Seconds until the replica shows the passport's publication."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{REPLICA}/{NAME}", autocommit=True) as conn:
        while time.perf_counter() - started < 30:
            found = conn.execute(
                "SELECT 1 FROM passports_passportversion v JOIN passports_passport p ON p.id = v.passport_id "
                "WHERE p.public_id = %s AND v.state = 'published'",
                [public_id],
            ).fetchone()
            if found:
                return time.perf_counter() - started
            time.sleep(0.005)
    raise SystemExit("the replica did not catch up within 30 s")


if __name__ == "__main__":
    main()
