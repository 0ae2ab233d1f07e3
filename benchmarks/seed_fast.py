"""Fast seeder for the scale run (issue 18): `--companies` x 1,000 published passports, the copies made by
PostgreSQL.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_scale \\
        .venv/bin/python benchmarks/seed_fast.py --companies 10000 [--batch 100]

The same data as `seed.py` (read its docstring): per company an admin with an API token, three battery
models carrying the official example's model values with a confidential supply chain, and per model one
template passport made and published by the real services (`passport_create`, `passport_publish`). What
differs is how the other 997 passports of a company are made: not as Python objects but by one
`INSERT ... SELECT ... FROM generate_series(4, 1000)` per batch of companies, a new `public_id` from
`gen_random_uuid()`, the identifier and serial number `seed.py` gives (`PB<company>-<number>`,
`SN<company><number>`) and the version's `data` with the same three keys rewritten by `jsonb_set`; every
other column is the template's. Passport `created_at` is `clock_timestamp()` (distinct, increasing, as
the ORM's `auto_now_add` gives one by one).

Speed:
- the services (templates, tokens) of the next batches run in this process while PostgreSQL copies earlier
  batches on `--workers` other connections (threads waiting on their query), so every core works: the
  copy is bound by the CPU rewriting and compressing each version's 9 kB JSON document (about 0.17 ms
  per passport);
- the copy transaction runs with `session_replication_role = replica` (a superuser's setting: the
  benchmark connects as `postgres`), which skips the deferred foreign key triggers (20 million checks of
  rows that copy existing ones) and the triggers that count each company's published passports, which are
  counted once at the end instead (`passports.published_counts.recount`);
- the two indexes expensive to maintain row by row, the unique `public_id` (random UUIDs: a write at a
  random place of a 10-million-entry tree) and the trigram GIN index on identifiers, are dropped before the
  first copy and rebuilt at the end (their definitions are kept in `benchmarks/.cache/scale/` so an
  interrupted run rebuilds them when resumed); autovacuum is off on the two tables during the load, then
  `VACUUM (ANALYZE)` as `seed.py` ends.

Resumable: a company with its three templates is not made again; a batch's copies are one transaction, so a
company has 3 or 1,000 passports, and only companies with 3 are copied. Progress, rate and ETA are printed
per batch. Before each batch the free disk space is checked: the run stops when the projected database
growth (bytes per passport so far x passports still to copy) would leave less than `--min-free-gb` (8).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CACHE_DIR = REPO / "benchmarks" / ".cache" / "scale"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pb_scale"
PASSPORTS_PER_COMPANY = 1_000
GB = 1024**3

#: Indexes dropped during the bulk load: (name, is a constraint).
DROPPED = (("passports_passport_public_id_key", True), ("passports_identifier_trgm", False))
LOADED_TABLES = ("passports_passport", "passports_passportversion")
ANALYZE_EVERY = 10  # batches

COPY_SQL = """
WITH c AS (
    SELECT * FROM unnest(%(orgs)s::bigint[], %(labels)s::text[]) AS c(org_id, label)
), t AS MATERIALIZED (
    -- The templates (PB<company>-000001..3), one per battery model, their data read and decompressed once.
    -- Looked up by the unique (organization, identifier) and the version index: a plan that does not
    -- depend on statistics gathered when the tables were small.
    SELECT p.organization_id, c.label, p.battery_model_id, p.status, k AS template_number,
           v.number, v.data::text::jsonb AS data, v.published_at, v.published_by_id
    FROM c
    CROSS JOIN generate_series(1, 3) AS k
    JOIN passports_passport p
      ON p.organization_id = c.org_id
     AND p.unique_identifier = 'PB' || c.label || '-' || lpad(k::text, 6, '0')
    JOIN LATERAL (
        SELECT * FROM passports_passportversion v
        WHERE v.passport_id = p.id AND v.state = 'published' ORDER BY v.number DESC LIMIT 1
    ) v ON true
), ins AS (
    INSERT INTO passports_passport
        (public_id, organization_id, battery_model_id, unique_identifier, status, created_at)
    SELECT gen_random_uuid(), organization_id, battery_model_id, identifier, status, clock_timestamp()
    FROM (
        -- seed.py's round robin: passport n is a copy of template (n mod 3) + 1
        SELECT t.organization_id, t.battery_model_id, t.status, n,
               'PB' || t.label || '-' || lpad(n::text, 6, '0') AS identifier
        FROM t JOIN generate_series(4, %(per_company)s) AS n ON n %% 3 = t.template_number - 1
        ORDER BY t.organization_id, n
    ) numbered
    RETURNING id, public_id, unique_identifier, battery_model_id
)
INSERT INTO passports_passportversion
    (passport_id, number, state, data, created_at, updated_at, published_at, published_by_id)
