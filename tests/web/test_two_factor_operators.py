"""Platform operators use two-factor authentication in production, in the admin and for API tokens
(issue 15): the admin signs in through the portal's login, which asks for the authenticator code."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def enforced(settings):
    settings.PASSBRIDGE_ENFORCE_2FA = True


def test_the_admin_login_sends_to_the_portal_login_and_back(client):
    response = client.get("/admin/login/", {"next": "/admin/tenancy/organization/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Ftenancy%2Forganization%2F"
    elsewhere = client.get("/admin/login/", {"next": "https://evil.example/"})
    assert elsewhere["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_an_operator_without_an_authenticator_is_sent_to_set_one_up(client, operator, enforced):
    client.force_login(operator)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/security/totp/"


def test_an_operator_gets_no_api_token_with_a_password_alone(api_client, operator, enforced):
    from tests.factories import PASSWORD

    response = api_client.post(
        "/api/v1/auth/token/", {"username": operator.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400 and "otp" in response.json()


def test_without_enforcement_operators_work_as_before(client, operator):
    client.force_login(operator)
    assert client.get("/admin/").status_code == 200


def test_a_signed_in_company_user_is_told_the_admin_is_not_for_them(client, admin_a):
    client.force_login(admin_a)
    assert client.get("/admin/login/", {"next": "/admin/"}).status_code == 403
