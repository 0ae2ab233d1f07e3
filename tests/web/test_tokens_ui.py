"""Personal API tokens created and revoked in the portal (/accounts/tokens/)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from portal.accounts.models import ApiToken, hash_token
from portal.accounts.services import api_token_create
from portal.audit.models import AuditEvent
from portal.tenancy.models import OrganizationStatus, Role
from tests.factories import OrganizationFactory, member

TOKENS_URL = "/accounts/tokens/"
ME_URL = "/api/v1/organizations/me/"

pytestmark = pytest.mark.django_db


def api(value: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {value}")
    return client


def create(client, name: str = "t", expires_in_days: str = "30") -> str:
    response = client.post(TOKENS_URL, {"name": name, "expires_in_days": expires_in_days}, follow=True)
    return response.context["new_value"]


@pytest.fixture
def viewer_client(client, viewer_a):
    client.force_login(viewer_a)
    return client


class TestTokensPage:
    def test_value_is_shown_once_and_works(self, viewer_client, viewer_a, company_a):
        response = viewer_client.post(
            TOKENS_URL, {"name": "Warehouse sync", "expires_in_days": "30"}, follow=True
        )

        # Post/redirect/get: the page after the redirect shows the value, a reload does not repeat it.
        assert response.redirect_chain == [(TOKENS_URL, 302)]
        assert response.status_code == 200
        value = response.context["new_value"]
        assert value.startswith("pb_")
        assert value in response.content.decode()
        token = ApiToken.objects.get(user=viewer_a)
        assert token.name == "Warehouse sync"
        assert token.key_hash == hash_token(value)
        assert token.expires_at - timezone.now() > timedelta(days=29)
        assert token.expires_at - timezone.now() <= timedelta(days=30)
        assert AuditEvent.objects.filter(action="api_token.created", actor=viewer_a).exists()

        later = viewer_client.get(TOKENS_URL)
        html = later.content.decode()
        assert value not in html
        assert token.prefix in html
        assert "Warehouse sync" in html
        assert later.context["new_value"] is None
        assert ApiToken.objects.filter(user=viewer_a).count() == 1

        me = api(value).get(ME_URL)
        assert me.status_code == 200
        assert me.json()["legal_name"] == company_a.legal_name

    def test_never_expiring_token(self, viewer_client, viewer_a):
        viewer_client.post(TOKENS_URL, {"name": "Forever", "expires_in_days": ""})
        assert ApiToken.objects.get(user=viewer_a).expires_at is None

    def test_name_is_required_and_nothing_is_created_without_it(self, viewer_client):
        response = viewer_client.post(TOKENS_URL, {"name": "   ", "expires_in_days": "30"})
        assert response.status_code == 200
        assert response.context["new_value"] is None
        assert "name" in response.context["form"].errors
        assert not ApiToken.objects.exists()

    def test_list_shows_only_own_tokens(self, viewer_client, admin_a):
        api_token_create(actor=admin_a, name="Admin's secret script")
        html = viewer_client.get(TOKENS_URL).content.decode()
        assert "Admin's secret script" not in html
        assert "Admin&#x27;s secret script" not in html

    def test_revoked_token_gets_401(self, viewer_client, viewer_a):
        value = create(viewer_client)
        token = ApiToken.objects.get(user=viewer_a)

        response = viewer_client.post(f"/accounts/tokens/{token.pk}/revoke/")

        assert response.status_code == 302
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert AuditEvent.objects.filter(action="api_token.revoked", actor=viewer_a).exists()
        assert api(value).get(ME_URL).status_code == 401
        assert "Revoked" in viewer_client.get(TOKENS_URL).content.decode()

    def test_expired_token_gets_401(self, viewer_client, viewer_a):
        value = create(viewer_client)
        ApiToken.objects.filter(user=viewer_a).update(expires_at=timezone.now() - timedelta(minutes=1))
        assert api(value).get(ME_URL).status_code == 401
        assert "Expired" in viewer_client.get(TOKENS_URL).content.decode()

    def test_cannot_revoke_someone_elses_token(self, viewer_client, admin_a):
        token, value = api_token_create(actor=admin_a, name="admin")
        response = viewer_client.post(f"/accounts/tokens/{token.pk}/revoke/")
        assert response.status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None
        assert api(value).get(ME_URL).status_code == 200

    def test_revoke_needs_post(self, viewer_client, viewer_a):
        token, _value = api_token_create(actor=viewer_a, name="t")
        assert viewer_client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_member_of_a_pending_organization_has_no_tokens_page(self, client):
        user = member(Role.ADMIN, OrganizationFactory(status=OrganizationStatus.PENDING))
        client.force_login(user)
        assert client.get(TOKENS_URL).status_code == 404
        assert client.post(TOKENS_URL, {"name": "x"}).status_code == 404
        assert not ApiToken.objects.exists()

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(TOKENS_URL)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
