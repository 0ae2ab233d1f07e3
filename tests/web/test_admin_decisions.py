"""Operators approve and reject registrations through the Django admin changelist actions."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from portal import mail as portal_mail
from portal.audit.models import AuditEvent
from portal.tenancy import tasks
from portal.tenancy.models import Organization, OrganizationStatus, Role, Site
from tests.factories import OrganizationFactory, make_bpn, member

CHANGELIST = "/admin/tenancy/organization/"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant_org(db):
    return OrganizationFactory(legal_name="Applicant Batteries AG", status=OrganizationStatus.PENDING)


@pytest.fixture
def applicant(applicant_org):
    return member(
        Role.ADMIN,
        applicant_org,
        username="applicant",
        email="boss@applicant.example",
        preferred_language="de",
    )


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def rendered_languages(monkeypatch):
    """The language active while each e-mail template is rendered, by template name."""
    seen: dict[str, str] = {}
    original = portal_mail.render_to_string

    def spy(template_name, context=None, *args, **kwargs):
        seen[template_name] = translation.get_language()
        return original(template_name, context, *args, **kwargs)

    monkeypatch.setattr(portal_mail, "render_to_string", spy)
    return seen


def act(client, action: str, *organizations, **extra):
    data = {"action": action, "_selected_action": [str(org.pk) for org in organizations], **extra}
    return client.post(CHANGELIST, data)


class TestApprove:
    def test_approve_activates_audits_and_tells_the_applicant(
        self, operator_client, operator, applicant, applicant_org, on_commit, rendered_languages
    ):
        with on_commit():
            response = act(operator_client, "approve", applicant_org)

        assert response.status_code == 302
        applicant_org.refresh_from_db()
        assert applicant_org.status == OrganizationStatus.ACTIVE
        assert applicant_org.decided_at is not None
        assert applicant_org.decision_notified_at is not None
        event = AuditEvent.objects.get(action="organization.approved")
        assert event.actor == operator
        assert event.organization == applicant_org
        assert event.ip_address == "127.0.0.1"
        assert event.details == {"status": "active"}
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["boss@applicant.example"]
        assert "Applicant Batteries AG" in message.subject
        assert "/accounts/login/" in message.body
        # Rendered in the applicant's language, not the operator's.
        assert rendered_languages["emails/organization_active_subject.txt"] == "de"
        assert rendered_languages["emails/organization_active_body.txt"] == "de"

    def test_approved_applicant_can_use_the_company_pages(
        self, operator_client, applicant, applicant_org, client
    ):
        act(operator_client, "approve", applicant_org)
        client.force_login(applicant)
        assert client.get("/organization/").status_code == 200

    def test_decision_mail_is_sent_once(self, operator_client, applicant, applicant_org, on_commit):
        with on_commit():
            act(operator_client, "approve", applicant_org)
        assert tasks.send_organization_decision_email(applicant_org.pk) is False
        assert len(mail.outbox) == 1

    def test_approving_several_at_once(self, operator_client, applicant_org):
        other = OrganizationFactory(status=OrganizationStatus.PENDING)
        act(operator_client, "approve", applicant_org, other)
        assert set(Organization.objects.values_list("status", flat=True)) == {"active"}
        assert AuditEvent.objects.filter(action="organization.approved").count() == 2


class TestReject:
    def test_reject_asks_for_a_reason_first(self, operator_client, applicant, applicant_org):
        response = act(operator_client, "reject", applicant_org)

        assert response.status_code == 200
        assert response.templates[0].name == "admin/tenancy/organization/reject_reason.html"
        html = response.content.decode()
        assert "Applicant Batteries AG" in html
        assert 'name="reason"' in html
        applicant_org.refresh_from_db()
        assert applicant_org.status == OrganizationStatus.PENDING
        assert not AuditEvent.objects.filter(action="organization.rejected").exists()

    def test_reject_with_a_reason(
        self, operator_client, operator, applicant, applicant_org, on_commit, rendered_languages
    ):
        reason = "The BPNL belongs to another company."
        with on_commit():
            response = act(operator_client, "reject", applicant_org, apply="1", reason=reason)

        assert response.status_code == 302
        applicant_org.refresh_from_db()
        assert applicant_org.status == OrganizationStatus.REJECTED
        assert applicant_org.status_reason == reason
        event = AuditEvent.objects.get(action="organization.rejected")
        assert event.actor == operator
        assert event.organization == applicant_org
        assert event.details == {"status": "rejected", "reason": reason}
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["boss@applicant.example"]
        assert reason in mail.outbox[0].body
        assert rendered_languages["emails/organization_rejected_body.txt"] == "de"

    def test_rejected_applicant_sees_the_reason_on_the_dashboard(
        self, operator_client, applicant, applicant_org, client
    ):
        act(operator_client, "reject", applicant_org, apply="1", reason="Unknown company.")
        client.force_login(applicant)
        response = client.get("/dashboard/")
        assert "Unknown company." in response.content.decode()
        assert client.get("/organization/")["Location"] == "/dashboard/"

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_reject_without_a_reason_shows_the_form_again(
        self, operator_client, applicant, applicant_org, on_commit, reason
    ):
        with on_commit():
            response = act(operator_client, "reject", applicant_org, apply="1", reason=reason)

        assert response.status_code == 200
        assert response.templates[0].name == "admin/tenancy/organization/reject_reason.html"
        assert response.context["form"].errors["reason"]
        applicant_org.refresh_from_db()
        assert applicant_org.status == OrganizationStatus.PENDING
        assert not AuditEvent.objects.filter(action="organization.rejected").exists()
        assert mail.outbox == []

    def test_an_active_organization_cannot_be_rejected(self, operator_client, company_a, admin_a):
        response = act(operator_client, "reject", company_a, apply="1", reason="Changed our mind")
        assert response.status_code == 302
        company_a.refresh_from_db()
        assert company_a.status == OrganizationStatus.ACTIVE

    def test_suspend_with_a_reason(self, operator_client, company_a, admin_a, on_commit):
        with on_commit():
            act(operator_client, "suspend", company_a, apply="1", reason="Unpaid invoices")
        company_a.refresh_from_db()
        assert company_a.status == OrganizationStatus.SUSPENDED
        assert mail.outbox[0].to == [admin_a.email]
        assert "Unpaid invoices" in mail.outbox[0].body


class TestAdminAccess:
    def test_company_admin_cannot_reach_the_admin(self, client, admin_a):
        client.force_login(admin_a)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")

    def test_company_admin_cannot_approve_through_the_changelist(self, client, admin_a, applicant_org):
        client.force_login(admin_a)
        response = act(client, "approve", applicant_org)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
        applicant_org.refresh_from_db()
        assert applicant_org.status == OrganizationStatus.PENDING
        assert not AuditEvent.objects.filter(action="organization.approved").exists()

    def test_anonymous_cannot_approve(self, client, applicant_org):
        act(client, "approve", applicant_org)
        applicant_org.refresh_from_db()
        assert applicant_org.status == OrganizationStatus.PENDING

    def test_operator_sees_the_changelist(self, operator_client, applicant_org):
        response = operator_client.get(CHANGELIST, {"status__exact": "pending"})
        assert response.status_code == 200
        assert "Applicant Batteries AG" in response.content.decode()

    def test_operator_dashboard_shows_the_queue_and_links_the_admin(self, operator_client, applicant_org):
        response = operator_client.get("/dashboard/")
        assert response.status_code == 200
        assert response.templates[0].name == "dashboards/operator.html"
        page = response.content.decode()
        assert "Applicant Batteries AG" in page and 'href="/admin/"' in page


def admin_add_data(**overrides) -> dict:
    return {
        "kind": "certification_body",
        "legal_name": "Zertifizierung Süd GmbH",
        "country": "DE",
        "street": "Prüfweg 1",
        "postal_code": "80331",
        "city": "München",
        "website": "",
        "data_spaces": "catenax",
        "bpnl": "",
        "corporate_number": "",
        "lei": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "sites-TOTAL_FORMS": "0",
        "sites-INITIAL_FORMS": "0",
        **overrides,
    }


class TestOperatorCreatesOrganizations:
    def test_created_organization_is_active_with_canonical_identifiers(self, operator_client):
        bpnl = make_bpn("L")
        response = operator_client.post(
            f"{CHANGELIST}add/",
            admin_add_data(bpnl=bpnl.lower(), corporate_number="１１８０３０１０１８７７１"),
        )

        assert response.status_code == 302
        org = Organization.objects.get(legal_name="Zertifizierung Süd GmbH")
        assert org.status == OrganizationStatus.ACTIVE
        assert org.bpnl == bpnl
        assert org.corporate_number == "1180301018771"

    @pytest.mark.parametrize(
        ("field", "spelling"), [("bpnl", str.lower), ("corporate_number", lambda v: v.translate(FULLWIDTH))]
    )
    def test_identifier_of_another_organization_in_another_spelling_is_refused(
        self, operator_client, field, spelling
    ):
        existing = OrganizationFactory(corporate_number="1180301018771")
        before = Organization.objects.count()

        response = operator_client.post(
            f"{CHANGELIST}add/", admin_add_data(**{field: spelling(getattr(existing, field))})
        )

        assert response.status_code == 200
        assert field in response.context["adminform"].form.errors
        assert Organization.objects.count() == before

    def test_site_bpn_is_stored_in_canonical_form(self, company_a):
        site = Site(
            organization=company_a,
            name="Plant",
            street="s",
            postal_code="1",
            city="c",
            country="DE",
            bpn=make_bpn("S").lower(),
        )
        site.full_clean()
        assert site.bpn == site.bpn.upper()
        assert site.bpn.startswith("BPNS")
