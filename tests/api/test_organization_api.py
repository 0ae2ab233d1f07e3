"""/api/v1/organizations/me/ with its members and sites."""

from __future__ import annotations

import pytest
from rest_framework.pagination import PageNumberPagination

from portal.audit.models import AuditEvent
from portal.tenancy.models import Membership, Role, Site
from tests.factories import SiteFactory, make_bpn, member

ME_URL = "/api/v1/organizations/me/"
MEMBERS_URL = "/api/v1/organizations/me/members/"
SITES_URL = "/api/v1/organizations/me/sites/"
VALID_LEI = "5493006W3QUS5LMH6R84"
VALID_CORPORATE_NUMBER = "1180301018771"

pytestmark = pytest.mark.django_db


def site_payload(**overrides):
    return {
        "name": "Cell Plant",
        "street": "Werkstraße 9",
        "postal_code": "38440",
        "city": "Wolfsburg",
        "country": "DE",
        "bpn": make_bpn("S"),
        **overrides,
    }


class TestOrganizationMe:
    def test_fields_of_the_own_organization(self, token_client, viewer_a, company_a):
        response = token_client(viewer_a).get(ME_URL)

        assert response.status_code == 200
        body = response.json()
        assert set(body) == {
            "id",
            "kind",
            "legal_name",
            "country",
            "street",
            "postal_code",
            "city",
            "website",
            "data_spaces",
            "bpnl",
            "corporate_number",
            "lei",
            "status",
            "created_at",
        }
        assert body["id"] == str(company_a.public_id)
        assert body["legal_name"] == "Company A GmbH"
        assert body["kind"] == "economic_operator"
        assert body["country"] == "DE"
        assert body["bpnl"] == company_a.bpnl
        assert body["status"] == "active"
        # The internal primary key is never exposed.
        assert str(company_a.pk) != body["id"]

    def test_admin_updates_details_and_identifiers(self, token_client, admin_a, company_a):
        response = token_client(admin_a).patch(
            ME_URL, {"city": "Hamburg", "lei": VALID_LEI.lower()}, format="json"
        )

        assert response.status_code == 200, response.json()
        assert response.json()["lei"] == VALID_LEI
        company_a.refresh_from_db()
        assert company_a.city == "Hamburg"
        assert company_a.lei == VALID_LEI
        event = AuditEvent.objects.get(action="organization.updated")
        assert event.actor == admin_a
        assert event.organization == company_a
        assert sorted(event.details["fields"]) == ["city", "lei"]

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("bpnl", "BPNL123"),
            ("bpnl", "BPNS00000000EPIC"),
            ("corporate_number", "2180301018771"),
            ("lei", "5493006W3QUS5LMH6R85"),
            ("country", "XX"),
        ],
    )
    def test_invalid_identifier_is_a_field_message_and_changes_nothing(
        self, token_client, admin_a, company_a, field, value
    ):
        before = {f: getattr(company_a, f) for f in ("bpnl", "corporate_number", "lei", "country", "city")}

        response = token_client(admin_a).patch(ME_URL, {field: value, "city": "Changed"}, format="json")

        assert response.status_code == 400
        body = response.json()
        assert list(body) == [field]
        assert isinstance(body[field][0], str) and body[field][0]
        company_a.refresh_from_db()
        assert {f: getattr(company_a, f) for f in before} == before
        assert not AuditEvent.objects.filter(action="organization.updated").exists()

    def test_removing_the_last_identifier_is_refused(self, token_client, admin_a, company_a):
        bpnl = company_a.bpnl
        response = token_client(admin_a).patch(ME_URL, {"bpnl": None}, format="json")
        assert response.status_code == 400
        company_a.refresh_from_db()
        assert company_a.bpnl == bpnl

    def test_identifier_of_another_organization_gets_the_neutral_message(
        self, token_client, admin_a, company_a, company_b
    ):
        response = token_client(admin_a).patch(
            ME_URL, {"corporate_number": company_b.corporate_number}, format="json"
        )

        assert response.status_code == 400
        message = response.json()["corporate_number"][0]
        assert "cannot be used" in message
        assert company_b.legal_name not in message
        company_a.refresh_from_db()
        assert company_a.corporate_number is None

    def test_nul_byte_in_text_is_refused(self, token_client, admin_a, company_a):
        response = token_client(admin_a).patch(ME_URL, {"legal_name": "Evil\x00Corp"}, format="json")
        assert response.status_code == 400
        assert "legal_name" in response.json()
        company_a.refresh_from_db()
        assert company_a.legal_name == "Company A GmbH"

    def test_viewer_cannot_update(self, token_client, viewer_a, company_a):
        response = token_client(viewer_a).patch(ME_URL, {"city": "Hamburg"}, format="json")

        assert response.status_code == 403
        assert "detail" in response.json()
        company_a.refresh_from_db()
        assert company_a.city == "Berlin"

    def test_anonymous_gets_a_json_401(self, api_client):
        response = api_client.get(ME_URL)
        assert response.status_code in (401, 403)
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()

    def test_user_without_membership_is_refused(self, token_client, operator):
        assert token_client(operator).get(ME_URL).status_code == 403


