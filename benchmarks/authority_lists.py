"""Authority lists at scale (issue 18): p50/p99 per page of the lists an authority reads, in process.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/passbridge_bench18 \\
        .venv/bin/python benchmarks/authority_lists.py [--companies 1000] [--certificates 200000] \\
        [--rounds 20]

Seeds like `benchmarks/run.py` (`seed.py`: `--companies` x 1,000 published passports, skipped when already
seeded), then adds what `run.py` does not need: one authority with a member, and `--certificates`
certificates (bulk rows, one scheme, held by the bench companies, issued by one certification body). Both
are idempotent. Then, with the Django test client (the whole middleware stack, no HTTP server), it requests
each page `--rounds` times and prints p50/p99 in milliseconds with the SQL queries of one request:

- the passport list API `/api/v1/passports/` (50 per page) and the browser list `/passports/` (25 per page):
  first page, a middle page by number, the last page by number (`?page=last`), a page far down by cursor
  (following `next_cursor` links from the first page would take too long, so the cursor of a row in the
  middle of the list is built directly), and with a search (an identifier fragment matching one company's
  passports, a model name matching two thirds of all);
- the certificate registry page `/certificates/` and API `/api/v1/certificates/` the same way (search on a
  holder name fragment, filter by country, sort by holder name).

Figures are wall time per request in this process (PostgreSQL on the same machine), so they include the
database; `--explain` prints EXPLAIN (ANALYZE, BUFFERS) of the authority's count and first page instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AUTHORITY_USER = "bench-authority"
BODY_NAME = "Bench Certification Body"
CERT_PREFIX = "BENCH-C-"
BATCH = 5_000


def _setup(companies: int, certificates: int) -> None:
    os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/passbridge_bench18")
    sys.path.insert(0, str(REPO))
    from benchmarks import run

    database_url = run.configure_environment()
    run.create_database(database_url)
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks import seed

    print(f"database: {database_url}")
    call_command("migrate", verbosity=0, interactive=False)
    # The tokens of run.py's cache are not needed here: keep them out of its cache file.
    seed.CACHE_DIR = REPO / "benchmarks" / ".cache" / "authority_lists"
    seed.TOKENS_FILE = seed.CACHE_DIR / "tokens.json"
    seed.CACHE_DIR.mkdir(parents=True, exist_ok=True)
    seed.seed(companies=companies)
    _seed_authority()
    _seed_certificates(certificates)


def _seed_authority():
    from benchmarks import seed
    from portal.accounts.models import User
    from portal.tenancy.groups import organization_group
    from portal.tenancy.models import Membership, Organization, OrganizationKind, OrganizationStatus, Role

    user = User.objects.filter(username=AUTHORITY_USER).first()
    if user is not None:
        return user
    authority = Organization.objects.create(
        kind=OrganizationKind.AUTHORITY,
        legal_name="Bench Market Surveillance Authority",
        country="DE",
        street="Amtsweg 1",
        postal_code="10115",
        city="Berlin",
        bpnl=seed._bpn("L", 90_000),
        status=OrganizationStatus.ACTIVE,
    )
    organization_group(authority)
    user = User.objects.create_user(username=AUTHORITY_USER, email="authority@bench.example", password=None)
    Membership.objects.create(user=user, organization=authority, role=Role.INSPECTOR)
    return user


def _seed_certificates(wanted: int) -> None:
    """Bulk certificate rows: numbers BENCH-C-0000001..., holders round-robin over the bench companies, 12
    holder countries, issue dates spread over five years, a fifth suspended or revoked."""
    from django.db import connection, transaction

    from benchmarks import seed
    from certification.models import Certificate, CertificateStatus, Scheme
    from portal.tenancy.models import Organization, OrganizationKind, OrganizationStatus

    have = Certificate.objects.filter(number__startswith=CERT_PREFIX).count()
    if have >= wanted:
        with connection.cursor() as cursor:  # the statistics of indexes added since (expression indexes)
            cursor.execute("ANALYZE certification_certificate")
        return
    body, _created = Organization.objects.get_or_create(
        legal_name=BODY_NAME,
        kind=OrganizationKind.CERTIFICATION_BODY,
        defaults={
            "country": "DE",
            "street": "Prüfstraße 1",
            "postal_code": "80331",
            "city": "München",
            "bpnl": seed._bpn("L", 90_001),
            "status": OrganizationStatus.ACTIVE,
        },
    )
    scheme = Scheme.objects.order_by("pk").first()
    holders = list(
        Organization.objects.filter(kind=OrganizationKind.ECONOMIC_OPERATOR, legal_name__startswith="Bench")
        .order_by("pk")
        .values_list("pk", "legal_name")
    )
    countries = ["DE", "FR", "IT", "ES", "PL", "SE", "NL", "JP", "CN", "KR", "US", "CZ"]
    statuses = [CertificateStatus.VALID] * 8 + [CertificateStatus.SUSPENDED, CertificateStatus.REVOKED]
    start = datetime(2022, 1, 1, tzinfo=UTC)
    started = time.monotonic()
    for first in range(have, wanted, BATCH):
        rows = []
        for n in range(first, min(first + BATCH, wanted)):
            holder_id, holder_name = holders[n % len(holders)]
            issued = start + timedelta(minutes=n * 7 % (5 * 365 * 24 * 60), seconds=n % 60)
            rows.append(
                Certificate(
                    public_id=uuid.uuid4(),
                    number=f"{CERT_PREFIX}{n:07d}",
                    scheme=scheme,
                    scheme_version=scheme.version,
                    holder_id=holder_id,
                    holder_name=f"{holder_name} {n % 97:02d}",
                    holder_country=countries[n % len(countries)],
                    holder_bpnl=f"BPNL{n:012d}",
                    issuing_body=body,
                    issuing_body_name=body.legal_name,
                    issued_at=issued,
                    valid_from=issued.date(),
                    valid_until=issued.date() + timedelta(days=365 * 3 + n % 200),
                    status=statuses[n % len(statuses)],
                    status_changed_at=issued,
                )
            )
        with transaction.atomic():
            Certificate.objects.bulk_create(rows)
        print(f"  certificates: {first + len(rows)}/{wanted} ({time.monotonic() - started:.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) certification_certificate")


# ---- measuring --------------------------------------------------------------------------------------------
def _timed(client, path: str, params: dict, rounds: int) -> tuple[float, float, int, int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path, params)  # warm: the session, the grant group, prepared statements
    times = []
    for _ in range(rounds):
        begin = time.perf_counter()
        response = client.get(path, params)
        times.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, (path, params, response.status_code, response.content[:300])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    times.sort()
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return statistics.median(times), p99, len(queries), response.status_code, response


def _cursor_at_middle(kind: str) -> str | None:
    """A cursor positioned in the middle of the default order (newest first), or None before issue 18."""
    from django.db import connection

    try:
        if kind == "passports":
            from passports.list_query import ListKey as Key
        else:
            from certification.registry import RegistryKey as Key
    except ImportError:
        return None
    table = "passports_passport" if kind == "passports" else "certification_certificate"
    column = "created_at" if kind == "passports" else "issued_at"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - table names of this script
        middle = cursor.fetchone()[0] // 2
        cursor.execute(
            f"SELECT {column}, id FROM {table} ORDER BY {column} DESC, id DESC OFFSET %s LIMIT 1",  # noqa: S608
            [middle],
        )
        value, pk = cursor.fetchone()
    ordering = ("-created_at",) if kind == "passports" else ("-issued_at",)
    return Key(ordering=ordering, values=(value,), pk=pk, number=middle // 50 + 1).encode()


def _explain() -> None:
    from django.db import connection

    from passports.list_query import PassportListFilters, PassportListQuery
    from portal.accounts.models import User
    from portal.tenancy.selectors import active_organization_of

    organization = active_organization_of(User.objects.get(username=AUTHORITY_USER))
    query = PassportListQuery(organization, PassportListFilters())
    captured: list[tuple[str, list]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, list(params or [])))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        query.fetch(offset=0, limit=50)
    with connection.cursor() as cursor:
        for sql, params in captured:
            if "EXPLAIN" in sql:
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))
            print()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--companies", type=int, default=1000, help="companies of 1,000 passports each")
    parser.add_argument("--certificates", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=20, help="requests per page")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN the authority's list page instead")
    parser.add_argument("--only", choices=["passports", "certificates"], default=None)
    args = parser.parse_args()
    _setup(args.companies, args.certificates)
    if args.explain:
        _explain()
        return

    from django.test import Client
    from django.test.utils import setup_test_environment

    from passports.models import Passport
    from portal.accounts.models import User

    setup_test_environment()  # the test client's template context (the page's count) and host checks
    client = Client()
    client.force_login(User.objects.get(username=AUTHORITY_USER))
    total = Passport.objects.count()
    print(f"passports: {total}; rounds per page: {args.rounds}")
    print(f"{'page':62s} {'p50 ms':>8s} {'p99 ms':>8s} {'queries':>8s}  count")
    middle_api, middle_web = max(1, total // 100), max(1, total // 50)
    pages = []
    if args.only in (None, "passports"):
        cursor = _cursor_at_middle("passports")
        pages += [
            ("API passports, first page", "/api/v1/passports/", {}),
            (
                f"API passports, page {middle_api} (middle, by number)",
                "/api/v1/passports/",
                {"page": middle_api},
            ),
            ("API passports, ?page=last", "/api/v1/passports/", {"page": "last"}),
            *(
                [("API passports, middle by cursor", "/api/v1/passports/", {"cursor": cursor})]
                if cursor
                else []
            ),
            ("API passports, search 'PB400-' (one company)", "/api/v1/passports/", {"search": "PB400-"}),
            ("API passports, search 'PB999-' (no match)", "/api/v1/passports/", {"search": "PB999-"}),
            ("API passports, search '000123' (few rows)", "/api/v1/passports/", {"search": "000123"}),
            (
                "API passports, search 'bench pack' (2/3 of all)",
                "/api/v1/passports/",
                {"search": "bench pack"},
            ),
            (
                "API passports, ordering=unique_identifier",
                "/api/v1/passports/",
                {"ordering": "unique_identifier"},
            ),
            ("web passports, first page", "/passports/", {}),
            (f"web passports, page {middle_web} (middle, by number)", "/passports/", {"page": middle_web}),
            *([("web passports, middle by cursor", "/passports/", {"cursor": cursor})] if cursor else []),
            ("web passports, search 'PB400-'", "/passports/", {"q": "PB400-"}),
            ("web passports, search 'PB999-' (no match)", "/passports/", {"q": "PB999-"}),
            ("web passports, search '000123'", "/passports/", {"q": "000123"}),
        ]
    if args.only in (None, "certificates"):
        cursor = _cursor_at_middle("certificates")
        pages += [
            ("API certificates, first page", "/api/v1/certificates/", {}),
            ("API certificates, page 2000 (middle, by number)", "/api/v1/certificates/", {"page": 2000}),
            *(
                [("API certificates, middle by cursor", "/api/v1/certificates/", {"cursor": cursor})]
                if cursor
                else []
            ),
            ("API certificates, search 'Works 123 GmbH'", "/api/v1/certificates/", {"q": "Works 123 GmbH"}),
            ("API certificates, country=JP", "/api/v1/certificates/", {"country": "JP"}),
            ("API certificates, ordering=holder_name", "/api/v1/certificates/", {"ordering": "holder_name"}),
            ("web certificates, first page", "/certification/certificates/", {}),
            (
                "web certificates, page 4000 (middle, by number)",
                "/certification/certificates/",
                {"page": 4000},
            ),
            (
                "web certificates, search 'BENCH-C-00123'",
                "/certification/certificates/",
                {"q": "BENCH-C-00123"},
            ),
            (
                "web certificates, ordering=-valid_until",
                "/certification/certificates/",
                {"ordering": "-valid_until"},
            ),
        ]
    for label, path, params in pages:
        p50, p99, queries, _status, response = _timed(client, path, params, args.rounds)
        count = ""
        if path.startswith("/api/"):
            body = response.json()
            count = f"{body.get('count')}{' (estimate)' if body.get('count_is_estimate') else ''}"
        elif response.context is not None and "page" in response.context:
            count = str(response.context.get("total_label") or response.context["page"].paginator.count)
        print(f"{label:62s} {p50:8.1f} {p99:8.1f} {queries:8d}  {count}")


if __name__ == "__main__":
    main()
