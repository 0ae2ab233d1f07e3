"""Self-registration of a company: the /register/ form and the organization_register service."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.tenancy import services
from portal.tenancy.models import Membership, Organization, OrganizationStatus, Role
from tests.factories import OrganizationFactory, make_bpn

from .helpers import is_logged_in, messages_of

REGISTER_URL = "/register/"
VALID_LEI = "5493006W3QUS5LMH6R84"
VALID_CORPORATE_NUMBER = "1180301018771"
BAD_CHECKSUM_BPNL = "BPNL00000003AYRE"

pytestmark = pytest.mark.django_db


def registration(**overrides) -> dict:
    data = {
        "kind": "economic_operator",
        "legal_name": "Voltwerk Zellen AG",
        "country": "DE",
        "street": "Am Hafen 4",
        "postal_code": "28195",
        "city": "Bremen",
        "website": "https://voltwerk.example",
        "data_spaces": "catenax",
        "bpnl": make_bpn("L"),
        "corporate_number": "",
        "lei": "",
        "first_name": "Greta",
        "last_name": "Hansen",
        "email": "greta@voltwerk.example",
        "username": "greta",
        "password1": "a-long-unusual-passphrase-7",
        "password2": "a-long-unusual-passphrase-7",
        "accept_terms": "on",
    }
    data.update(overrides)
    return data


def counts() -> tuple[int, int, int]:
    return Organization.objects.count(), User.objects.count(), Membership.objects.count()


class TestRegistrationForm:
    def test_creates_a_pending_organization_with_its_first_admin(self, client, on_commit):
        data = registration(bpnl="bpnl " + make_bpn("L")[4:].lower(), lei=VALID_LEI)
        with on_commit():
            response = client.post(REGISTER_URL, data)

        assert response.status_code == 302
        assert response["Location"] == "/dashboard/"
        org = Organization.objects.get()
        assert org.status == OrganizationStatus.PENDING
        assert org.kind == "economic_operator"
        assert org.legal_name == "Voltwerk Zellen AG"
        assert org.bpnl == "BPNL" + data["bpnl"][5:].upper()
        assert org.lei == VALID_LEI
        assert org.corporate_number is None
        membership = Membership.objects.get()
        assert membership.organization == org
        assert membership.role == Role.ADMIN
        assert membership.is_active
        user = membership.user
        assert user.username == "greta"
        assert user.email == "greta@voltwerk.example"
        assert user.check_password("a-long-unusual-passphrase-7")
        assert is_logged_in(client)
        assert int(client.session["_auth_user_id"]) == user.pk
        event = AuditEvent.objects.get(action="organization.registered")
        assert event.actor == user and event.organization == org
        # The operators are told about the new registration.
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["operators@passbridge.example"]
        assert "Voltwerk Zellen AG" in mail.outbox[0].subject
        assert f"/admin/tenancy/organization/{org.pk}/change/" in mail.outbox[0].body

    def test_dashboard_shows_only_the_pending_status(self, client):
        client.post(REGISTER_URL, registration())

        response = client.get("/dashboard/")

        assert response.status_code == 200
        assert response.templates[0].name == "dashboards/pending.html"
        html = response.content.decode()
        assert "Pending approval" in html
        assert "Voltwerk Zellen AG" in html
        assert "/organization/members/" not in html
        assert "/organization/audit/" not in html
        assert "members" not in response.context

    @pytest.mark.parametrize(
        "url",
        ["/organization/", "/organization/edit/", "/organization/members/", "/organization/audit/"],
    )
    def test_company_pages_redirect_to_the_dashboard_while_pending(self, client, url):
        client.post(REGISTER_URL, registration())
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == "/dashboard/"

    def test_pending_member_gets_no_api_access(self, client):
        client.post(REGISTER_URL, registration())
        assert client.get("/api/v1/organizations/me/").status_code == 403
        assert client.get("/accounts/tokens/").status_code == 404

    def test_preferred_language_comes_from_the_browser(self, client):
        client.post(REGISTER_URL, registration(), HTTP_ACCEPT_LANGUAGE="de")
        assert User.objects.get(username="greta").preferred_language == "de"

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("bpnl", "BPNL123"),
            ("bpnl", "BPNS00000000EPIC"),
            ("corporate_number", "2180301018771"),
            ("corporate_number", "12345"),
            ("lei", "5493006W3QUS5LMH6R85"),
            ("lei", "TOO-SHORT"),
            ("country", "XX"),
            ("email", "not-an-address"),
            ("legal_name", "x" * 201),
            ("legal_name", "Evil\x00Corp"),
            ("city", "Bre\x07men"),
            ("website", "javascript:alert(1)"),
            ("kind", "spaceship"),
            ("username", "has spaces"),
            ("password2", "something-else-entirely"),
            ("password1", "12345678901"),
            ("accept_terms", ""),
        ],
    )
    def test_invalid_input_is_a_form_error_and_stores_nothing(self, client, field, value):
        data = registration(**{field: value})
        if field == "password1":
            data["password2"] = value
        before = counts()

        response = client.post(REGISTER_URL, data)

        assert response.status_code == 200
        errors = response.context["form"].errors
        # The service's "password" error (its validators) is shown at the password1 field.
        assert field in errors, errors
        assert counts() == before
        assert not AuditEvent.objects.exists()
        assert not is_logged_in(client)

    def test_at_least_one_identifier_is_required(self, client):
        before = counts()

        response = client.post(REGISTER_URL, registration(bpnl="", corporate_number="", lei=""))

        assert response.status_code == 200
        form = response.context["form"]
        assert "Enter at least one identifier" in " ".join(form.non_field_errors())
        assert counts() == before

    def test_corporate_number_alone_is_enough(self, client):
        response = client.post(
            REGISTER_URL, registration(bpnl="", corporate_number="1180-3010-18771", country="JP")
        )
        assert response.status_code == 302
        assert Organization.objects.get().corporate_number == VALID_CORPORATE_NUMBER

    @pytest.mark.parametrize("field", ["bpnl", "corporate_number", "lei"])
    def test_duplicate_identifier_gets_the_neutral_message(self, client, field):
        values = {"bpnl": make_bpn("L"), "corporate_number": VALID_CORPORATE_NUMBER, "lei": VALID_LEI}
        existing = OrganizationFactory(legal_name="Secret Rival Batteries SA", **{field: values[field]})
        before = counts()

        response = client.post(REGISTER_URL, registration(**{"bpnl": "", field: values[field]}))

        assert response.status_code == 200
        message = " ".join(response.context["form"].errors[field])
        assert "cannot be used for a new registration" in message
        html = response.content.decode()
        assert existing.legal_name not in html
        assert "Secret Rival" not in html
        assert counts() == before

    @pytest.mark.parametrize("kind", ["certification_body", "authority", "platform_operator"])
    def test_privileged_kinds_cannot_be_chosen(self, client, kind):
        before = counts()

        response = client.post(REGISTER_URL, registration(kind=kind))

        assert response.status_code == 200
        assert "kind" in response.context["form"].errors
        assert counts() == before
        assert not Organization.objects.filter(kind=kind).exists()

    def test_bpnl_with_wrong_check_characters_is_asked_about_before_anything_is_stored(self, client):
        """The warning used to come after the registration, when nothing could be done about it."""
        response = client.post(REGISTER_URL, registration(bpnl=BAD_CHECKSUM_BPNL))

        assert response.status_code == 200 and counts() == (0, 0, 0)
        form = response.context["form"]
        assert (
            "check characters" in " ".join(form.errors["bpnl"])
            and BAD_CHECKSUM_BPNL in form.errors["bpnl"][0]
        )
        page = response.content.decode()
        # The box to keep it comes right after the BPNL field, and the other identifiers after it.
        assert 'name="keep_bpn"' in page
        assert (
            page.index('name="bpnl"') < page.index('name="keep_bpn"') < page.index('name="corporate_number"')
        )

        corrected = client.post(REGISTER_URL, registration(bpnl=make_bpn("L")), follow=True)
        assert Organization.objects.get().bpnl != BAD_CHECKSUM_BPNL
        assert not [m for m in corrected.context["messages"] if m.level_tag == "warning"]

    def test_a_bpnl_kept_knowingly_is_stored_with_the_warning_said_once_more(self, client):
        response = client.post(REGISTER_URL, registration(bpnl=BAD_CHECKSUM_BPNL, keep_bpn="on"), follow=True)

        assert response.status_code == 200
        assert Organization.objects.get().bpnl == BAD_CHECKSUM_BPNL
        warnings = [m for m in response.context["messages"] if m.level_tag == "warning"]
        assert len(warnings) == 1 and BAD_CHECKSUM_BPNL in str(warnings[0])
        assert any("registration was received" in message for message in messages_of(response))

    def test_the_keep_box_is_not_offered_for_a_valid_bpnl(self, client):
        response = client.post(REGISTER_URL, registration(username="", bpnl=make_bpn("L")))
        assert response.status_code == 200 and "keep_bpn" not in response.content.decode()

    def test_taken_username_or_email_stores_nothing(self, client, admin_a):
        before = counts()
        response = client.post(REGISTER_URL, registration(username="ADMIN-A", email=admin_a.email.upper()))
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert "username" in errors and "email" in errors
        assert counts() == before

    def test_logged_in_user_is_sent_to_the_dashboard(self, client, admin_a):
        client.force_login(admin_a)
        before = counts()
        response = client.post(REGISTER_URL, registration())
        assert response.status_code == 302
        assert response["Location"] == "/dashboard/"
        assert counts() == before


class TestRegistrationService:
    def organization(self, **overrides) -> dict:
        data = registration(**overrides)
        keys = ("kind", "legal_name", "country", "street", "postal_code", "city", "website", "data_spaces")
        result = {key: data[key] for key in keys}
        result.update({"bpnl": data["bpnl"] or None, "corporate_number": None, "lei": None})
        return result

    def admin(self, **overrides) -> dict:
        return {
            "username": "greta",
            "email": "greta@voltwerk.example",
            "password": "a-long-unusual-passphrase-7",
            "first_name": "Greta",
            "last_name": "Hansen",
            **overrides,
        }

    def test_creates_pending_organization_and_admin(self):
        membership = services.organization_register(organization=self.organization(), admin=self.admin())
        assert membership.organization.status == OrganizationStatus.PENDING
        assert membership.role == Role.ADMIN
        assert membership.user.check_password("a-long-unusual-passphrase-7")

    @pytest.mark.parametrize("kind", ["certification_body", "authority", "platform_operator", "", None])
    def test_refuses_kinds_a_company_may_not_choose(self, kind):
        before = counts()
        with pytest.raises(ValidationError) as excinfo:
            services.organization_register(organization=self.organization(kind=kind), admin=self.admin())
        assert "kind" in excinfo.value.message_dict
        assert counts() == before

    def test_status_in_the_input_is_ignored(self):
        data = {**self.organization(), "status": OrganizationStatus.ACTIVE}
        membership = services.organization_register(organization=data, admin=self.admin())
        assert membership.organization.status == OrganizationStatus.PENDING

    def test_invalid_account_rolls_back_the_organization(self, admin_a):
        before = counts()
        with pytest.raises(ValidationError) as excinfo:
            services.organization_register(
                organization=self.organization(), admin=self.admin(username="admin-a", password="short")
            )
        assert {"username", "password"} <= set(excinfo.value.message_dict)
        assert counts() == before

    def test_invalid_identifier_is_refused_by_the_model(self):
        before = counts()
        with pytest.raises(ValidationError) as excinfo:
            services.organization_register(
                organization=self.organization(bpnl="BPNL-NOT-VALID"), admin=self.admin()
            )
        assert "bpnl" in excinfo.value.message_dict
        assert counts() == before

    def test_no_identifier_is_refused(self):
        before = counts()
        with pytest.raises(ValidationError):
            services.organization_register(organization=self.organization(bpnl=""), admin=self.admin())
        assert counts() == before

    def test_duplicate_identifier_is_the_neutral_message(self, company_a):
        with pytest.raises(ValidationError) as excinfo:
            services.organization_register(
                organization=self.organization(bpnl=company_a.bpnl), admin=self.admin()
            )
        message = " ".join(excinfo.value.message_dict["bpnl"])
        assert "cannot be used for a new registration" in message
        assert company_a.legal_name not in message
