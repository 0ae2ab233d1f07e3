"""POST /api/v1/auth/token/ and authentication with personal API tokens."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from portal.accounts.models import ApiToken, hash_token
from portal.accounts.services import api_token_create, api_token_revoke
from portal.audit.models import AuditEvent
from portal.tenancy.models import OrganizationStatus, Role
from tests.factories import PASSWORD, OrganizationFactory, member

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/organizations/me/"

pytestmark = pytest.mark.django_db


def obtain(client: APIClient, **payload):
    return client.post(TOKEN_URL, payload, format="json")


def with_token(value: str, keyword: str = "Token") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {value}")
    return client


class TestObtainToken:
    def test_a_form_encoded_request_works_as_json_does(self, api_client, admin_a, company_a):
        def post_form(**fields):
            form = "application/x-www-form-urlencoded"
            return api_client.post(TOKEN_URL, urlencode(fields), content_type=form)

        response = post_form(username="admin-a", password=PASSWORD)
        assert response.status_code == 200 and response.json()["token"].startswith("pb_")
        assert post_form(username="admin-a", password="nope").status_code == 400
        assert api_client.post(TOKEN_URL, "username=admin-a", content_type="text/plain").status_code == 415

    def test_username_and_password_give_a_working_token(self, api_client, admin_a, company_a):
        response = obtain(api_client, username="admin-a", password=PASSWORD, name="ERP sync")

        assert response.status_code == 200
        value = response.json()["token"]
        assert value.startswith("pb_")
        token = ApiToken.objects.get(user=admin_a)
        assert token.name == "ERP sync"
        # Only the hash is stored, never the value.
        assert token.key_hash == hash_token(value)
        assert value not in {token.key_hash, token.prefix}
        me = with_token(value).get(ME_URL)
        assert me.status_code == 200
        assert me.json()["id"] == str(company_a.public_id)

    def test_bearer_keyword_is_accepted_too(self, api_client, admin_a):
        value = obtain(api_client, username="admin-a", password=PASSWORD).json()["token"]
        assert with_token(value, "Bearer").get(ME_URL).status_code == 200

    def test_wrong_password_is_a_400_json_without_a_token(self, api_client, admin_a):
        response = obtain(api_client, username="admin-a", password="not-the-password")

        assert response.status_code == 400
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()
        assert "token" not in response.json()
        assert not ApiToken.objects.exists()

    def test_unknown_user_gets_the_same_answer_as_a_wrong_password(self, api_client, admin_a):
        unknown = obtain(api_client, username="nobody", password="whatever-password")
        wrong = obtain(api_client, username="admin-a", password="whatever-password")
        assert unknown.status_code == wrong.status_code == 400
        assert unknown.json() == wrong.json()

    def test_malformed_json_is_a_400_with_a_detail(self, api_client):
        response = api_client.post(TOKEN_URL, data='{"username": "a", ', content_type="application/json")

        assert response.status_code == 400
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"].startswith("Malformed JSON")

    def test_missing_fields_give_field_messages(self, api_client):
        response = obtain(api_client)

        assert response.status_code == 400
        body = response.json()
        assert body["username"] and body["password"]
        assert all(isinstance(message, str) for message in body["username"] + body["password"])

    def test_member_of_a_pending_organization_gets_no_token(self, api_client, db):
        pending = OrganizationFactory(status=OrganizationStatus.PENDING)
        member(Role.ADMIN, pending, username="waiting")

        response = obtain(api_client, username="waiting", password=PASSWORD)

        assert response.status_code == 400
        assert not ApiToken.objects.exists()

    def test_inactive_user_gets_no_token(self, api_client, admin_a):
        admin_a.is_active = False
        admin_a.save()
        assert obtain(api_client, username="admin-a", password=PASSWORD).status_code == 400
        assert not ApiToken.objects.exists()

    def test_token_creation_is_audited(self, api_client, admin_a, company_a):
        obtain(api_client, username="admin-a", password=PASSWORD, name="ci")
        event = AuditEvent.objects.get(action="api_token.created")
        assert event.actor == admin_a
        assert event.organization == company_a
        assert event.ip_address == "127.0.0.1"

    def test_endpoint_is_throttled(self, api_client, admin_a):
        statuses = [
            obtain(api_client, username="admin-a", password="wrong-one").status_code for _ in range(4)
        ]
        assert statuses == [400] * 4
        # The scope allows 20 requests a minute per client.
        for _ in range(16):
            obtain(api_client, username="nobody", password="x")
        assert obtain(api_client, username="admin-a", password=PASSWORD).status_code == 429


class TestTokenAuthentication:
    def test_revoked_token_is_refused(self, admin_a):
        token, value = api_token_create(actor=admin_a, name="t")
        client = with_token(value)
        assert client.get(ME_URL).status_code == 200

        api_token_revoke(actor=admin_a, token=token)

        response = client.get(ME_URL)
        assert response.status_code == 401
        assert "detail" in response.json()

    def test_expired_token_is_refused(self, admin_a):
        token, value = api_token_create(actor=admin_a, name="t", expires_in_days=30)
        assert with_token(value).get(ME_URL).status_code == 200

        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

        assert with_token(value).get(ME_URL).status_code == 401

    def test_unknown_token_is_refused(self, admin_a):
        assert with_token("pb_" + "x" * 43).get(ME_URL).status_code == 401

    def test_token_of_a_deactivated_user_is_refused(self, admin_a):
        _token, value = api_token_create(actor=admin_a, name="t")
        admin_a.is_active = False
        admin_a.save()
        assert with_token(value).get(ME_URL).status_code == 401

    def test_malformed_header_is_refused(self, admin_a):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token a b")
        assert client.get(ME_URL).status_code == 401

    def test_use_is_recorded_on_the_token(self, admin_a):
        token, value = api_token_create(actor=admin_a, name="t")
        assert token.last_used_at is None
        with_token(value).get(ME_URL)
        token.refresh_from_db()
        assert token.last_used_at is not None

    def test_token_of_a_suspended_organization_no_longer_works(self, admin_a, company_a):
        _token, value = api_token_create(actor=admin_a, name="t")
        company_a.status = OrganizationStatus.SUSPENDED
        company_a.save()
        assert with_token(value).get(ME_URL).status_code == 403