SELECT ins.id, t.number, 'published',
       jsonb_set(jsonb_set(jsonb_set(t.data,
           '{passport_id}', to_jsonb(ins.public_id::text)),
           '{unique_identifier}', to_jsonb(ins.unique_identifier)),
           '{serial_identifiers}', jsonb_build_array(jsonb_build_object(
               'key', 'partInstanceId',
               'value', 'SN' || replace(substr(ins.unique_identifier, 3), '-', '')))),
       now(), now(), t.published_at, t.published_by_id
FROM ins JOIN t ON t.battery_model_id = ins.battery_model_id
"""


def configure(database_url: str | None = None) -> str:
    """Django configured on the scale database (run.py's environment); returns its URL."""
    os.environ["BENCH_DATABASE_URL"] = database_url or os.environ.get(
        "BENCH_DATABASE_URL", DEFAULT_DATABASE_URL
    )
    sys.path.insert(0, str(REPO))
    from benchmarks import run

    url = run.configure_environment()
    run.create_database(url)
    import django

    django.setup()
    return url


def _free_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        data_directory = cursor.fetchone()[0]
    try:
        return shutil.disk_usage(data_directory).free
    except OSError:  # not readable from here: the same disk on this machine
        return shutil.disk_usage("/").free


def _database_size() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


def _label(index: int) -> str:
    """The company part of `seed._identifier` (`PB001-000001`: "001")."""
    return f"{index:03d}"


def _templates(index: int, model_values: dict, battery_values: dict) -> tuple[Any, Any, int]:
    """The company, its admin and its templates (made when missing) in one transaction; returns
    (organization, admin, passports it has)."""
    from django.db import transaction

    from benchmarks import seed
    from passports import services
    from passports.models import Passport, PassportVersion

    with transaction.atomic():
        organization, admin = seed._company(index)
        own = Passport.objects.filter(organization=organization)
        if own.filter(unique_identifier=seed._identifier(index, PASSPORTS_PER_COMPANY)).exists():
            return organization, admin, PASSPORTS_PER_COMPANY  # copied (later passports do not count)
        templates = [seed._identifier(index, n) for n in range(1, seed.MODELS_PER_COMPANY + 1)]
        have = own.filter(unique_identifier__in=templates).count()
        if have == seed.MODELS_PER_COMPANY:
            return organization, admin, have
        if own.exists():  # templates interrupted half-way (the copies are one transaction): start again
            PassportVersion.objects.filter(passport__organization=organization).delete()
            own.delete()
        company_model_values = seed._fix_identifiers(model_values, index)
        company_model_values["manufacturer_bpnl"] = organization.bpnl
        for m, (name, part_id) in enumerate(seed.MODEL_VARIANTS[: seed.MODELS_PER_COMPANY]):
            battery_model = seed.ensure_model(admin, organization, company_model_values, name, part_id)
            number = m + 1
            template = services.passport_create(
                actor=admin,
                battery_model=battery_model,
                values={
                    **seed._fix_identifiers(battery_values, index),
                    "unique_identifier": seed._identifier(index, number),
                    "serial_identifiers": seed._serials(index, number),
                },
            )
            services.passport_publish(actor=admin, passport=template)
        return organization, admin, seed.MODELS_PER_COMPANY


def _token(organization, admin, cached: dict[str, str]) -> str:
    from benchmarks import seed
    from portal.accounts.models import ApiToken, hash_token
    from portal.accounts.services import api_token_create

    value = cached.get(str(organization.public_id))
    if not value or not ApiToken.objects.usable().filter(user=admin, key_hash=hash_token(value)).exists():
        _token_row, value = api_token_create(actor=admin, name=seed.TOKEN_NAME)
    return value


def _copy(batch: list[tuple[int, int]]) -> tuple[int, float]:
    """Copy the templates of (organization id, company index) pairs in one transaction, on this thread's
    own connection; returns (passports made, seconds)."""
    from django.db import connection, transaction

    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # The rows copy rows that exist (the templates', organization, model, admin): skip the deferred
        # foreign-key triggers, 20 million checks at ten million passports.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            COPY_SQL,
            {
                "orgs": [org for org, _index in batch],
                "labels": [_label(index) for _org, index in batch],
                "per_company": PASSPORTS_PER_COMPANY,
            },
        )
        made = cursor.rowcount
    return made, time.monotonic() - started


