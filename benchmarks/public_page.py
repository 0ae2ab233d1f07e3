"""CPU time of the public passport page (`/p/<id>/`, HTML) in process: its body rendered on every request
(the body cache off) and taken from the cache, per language.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_scale \\
        .venv/bin/python benchmarks/public_page.py [--pages 100] [--repeat 3] [--profile tottime]

Any seeded benchmark database will do (`run.py`'s or `seed_fast.py`'s). Each measurement requests `--pages`
different published passports once through Django's test client, as an anonymous visitor, and divides this
process's CPU time (`time.process_time`: neither PostgreSQL's CPU nor the neighbours' load counts) by the
pages; the best of `--repeat` is printed. `--profile KEY` prints a cProfile of the pages not cached instead.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import configure_environment, sample_passport_ids


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--languages", default="en,de,ja")
    parser.add_argument(
        "--profile", metavar="SORT", default="", help="cProfile sort key (tottime, cumulative)"
    )
    args = parser.parse_args()

    configure_environment()
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    ids = sample_passport_ids(args.pages)
    client = Client(SERVER_NAME="127.0.0.1")

    def pages(language: str) -> None:
        for passport_id in ids:
            response = client.get(
                f"/p/{passport_id}/", headers={"Accept": "text/html", "Accept-Language": language}
            )
            assert response.status_code == 200, (passport_id, response.status_code)

    def best(language: str) -> float:
        fastest = float("inf")
        for _ in range(args.repeat):
            started = time.process_time()
            pages(language)
            fastest = min(fastest, (time.process_time() - started) / len(ids) * 1000)
        return fastest

    languages = args.languages.split(",")
    for language in languages:  # warm up: templates, catalogues, prepared statements
        pages(language)
    cached_seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
    if args.profile:
        settings.PUBLIC_PAGE_CACHE_SECONDS = 0
        cache.clear()
        profiler = cProfile.Profile()
        profiler.enable()
        pages(languages[0])
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.profile).print_stats(40)
        return
    print(f"{len(ids)} pages; CPU ms a page, best of {args.repeat}")
    print(f"{'language':<10} {'not cached':>12} {'cached':>10}")
    for language in languages:
        settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # bodies neither kept nor found
        cache.clear()
        not_cached = best(language)
        settings.PUBLIC_PAGE_CACHE_SECONDS = cached_seconds or 3600
        cache.clear()
        pages(language)  # every body in the cache
        print(f"{language:<10} {not_cached:>12.2f} {best(language):>10.2f}")


if __name__ == "__main__":
    main()
