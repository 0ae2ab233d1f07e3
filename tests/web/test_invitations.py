"""Inviting people by e-mail and accepting the signed, expiring link."""

from __future__ import annotations

import time

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.tenancy import services, tasks
from portal.tenancy.models import Invitation, Membership, OrganizationKind, OrganizationStatus, Role
from tests.factories import OrganizationFactory, member

from .helpers import INVITATION_LINK, is_logged_in, messages_of

MEMBERS_URL = "/organization/members/"
NEWCOMER = "newcomer@example.com"

pytestmark = pytest.mark.django_db


def account(**overrides) -> dict:
    return {
        "first_name": "Nora",
        "last_name": "Neu",
        "username": "nora",
        "password1": "another-long-passphrase-3",
        "password2": "another-long-passphrase-3",
        **overrides,
    }


def invite(client, email: str = NEWCOMER, role: str = "editor", **extra):
    return client.post(MEMBERS_URL, {"email": email, "role": role, **extra})


def link_in_last_mail() -> str:
    match = INVITATION_LINK.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def signed_at(invitation: Invitation, seconds_ago: int) -> str:
    """A link signed like the real one, but `seconds_ago` seconds in the past."""

    class PastSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - seconds_ago)

    return PastSigner(salt=services.INVITATION_SALT).sign(str(invitation.public_id))


@pytest.fixture
def admin_client(client, admin_a):
    client.force_login(admin_a)
    return client


@pytest.fixture
def invitation(admin_a, company_a):
    return services.invitation_create(actor=admin_a, organization=company_a, email=NEWCOMER, role=Role.VIEWER)