def _copier(jobs: queue.Queue, results: queue.Queue) -> None:
    """A copy thread: copies the batches it is given on its own connection until it gets None."""
    from django.db import connection

    try:
        while (batch := jobs.get()) is not None:
            try:
                results.put(_copy(batch))
            except BaseException as error:
                results.put(error)
    finally:
        connection.close()


def _dropped_file() -> Path:
    from django.db import connection

    return CACHE_DIR / f"dropped-indexes-{connection.settings_dict['NAME']}.json"


def drop_indexes(log=print) -> None:
    from django.db import connection

    path = _dropped_file()
    saved: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    with connection.cursor() as cursor:
        for name, is_constraint in DROPPED:
            cursor.execute("SELECT pg_get_indexdef(oid) FROM pg_class WHERE relname = %s", [name])
            row = cursor.fetchone()
            if row is None:
                continue  # dropped by an interrupted run: its definition is in the file
            if is_constraint:
                cursor.execute(
                    "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conname = %s",
                    [name],
                )
                table, definition = cursor.fetchone()
                saved[name] = f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
            else:
                saved[name] = row[0]
            path.write_text(json.dumps(saved, indent=1))
            if is_constraint:
                cursor.execute(f'ALTER TABLE passports_passport DROP CONSTRAINT "{name}"')
            else:
                cursor.execute(f'DROP INDEX "{name}"')
            log(f"  dropped {name} for the load")
        for table in LOADED_TABLES:
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")


def rebuild_indexes(log=print) -> None:
    from django.db import connection

    path = _dropped_file()
    saved: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '2GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for name, definition in saved.items():
            cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s", [name])
            if cursor.fetchone():
                continue
            started = time.monotonic()
            cursor.execute(definition)
            log(f"  rebuilt {name} in {time.monotonic() - started:.0f} s")
        for table in LOADED_TABLES:
            cursor.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")
    path.unlink(missing_ok=True)


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(LOADED_TABLES)}")


def vacuum_analyze(log=print) -> None:
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '2GB'")
        cursor.execute(
            "VACUUM (ANALYZE) passports_passport, passports_passportversion, passports_batterymodel, "
            "tenancy_organization, accounts_apitoken, accounts_user, tenancy_membership"
        )
    log(f"  VACUUM (ANALYZE) in {time.monotonic() - started:.0f} s")


