"""The company administrators' page of PACT clients: create (secret once), list, revoke; others 403/404."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password

from pact.models import PactClient
from pact.services import client_save
from portal.tenancy.models import Role
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_admin_creates_sees_secret_once_and_revokes(client, admin_a, company_a):
    client.force_login(admin_a)
    response = client.post("/pact/clients/", {"name": "SAP", "callback_url": "https://sap.example/pact"})
    assert response.status_code == 302
    created = PactClient.objects.get(organization=company_a)
    page = client.get("/pact/clients/")
    secret = page.context["new"]["secret"]
    assert check_password(secret, created.secret_hash) and secret in page.content.decode()
    assert (
        created.client_id in page.content.decode()
        and "PACT Technical Specifications" in page.content.decode()
    )
    assert secret not in client.get("/pact/clients/").content.decode()  # shown once
    response = client.post(f"/pact/clients/{created.public_id}/revoke/")
    assert response.status_code == 302
    created.refresh_from_db()
    assert not created.is_active and created.revoked_at


def test_bad_callback_is_a_form_error(client, admin_a):
    client.force_login(admin_a)
    response = client.post("/pact/clients/", {"name": "SAP", "callback_url": "http://sap.example"})
    assert response.status_code == 200 and response.context["form"].errors["callback_url"]
    assert not PactClient.objects.exists()


def test_non_admins_and_other_companies(client, viewer_a, admin_a, company_a, admin_b, certification_body):
    other, _ = client_save(
        actor=None,
        organization=company_a,
        client_id="erp",
        secret="a" * 20,
        callback_url="https://erp.example",
    )
    client.force_login(viewer_a)
    assert client.get("/pact/clients/").status_code == 403
    client.force_login(admin_b)
    assert client.get("/pact/clients/").status_code == 200
    assert client.post(f"/pact/clients/{other.public_id}/revoke/").status_code == 404
    other.refresh_from_db()
    assert other.is_active
    client.force_login(member(Role.ADMIN, certification_body))
    assert client.get("/pact/clients/").status_code == 404
    client.logout()
    assert client.get("/pact/clients/").status_code == 302
