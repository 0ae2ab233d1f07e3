"""An authority's passport search in the database (issue 18): the page's SQL as the API runs it, timed, and
its plan with buffers.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_scale \\
        .venv/bin/python benchmarks/explain_search.py 000832 PB4200- "bench module" [--rounds 20] [--explain]

For each term: the statements of one first page (`PassportListQuery.page(50, render="json")`, what the API
answers), then `--rounds` more pages timed (wall clock in this process, PostgreSQL on the same machine),
printed as p50/max in milliseconds with the page's total; `--explain` prints EXPLAIN (ANALYZE, BUFFERS) of
each plain statement of one more page (the small prepared look-ups of grants, models and companies
aside). The authority is the one `authority_lists.py` seeds (`scale_run.py` does).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import configure_environment


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "terms",
        nargs="+",
        help="search terms, each listed on its own; NAME=VALUE lists with that filter, `all` the whole list",
    )
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    configure_environment()
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from benchmarks.authority_lists import AUTHORITY_USER
    from passports.list_query import PassportListFilters, PassportListQuery
    from portal.accounts.models import User
    from portal.tenancy.selectors import active_organization_of

    organization = active_organization_of(User.objects.get(username=AUTHORITY_USER))
    for term in args.terms:
        name, _sep, value = term.partition("=")
        if term == "all":  # the whole list, no filter
            filters = PassportListFilters()
        elif value and name in PassportListFilters.__dataclass_fields__:  # manufacturer=BPNL..., country=JP
            filters = PassportListFilters(**{name: value})
        else:
            filters = PassportListFilters(search_terms=tuple(term.split()))
        PassportListQuery(organization, filters).page(50, render="json")  # warm the process's caches
        times, page = [], None
        for _ in range(args.rounds):
            started = time.perf_counter()
            page = PassportListQuery(organization, filters).page(50, render="json")
            times.append((time.perf_counter() - started) * 1000)
        total = f"{page.total:,}{' (estimated)' if page.estimated else ''}" if page else "no rows"
        print(f"{term!r:24} p50 {statistics.median(times):7.1f} ms  max {max(times):7.1f} ms  total {total}")
        if not args.explain:
            continue
        with CaptureQueriesContext(connection) as captured:
            PassportListQuery(organization, filters).page(50, render="json")
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                if not query["sql"].startswith(("SELECT", "WITH")):
                    continue  # EXPLAIN itself, and prepared statements (logged with their parameters apart)
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                print("\n".join(row[0] for row in cursor.fetchall()), end="\n\n")


if __name__ == "__main__":
    main()
