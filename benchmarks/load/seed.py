"""Data of the load run (issue 15): the demo world, volume from `benchmarks.seed`, and a login per simulated
person. Run by `benchmarks/load/run.py` in its own process (a migrated, empty database):

    DATABASE_URL=postgres://.../passbridge_load python -m benchmarks.load.seed --companies 5 --out FILE

1. `manage.py load_demo` (the documented demo world: both makers, supplier and refiner, both certification
   bodies, the authority, the operator, the eleven oversight companies with four recyclers, certificates);
2. `benchmarks.seed.seed()` (issue 3's seeder): `--companies` x 1,000 published passports with three
   battery models and a confidential supply chain each, an API token per company;
3. certification volume through the demo's own helpers: every seeded company holds a Catena-X certificate
   issued by the EU body (PDF rendered and signed) and has a second application in that body's review queue;
4. five registrations waiting for the operators;
5. logins for the simulated people: clones of the demo persons (same organization, role, permissions,
   language; the demo password), so that no two simulated users share a session or a TOTP device. Roles that
   must use two-factor authentication in production get a confirmed TOTP device; its key goes to the
   accounts file, from which the load generator computes codes as an authenticator app would.

Writes `--out` (JSON, mode 600): the logins per role, the API tokens, passport ids, certificate numbers.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: Logins per simulated role: at least as many as users of that class can run at once (100 users).
POOL = 40
SAMPLE = 2_000  # published passport ids the public visitors and the authority rotate over


def _clone(template, username: str, password_hash: str, *, totp: bool):
    """A new person like `template` (membership, staff flags, permissions, language)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.accounts.models import User
    from portal.tenancy.models import Membership

    user = User.objects.create(
        username=username,
        email=f"{username}@load.example",
        first_name=template.first_name or "Load",
        last_name=username,
        preferred_language=template.preferred_language,
        is_staff=template.is_staff,
        is_superuser=template.is_superuser,
        password=password_hash,  # hashed once for every clone: hashing 200 times would take minutes
    )
    user.user_permissions.set(template.user_permissions.all())
    user.groups.set(template.groups.all())
    membership = Membership.objects.filter(user=template).first()
    if membership is not None:
        Membership.objects.create(user=user, organization=membership.organization, role=membership.role)
    key = None
    if totp:
        from django.conf import settings

        device = TOTPDevice.objects.create(
            user=user, name="Load authenticator", confirmed=True, tolerance=settings.PASSBRIDGE_TOTP_TOLERANCE
        )
        key = device.key
    return {"username": username, "totp": key}


def _certification(companies) -> None:
    """Each seeded company: one Catena-X certificate issued by the EU body, one application in its review."""
    from certification import demo as certification_demo
    from certification.models import Scheme
    from certification.services import applications as application_services
    from portal.accounts.models import User
    from portal.tenancy.models import Organization

    catena_x = Scheme.objects.get(code=certification_demo.CATENA_X["code"])
    body = Organization.objects.get(legal_name=certification_demo.BODY_EU)
    lead = User.objects.get(username="certifier-eu")
    for _organization, admin in companies:
        if not admin.first_name:
            admin.first_name, admin.last_name = "Bench", admin.username
            admin.save(update_fields=["first_name", "last_name"])
        certification_demo._approved(
            certification_demo._apply(admin, catena_x, body), applicant=admin, lead=lead
        )
        application = certification_demo._apply(admin, catena_x, body)
        application_services.answers_save(
            actor=admin,
            application=application,
            answers={c.code: f"See {c.evidence_expected.lower()}" for c in catena_x.criteria.all()},
        )
        application = application_services.application_submit(
            actor=admin, application=application, declaration_name=admin.get_full_name()
        )
        application_services.application_assign(actor=lead, application=application, reviewer=lead)


def _registrations(count: int) -> None:
    from benchmarks.seed import _bpn
    from portal.tenancy.models import DataSpace, OrganizationKind
    from portal.tenancy.services import organization_register

    for n in range(1, count + 1):
        organization_register(
            organization={
                "kind": OrganizationKind.RECYCLER if n % 2 else OrganizationKind.ECONOMIC_OPERATOR,
                "legal_name": f"Load Registration {n:02d} GmbH",
                "country": "DE",
                "street": f"Antragsweg {n}",
                "postal_code": "10115",
                "city": "Berlin",
                "website": "",
                "data_spaces": DataSpace.CATENA_X,
                "bpnl": _bpn("L", 60_000 + n),
            },
            admin={
                "username": f"load-applicant-{n:02d}",
                "email": f"load-applicant-{n:02d}@load.example",
                "password": "Quartz-meadow-7391",
            },
        )


