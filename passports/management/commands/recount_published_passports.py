"""`manage.py recount_published_passports`: count each company's published passports anew.

The triggers of `passports.published_counts` keep the counts as versions are written. A load that bypasses
triggers (`session_replication_role = replica`, as benchmarks/seed_fast.py copies; a `pg_restore
--disable-triggers`) leaves them behind: this command counts them again from the version table.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from passports import published_counts
from passports.models import PublishedPassportCount


class Command(BaseCommand):
    help = "Count each company's published passports anew (after a load that bypassed the triggers)."

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The published passport counts are kept on PostgreSQL only.")
        published_counts.recount()
        companies = PublishedPassportCount.objects.count()
        passports = sum(PublishedPassportCount.objects.values_list("passports", flat=True))
        self.stdout.write(f"Published passports counted anew: {passports} (companies with any: {companies}).")
