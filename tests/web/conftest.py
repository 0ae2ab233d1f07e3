from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client
from django_otp import oath
from django_otp.plugins.otp_totp import models as totp_models
from rest_framework.test import APIClient

from portal.accounts.services import api_token_create

from .helpers import OtpClock


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing with PBKDF2 makes every factory user cost a noticeable fraction of a second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
def client_factory():
    """Fresh browsers (each with its own session), e.g. for the person who opens an invitation link."""
    return Client


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit hooks (e-mail tasks) that the test transaction would otherwise swallow."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def otp_clock(monkeypatch) -> OtpClock:
    clock = OtpClock()
    monkeypatch.setattr(totp_models, "time", SimpleNamespace(time=clock.time))
    monkeypatch.setattr(oath, "time", clock.time)
    return clock
