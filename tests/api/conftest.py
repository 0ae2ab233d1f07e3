from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from portal.accounts.services import api_token_create


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
