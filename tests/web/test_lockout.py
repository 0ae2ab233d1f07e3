"""Lockout after AXES_FAILURE_LIMIT failed logins, for the login page and the token endpoint."""

from __future__ import annotations

import pytest
from django.conf import settings

from portal.accounts.models import ApiToken
from tests.factories import PASSWORD

from .helpers import is_logged_in

LOGIN_URL = "/accounts/login/"
TOKEN_URL = "/api/v1/auth/token/"

pytestmark = pytest.mark.django_db


def login(client, username: str, password: str):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def fail_until_locked(client, username: str) -> list[int]:
    return [login(client, username, "wrong-password").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]


class TestLockout:
    def test_limit_is_five(self):
        assert settings.AXES_FAILURE_LIMIT == 5

    def test_right_password_is_refused_after_five_failures(self, client, admin_a):
        statuses = fail_until_locked(client, "admin-a")
        assert statuses[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
        assert not is_logged_in(client)

        response = login(client, "admin-a", PASSWORD)

        assert response.status_code == 429
        assert "Too many failed login attempts" in response.content.decode()
        assert not is_logged_in(client)
        assert client.get("/dashboard/").status_code == 302

    def test_four_failures_do_not_lock(self, client, admin_a):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            login(client, "admin-a", "wrong-password")
        response = login(client, "admin-a", PASSWORD)
        assert response.status_code == 302
        assert is_logged_in(client)

    def test_successful_login_resets_the_count(self, client, admin_a, client_factory):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            login(client, "admin-a", "wrong-password")
        assert login(client, "admin-a", PASSWORD).status_code == 302
        other = client_factory()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            login(other, "admin-a", "wrong-password")
        assert login(other, "admin-a", PASSWORD).status_code == 302

    def test_lockout_is_per_username(self, client, admin_a, viewer_a):
        fail_until_locked(client, "admin-a")
        assert login(client, "viewer-a", PASSWORD).status_code == 302

    def test_token_endpoint_refuses_a_locked_username(self, client, api_client, admin_a):
        fail_until_locked(client, "admin-a")

        response = api_client.post(TOKEN_URL, {"username": "admin-a", "password": PASSWORD}, format="json")

        assert response.status_code == 429
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()
        assert not ApiToken.objects.exists()

    def test_failures_at_the_token_endpoint_lock_the_login_page_too(self, client, api_client, admin_a):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            api_client.post(TOKEN_URL, {"username": "admin-a", "password": "wrong-password"}, format="json")
        response = login(client, "admin-a", PASSWORD)
        assert response.status_code == 429
        assert not is_logged_in(client)


class TestAddressThrottle:
    """Password spraying: a few guesses on each of many user names from one address."""

    def test_an_address_over_its_limit_is_refused_for_every_user_name(
        self, client, admin_a, viewer_a, settings
    ):
        settings.AXES_ADDRESS_FAILURE_LIMIT = 8
        for n in range(8):  # two guesses on four names: no single name reaches the per-name limit
            login(client, f"someone-{n // 2}", "wrong-password")
        response = login(client, "admin-a", PASSWORD)
        assert response.status_code == 429
        assert "Too many failed login attempts" in response.content.decode()
        assert not is_logged_in(client)

    def test_other_addresses_are_not_affected(self, client, client_factory, admin_a, settings):
        settings.AXES_ADDRESS_FAILURE_LIMIT = 8
        for n in range(8):
            client.post(LOGIN_URL, {"username": f"someone-{n}", "password": "x"}, REMOTE_ADDR="203.0.113.9")
        elsewhere = client_factory()
        response = elsewhere.post(
            LOGIN_URL, {"username": "admin-a", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
        )
        assert response.status_code == 302

    def test_the_token_endpoint_counts_and_refuses_too(self, api_client, admin_a, settings):
        settings.AXES_ADDRESS_FAILURE_LIMIT = 8
        for n in range(8):
            api_client.post(TOKEN_URL, {"username": f"someone-{n}", "password": "x"}, format="json")
        response = api_client.post(TOKEN_URL, {"username": "admin-a", "password": PASSWORD}, format="json")
        assert response.status_code == 429
        assert not ApiToken.objects.exists()

    def test_behind_the_proxy_the_clients_address_counts(self, client, client_factory, admin_a, settings):
        settings.PASSBRIDGE_TRUST_X_FORWARDED_FOR = True
        settings.AXES_ADDRESS_FAILURE_LIMIT = 8
        for n in range(8):  # every request reaches the portal from the proxy, 127.0.0.1
            client.post(
                LOGIN_URL, {"username": f"someone-{n}", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.9"
            )
        other = client_factory()
        response = other.post(
            LOGIN_URL, {"username": "admin-a", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7"
        )
        assert response.status_code == 302
        spraying = client.post(
            LOGIN_URL, {"username": "admin-a", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.9"
        )
        assert spraying.status_code == 429