def seed(companies: int, out: Path, log=print) -> None:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction

    from benchmarks import seed as volume
    from certification.models import Certificate
    from passports.models import Passport
    from portal.accounts.models import User
    from portal.tenancy.demo import DEMO_PASSWORD

    started = time.monotonic()
    call_command("ensure_signing_key")
    call_command("load_demo")
    log(f"demo world loaded ({time.monotonic() - started:.0f} s)")

    # Issue 3's seeder, with its token file kept apart from the one `benchmarks/run.py` reuses.
    volume.TOKENS_FILE = out.with_name("tokens.json")
    example_values = volume._example_values

    def corrected_example() -> tuple[dict, dict]:
        # The official example is placed on the market (2000-01-01) before it is made (2000-01-31), which
        # the passport services refuse since the date-order rule (passports/catalogue/validation.py).
        model_values, battery_values = example_values()
        battery_values["placed_on_market_date"] = datetime.date(
            2023, 7, 1
        )  # made 2000, in service 2023-07-08
        return model_values, battery_values

    volume._example_values = corrected_example
    tokens = volume.seed(companies=companies, log=log)
    bench = [volume._company(index) for index in range(1, companies + 1)]  # (organization, admin)
    with transaction.atomic():
        _certification(bench)
        _registrations(5)
    log(f"certificates and review queue ({time.monotonic() - started:.0f} s)")

    password_hash = make_password(DEMO_PASSWORD)
    accounts: dict[str, list[dict]] = {}
    with transaction.atomic():
        # Company staff: editors spread over the seeded companies (1,000 passports each) and the two makers.
        makers = [User.objects.get(username=name) for name in ("eu-maker", "jp-maker")]
        staff_templates = [admin for _org, admin in bench] + makers
        accounts["staff"] = []
        for n in range(POOL):
            template = staff_templates[n % len(staff_templates)]
            accounts["staff"].append(_clone(template, f"load-staff-{n:03d}", password_hash, totp=False))
        roles = {
            "regulator": (["regulator"], True),
            "certifier": (["certifier-eu", "certifier-jp"], True),
            "supplier": (["supplier", "refiner"], False),
            "recycler": (["demo-kreis-de", "demo-circulo-be", "demo-saisei-jp", "demo-renew-fi"], False),
            "operator": (["operator"], True),
        }
        for role, (names, totp) in roles.items():
            templates = [User.objects.get(username=name) for name in names]
            accounts[role] = [
                _clone(templates[n % len(templates)], f"load-{role}-{n:03d}", password_hash, totp=totp)
                for n in range(POOL)
            ]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.public_id FROM passports_passport p WHERE EXISTS (SELECT 1 FROM "
            "passports_passportversion v WHERE v.passport_id = p.id AND v.state = 'published') "
            "ORDER BY p.public_id LIMIT %s",
            [SAMPLE],
        )
        public_ids = [str(row[0]) for row in cursor.fetchall()]
        cursor.execute("VACUUM ANALYZE")
    certificates = list(Certificate.objects.order_by("number").values_list("number", flat=True))
    data = {
        "password": DEMO_PASSWORD,
        "accounts": accounts,
        "tokens": list(tokens.values()),
        "public_passports": public_ids,
        "certificates": certificates,
        "unique_identifiers": list(
            Passport.objects.filter(public_id__in=public_ids[:200]).values_list(
                "unique_identifier", flat=True
            )
        ),
    }
    out.write_text(json.dumps(data, indent=1))
    out.chmod(0o600)
    log(
        f"seeded in {time.monotonic() - started:.0f} s: {Passport.objects.count()} passports, "
        f"{len(certificates)} certificates, {sum(len(v) for v in accounts.values())} logins -> {out}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--companies", type=int, default=5)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    seed(args.companies, args.out)


if __name__ == "__main__":
    main()
