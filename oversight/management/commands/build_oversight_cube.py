"""`manage.py build_oversight_cube [--year Y]`: build one year's cube now, in this process."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from oversight.worker import alerts, cube


class Command(BaseCommand):
    help = "Build the oversight cube of a year (default: this year) and raise its alerts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args, year: int | None, **options) -> None:
        year = year or timezone.localdate().year
        if not 1990 <= year <= timezone.localdate().year:
            raise CommandError(f"Choose a year between 1990 and {timezone.localdate().year}.")
        build = cube.build_cube(cube.request_build(year).pk)
        flagged = alerts.flag_transfers(year=year)
        cells = build.cells.count()
        self.stdout.write(f"Cube {year} version {build.version}: {cells} cells, {flagged} flagged transfers.")
