"""`manage.py pact_client --organization <BPNL|corporate number|LEI> --client-id ID --client-secret SECRET
--callback URL [--name NAME] [--partner-client-id ID --partner-client-secret SECRET]`: create or update the
PACT client acting for that company (with the credentials the partner issued to the portal, if any)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from pact.services import client_save
from portal.tenancy.models import Organization


class Command(BaseCommand):
    help = "Create or update a PACT client (OAuth2 client credentials) acting for a company."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--organization", required=True, help="BPNL, corporate number or LEI of the company"
        )
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--callback", required=True, help="the partner's https base URL")
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--partner-client-id", default="", help="the client id the partner issued to the portal"
        )
        parser.add_argument(
            "--partner-client-secret", default="", help="its secret (events then carry the partner's token)"
        )

    def handle(self, *args, **options) -> None:
        identifier = options["organization"].strip().upper()
        organization = Organization.objects.filter(
            Q(bpnl=identifier) | Q(corporate_number=identifier) | Q(lei=identifier)
        ).first()
        if organization is None:
            raise CommandError(f"No organization is registered under {identifier[:40]!r}.")
        try:
            client, created = client_save(
                actor=None,
                organization=organization,
                client_id=options["client_id"],
                secret=options["client_secret"],
                callback_url=options["callback"],
                name=options["name"],
                partner_client_id=options["partner_client_id"],
                partner_secret=options["partner_client_secret"],
            )
        except ValidationError as error:
            lines = [
                f"{field}: {message}"
                for field, messages in error.message_dict.items()
                for message in messages
            ]
            raise CommandError("; ".join(lines)) from None
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} PACT client {client.client_id} acting for {organization.legal_name}.")
