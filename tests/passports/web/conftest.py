from __future__ import annotations

import pytest

from passports import services
from portal.tenancy.models import Role
from tests.factories import member

MODEL_VALUES = {
    "model_name": "Pack 75",
    "manufacturer_part_id": "EP-75-NMC",
    "battery_category": "ev",
    "manufacturer_name": "Company A GmbH",
    "cathode_composition": "LI-CATHODE-MARKER NMC 811",
}

SUPPLY_ROW = {
    "material": "cobalt",
    "country_of_origin": "CD",
    "mine_or_extraction_site": "Kolwezi",
    "refiner_processor": "Refinery X",
    "refiner_country": "FI",
    "supplier_name": "CANARY-SUPPLIER",
    "supplier_identifier": "BPNL00000000SPU7",
    "procurement_amount": "120.5",
    "procurement_unit": "t",
    "procurement_period_start": "2026-01-01",
    "procurement_period_end": "2026-06-30",
    "recycled_share": "12",
    "assurance_scheme": "RMAP",
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor_a(company_a):
    return member(Role.EDITOR, company_a, username="editor-a")


@pytest.fixture
def battery_model(admin_a, company_a):
    return services.battery_model_create(actor=admin_a, organization=company_a, values=dict(MODEL_VALUES))


@pytest.fixture
def passport(admin_a, battery_model):
    return services.passport_create(
        actor=admin_a, battery_model=battery_model, values={"unique_identifier": "urn:epc:A-0001"}
    )


@pytest.fixture
def login(client):
    """The test client logged in as `user` (a fresh client per call, so two people can act in one test)."""
    from django.test import Client

    def as_user(user) -> Client:
        browser = Client()
        browser.force_login(user)
        return browser

    return as_user
