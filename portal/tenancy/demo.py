"""The demo world: active organizations and the documented demo logins. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from portal.accounts.models import User

from .models import DataSpace, Membership, Organization, OrganizationKind, OrganizationStatus, Role, Site

DEMO_PASSWORD = "passbridge-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    description: str


DEMO_ORGANIZATIONS = [
    {
        "key": "eu-maker",
        "kind": OrganizationKind.ECONOMIC_OPERATOR,
        "legal_name": "Elektra Batteriewerk GmbH",
        "country": "DE",
        "street": "Industriestraße 12",
        "postal_code": "38440",
        "city": "Wolfsburg",
        "website": "https://elektra-batteriewerk.example",
        "data_spaces": DataSpace.CATENA_X,
        "bpnl": "BPNL00000000EMT8",
        "lei": "5299000DEMOEUMAKER36",
        "sites": [
            {
                "name": "Werk Salzgitter",
                "street": "Zellstraße 1",
                "postal_code": "38239",
                "city": "Salzgitter",
                "country": "DE",
                "bpn": "BPNS00000000EPIC",
            }
        ],
    },
    {
        "key": "jp-maker",
        "kind": OrganizationKind.ECONOMIC_OPERATOR,
        "legal_name": "Sakura Denchi Kabushiki Kaisha",
        "country": "JP",
        "street": "1-2-3 Marunouchi",
        "postal_code": "100-0005",
        "city": "Tokyo",
        "website": "https://sakura-denchi.example",
        "data_spaces": DataSpace.OURANOS,
        "corporate_number": "5301001077777",
        "lei": "5299000DEMOJPMAKER21",
        "sites": [
            {
                "name": "Himeji Cell Plant",
                "street": "5-1 Shikama-ku",
                "postal_code": "672-8023",
                "city": "Himeji",
                "country": "JP",
                "bpn": "BPNS0000000EP2AJ",
            }
        ],
    },
    {
        "key": "supplier",
        "kind": OrganizationKind.SUPPLIER,
        "legal_name": "Nordic Cathode Materials Oy",
        "country": "FI",
        "street": "Teollisuuskatu 7",
        "postal_code": "67100",
        "city": "Kokkola",
        "website": "https://nordic-cathode.example",
        "data_spaces": DataSpace.BOTH,
        "bpnl": "BPNL00000000SPU7",
        "lei": "5299000DEMOSUPPLY121",
        "sites": [],
    },
    {
        "key": "refiner",
        "kind": OrganizationKind.SUPPLIER,
        "legal_name": "Boreal Battery Metals Oy",
        "country": "FI",
        "street": "Teollisuustie 4",
        "postal_code": "29200",
        "city": "Harjavalta",
        "website": "https://boreal-battery-metals.example",
        "data_spaces": DataSpace.BOTH,
        "bpnl": "BPNL00000000RFQU",
        "lei": "5299000DEMOREFINE150",
        "sites": [],
    },
    {
        "key": "body-eu",
        "kind": OrganizationKind.CERTIFICATION_BODY,
        "legal_name": "Prüfstelle Nord Zertifizierung GmbH",
        "country": "DE",
        "street": "Prüfweg 3",
        "postal_code": "20095",
        "city": "Hamburg",
        "website": "https://pruefstelle-nord.example",
        "data_spaces": DataSpace.CATENA_X,
        "bpnl": "BPNL00000000CBG9",
        "sites": [],
    },
    {
        "key": "body-jp",
        "kind": OrganizationKind.CERTIFICATION_BODY,
        "legal_name": "Japan Battery Assurance Institute",
        "country": "JP",
        "street": "2-4-1 Shibakoen",
        "postal_code": "105-0011",
        "city": "Tokyo",
        "website": "https://jbai.example",
        "data_spaces": DataSpace.OURANOS,
        "corporate_number": "5401001088888",
        "sites": [],
    },
    {
        "key": "authority",
        "kind": OrganizationKind.AUTHORITY,
        "legal_name": "Federal Market Surveillance Office (demo)",
        "country": "DE",
        "street": "Behördenplatz 1",
        "postal_code": "10117",
        "city": "Berlin",
        "website": "https://market-surveillance.example",
        "data_spaces": DataSpace.NONE,
        "bpnl": "BPNL00000000MS1L",
        "sites": [],
    },
    {
        "key": "operator",
        "kind": OrganizationKind.PLATFORM_OPERATOR,
        "legal_name": "PassBridge Operations",
        "country": "BE",
        "street": "Rue de la Loi 1",
        "postal_code": "1000",
        "city": "Brussels",
        "website": "https://passbridge.example",
        "data_spaces": DataSpace.BOTH,
        "bpnl": "BPNL00000000PB90",
        "lei": "529900PASSBRIDGE0032",
        "sites": [],
    },
]

DEMO_USERS = [
    {
        "username": "eu-maker",
        "org": "eu-maker",
        "role": Role.ADMIN,
        "first_name": "Lena",
        "last_name": "Krüger",
        "language": "de",
        "description": "admin of Elektra Batteriewerk GmbH (German battery maker, BPNL, Catena-X)",
    },
    {
        "username": "jp-maker",
        "org": "jp-maker",
        "role": Role.ADMIN,
        "first_name": "Haruto",
        "last_name": "Sato",
        "language": "ja",
        "description": "admin of Sakura Denchi K.K. (Japanese battery maker, corporate number, Ouranos)",
    },
    {
        "username": "supplier",
        "org": "supplier",
        "role": Role.ADMIN,
        "first_name": "Aino",
        "last_name": "Virtanen",
        "language": "en",
        "description": "admin of Nordic Cathode Materials Oy (cathode-material supplier)",
    },
    {
        "username": "refiner",
        "org": "refiner",
        "role": Role.ADMIN,
        "first_name": "Eero",
        "last_name": "Lindqvist",
        "language": "en",
        "description": "admin of Boreal Battery Metals Oy (lithium and nickel refiner, supplier's supplier)",
    },
    {
        "username": "certifier-eu",
        "org": "body-eu",
        "role": Role.LEAD,
        "first_name": "Jonas",
        "last_name": "Becker",
        "language": "de",
        "description": "lead auditor at Prüfstelle Nord Zertifizierung GmbH (assigns and reviews)",
    },
    {
        "username": "certifier-jp",
        "org": "body-jp",
        "role": Role.LEAD,
        "first_name": "Yui",
        "last_name": "Tanaka",
        "language": "ja",
        "description": "lead auditor at Japan Battery Assurance Institute (assigns and reviews)",
    },
    {
        "username": "regulator",
        "org": "authority",
        "role": Role.INSPECTOR,
        "first_name": "Miriam",
        "last_name": "Schulz",
        "language": "en",
        "description": "inspector at a market surveillance authority",
    },
    {
        "username": "operator",
        "org": None,
        "role": None,
        "first_name": "Olivia",
        "last_name": "Operator",
        "language": "en",
        "description": "platform operator (Django admin at /admin/)",
        "staff": True,
    },
]


@transaction.atomic
def load_demo_world() -> list[DemoLogin]:
    organizations: dict[str, Organization] = {}
    for spec in DEMO_ORGANIZATIONS:
        data = {key: value for key, value in spec.items() if key not in ("key", "sites")}
        org, _created = Organization.objects.get_or_create(
            legal_name=data.pop("legal_name"), defaults={**data, "status": OrganizationStatus.ACTIVE}
        )
        organizations[spec["key"]] = org
        for site in spec["sites"]:
            Site.objects.get_or_create(
                organization=org, name=site["name"], defaults={k: v for k, v in site.items() if k != "name"}
            )
    logins = []
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec["username"]).first()
        if user is None:
            user = User(
                username=spec["username"],
                email=f"{spec['username']}@passbridge-demo.example",
                first_name=spec["first_name"],
                last_name=spec["last_name"],
                preferred_language=spec["language"],
                is_staff=spec.get("staff", False),
                is_superuser=spec.get("staff", False),
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        if spec["org"] is not None:
            # The demo's roles are part of its contract (certifiers lead their bodies): restore them.
            Membership.objects.update_or_create(
                user=user, defaults={"organization": organizations[spec["org"]], "role": spec["role"]}
            )
        logins.append(DemoLogin(spec["username"], spec["description"]))
    return logins
