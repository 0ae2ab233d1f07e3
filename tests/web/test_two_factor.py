"""TOTP two-factor authentication: setup, the second login step, the token endpoint and enforcement."""

from __future__ import annotations

import base64
from urllib.parse import unquote

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import ApiToken
from portal.audit.models import AuditEvent
from tests.factories import PASSWORD

from .helpers import code_for, is_logged_in, messages_of

SETUP_URL = "/accounts/security/totp/"
LOGIN_URL = "/accounts/login/"
VERIFY_URL = "/accounts/login/verify/"
TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/organizations/me/"

pytestmark = pytest.mark.django_db


def enable_totp(client, user, clock) -> TOTPDevice:
    """Go through the setup page as the user would; returns the confirmed device."""
    client.force_login(user)
    page = client.get(SETUP_URL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP_URL, {"code": code_for(device)})
    assert response.status_code == 302, response.context["form"].errors
    device.refresh_from_db()
    assert device.confirmed
    clock.advance()  # the confirming code cannot be used again
    client.logout()
    return device


def password_step(client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


@pytest.fixture
def enforce(settings):
    settings.PASSBRIDGE_ENFORCE_2FA = True


class TestSetup:
    def test_setup_page_shows_a_qr_code_and_the_secret(self, client, admin_a, otp_clock):
        client.force_login(admin_a)

        response = client.get(SETUP_URL)

        assert response.status_code == 200
        device = TOTPDevice.objects.get(user=admin_a)
        assert device.confirmed is False
        assert device.tolerance == 0
        secret = base64.b32encode(device.bin_key).decode()
        html = response.content.decode()
        assert secret in html
        qr = response.context["qr"]
        assert f'src="{qr}"' in html
        assert qr.startswith("data:image/svg+xml")  # inline: the secret never goes to a QR web service
        header, payload = qr.split(",", 1)
        svg = base64.b64decode(payload).decode() if header.endswith(";base64") else unquote(payload)
        assert svg.lstrip().startswith("<svg")

    def test_valid_code_confirms_the_device(self, client, admin_a, company_a, otp_clock):
        client.force_login(admin_a)
        client.get(SETUP_URL)
        device = TOTPDevice.objects.get(user=admin_a)

        response = client.post(SETUP_URL, {"code": code_for(device)}, follow=True)

        assert response.redirect_chain[-1][0] == "/accounts/security/"
        assert "Two-factor authentication is on." in messages_of(response)
        device.refresh_from_db()
        assert device.confirmed
        event = AuditEvent.objects.get(action="two_factor.enabled")
        assert event.actor == admin_a and event.organization == company_a

    def test_wrong_code_does_not_confirm(self, client, admin_a, otp_clock):
        client.force_login(admin_a)
        client.get(SETUP_URL)
        device = TOTPDevice.objects.get(user=admin_a)
        wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

        response = client.post(SETUP_URL, {"code": wrong})

        assert response.status_code == 200
        assert "code" in response.context["form"].errors
        device.refresh_from_db()
        assert not device.confirmed
        assert not AuditEvent.objects.filter(action="two_factor.enabled").exists()

    def test_a_new_setup_replaces_the_old_device_only_once_confirmed(self, client, admin_a, otp_clock):
        old = enable_totp(client, admin_a, otp_clock)
        client.force_login(admin_a)
        client.get(SETUP_URL)
        assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()
        new = TOTPDevice.objects.get(user=admin_a, confirmed=False)
        client.post(SETUP_URL, {"code": code_for(new)})
        assert list(TOTPDevice.objects.filter(user=admin_a).values_list("pk", flat=True)) == [new.pk]


class TestLogin:
    def test_login_needs_the_second_step(self, client, admin_a, otp_clock):
        device = enable_totp(client, admin_a, otp_clock)

        response = password_step(client, "admin-a")

        assert response.status_code == 302
        assert response["Location"] == VERIFY_URL
        assert not is_logged_in(client)
        assert client.get("/dashboard/").status_code == 302
        assert client.get(VERIFY_URL).status_code == 200

        response = client.post(VERIFY_URL, {"code": code_for(device)})

        assert response.status_code == 302
        assert response["Location"] == "/dashboard/"
        assert is_logged_in(client)
        assert client.get("/dashboard/").status_code == 200

    def test_next_url_survives_the_second_step(self, client, admin_a, otp_clock):
        device = enable_totp(client, admin_a, otp_clock)
        client.post(f"{LOGIN_URL}?next=/organization/members/", {"username": "admin-a", "password": PASSWORD})
        response = client.post(VERIFY_URL, {"code": code_for(device)})
        assert response["Location"] == "/organization/members/"

    def test_wrong_code_is_refused(self, client, admin_a, otp_clock):
        device = enable_totp(client, admin_a, otp_clock)
        password_step(client, "admin-a")
        wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

        response = client.post(VERIFY_URL, {"code": wrong})

        assert response.status_code == 200
        assert "code" in response.context["form"].errors
        assert not is_logged_in(client)

    @pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567"])
    def test_malformed_code_is_refused(self, client, admin_a, otp_clock, code):
        enable_totp(client, admin_a, otp_clock)
        password_step(client, "admin-a")
        response = client.post(VERIFY_URL, {"code": code})
        assert response.status_code == 200
        assert not is_logged_in(client)

    def test_code_from_two_steps_ago_is_refused(self, client, admin_a, otp_clock):
        device = enable_totp(client, admin_a, otp_clock)
        otp_clock.advance(3)
        password_step(client, "admin-a")

        response = client.post(VERIFY_URL, {"code": code_for(device, steps_ago=2)})

        assert response.status_code == 200
        assert not is_logged_in(client)

    def test_tolerance_is_zero_steps(self, admin_a, client, otp_clock):
        device = enable_totp(client, admin_a, otp_clock)
        otp_clock.advance(3)
        assert device.tolerance == 0
        assert device.verify_token(code_for(device, steps_ago=1)) is False
        device.throttle_reset()
        assert device.verify_token(code_for(device, steps_ago=-1)) is False
        device.throttle_reset()
        assert device.verify_token(code_for(device)) is True

    def test_a_code_cannot_be_replayed(self, client, admin_a, otp_clock, client_factory):
        device = enable_totp(client, admin_a, otp_clock)
        code = code_for(device)
        password_step(client, "admin-a")
        assert client.post(VERIFY_URL, {"code": code}).status_code == 302

        other = client_factory()
        password_step(other, "admin-a")
        device.refresh_from_db()
        device.throttle_reset()
        assert other.post(VERIFY_URL, {"code": code}).status_code == 200
        assert not is_logged_in(other)

    def test_verify_page_without_the_password_step_goes_back_to_login(self, client, admin_a, otp_clock):
        device = enable_totp(client, admin_a, otp_clock)
        response = client.post(VERIFY_URL, {"code": code_for(device)})
        assert response.status_code == 302
        assert response["Location"] == LOGIN_URL
        assert not is_logged_in(client)

    def test_user_without_a_device_logs_in_with_the_password(self, client, admin_a):
        response = password_step(client, "admin-a")
        assert response.status_code == 302
        assert response["Location"] == "/dashboard/"
        assert is_logged_in(client)


class TestTokenEndpoint:
    def test_otp_is_required(self, client, api_client, admin_a, otp_clock):
        device = enable_totp(client, admin_a, otp_clock)

        missing = api_client.post(TOKEN_URL, {"username": "admin-a", "password": PASSWORD}, format="json")
        assert missing.status_code == 400
        assert "otp" in missing.json()

        wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
        refused = api_client.post(
            TOKEN_URL, {"username": "admin-a", "password": PASSWORD, "otp": wrong}, format="json"
        )
        assert refused.status_code == 400
        assert "otp" in refused.json()
        assert not ApiToken.objects.exists()

        device.refresh_from_db()
        device.throttle_reset()
        accepted = api_client.post(
            TOKEN_URL, {"username": "admin-a", "password": PASSWORD, "otp": code_for(device)}, format="json"
        )
        assert accepted.status_code == 200
        assert accepted.json()["token"].startswith("pb_")

    def test_otp_with_a_wrong_password_gives_nothing(self, client, api_client, admin_a, otp_clock):
        device = enable_totp(client, admin_a, otp_clock)
        response = api_client.post(
            TOKEN_URL,
            {"username": "admin-a", "password": "nope-nope", "otp": code_for(device)},
            format="json",
        )
        assert response.status_code == 400
        assert not ApiToken.objects.exists()

    def test_reviewer_without_a_device_gets_no_token_when_enforced(self, api_client, reviewer, enforce):
        response = api_client.post(TOKEN_URL, {"username": "reviewer", "password": PASSWORD}, format="json")
        assert response.status_code == 400
        assert "otp" in response.json()
        assert not ApiToken.objects.exists()


class TestEnforcement:
    @pytest.mark.parametrize(
        "url", ["/dashboard/", "/", "/accounts/tokens/", "/accounts/security/", "/accounts/password/change/"]
    )
    def test_reviewer_without_a_device_is_sent_to_setup(self, client, reviewer, enforce, url):
        client.force_login(reviewer)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == SETUP_URL

    def test_inspector_without_a_device_is_sent_to_setup(self, client, inspector, enforce):
        client.force_login(inspector)
        response = client.get("/dashboard/")
        assert response.status_code == 302
        assert response["Location"] == SETUP_URL

    def test_setup_page_itself_is_reachable_and_says_it_is_required(self, client, reviewer, enforce):
        client.force_login(reviewer)
        response = client.get(SETUP_URL)
        assert response.status_code == 200
        assert response.context["required"] is True

    @pytest.mark.parametrize("user_fixture", ["reviewer", "inspector"])
    def test_session_api_calls_get_a_json_403(self, client, request, enforce, user_fixture):
        client.force_login(request.getfixturevalue(user_fixture))
        response = client.get(ME_URL)
        assert response.status_code == 403
        assert response["Content-Type"].startswith("application/json")
        assert "Two-factor authentication is required" in response.json()["detail"]

    def test_company_admin_is_not_forced(self, client, admin_a, enforce):
        client.force_login(admin_a)
        assert client.get("/dashboard/").status_code == 200
        assert client.get(ME_URL).status_code == 200

    def test_without_enforcement_the_reviewer_works_normally(self, client, reviewer, settings):
        settings.PASSBRIDGE_ENFORCE_2FA = False
        client.force_login(reviewer)
        assert client.get("/dashboard/").status_code == 200
        assert client.get(ME_URL).status_code == 200

    def test_after_setup_the_reviewer_can_continue(self, client, reviewer, enforce, otp_clock):
        client.force_login(reviewer)
        client.get(SETUP_URL)
        device = TOTPDevice.objects.get(user=reviewer)
        assert client.post(SETUP_URL, {"code": code_for(device)}).status_code == 302
        assert client.get("/dashboard/").status_code == 200
        assert client.get(ME_URL).status_code == 200

    def test_reviewer_logging_in_with_both_steps_is_not_redirected(
        self, client, reviewer, enforce, otp_clock, client_factory
    ):
        device = enable_totp(client_factory(), reviewer, otp_clock)
        password_step(client, "reviewer")
        client.post(VERIFY_URL, {"code": code_for(device)})
        assert client.get("/dashboard/").status_code == 200

    def test_reviewer_cannot_turn_two_factor_off(self, client, reviewer, enforce, otp_clock):
        client.force_login(reviewer)
        client.get(SETUP_URL)
        device = TOTPDevice.objects.get(user=reviewer)
        client.post(SETUP_URL, {"code": code_for(device)})

        response = client.post("/accounts/security/totp/disable/", follow=True)

        assert TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()
        assert any("cannot be turned off" in m for m in messages_of(response))

    def test_company_admin_can_turn_two_factor_off(self, client, admin_a, otp_clock):
        device = enable_totp(client, admin_a, otp_clock)
        client.force_login(admin_a)
        client.post("/accounts/security/totp/disable/")
        assert not TOTPDevice.objects.filter(pk=device.pk).exists()
        assert AuditEvent.objects.filter(action="two_factor.disabled", actor=admin_a).exists()
