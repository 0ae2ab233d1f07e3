"""`manage.py ensure_signing_key`: create the development CA and signing key when missing (never in
production), and show which files the platform signs with."""

from django.core.management.base import BaseCommand

from portal.signing import load_signing_material, signing_paths, trusted_roots


class Command(BaseCommand):
    help = "Create the development signing CA, key and certificate when they are missing, and check them."

    def handle(self, *args, **options) -> None:
        material = load_signing_material()
        key_path, cert_path, ca_path = signing_paths()
        subject = material.certificate.subject.rfc4514_string()
        self.stdout.write(f"Signing key {key_path}, certificate {cert_path} ({subject}), CA {ca_path}")
        earlier = trusted_roots()[1:]  # raises on an unreadable PASSBRIDGE_SIGNING_EARLIER_CAS
        for root in earlier:
            self.stdout.write(f"Still trusted for documents: earlier CA {root.subject.rfc4514_string()}")
