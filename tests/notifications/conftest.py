from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from portal.accounts.services import api_token_create
from portal.notifications.services import notify


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing with PBKDF2 makes every factory user cost a noticeable fraction of a second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit hooks (the e-mail task) that the test transaction would otherwise swallow."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def token_client(db):
    """An API client authenticated with a real personal token of `user` (the production path)."""

    def make(user) -> APIClient:
        _token, value = api_token_create(actor=user, name="test token")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {value}")
        return client

    return make


@pytest.fixture
def send():
    """Notify with the shipped generic template; returns the one notification of a single recipient."""

    def make(user, title: str = "Application submitted", body: str = "Please review it.", url: str = ""):
        (notification,) = notify(
            recipients=[user],
            event="application.submitted",
            template="generic",
            context={"title": title, "body": body},
            url=url,
        )
        return notification

    return make