def seed_fast(
    companies: int, batch: int = 100, min_free_gb: float = 8.0, workers: int = 2, log=print
) -> tuple[dict[str, str], dict[str, float]]:
    """Seed (or complete) `companies` x 1,000 passports; returns ({organization id: token}, timings)."""
    from benchmarks import seed
    from benchmarks.authority_lists import _seed_authority
    from passports import published_counts
    from passports.models import Passport

    started = time.monotonic()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tokens_file = tokens_path()
    cached: dict[str, str] = json.loads(tokens_file.read_text()) if tokens_file.exists() else {}
    tokens: dict[str, str] = {}
    model_values, battery_values = seed._example_values()
    _seed_authority()

    size_before, passports_before = _database_size(), Passport.objects.count()
    per_passport = 4_700.0  # bytes, seed.py's 4.45 GB per million until this run has measured its own
    free = _free_bytes()
    to_make = max(0, companies * PASSPORTS_PER_COMPANY - passports_before)
    log(
        f"  {passports_before} passports now, {to_make} to make; {free / GB:.1f} GB free, about "
        f"{to_make * per_passport / GB:.1f} GB needed at {per_passport:.0f} bytes per passport"
    )
    copied = 0
    copy_seconds = 0.0
    services_seconds = 0.0
    copy_started = None
    jobs: queue.Queue = queue.Queue(maxsize=workers)  # at most `workers` batches wait for a copier
    results: queue.Queue = queue.Queue()
    copiers = [threading.Thread(target=_copier, args=(jobs, results), daemon=True) for _ in range(workers)]
    for thread in copiers:
        thread.start()

    def collect(block: bool = False) -> None:
        nonlocal copied, copy_seconds
        while True:
            try:
                outcome = results.get(block=block, timeout=None) if block else results.get_nowait()
            except queue.Empty:
                return
            if isinstance(outcome, BaseException):
                raise outcome
            copied += outcome[0]
            copy_seconds += outcome[1]
            if block:
                return

    queued = queued_passports = 0
    try:
        for first in range(1, companies + 1, batch):
            indexes = range(first, min(first + batch, companies + 1))
            begun = time.monotonic()
            to_copy: list[tuple[int, int]] = []
            for index in indexes:
                organization, admin, have = _templates(index, model_values, battery_values)
                tokens[str(organization.public_id)] = _token(organization, admin, cached)
                if have < PASSPORTS_PER_COMPANY:
                    to_copy.append((organization.pk, index))
            services_seconds += time.monotonic() - begun
            tokens_file.write_text(json.dumps({**cached, **tokens}, indent=1))
            tokens_file.chmod(0o600)
            collect()
            if to_copy:
                # Disk: what the copies so far cost per passport, times what is left.
                if copied:
                    # The growth includes the batches being copied now, written in part: count half.
                    in_flight = queued_passports - copied
                    per_passport = (_database_size() - size_before) / (copied + in_flight / 2)
                left = (companies - first + 1) * PASSPORTS_PER_COMPANY
                free = _free_bytes()
                if free - left * per_passport < min_free_gb * GB:
                    log(
                        f"STOP: {free / GB:.1f} GB free, {left} passports left at {per_passport:.0f} bytes "
                        f"each would leave less than {min_free_gb} GB"
                    )
                    break
                if copy_started is None:
                    drop_indexes(log)
                    copy_started = time.monotonic()
                jobs.put(to_copy)  # waits while every copier is busy and one batch is already waiting
                queued += 1
                queued_passports += len(to_copy) * (PASSPORTS_PER_COMPANY - seed.MODELS_PER_COMPANY)
                if queued % ANALYZE_EVERY == 0:
                    # Autovacuum is off during the load: fresh statistics keep the services' own queries
                    # (a company's passports) on their indexes as the tables grow.
                    _analyze()
            done = indexes[-1]
            elapsed = time.monotonic() - started
            if copy_started and copied:
                rate = copied / (time.monotonic() - copy_started)
                eta = max(0, companies - done) * PASSPORTS_PER_COMPANY / rate
                rate_text = f", {rate:,.0f} passports/s, ETA {eta / 60:.0f} min"
            else:
                rate_text = ""
            log(
                f"  companies {done}/{companies}: {passports_before + copied:,} passports committed, "
                f"{elapsed:.0f} s{rate_text}, {_free_bytes() / GB:.1f} GB free"
            )
    finally:
        for _thread in copiers:
            jobs.put(None)
        for thread in copiers:
            thread.join()
    collect()

    load_seconds = time.monotonic() - started
    rebuild_started = time.monotonic()
    rebuild_indexes(log)
    rebuild_seconds = time.monotonic() - rebuild_started
    if copied:
        # The copies ran without triggers (`session_replication_role = replica`): count the companies'
        # published passports as the triggers would have (passports.published_counts).
        recount_started = time.monotonic()
        published_counts.recount()
        log(f"  published passports per company counted again in {time.monotonic() - recount_started:.0f} s")
    vacuum_started = time.monotonic()
    if copied or rebuild_seconds > 1:
        vacuum_analyze(log)
    vacuum_seconds = time.monotonic() - vacuum_started
    total = Passport.objects.count()
    seconds = time.monotonic() - started
    made = total - passports_before
    log(
        f"  {total:,} passports ({made:,} made) in {seconds:.0f} s: load {load_seconds:.0f} s (services "
        f"{services_seconds:.0f} s, copies {copy_seconds:.0f} s summed over {workers} connections, "
        "overlapped), "
        f"index rebuild {rebuild_seconds:.0f} s, VACUUM ANALYZE {vacuum_seconds:.0f} s; "
        f"{made / seconds if seconds else 0:,.0f} passports/s overall"
    )
    timings = {
        "seconds": seconds,
        "load": load_seconds,
        "rebuild": rebuild_seconds,
        "vacuum": vacuum_seconds,
        "made": made,
        "total": total,
    }
    if made:  # the record of the run that seeded the database, not of a later check
        (CACHE_DIR / f"seed-{_database_name()}.json").write_text(json.dumps(timings, indent=1))
    return tokens, timings


def tokens_path() -> Path:
    """{organization public id: API token value} of the companies' admins, one file per database."""
    return CACHE_DIR / f"tokens-{_database_name()}.json"


def _database_name() -> str:
    from django.db import connection

    return connection.settings_dict["NAME"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--companies", type=int, default=10_000, help="companies of 1,000 passports each")
    parser.add_argument("--batch", type=int, default=100, help="companies per copy transaction (default 100)")
    parser.add_argument("--min-free-gb", type=float, default=8.0)
    parser.add_argument(
        "--workers", type=int, default=2, help="connections copying batches while the services run (2)"
    )
    args = parser.parse_args()
    url = configure()
    from django.core.management import call_command

    print(f"database: {url}")
    call_command("migrate", verbosity=0, interactive=False)
    seed_fast(args.companies, args.batch, args.min_free_gb, args.workers)


if __name__ == "__main__":
    main()
