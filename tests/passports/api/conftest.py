"""A small world for the passport API: one owner company and every other kind of caller.

Planted markers, one per audience class, let tests assert exactly which values reach whom:
- PUBLIC_MARK (manufacturer name, public), LI_MARK (cathode composition, legitimate interest; plus the
  key put_into_service_date), AUTH_MARK (a test report, authority only), SC_MARKS (supplier name and
  procurement amount, confidential), DRAFT_MARK (a value only in the open draft).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

from passports import services
from passports.models import BatteryModel, Passport
from portal.tenancy.groups import organization_group
from portal.tenancy.models import OrganizationKind, Role
from tests.factories import BEFORE_OBLIGATIONS, OrganizationFactory, member

PUBLIC_MARK = "PUBLIC-CANARY Works"
LI_MARK = "LI-CANARY cathode NMC811"
AUTH_MARK = "AUTH-CANARY test report"
SC_SUPPLIER = "SC-CANARY-SUPPLIER"
SC_AMOUNT = "987654.321"
SC_MARKS = (SC_SUPPLIER, SC_AMOUNT)
DRAFT_MARK = "DRAFT-CANARY Kassel"

MODEL_VALUES = {
    "model_name": "Canary Pack 75",
    "manufacturer_part_id": "CP-75-NMC",
    "battery_category": "ev",
    "manufacturer_name": PUBLIC_MARK,
    "cathode_composition": LI_MARK,
    "test_reports": [
        {"header": AUTH_MARK, "content_type": "URL", "content": "https://example.com/auth-canary.pdf"}
    ],
}
SUPPLY_ROW = {
    "material": "cobalt",
    "country_of_origin": "CD",
    "mine_or_extraction_site": "Kolwezi",
    "refiner_processor": "Refinery X",
    "refiner_country": "FI",
    "supplier_name": SC_SUPPLIER,
    "supplier_identifier": "BPNL00000000SPU7",
    "procurement_amount": SC_AMOUNT,
    "procurement_unit": "t",
    "procurement_period_start": "2026-01-01",
    "procurement_period_end": "2026-06-30",
    "recycled_share": "12",
    "assurance_scheme": "RMAP",
}
IDENTIFIER = "urn:epc:canary-0001"

# Audience names used by the matrix tests.
OWNER_ADMIN, OWNER_EDITOR, OWNER_VIEWER = "owner_admin", "owner_editor", "owner_viewer"
STRANGER, PARTNER, CERTIFIER, AUTHORITY, ANONYMOUS = (
    "stranger",
    "partner",
    "certifier",
    "authority",
    "anonymous",
)
AUDIENCES = (OWNER_ADMIN, OWNER_EDITOR, OWNER_VIEWER, STRANGER, PARTNER, CERTIFIER, AUTHORITY, ANONYMOUS)
OWNERS = (OWNER_ADMIN, OWNER_EDITOR, OWNER_VIEWER)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    battery_model: BatteryModel
    passport: Passport
    users: dict = field(default_factory=dict)
    organizations: dict = field(default_factory=dict)

    def client(self, audience: str) -> APIClient:
        client = APIClient()
        if audience != ANONYMOUS:
            client.force_login(self.users[audience])
        return client


def make_passport(actor, battery_model, identifier: str, **values) -> Passport:
    return services.passport_create(
        actor=actor, battery_model=battery_model, values={"unique_identifier": identifier, **values}
    )


@pytest.fixture
def world(db) -> World:
    """Company A owns a model and a passport published as v1 with an open draft v2; company B has no
    grant; company C holds legitimate-interest grants on both; a certification body reviews both."""
    owner = OrganizationFactory(legal_name="Owner Co GmbH")
    stranger = OrganizationFactory(legal_name="Stranger Co KK")
    partner = OrganizationFactory(legal_name="Partner Co SA")
    body = OrganizationFactory(kind=OrganizationKind.CERTIFICATION_BODY, legal_name="Cert Body GmbH")
    authority = OrganizationFactory(kind=OrganizationKind.AUTHORITY, legal_name="Market Surveillance")
    users = {
        OWNER_ADMIN: member(Role.ADMIN, owner, username="owner-admin"),
        OWNER_EDITOR: member(Role.EDITOR, owner, username="owner-editor"),
        OWNER_VIEWER: member(Role.VIEWER, owner, username="owner-viewer"),
        STRANGER: member(Role.ADMIN, stranger, username="stranger-admin"),
        PARTNER: member(Role.ADMIN, partner, username="partner-admin"),
        CERTIFIER: member(Role.REVIEWER, body, username="reviewer"),
        AUTHORITY: member(Role.INSPECTOR, authority, username="inspector"),
    }
    admin = users[OWNER_ADMIN]
    battery_model = services.battery_model_create(actor=admin, organization=owner, values=dict(MODEL_VALUES))
    services.supply_chain_replace(actor=admin, battery_model=battery_model, rows=[dict(SUPPLY_ROW)])
    passport = make_passport(
        admin, battery_model, IDENTIFIER, put_into_service_date="2026-03-01", manufacturing_place="Salzgitter"
    )
    services.dynamic_data_append(
        actor=admin,
        passport=passport,
        key="state_of_health",
        value="97",
        measured_at=timezone.now() - timedelta(hours=1),
    )
    services.passport_publish(actor=admin, passport=passport, on=BEFORE_OBLIGATIONS)
    services.passport_update(actor=admin, passport=passport, values={"manufacturing_place": DRAFT_MARK})
    for target in (passport, battery_model):
        services.grant_legitimate_interest(actor=admin, target=target, organization=partner)
    # An assigned review, as certification grants it: the confidential permission to the body's group.
    assign_perm("view_confidential_passport", organization_group(body), passport)
    assign_perm("view_confidential_batterymodel", organization_group(body), battery_model)
    return World(
        battery_model=battery_model,
        passport=passport,
        users=users,
        organizations={
            "owner": owner,
            "stranger": stranger,
            "partner": partner,
            "body": body,
            "authority": authority,
        },
    )
