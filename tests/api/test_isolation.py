"""Tenant isolation in the API: another organization's objects 'do not exist' (404, never 403)."""

from __future__ import annotations

import pytest

from portal.tenancy.models import Membership, Role, Site
from tests.factories import SiteFactory

MEMBERS_URL = "/api/v1/organizations/me/members/"
SITES_URL = "/api/v1/organizations/me/sites/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_a(company_a):
    return SiteFactory(organization=company_a, name="Plant A")


@pytest.fixture
def client_b(token_client, admin_b):
    return token_client(admin_b)


def assert_json_404(response):
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"detail"}


class TestOtherTenantsObjectsAreNotFound:
    def test_member_get_and_patch(self, client_b, admin_a, viewer_a):
        url = f"{MEMBERS_URL}{viewer_a.membership.public_id}/"

        assert_json_404(client_b.get(url))
        assert_json_404(client_b.patch(url, {"role": "admin"}, format="json"))
        assert_json_404(client_b.patch(url, {"is_active": False}, format="json"))

        membership = Membership.objects.get(user=viewer_a)
        assert membership.role == Role.VIEWER
        assert membership.is_active
        viewer_a.refresh_from_db()
        assert viewer_a.is_active

    def test_not_found_looks_like_a_random_id(self, client_b, viewer_a):
        foreign = client_b.get(f"{MEMBERS_URL}{viewer_a.membership.public_id}/")
        random = client_b.get(f"{MEMBERS_URL}00000000-0000-4000-8000-000000000000/")
        assert foreign.status_code == random.status_code == 404
        assert foreign.json() == random.json()

    def test_site_get_patch_delete(self, client_b, site_a):
        url = f"{SITES_URL}{site_a.public_id}/"

        assert_json_404(client_b.get(url))
        assert_json_404(client_b.patch(url, {"name": "Taken over"}, format="json"))
        assert_json_404(client_b.delete(url))

        site_a.refresh_from_db()
        assert site_a.name == "Plant A"
        assert Site.objects.filter(pk=site_a.pk).exists()

    def test_lists_show_only_the_own_organization(self, client_b, admin_a, viewer_a, admin_b, site_a):
        members = client_b.get(MEMBERS_URL).json()
        assert [row["username"] for row in members["results"]] == ["admin-b"]
        sites = client_b.get(SITES_URL).json()
        assert sites["count"] == 0
        assert sites["results"] == []

    def test_me_is_the_own_organization(self, client_b, company_a, company_b):
        assert client_b.get("/api/v1/organizations/me/").json()["id"] == str(company_b.public_id)


class TestAnonymousAndUnknown:
    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/organizations/me/",
            MEMBERS_URL,
            SITES_URL,
            f"{SITES_URL}00000000-0000-4000-8000-000000000000/",
        ],
    )
    def test_anonymous_is_refused_with_json(self, api_client, url, db):
        response = api_client.get(url)
        assert response.status_code in (401, 403)
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()

    def test_anonymous_write_changes_nothing(self, api_client, site_a):
        response = api_client.delete(f"{SITES_URL}{site_a.public_id}/")
        assert response.status_code in (401, 403)
        assert Site.objects.filter(pk=site_a.pk).exists()

    @pytest.mark.parametrize(
        "url", ["/api/v1/nothing-here/", "/api/unknown", "/api/v1/organizations/me/members/not-a-uuid/"]
    )
    def test_unknown_api_url_is_json_404(self, api_client, url, db):
        assert_json_404(api_client.get(url))
