"""The audit log: who did what, for which organization, from where; append-only in the database."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.tenancy.models import Role
from tests.factories import SiteFactory, member

AUDIT_URL = "/organization/audit/"

pytestmark = pytest.mark.django_db


class TestEventsAreWritten:
    def test_html_action_records_actor_organization_action_and_ip(self, client, admin_a, company_a):
        client.force_login(admin_a)
        client.post(
            "/organization/members/",
            {"email": "someone@example.com", "role": "viewer"},
            REMOTE_ADDR="203.0.113.7",
        )

        event = AuditEvent.objects.get(action="invitation.sent")
        assert event.actor == admin_a
        assert event.actor_label == "admin-a"
        assert event.organization == company_a
        assert event.ip_address == "203.0.113.7"
        assert event.object_type == "tenancy.invitation"
        assert event.details == {"role": "viewer"}

    def test_api_action_records_the_ip_too(self, token_client, admin_a, company_a):
        token_client(admin_a).patch(
            "/api/v1/organizations/me/", {"city": "Köln"}, format="json", REMOTE_ADDR="198.51.100.23"
        )
        event = AuditEvent.objects.get(action="organization.updated")
        assert event.ip_address == "198.51.100.23"
        assert event.actor == admin_a and event.organization == company_a

    def test_forwarded_for_is_ignored_unless_trusted(self, client, admin_a, settings):
        client.force_login(admin_a)
        data = {"email": "a@example.com", "role": "viewer"}
        client.post("/organization/members/", data, HTTP_X_FORWARDED_FOR="192.0.2.99")
        assert AuditEvent.objects.get(action="invitation.sent").ip_address == "127.0.0.1"

        settings.PASSBRIDGE_TRUST_X_FORWARDED_FOR = True
        data = {"email": "b@example.com", "role": "viewer"}
        # The last entry is the one our proxy added; what came before is the client's own claim.
        client.post("/organization/members/", data, HTTP_X_FORWARDED_FOR="10.9.9.9, 192.0.2.99")
        assert AuditEvent.objects.filter(action="invitation.sent").latest("id").ip_address == "192.0.2.99"

    def test_service_call_outside_a_request_has_no_ip(self, admin_a, company_a):
        event = audit_record(actor=admin_a, action="test.event", organization=company_a)
        assert event.ip_address is None

    def test_system_actor(self, company_a):
        event = audit_record(actor=None, action="test.system", organization=company_a)
        assert event.actor is None
        assert event.actor_label == "system"


class TestAuditLogPage:
    def test_admin_sees_own_organization_only(self, client, admin_a, admin_b, company_a, company_b):
        SiteFactory(organization=company_a)
        audit_record(actor=admin_a, action="a.only-in-company-a", organization=company_a)
        audit_record(actor=admin_b, action="b.only-in-company-b", organization=company_b)
        client.force_login(admin_a)

        response = client.get(AUDIT_URL)

        assert response.status_code == 200
        html = response.content.decode()
        assert "a.only-in-company-a" in html
        assert "b.only-in-company-b" not in html
        assert "admin-b" not in html
        assert {event.organization_id for event in response.context["page"].object_list} == {company_a.pk}

    def test_entries_read_as_words_with_the_code_kept(self, client, admin_a, company_a):
        # The page's words in every language: tests/web/test_audit_language.py.
        audit_record(
            actor=admin_a, action="site.archived", organization=company_a, target=SiteFactory(name="Hall 4")
        )
        client.force_login(admin_a)

        html = client.get(AUDIT_URL).content.decode()

        assert "Site archived" in html
        assert "<code>site.archived</code>" in html  # for support staff
        assert "Site Hall 4" in html

    def test_operators_read_the_label_in_the_admin_too(self, client, operator, admin_a, company_a):
        audit_record(actor=admin_a, action="invitation.revoked", organization=company_a)
        client.force_login(operator)

        html = client.get("/admin/audit/auditevent/").content.decode()

        assert "Invitation withdrawn" in html and "invitation.revoked" in html

    def test_viewer_gets_403(self, client, viewer_a):
        client.force_login(viewer_a)
        assert client.get(AUDIT_URL).status_code == 403

    def test_editor_gets_403(self, client, company_a):
        client.force_login(member(Role.EDITOR, company_a))
        assert client.get(AUDIT_URL).status_code == 403

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(AUDIT_URL)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_newest_first_and_paginated(self, client, admin_a, company_a):
        for number in range(55):
            audit_record(actor=admin_a, action=f"test.event-{number:02d}", organization=company_a)
        client.force_login(admin_a)

        first = client.get(AUDIT_URL)
        assert first.context["page"].object_list[0].action == "test.event-54"
        assert first.context["page"].paginator.num_pages == 2
        second = client.get(AUDIT_URL, {"page": 2})
        assert second.context["page"].object_list[len(second.context["page"].object_list) - 1].action == (
            "test.event-00"
        )


class TestAppendOnly:
    def test_database_refuses_update(self, admin_a, company_a):
        event = audit_record(actor=admin_a, action="test.original", organization=company_a)

        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(action="x")

        event.refresh_from_db()
        assert event.action == "test.original"

    def test_database_refuses_delete(self, admin_a, company_a):
        event = audit_record(actor=admin_a, action="test.original", organization=company_a)

        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()

        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_database_refuses_truncate_outside_the_test_runner(self, admin_a, company_a):
        event = audit_record(actor=admin_a, action="test.original", organization=company_a)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL passbridge.allow_audit_truncate = 'off'")  # as every other connection
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no deferred checks
            with pytest.raises(Exception, match="append-only"), transaction.atomic():
                cursor.execute("TRUNCATE audit_auditevent CASCADE")
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_model_refuses_save_and_delete(self, admin_a, company_a):
        event = audit_record(actor=admin_a, action="test.original", organization=company_a)
        event.action = "changed"
        with pytest.raises(PermissionError):
            event.save()
        with pytest.raises(PermissionError):
            event.delete()

    def test_admin_cannot_change_or_delete_events(self, client, operator, admin_a, company_a):
        event = audit_record(actor=admin_a, action="test.original", organization=company_a)
        client.force_login(operator)
        assert client.get("/admin/audit/auditevent/").status_code == 200
        assert client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
        client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "x"})
        event.refresh_from_db()
        assert event.action == "test.original"