class TestInvite:
    def test_admin_invites_by_email_and_the_link_creates_the_member(
        self, admin_client, admin_a, company_a, on_commit, client_factory
    ):
        with on_commit():
            response = invite(admin_client, email="  NewComer@Example.com ", role="editor")

        assert response.status_code == 302
        invitation = Invitation.objects.get()
        assert invitation.email == NEWCOMER
        assert invitation.role == Role.EDITOR
        assert invitation.invited_by == admin_a
        assert invitation.organization == company_a
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [NEWCOMER]
        assert "Company A GmbH" in mail.outbox[0].subject
        path = link_in_last_mail()
        assert path.startswith("/invitations/")
        assert str(invitation.public_id) in path  # signed, not encrypted: the id plus a signature
        sent = AuditEvent.objects.get(action="invitation.sent")
        assert sent.actor == admin_a and sent.organization == company_a

        newcomer = client_factory()
        page = newcomer.get(path)
        assert page.status_code == 200
        assert "Company A GmbH" in page.content.decode()
        accepted = newcomer.post(path, account(email="attacker@evil.example"))

        assert accepted.status_code == 302
        assert accepted["Location"] == "/dashboard/"
        user = User.objects.get(username="nora")
        assert user.email == NEWCOMER  # the invited address, whatever the form says
        membership = Membership.objects.get(user=user)
        assert membership.organization == company_a
        assert membership.role == Role.EDITOR
        assert is_logged_in(newcomer)
        invitation.refresh_from_db()
        assert invitation.accepted_at is not None
        event = AuditEvent.objects.get(action="invitation.accepted")
        assert event.actor == user and event.organization == company_a
        assert event.details == {"role": "editor"}
        assert newcomer.get("/organization/").status_code == 200

    def test_reused_link_is_refused(self, invitation, client, client_factory):
        path = f"/invitations/{services.invitation_token(invitation)}/"
        assert client.post(path, account()).status_code == 302

        second = client_factory()
        assert second.get(path).status_code == 404
        response = second.post(path, account(username="nora2"))
        assert response.status_code == 404
        assert not User.objects.filter(username="nora2").exists()
        assert Membership.objects.filter(organization=invitation.organization).count() == 2

    def test_tampered_link_is_refused(self, invitation, client):
        token = services.invitation_token(invitation)
        value, signature = token.rsplit(":", 1)
        forged_signature = ("A" if signature[0] != "A" else "B") + signature[1:]
        other = OrganizationFactory()
        foreign = Invitation.objects.create(organization=other, email="x@example.com", role=Role.ADMIN)
        swapped = token.replace(str(invitation.public_id), str(foreign.public_id))
        for bad in (f"{value}:{forged_signature}", swapped, str(invitation.public_id), "garbage"):
            response = client.post(f"/invitations/{bad}/", account())
            assert response.status_code == 404, bad
        assert not User.objects.filter(username="nora").exists()

    def test_expired_link_is_refused(self, invitation, client, settings):
        settings.PASSBRIDGE_INVITATION_MAX_AGE = 7 * 24 * 60 * 60
        path = f"/invitations/{signed_at(invitation, 8 * 24 * 60 * 60)}/"

        assert client.get(path).status_code == 404
        assert client.post(path, account()).status_code == 404
        assert not User.objects.filter(username="nora").exists()
        invitation.refresh_from_db()
        assert invitation.accepted_at is None

    def test_link_within_its_validity_still_works(self, invitation, client):
        path = f"/invitations/{signed_at(invitation, 6 * 24 * 60 * 60)}/"
        assert client.get(path).status_code == 200

    def test_expiry_follows_the_setting(self, invitation, client, settings):
        path = f"/invitations/{signed_at(invitation, 120)}/"
        settings.PASSBRIDGE_INVITATION_MAX_AGE = 60
        assert client.get(path).status_code == 404
        settings.PASSBRIDGE_INVITATION_MAX_AGE = 600
        assert client.get(path).status_code == 200

    def test_invitation_from_token_refuses_an_expired_signature(self, invitation):
        token = services.invitation_token(invitation)
        assert services.invitation_from_token(token, max_age=3600) == invitation
        assert services.invitation_from_token(token, max_age=-1) is None

    def test_revoked_invitation_is_refused(self, admin_client, admin_a, invitation, client_factory):
        path = f"/invitations/{services.invitation_token(invitation)}/"
        response = admin_client.post(f"/organization/invitations/{invitation.public_id}/revoke/")
        assert response.status_code == 302
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None
        assert AuditEvent.objects.filter(action="invitation.revoked", actor=admin_a).exists()

        newcomer = client_factory()
        assert newcomer.get(path).status_code == 404
        assert newcomer.post(path, account()).status_code == 404
        assert not User.objects.filter(username="nora").exists()

    def test_invitation_to_a_suspended_organization_is_refused(self, invitation, client, company_a):
        company_a.status = OrganizationStatus.SUSPENDED
        company_a.save()
        path = f"/invitations/{services.invitation_token(invitation)}/"
        assert client.get(path).status_code == 404

    def test_logged_in_user_cannot_accept(self, invitation, client, admin_b):
        client.force_login(admin_b)
        path = f"/invitations/{services.invitation_token(invitation)}/"
        assert client.post(path, account()).status_code == 409
        assert Membership.objects.get(user=admin_b).organization.legal_name == "Company B KK"
        invitation.refresh_from_db()
        assert invitation.is_open

    def test_taken_username_keeps_the_invitation_open(self, invitation, client, admin_b):
        path = f"/invitations/{services.invitation_token(invitation)}/"
        response = client.post(path, account(username="admin-b"))
        assert response.status_code == 200
        assert "username" in response.context["form"].errors
        invitation.refresh_from_db()
        assert invitation.is_open
        assert not is_logged_in(client)

    def test_address_of_an_existing_account_is_refused_at_invitation(self, admin_a, company_a, admin_b):
        # One organization per person: refused up front, without naming the other organization.
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_create(
                actor=admin_a, organization=company_a, email=admin_b.email, role=Role.VIEWER
            )
        message = " ".join(excinfo.value.message_dict["email"])
        assert "already has a PassBridge account" in message
        assert "Company B" not in message
        assert not Invitation.objects.exists()
        assert Membership.objects.get(user=admin_b).organization.legal_name == "Company B KK"

    def test_viewer_cannot_invite(self, client, viewer_a, on_commit):
        client.force_login(viewer_a)
        with on_commit():
            response = invite(client)
        assert response.status_code == 403
        assert not Invitation.objects.exists()
        assert mail.outbox == []

    def test_viewer_sees_no_invitation_form(self, client, viewer_a, invitation):
        client.force_login(viewer_a)
        response = client.get(MEMBERS_URL)
        assert response.status_code == 200
        html = response.content.decode()
        assert NEWCOMER not in html
        assert "Send invitation" not in html

    def test_viewer_cannot_revoke(self, client, viewer_a, invitation):
        client.force_login(viewer_a)
        response = client.post(f"/organization/invitations/{invitation.public_id}/revoke/")
        assert response.status_code == 403
        invitation.refresh_from_db()
        assert invitation.is_open

    def test_inviting_an_existing_member_is_refused(self, admin_client, viewer_a, on_commit):
        with on_commit():
            response = invite(admin_client, email=viewer_a.email.upper())
        assert response.status_code == 200
        assert "already a member" in " ".join(response.context["form"].errors["email"])
        assert not Invitation.objects.exists()
        assert mail.outbox == []

    def test_second_open_invitation_to_the_same_address_is_refused(self, admin_client, invitation):
        response = invite(admin_client, email=NEWCOMER)
        assert response.status_code == 200
        assert "already open" in " ".join(response.context["form"].errors["email"])
        assert Invitation.objects.count() == 1

    @pytest.mark.parametrize("role", ["inspector", "reviewer", "lead", "superuser"])
    def test_role_not_valid_for_a_company_is_refused(self, admin_client, role):
        response = invite(admin_client, role=role)
        assert response.status_code == 200
        assert "role" in response.context["form"].errors
        assert not Invitation.objects.exists()

    def test_service_refuses_a_role_of_another_kind(self, admin_a, company_a):
        with pytest.raises(ValidationError):
            services.invitation_create(
                actor=admin_a, organization=company_a, email=NEWCOMER, role="inspector"
            )
        assert not Invitation.objects.exists()

    def test_authority_admin_invites_an_inspector(self, client, on_commit, client_factory):
        authority = OrganizationFactory(kind=OrganizationKind.AUTHORITY)
        boss = member(Role.ADMIN, authority)
        client.force_login(boss)
        with on_commit():
            assert invite(client, role="inspector").status_code == 302
        newcomer = client_factory()
        assert newcomer.post(link_in_last_mail(), account()).status_code == 302
        assert Membership.objects.get(user__username="nora").role == Role.INSPECTOR

    def test_invitation_mail_is_in_the_inviters_language(self, client, company_a, on_commit, monkeypatch):
        inviter = member(Role.ADMIN, company_a, preferred_language="ja")
        client.force_login(inviter)
        seen = []
        original = tasks.send_templated_mail

        def spy(**kwargs):
            seen.append(kwargs["language"])
            return original(**kwargs)

        monkeypatch.setattr(tasks, "send_templated_mail", spy)
        with on_commit():
            invite(client)
        assert seen == ["ja"]
        assert mail.outbox[0].to == [NEWCOMER]

    def test_success_message_after_inviting(self, admin_client):
        response = admin_client.post(MEMBERS_URL, {"email": NEWCOMER, "role": "viewer"}, follow=True)
        assert any(NEWCOMER in message for message in messages_of(response))
        assert NEWCOMER in response.content.decode()  # listed under the open invitations


def test_the_invitation_form_offers_the_least_powerful_role_first(client, admin_a):
    client.force_login(admin_a)
    page = client.get("/organization/members/").content.decode()
    assert '<option value="viewer" selected>' in page
    assert '<option value="admin" selected>' not in page
