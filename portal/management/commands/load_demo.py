"""`manage.py load_demo`: the composition root fills the demo world, app by app (idempotent)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from passports.demo import load_demo_passports
from portal.tenancy.demo import DEMO_PASSWORD, load_demo_world


class Command(BaseCommand):
    help = "Create the demo world with battery passports (idempotent) and print the demo logins."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            logins = load_demo_world()
            summary = load_demo_passports()
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for login in logins:
            self.stdout.write(f"  {login.username:<14} {login.description}")
        self.stdout.write(self.style.SUCCESS("Demo battery passports:"))
        for line in summary:
            self.stdout.write(f"  {line}")
