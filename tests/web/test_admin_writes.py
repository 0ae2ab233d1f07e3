"""Writes made in the Django admin go through the portal's services: the same checks (a role must exist for
the organization's kind, an organization keeps an active administrator), the same audit entries, and a
refusal is a form error or a message, never a 500 and never half a change."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError

from certification.models import Accreditation, AssessmentMethod, Criterion, Scheme, Standard
from certification.services import accreditations as catalogue
from portal.accounts.models import ApiToken, User
from portal.accounts.services import api_token_create
from portal.audit.models import AuditEvent
from portal.tenancy import services as tenancy_services
from portal.tenancy.models import Membership, Organization, OrganizationKind, OrganizationStatus, Role
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


def messages_after(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def membership_url(membership: Membership) -> str:
    return f"/admin/tenancy/membership/{membership.pk}/change/"


def post_membership(client, membership: Membership, **changes):
    data = {"role": membership.role, "is_active": "on" if membership.is_active else "", **changes}
    return client.post(membership_url(membership), {k: v for k, v in data.items() if v != ""})


def membership_of(user) -> Membership:
    return Membership.objects.select_related("user").get(user=user)


class TestMembershipRole:
    def test_operator_changes_a_role_through_the_service(self, operator_client, operator, admin_a, viewer_a):
        response = post_membership(operator_client, membership_of(viewer_a), role=Role.EDITOR)

        assert response.status_code == 302
        assert membership_of(viewer_a).role == Role.EDITOR
        event = AuditEvent.objects.get(action="membership.role_changed")
        assert event.actor == operator
        assert event.organization == membership_of(viewer_a).organization
        assert event.details == {"from": "viewer", "to": "editor"}

    def test_a_company_member_cannot_be_made_an_inspector(self, operator_client, admin_a, viewer_a):
        response = post_membership(operator_client, membership_of(viewer_a), role=Role.INSPECTOR)

        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert "does not exist for this kind of organization" in " ".join(errors["role"])
        assert membership_of(viewer_a).role == Role.VIEWER
        assert not AuditEvent.objects.filter(action="membership.role_changed").exists()

    def test_the_last_administrator_cannot_be_demoted(self, operator_client, admin_a, viewer_a):
        response = post_membership(operator_client, membership_of(admin_a), role=Role.VIEWER)

        assert response.status_code == 200
        assert "at least one active administrator" in " ".join(
            response.context["adminform"].form.errors["role"]
        )
        assert membership_of(admin_a).role == Role.ADMIN

    def test_an_administrator_may_be_demoted_when_another_remains(self, operator_client, admin_a, company_a):
        member(Role.ADMIN, company_a)
        response = post_membership(operator_client, membership_of(admin_a), role=Role.VIEWER)
        assert response.status_code == 302
        assert membership_of(admin_a).role == Role.VIEWER


class TestMembershipActivity:
    def test_deactivation_is_the_service_s(self, operator_client, operator, admin_a, viewer_a):
        token, _value = api_token_create(actor=viewer_a, name="script")

        response = post_membership(operator_client, membership_of(viewer_a), is_active="")

        assert response.status_code == 302
        assert membership_of(viewer_a).is_active is False
        viewer_a.refresh_from_db()
        assert viewer_a.is_active is False
        assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
        assert AuditEvent.objects.get(action="membership.deactivated").actor == operator

    def test_reactivation(self, operator_client, admin_a, viewer_a):
        tenancy_services.membership_deactivate(actor=admin_a, membership=membership_of(viewer_a))
        response = post_membership(operator_client, membership_of(viewer_a), is_active="on")
        assert response.status_code == 302
        assert membership_of(viewer_a).is_active
        assert User.objects.get(pk=viewer_a.pk).is_active
        assert AuditEvent.objects.filter(action="membership.reactivated").exists()

    def test_the_last_administrator_cannot_be_deactivated(self, operator_client, admin_a):
        response = post_membership(operator_client, membership_of(admin_a), is_active="")

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["is_active"]
        assert membership_of(admin_a).is_active
        assert not AuditEvent.objects.filter(action="membership.deactivated").exists()

    def test_a_refusal_at_save_time_saves_nothing(self, operator_client, admin_a, viewer_a, monkeypatch):
        """A refusal the form could not foresee (here: the second of two steps) rolls back the first."""

        def refuse(**kwargs):
            raise ValidationError("Changed by someone else meanwhile.")

        monkeypatch.setattr(tenancy_services, "membership_deactivate", refuse)
        url = membership_url(membership_of(viewer_a))

        response = post_membership(operator_client, membership_of(viewer_a), role=Role.EDITOR, is_active="")

        assert response.status_code == 302
        assert response["Location"] == url  # back to the form, not on to the list
        assert "Changed by someone else meanwhile." in messages_after(response)
        assert membership_of(viewer_a).role == Role.VIEWER
        assert membership_of(viewer_a).is_active
        assert not AuditEvent.objects.filter(action__startswith="membership.").exists()

    def test_memberships_are_not_deleted_in_the_admin(self, operator_client, viewer_a):
        response = operator_client.post(
            f"/admin/tenancy/membership/{membership_of(viewer_a).pk}/delete/", {"post": "yes"}
        )
        assert response.status_code == 403
        assert Membership.objects.filter(user=viewer_a).exists()


class TestMembershipCreate:
    def test_operator_adds_the_first_lead_of_a_body(self, operator_client, operator, certification_body):
        person = UserFactory(username="new-lead")
        response = operator_client.post(
            "/admin/tenancy/membership/add/",
            {"user": person.pk, "organization": certification_body.pk, "role": Role.LEAD, "is_active": "on"},
        )

        assert response.status_code == 302
        membership = membership_of(person)
        assert (membership.organization, membership.role) == (certification_body, Role.LEAD)
        event = AuditEvent.objects.get(action="membership.created")
        assert (event.actor, event.organization, event.details) == (
            operator,
            certification_body,
            {"role": "lead"},
        )

    def test_a_role_the_kind_does_not_have_is_refused(self, operator_client, certification_body):
        person = UserFactory(username="new-admin")
        response = operator_client.post(
            "/admin/tenancy/membership/add/",
            {"user": person.pk, "organization": certification_body.pk, "role": Role.ADMIN, "is_active": "on"},
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["role"]
        assert not Membership.objects.filter(user=person).exists()

    def test_user_page_adds_a_membership_through_the_service(self, operator_client, authority):
        person = UserFactory(username="new-inspector")
        response = operator_client.post(
            f"/admin/accounts/user/{person.pk}/change/", user_form(person, authority, "inspector")
        )

        assert response.status_code == 302, response.context["adminform"].form.errors
        assert membership_of(person).role == Role.INSPECTOR
        assert AuditEvent.objects.filter(action="membership.created", organization=authority).exists()

    def test_user_page_refuses_a_role_the_kind_does_not_have(self, operator_client, company_a):
        person = UserFactory(username="not-an-inspector")
        response = operator_client.post(
            f"/admin/accounts/user/{person.pk}/change/", user_form(person, company_a, Role.INSPECTOR)
        )
        assert response.status_code == 200
        assert not Membership.objects.filter(user=person).exists()
        assert not AuditEvent.objects.filter(action="membership.created").exists()


def user_form(person: User, organization: Organization | None = None, role: str = "", **overrides) -> dict:
    data = {
        "username": person.username,
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "is_active": "on",
        "preferred_language": "en",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "00:00:00",
        "membership-TOTAL_FORMS": "1" if organization else "0",
        "membership-INITIAL_FORMS": "0",
        "membership-MIN_NUM_FORMS": "0",
        "membership-MAX_NUM_FORMS": "1",
        **overrides,
    }
    if organization is not None:
        data |= {"membership-0-organization": organization.pk, "membership-0-role": role}
    return {key: value for key, value in data.items() if value != ""}


class TestUserActivity:
    def existing(self, person: User) -> dict:
        return {
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "1",
            "membership-0-id": membership_of(person).pk,
            "membership-0-user": person.pk,
        }

    def test_turning_off_a_member_s_account_deactivates_the_membership(
        self, operator_client, admin_a, viewer_a
    ):
        response = operator_client.post(
            f"/admin/accounts/user/{viewer_a.pk}/change/",
            user_form(viewer_a, is_active="", **self.existing(viewer_a)),
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert membership_of(viewer_a).is_active is False
        assert AuditEvent.objects.filter(action="membership.deactivated").exists()

    def test_the_last_administrator_s_account_stays_on(self, operator_client, admin_a):
        response = operator_client.post(
            f"/admin/accounts/user/{admin_a.pk}/change/",
            user_form(admin_a, is_active="", **self.existing(admin_a)),
        )
        assert response.status_code == 200
        assert "at least one active administrator" in " ".join(
            response.context["adminform"].form.errors["is_active"]
        )
        admin_a.refresh_from_db()
        assert admin_a.is_active
        assert membership_of(admin_a).is_active


class TestOrganizations:
    def test_operator_edit_is_audited_and_the_kind_stays(self, operator_client, operator, company_a):
        url = f"/admin/tenancy/organization/{company_a.pk}/change/"
        page = operator_client.get(url)
        assert "kind" not in page.context["adminform"].form.fields

        data = {
            field: getattr(company_a, field) or ""
            for field in ("legal_name", "street", "postal_code", "city", "website", "data_spaces", "bpnl")
        }
        data |= {"legal_name": "Company A Renamed GmbH", "country": "DE", "kind": OrganizationKind.AUTHORITY}
        data |= {
            f"{prefix}-{key}": "0"
            for prefix in ("memberships", "sites")
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        }
        response = operator_client.post(url, data)

        assert response.status_code == 302
        company_a.refresh_from_db()
        assert company_a.legal_name == "Company A Renamed GmbH"
        assert company_a.kind == OrganizationKind.ECONOMIC_OPERATOR
        event = AuditEvent.objects.get(action="organization.updated")
        assert (event.actor, event.details) == (operator, {"fields": ["legal_name"]})

    def test_created_organization_is_audited(self, operator_client, operator):
        from .test_admin_decisions import admin_add_data

        response = operator_client.post(
            "/admin/tenancy/organization/add/", admin_add_data(lei="529900T8BM49AURSDO55")
        )

        assert response.status_code == 302
        org = Organization.objects.get(legal_name="Zertifizierung Süd GmbH")
        assert org.status == OrganizationStatus.ACTIVE
        event = AuditEvent.objects.get(action="organization.created")
        assert (event.actor, event.organization) == (operator, org)

    def test_a_refused_suspension_is_a_message(self, operator_client, company_a, monkeypatch):
        def refuse(**kwargs):
            raise PermissionDenied

        monkeypatch.setattr(tenancy_services, "organization_suspend", refuse)
        response = operator_client.post(
            "/admin/tenancy/organization/",
            {"action": "suspend", "_selected_action": [company_a.pk], "apply": "1", "reason": "Unpaid"},
        )
        assert response.status_code == 302
        assert any("may not make this change" in message for message in messages_after(response))
        company_a.refresh_from_db()
        assert company_a.status == OrganizationStatus.ACTIVE


@pytest.fixture
def scheme(db) -> Scheme:
    scheme = Scheme.objects.create(
        code="test-scheme",
        name="Test scheme",
        owner="catenax",
        version="1.0",
        number_format="{body}-{year}-{seq:04d}",
        validity_kind="period",
        validity_months=24,
        scope_kind="organization",
    )
    Standard.objects.create(scheme=scheme, code="CX-0001", title="A standard", version="1.0")
    Criterion.objects.create(
        scheme=scheme,
        code="C1",
        text="Do it",
        text_ja="やる",
        evidence_expected="Proof",
        method=AssessmentMethod.choices[0][0],
    )
    return scheme


class TestAccreditations:
    URL = "/admin/certification/accreditation/"

    def test_accrediting_a_body_is_audited_in_its_log(
        self, operator_client, operator, certification_body, scheme
    ):
        response = operator_client.post(
            f"{self.URL}add/",
            {
                "body": certification_body.pk,
                "scheme": scheme.pk,
                "body_code": "TST",
                "valid_from": "2025-01-01",
            },
        )
        assert response.status_code == 302
        accreditation = Accreditation.objects.get(body=certification_body)
        event = AuditEvent.objects.get(action="accreditation.granted")
        assert (event.actor, event.organization) == (operator, certification_body)
        assert event.details == {
            "scheme": "test-scheme",
            "body_code": "TST",
            "valid_from": "2025-01-01",
            "valid_until": None,
        }
        assert event.object_id == str(accreditation.pk)

    def test_a_company_cannot_be_accredited(self, operator, company_a, scheme):
        with pytest.raises(ValidationError):
            catalogue.accreditation_create(
                actor=operator, body=company_a, scheme=scheme, body_code="CMP", valid_from=date(2025, 1, 1)
            )
        assert not Accreditation.objects.exists()

    def test_only_operators_accredit(self, admin_a, certification_body, scheme):
        with pytest.raises(PermissionDenied):
            catalogue.accreditation_create(
                actor=admin_a,
                body=certification_body,
                scheme=scheme,
                body_code="TST",
                valid_from=date(2025, 1, 1),
            )

    def test_ending_and_withdrawing_are_audited(self, operator_client, certification_body, scheme):
        accreditation = Accreditation.objects.create(
            body=certification_body, scheme=scheme, body_code="TST", valid_from=date(2025, 1, 1)
        )
        response = operator_client.post(
            f"{self.URL}{accreditation.pk}/change/",
            {
                "body_code": "TST",
                "valid_from": "2025-01-01",
                "valid_until": "2025-12-31",
                "body": "",
                "scheme": "",
            },
        )
        assert response.status_code == 302
        accreditation.refresh_from_db()
        assert accreditation.valid_until == date(2025, 12, 31)
        assert accreditation.body == certification_body  # body and scheme are read-only once granted
        changed = AuditEvent.objects.get(action="accreditation.changed")
        assert changed.details["fields"] == ["valid_until"]

        operator_client.post(f"{self.URL}{accreditation.pk}/delete/", {"post": "yes"})
        assert not Accreditation.objects.exists()
        assert AuditEvent.objects.get(action="accreditation.withdrawn").organization == certification_body

    def test_a_period_ending_before_it_starts_is_a_form_error(
        self, operator_client, certification_body, scheme
    ):
        response = operator_client.post(
            f"{self.URL}add/",
            {
                "body": certification_body.pk,
                "scheme": scheme.pk,
                "body_code": "TST",
                "valid_from": "2025-06-01",
                "valid_until": "2025-01-01",
            },
        )
        assert response.status_code == 200
        assert not Accreditation.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="accreditation.").exists()


def scheme_form(scheme: Scheme, **overrides) -> dict:
    data = {field: getattr(scheme, field) for field in catalogue.SCHEME_FIELDS}
    data = {
        key: ("on" if value is True else value)
        for key, value in data.items()
        if value not in (None, False, "")
    }
    standard = scheme.standards.get()
    criterion = scheme.criteria.get()
    data |= {
        "standards-TOTAL_FORMS": "1",
        "standards-INITIAL_FORMS": "1",
        "standards-0-id": standard.pk,
        "standards-0-scheme": scheme.pk,
        "standards-0-position": standard.position,
        "standards-0-code": standard.code,
        "standards-0-title": standard.title,
        "standards-0-version": standard.version,
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "1",
        "criteria-0-id": criterion.pk,
        "criteria-0-scheme": scheme.pk,
        "criteria-0-position": criterion.position,
        "criteria-0-code": criterion.code,
        "criteria-0-method": criterion.method,
        "criteria-0-mandatory": "on",
        "criteria-0-text": criterion.text,
        "criteria-0-text_ja": criterion.text_ja,
        "criteria-0-evidence_expected": criterion.evidence_expected,
    }
    return {key: value for key, value in (data | overrides).items() if value is not None}


class TestSchemes:
    def url(self, scheme: Scheme) -> str:
        return f"/admin/certification/scheme/{scheme.pk}/change/"

    def test_scheme_and_criterion_changes_are_audited(self, operator_client, operator, scheme):
        response = operator_client.post(
            self.url(scheme), scheme_form(scheme, name="Test scheme 2", **{"criteria-0-text": "Do it well"})
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        scheme.refresh_from_db()
        assert scheme.name == "Test scheme 2"
        assert scheme.criteria.get().text == "Do it well"
        actions = set(AuditEvent.objects.filter(actor=operator).values_list("action", flat=True))
        assert actions == {"scheme.updated", "scheme.criterion_changed"}

    def test_a_criterion_applications_answered_is_not_deleted(self, operator_client, scheme, monkeypatch):
        monkeypatch.setattr(catalogue, "criterion_in_use", lambda criterion: True)

        response = operator_client.post(
            self.url(scheme), scheme_form(scheme, name="Renamed meanwhile", **{"criteria-0-DELETE": "on"})
        )

        assert response.status_code == 302
        assert response["Location"] == self.url(scheme)
        assert any("cannot be deleted" in message for message in messages_after(response))
        scheme.refresh_from_db()
        assert scheme.name == "Test scheme"  # the scheme's own change is rolled back with it
        assert scheme.criteria.count() == 1
        assert not AuditEvent.objects.filter(action__startswith="scheme.").exists()

    def test_a_new_scheme_is_audited_with_its_criteria(self, operator_client, operator):
        data = {
            "code": "new-scheme",
            "name": "New scheme",
            "owner": "other",
            "version": "1",
            "number_format": "NEW-{body}-{seq:05d}",
            "scope_kind": "organization",
            "validity_kind": "period",
            "validity_months": "12",
            "is_active": "on",
            "standards-TOTAL_FORMS": "0",
            "standards-INITIAL_FORMS": "0",
            "criteria-TOTAL_FORMS": "1",
            "criteria-INITIAL_FORMS": "0",
            "criteria-0-position": "1",
            "criteria-0-code": "N1",
            "criteria-0-method": "document_review",
            "criteria-0-mandatory": "on",
            "criteria-0-text": "Show it",
            "criteria-0-text_ja": "見せる",
            "criteria-0-evidence_expected": "A document",
        }
        response = operator_client.post("/admin/certification/scheme/add/", data)

        assert response.status_code == 302, response.context["adminform"].form.errors
        scheme = Scheme.objects.get(code="new-scheme")
        assert list(scheme.criteria.values_list("code", flat=True)) == ["N1"]
        events = AuditEvent.objects.filter(actor=operator).values_list("action", "object_id")
        assert set(events) == {
            ("scheme.created", str(scheme.public_id)),
            ("scheme.criterion_added", str(scheme.public_id)),
        }

    def test_only_operators_change_schemes(self, admin_a, scheme):
        with pytest.raises(PermissionDenied):
            catalogue.scheme_update(actor=admin_a, scheme=scheme, data={"name": "Mine"})


def test_the_admin_pages_render(operator_client, admin_a, company_a, certification_body, scheme):
    accreditation = Accreditation.objects.create(
        body=certification_body, scheme=scheme, body_code="TST", valid_from=date(2025, 1, 1)
    )
    pages = [
        "/admin/tenancy/membership/add/",
        membership_url(membership_of(admin_a)),
        f"/admin/tenancy/organization/{company_a.pk}/change/",
        "/admin/tenancy/organization/add/",
        f"/admin/accounts/user/{admin_a.pk}/change/",
        f"/admin/certification/scheme/{scheme.pk}/change/",
        "/admin/certification/scheme/add/",
        f"/admin/certification/accreditation/{accreditation.pk}/change/",
        "/admin/certification/accreditation/add/",
        "/admin/audit/auditevent/",
        "/admin/tenancy/site/",
    ]
    for page in pages:
        assert operator_client.get(page).status_code == 200, page
