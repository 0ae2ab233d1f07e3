from __future__ import annotations

import pytest

from passports import services
from portal.tenancy.models import Role
from tests.factories import member


@pytest.fixture
def editor_a(company_a):
    return member(Role.EDITOR, company_a, username="editor-a")


MODEL_VALUES = {
    "model_name": "CANARY Pack 75",
    "manufacturer_part_id": "EP-75-NMC",
    "battery_category": "ev",
    "manufacturer_name": "Company A GmbH",
}


@pytest.fixture
def battery_model(admin_a, company_a):
    return services.battery_model_create(actor=admin_a, organization=company_a, values=dict(MODEL_VALUES))


@pytest.fixture
def passport(admin_a, battery_model):
    return services.passport_create(
        actor=admin_a, battery_model=battery_model, values={"unique_identifier": "urn:epc:A-0001"}
    )
