"""`manage.py load_demo`: the composition root fills the demo world, app by app (idempotent)."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from certification.demo import load_demo_certification
from exchange.demo import load as load_demo_exchange
from oversight.demo import load as load_demo_oversight
from passports.demo import load_demo_passports
from portal.tenancy.demo import DEMO_PASSWORD, load_demo_world

QUIET_MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}


class Command(BaseCommand):
    help = "Create the demo world with battery passports (idempotent) and print the demo logins."

    def handle(self, *args, **options) -> None:
        # The demo's reviews notify its people in the portal; nobody needs those e-mails in a console.
        with override_settings(MAILERS=QUIET_MAILERS), transaction.atomic():
            logins = load_demo_world()
            summary = load_demo_passports()
            certificates = load_demo_certification()
            exchange = load_demo_exchange()
            oversight = load_demo_oversight()
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for login in logins:
            self.stdout.write(f"  {login.username:<14} {login.description}")
        self.stdout.write(self.style.SUCCESS("Demo battery passports:"))
        for line in summary:
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS("Demo certificates:"))
        for line in certificates:
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS("Demo supplier data exchange:"))
        for line in exchange:
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS("Demo mineral-flow oversight (log in as regulator):"))
        for line in oversight:
            self.stdout.write(f"  {line}")
