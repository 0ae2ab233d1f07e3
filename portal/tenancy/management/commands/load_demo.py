from django.core.management.base import BaseCommand

from portal.tenancy.demo import DEMO_PASSWORD, load_demo_world


class Command(BaseCommand):
    help = "Create the demo world (idempotent) and print the demo logins."

    def handle(self, *args, **options) -> None:
        logins = load_demo_world()
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for login in logins:
            self.stdout.write(f"  {login.username:<14} {login.description}")
