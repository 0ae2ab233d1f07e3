"""Changing roles, deactivating and reactivating members (HTML /organization/members/<id>/)."""

from __future__ import annotations

import pytest

from portal.accounts.models import ApiToken
from portal.accounts.services import api_token_create
from portal.audit.models import AuditEvent
from portal.tenancy.models import Membership, OrganizationKind, Role
from tests.factories import PASSWORD, OrganizationFactory, member

from .helpers import is_logged_in, messages_of

LAST_ADMIN = "An organization needs at least one active administrator."

pytestmark = pytest.mark.django_db


def update(client, user, action: str, **extra):
    return client.post(
        f"/organization/members/{user.membership.public_id}/", {"action": action, **extra}, follow=True
    )


def login(client, username: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.fixture
def admin_client(client, admin_a):
    client.force_login(admin_a)
    return client


class TestChangeRole:
    def test_admin_changes_a_role(self, admin_client, admin_a, viewer_a, company_a):
        response = update(admin_client, viewer_a, "role", role="editor")

        assert response.status_code == 200
        assert "Role changed." in messages_of(response)
        assert Membership.objects.get(user=viewer_a).role == Role.EDITOR
        event = AuditEvent.objects.get(action="membership.role_changed")
        assert event.actor == admin_a
        assert event.organization == company_a
        assert event.details == {"from": "viewer", "to": "editor"}

    def test_promoted_editor_can_manage_sites(self, admin_client, viewer_a, client_factory):
        viewer_client = client_factory()
        viewer_client.force_login(viewer_a)
        assert viewer_client.get("/organization/sites/new/").status_code == 403
        update(admin_client, viewer_a, "role", role="editor")
        assert viewer_client.get("/organization/sites/new/").status_code == 200

    @pytest.mark.parametrize("role", ["inspector", "reviewer", "lead", "owner", ""])
    def test_role_not_valid_for_the_organization_kind_is_refused(self, admin_client, viewer_a, role):
        response = update(admin_client, viewer_a, "role", role=role)

        assert response.status_code == 200
        assert any("valid choice" in m or "required" in m for m in messages_of(response)), messages_of(
            response
        )
        assert Membership.objects.get(user=viewer_a).role == Role.VIEWER
        assert not AuditEvent.objects.filter(action="membership.role_changed").exists()

    def test_admin_role_does_not_exist_in_a_certification_body(self, client):
        body = OrganizationFactory(kind=OrganizationKind.CERTIFICATION_BODY)
        lead = member(Role.LEAD, body)
        reviewer = member(Role.REVIEWER, body)
        client.force_login(lead)
        update(client, reviewer, "role", role="admin")
        assert Membership.objects.get(user=reviewer).role == Role.REVIEWER
        update(client, reviewer, "role", role="lead")
        assert Membership.objects.get(user=reviewer).role == Role.LEAD

    def test_last_admin_cannot_demote_themselves(self, admin_client, admin_a, viewer_a):
        response = update(admin_client, admin_a, "role", role="viewer")

        assert response.status_code == 200
        assert LAST_ADMIN in messages_of(response)
        assert LAST_ADMIN in response.content.decode()
        assert Membership.objects.get(user=admin_a).role == Role.ADMIN

    def test_an_admin_may_step_down_when_another_admin_remains(self, admin_client, admin_a, company_a):
        member(Role.ADMIN, company_a, username="second-admin")
        update(admin_client, admin_a, "role", role="viewer")
        assert Membership.objects.get(user=admin_a).role == Role.VIEWER

    def test_a_deactivated_admin_does_not_count(self, admin_client, admin_a, company_a):
        other = member(Role.ADMIN, company_a, username="second-admin")
        update(admin_client, other, "deactivate")
        response = update(admin_client, admin_a, "role", role="editor")
        assert LAST_ADMIN in messages_of(response)
        assert Membership.objects.get(user=admin_a).role == Role.ADMIN

    def test_viewer_cannot_change_roles(self, client, viewer_a, admin_a):
        client.force_login(viewer_a)
        response = client.post(
            f"/organization/members/{viewer_a.membership.public_id}/", {"action": "role", "role": "admin"}
        )
        assert response.status_code == 403
        assert Membership.objects.get(user=viewer_a).role == Role.VIEWER

    def test_editor_cannot_change_roles(self, client, admin_a, viewer_a, company_a):
        editor = member(Role.EDITOR, company_a)
        client.force_login(editor)
        response = client.post(
            f"/organization/members/{viewer_a.membership.public_id}/", {"action": "role", "role": "admin"}
        )
        assert response.status_code == 403
        assert Membership.objects.get(user=viewer_a).role == Role.VIEWER

    def test_unknown_action_changes_nothing(self, admin_client, viewer_a):
        response = update(admin_client, viewer_a, "delete")
        assert "Unknown action." in messages_of(response)
        assert Membership.objects.filter(user=viewer_a, is_active=True).exists()


class TestDeactivate:
    def test_deactivated_member_can_no_longer_log_in_and_loses_tokens(
        self, admin_client, admin_a, viewer_a, client_factory
    ):
        token, _value = api_token_create(actor=viewer_a, name="script")
        session = client_factory()
        session.force_login(viewer_a)
        assert session.get("/dashboard/").status_code == 200

        response = update(admin_client, viewer_a, "deactivate")

        assert "Member deactivated." in messages_of(response)
        viewer_a.refresh_from_db()
        assert viewer_a.is_active is False
        membership = Membership.objects.get(user=viewer_a)
        assert membership.is_active is False
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert not ApiToken.objects.usable().filter(user=viewer_a).exists()
        assert AuditEvent.objects.filter(action="membership.deactivated", actor=admin_a).exists()
        # The running session ends, and a new login is refused.
        assert session.get("/dashboard/").status_code == 302
        fresh = client_factory()
        response = login(fresh, "viewer-a")
        assert response.status_code == 200
        assert not is_logged_in(fresh)
        assert response.context["form"].errors

    def test_reactivated_member_can_log_in_again(self, admin_client, viewer_a, client_factory):
        update(admin_client, viewer_a, "deactivate")
        response = update(admin_client, viewer_a, "reactivate")

        assert "Member reactivated." in messages_of(response)
        viewer_a.refresh_from_db()
        assert viewer_a.is_active
        assert Membership.objects.get(user=viewer_a).is_active
        fresh = client_factory()
        response = login(fresh, "viewer-a")
        assert response.status_code == 302
        assert is_logged_in(fresh)
        assert fresh.get("/organization/").status_code == 200

    def test_reactivation_does_not_bring_back_revoked_tokens(self, admin_client, viewer_a, token_client):
        api = token_client(viewer_a)
        update(admin_client, viewer_a, "deactivate")
        update(admin_client, viewer_a, "reactivate")
        assert api.get("/api/v1/organizations/me/").status_code == 401

    def test_last_admin_cannot_deactivate_themselves(self, admin_client, admin_a, viewer_a):
        response = update(admin_client, admin_a, "deactivate")

        assert LAST_ADMIN in messages_of(response)
        admin_a.refresh_from_db()
        assert admin_a.is_active
        assert Membership.objects.get(user=admin_a).is_active
        assert not AuditEvent.objects.filter(action="membership.deactivated").exists()

    def test_viewer_cannot_deactivate(self, client, viewer_a, admin_a):
        client.force_login(viewer_a)
        response = client.post(
            f"/organization/members/{admin_a.membership.public_id}/", {"action": "deactivate"}
        )
        assert response.status_code == 403
        admin_a.refresh_from_db()
        assert admin_a.is_active

    def test_members_page_shows_the_status(self, admin_client, viewer_a):
        update(admin_client, viewer_a, "deactivate")
        html = admin_client.get("/organization/members/").content.decode()
        assert "Deactivated" in html
        assert 'value="reactivate"' in html
