"""Tenant isolation in the HTML pages: another organization's objects give 404, never 403."""

from __future__ import annotations

import pytest

from portal.tenancy import services
from portal.tenancy.models import Invitation, Membership, Role, Site
from tests.factories import SiteFactory, make_bpn

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_a(company_a):
    return SiteFactory(organization=company_a, name="Plant A")


@pytest.fixture
def invitation_a(admin_a, company_a):
    return services.invitation_create(
        actor=admin_a, organization=company_a, email="invitee-a@example.com", role=Role.EDITOR
    )


@pytest.fixture
def client_b(client, admin_b):
    client.force_login(admin_b)
    return client


SITE_DATA = {
    "name": "Hijacked",
    "street": "x",
    "postal_code": "1",
    "city": "x",
    "country": "DE",
    "bpn": "",
}


class TestOtherTenantsObjects:
    def test_site_edit_is_404(self, client_b, site_a):
        url = f"/organization/sites/{site_a.public_id}/edit/"
        assert client_b.get(url).status_code == 404
        assert client_b.post(url, SITE_DATA).status_code == 404
        site_a.refresh_from_db()
        assert site_a.name == "Plant A"

    def test_site_delete_is_404(self, client_b, site_a):
        assert client_b.post(f"/organization/sites/{site_a.public_id}/delete/").status_code == 404
        assert Site.objects.filter(pk=site_a.pk).exists()

    @pytest.mark.parametrize(
        "data",
        [{"action": "deactivate"}, {"action": "role", "role": "viewer"}, {"action": "reactivate"}],
    )
    def test_member_update_is_404(self, client_b, admin_a, data):
        response = client_b.post(f"/organization/members/{admin_a.membership.public_id}/", data)
        assert response.status_code == 404
        membership = Membership.objects.get(user=admin_a)
        assert membership.role == Role.ADMIN
        assert membership.is_active
        admin_a.refresh_from_db()
        assert admin_a.is_active

    def test_invitation_revoke_is_404(self, client_b, invitation_a):
        response = client_b.post(f"/organization/invitations/{invitation_a.public_id}/revoke/")
        assert response.status_code == 404
        invitation_a.refresh_from_db()
        assert invitation_a.is_open

    def test_404_for_a_foreign_id_equals_404_for_a_random_id(self, client_b, site_a):
        foreign = client_b.get(f"/organization/sites/{site_a.public_id}/edit/")
        random = client_b.get("/organization/sites/00000000-0000-4000-8000-000000000000/edit/")
        assert foreign.status_code == random.status_code == 404
        assert "Plant A" not in foreign.content.decode()


def test_unknown_page_is_an_html_404(client, admin_a):
    client.force_login(admin_a)
    response = client.get("/organization/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


class TestListsShowOnlyTheOwnOrganization:
    def test_members_page(self, client_b, admin_a, viewer_a, invitation_a):
        html = client_b.get("/organization/members/").content.decode()
        assert "admin-b@example.com" in html
        for foreign in (admin_a.email, viewer_a.email, "invitee-a@example.com", "Company A GmbH"):
            assert foreign not in html
        assert str(viewer_a.membership.public_id) not in html

    def test_organization_page_and_dashboard(self, client_b, site_a, company_b):
        SiteFactory(organization=company_b, name="Plant B")
        for url in ("/organization/", "/dashboard/"):
            html = client_b.get(url).content.decode()
            assert "Plant B" in html
            assert "Plant A" not in html
            assert "Company A GmbH" not in html

    def test_own_objects_are_reachable(self, client, admin_a, site_a, invitation_a):
        client.force_login(admin_a)
        assert client.get(f"/organization/sites/{site_a.public_id}/edit/").status_code == 200
        response = client.post(f"/organization/invitations/{invitation_a.public_id}/revoke/")
        assert response.status_code == 302
        assert not Invitation.objects.get(pk=invitation_a.pk).is_open


class TestSites:
    def test_admin_creates_a_site_with_a_valid_bpns(self, client, admin_a, company_a):
        client.force_login(admin_a)
        bpns = make_bpn("S")
        response = client.post("/organization/sites/new/", {**SITE_DATA, "name": "New Plant", "bpn": bpns})
        assert response.status_code == 302
        site = Site.objects.get(name="New Plant")
        assert site.organization == company_a
        assert site.bpn == bpns

    @pytest.mark.parametrize("bpn", ["BPNL00000000EMT8", "BPNS1", "\x00"])
    def test_invalid_bpns_is_a_form_error(self, client, admin_a, bpn):
        client.force_login(admin_a)
        response = client.post("/organization/sites/new/", {**SITE_DATA, "bpn": bpn})
        assert response.status_code == 200
        assert "bpn" in response.context["form"].errors
        assert not Site.objects.exists()

    def test_a_bpns_with_wrong_check_characters_is_corrected_or_kept_knowingly(self, client, admin_a):
        client.force_login(admin_a)
        good = make_bpn("S")
        bad = good[:14] + ("00" if good[14:] != "00" else "11")
        refused = client.post("/organization/sites/new/", {**SITE_DATA, "bpn": bad})
        assert refused.status_code == 200 and not Site.objects.exists()
        assert "check characters" in refused.context["form"].errors["bpn"][0]
        assert 'name="keep_bpn"' in refused.content.decode()
        kept = client.post(
            "/organization/sites/new/", {**SITE_DATA, "bpn": bad, "keep_bpn": "on"}, follow=True
        )
        assert Site.objects.get().bpn == bad
        assert next(str(m) for m in kept.context["messages"] if m.level_tag == "warning").count(bad) == 1

    def test_viewer_cannot_create_sites(self, client, viewer_a):
        client.force_login(viewer_a)
        assert client.post("/organization/sites/new/", SITE_DATA).status_code == 403
        assert not Site.objects.exists()