class TestMembers:
    def test_list_is_paginated_and_only_own_organization(
        self, token_client, admin_a, viewer_a, admin_b, company_a, monkeypatch
    ):
        monkeypatch.setattr(PageNumberPagination, "page_size", 2)
        extra = member(Role.EDITOR, company_a, username="zz-editor-a")
        client = token_client(admin_a)

        first = client.get(MEMBERS_URL).json()
        assert first["count"] == 3
        assert first["previous"] is None
        assert first["next"] is not None
        assert len(first["results"]) == 2
        second = client.get(first["next"]).json()
        assert len(second["results"]) == 1
        usernames = [row["username"] for row in first["results"] + second["results"]]
        assert usernames == ["admin-a", "viewer-a", "zz-editor-a"]
        assert "admin-b" not in usernames
        row = second["results"][0]
        assert row["id"] == str(extra.membership.public_id)
        assert row["email"] == extra.email
        assert row["role"] == "editor"
        assert row["is_active"] is True

    def test_get_one_member(self, token_client, admin_a, viewer_a):
        public_id = viewer_a.membership.public_id
        response = token_client(admin_a).get(f"{MEMBERS_URL}{public_id}/")
        assert response.status_code == 200
        assert response.json()["username"] == "viewer-a"

    def test_admin_changes_a_role(self, token_client, admin_a, viewer_a):
        public_id = viewer_a.membership.public_id
        response = token_client(admin_a).patch(
            f"{MEMBERS_URL}{public_id}/", {"role": "editor"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["role"] == "editor"
        assert Membership.objects.get(public_id=public_id).role == Role.EDITOR

    def test_role_of_another_organization_kind_is_refused(self, token_client, admin_a, viewer_a):
        public_id = viewer_a.membership.public_id
        response = token_client(admin_a).patch(
            f"{MEMBERS_URL}{public_id}/", {"role": "inspector"}, format="json"
        )
        assert response.status_code == 400
        assert "role" in response.json()
        assert Membership.objects.get(public_id=public_id).role == Role.VIEWER

    def test_admin_deactivates_and_reactivates(self, token_client, admin_a, viewer_a):
        url = f"{MEMBERS_URL}{viewer_a.membership.public_id}/"
        viewer_client = token_client(viewer_a)
        client = token_client(admin_a)

        response = client.patch(url, {"is_active": False}, format="json")
        assert response.status_code == 200
        assert response.json()["is_active"] is False
        viewer_a.refresh_from_db()
        assert viewer_a.is_active is False
        assert viewer_client.get(ME_URL).status_code == 401

        response = client.patch(url, {"is_active": True}, format="json")
        assert response.status_code == 200
        viewer_a.refresh_from_db()
        assert viewer_a.is_active is True

    def test_viewer_cannot_change_roles(self, token_client, admin_a, viewer_a):
        url = f"{MEMBERS_URL}{admin_a.membership.public_id}/"
        response = token_client(viewer_a).patch(url, {"role": "viewer"}, format="json")
        assert response.status_code == 403
        assert Membership.objects.get(user=admin_a).role == Role.ADMIN

    def test_last_admin_cannot_demote_themselves(self, token_client, admin_a, viewer_a):
        url = f"{MEMBERS_URL}{admin_a.membership.public_id}/"
        response = token_client(admin_a).patch(url, {"role": "viewer"}, format="json")
        assert response.status_code == 400
        assert "administrator" in response.json()["role"][0]
        assert Membership.objects.get(user=admin_a).role == Role.ADMIN


class TestSites:
    def test_create_list_update_delete(self, token_client, admin_a, company_a):
        client = token_client(admin_a)
        bpns = make_bpn("S")

        created = client.post(SITES_URL, site_payload(bpn=bpns.lower()), format="json")
        assert created.status_code == 201, created.json()
        site_id = created.json()["id"]
        site = Site.objects.get(public_id=site_id)
        assert site.organization == company_a
        assert site.bpn == bpns

        listing = client.get(SITES_URL).json()
        assert [row["id"] for row in listing["results"]] == [site_id]

        updated = client.patch(f"{SITES_URL}{site_id}/", {"name": "Renamed"}, format="json")
        assert updated.status_code == 200
        site.refresh_from_db()
        assert site.name == "Renamed"

        deleted = client.delete(f"{SITES_URL}{site_id}/")
        assert deleted.status_code == 204
        assert not Site.objects.filter(public_id=site_id).exists()
        actions = list(
            AuditEvent.objects.filter(organization=company_a, action__startswith="site.")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == ["site.created", "site.updated", "site.deleted"]

    def test_bpna_is_accepted(self, token_client, admin_a):
        response = token_client(admin_a).post(SITES_URL, site_payload(bpn=make_bpn("A")), format="json")
        assert response.status_code == 201

    @pytest.mark.parametrize("bpn", ["BPNL00000000EMT8", "BPNS123", "not a bpn"])
    def test_invalid_bpns_is_refused(self, token_client, admin_a, bpn):
        response = token_client(admin_a).post(SITES_URL, site_payload(bpn=bpn), format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["bpn"]
        assert not Site.objects.exists()

    def test_bpns_already_used_is_refused(self, token_client, admin_a, company_b):
        other = SiteFactory(organization=company_b)
        response = token_client(admin_a).post(SITES_URL, site_payload(bpn=other.bpn), format="json")
        assert response.status_code == 400
        assert "bpn" in response.json()
        assert Site.objects.count() == 1

    def test_missing_fields_give_field_messages(self, token_client, admin_a):
        response = token_client(admin_a).post(SITES_URL, {}, format="json")
        assert response.status_code == 400
        assert {"name", "street", "postal_code", "city", "country"} <= set(response.json())

    def test_viewer_cannot_create_update_or_delete(self, token_client, viewer_a, company_a):
        site = SiteFactory(organization=company_a, name="Original")
        client = token_client(viewer_a)

        assert client.post(SITES_URL, site_payload(), format="json").status_code == 403
        assert client.patch(f"{SITES_URL}{site.public_id}/", {"name": "X"}, format="json").status_code == 403
        assert client.delete(f"{SITES_URL}{site.public_id}/").status_code == 403
        site.refresh_from_db()
        assert site.name == "Original"
        assert Site.objects.count() == 1
        # Viewers may read.
        assert client.get(f"{SITES_URL}{site.public_id}/").status_code == 200
