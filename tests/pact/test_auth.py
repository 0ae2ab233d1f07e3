"""Action Authenticate and bearer tokens: OAuth2 client credentials errors, expiry, HTTPS, discovery."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from pact.models import PactToken
from pact.services import client_revoke

from .conftest import FORM, SECRET, basic, get_token

pytestmark = pytest.mark.django_db


def token_request(http, auth=None, data=None, **extra):
    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
    data = data if data is not None else {"grant_type": "client_credentials"}
    return http.post("/pact/auth/token", urlencode(data), content_type=FORM, secure=True, **headers, **extra)


def test_valid_credentials_give_an_opaque_bearer_token_stored_hashed(world):
    http = Client()
    response = token_request(http, basic("partner", SECRET))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    stored = PactToken.objects.get(client=world.client)
    assert stored.key_hash != body["access_token"] and len(stored.key_hash) == 64
    # The trailing-slash spelling works too; credentials may also come in the form body.
    body = urlencode({"grant_type": "client_credentials", "client_id": "partner", "client_secret": SECRET})
    response = http.post("/pact/auth/token/", body, content_type=FORM, secure=True)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "auth", [basic("partner", "wrong-secret-wrong"), basic("nobody", SECRET), "Basic !!!", None]
)
def test_bad_client_credentials_are_invalid_client_401(world, auth):
    response = token_request(Client(), auth)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "access_token" not in response.json()


def test_grant_type_errors(world):
    http = Client()
    response = token_request(http, basic("partner", SECRET), {"grant_type": "password"})
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"
    response = token_request(http, basic("partner", SECRET), {})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    response = http.post(
        "/pact/auth/token",
        '{"grant_type": "client_credentials"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=basic("partner", SECRET),
        secure=True,
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_https_only(world):
    http = Client()
    response = http.post(
        "/pact/auth/token",
        "grant_type=client_credentials",
        content_type=FORM,
        HTTP_AUTHORIZATION=basic("partner", SECRET),
    )  # plain http
    assert response.status_code == 400 and "access_token" not in response.json()
    token = get_token(http)
    response = http.get("/pact/3/footprints", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403 and "data" not in response.json()


def test_invalid_expired_and_revoked_tokens(world):
    http = Client()
    response = http.get("/pact/3/footprints", HTTP_AUTHORIZATION="Bearer very-invalid", secure=True)
    assert response.status_code == 401 and response.json()["code"] == "BadRequest"
    assert response.json()["message"]
    response = http.get("/pact/3/footprints", secure=True)
    assert response.status_code == 401 and response.json()["code"] == "BadRequest"

    token = get_token(http)
    PactToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = http.get("/pact/3/footprints", HTTP_AUTHORIZATION=f"Bearer {token}", secure=True)
    assert response.status_code == 401 and response.json()["code"] == "TokenExpired"

    token = get_token(http)
    assert (
        http.get("/pact/3/footprints", HTTP_AUTHORIZATION=f"Bearer {token}", secure=True).status_code == 200
    )
    client_revoke(actor=world.chain.cell_user, client=world.client)
    response = http.get("/pact/3/footprints", HTTP_AUTHORIZATION=f"Bearer {token}", secure=True)
    assert response.status_code == 401
    assert token_request(http, basic("partner", SECRET)).status_code == 401


def test_openid_configuration_names_the_token_endpoint(db):
    response = Client().get("/pact/.well-known/openid-configuration", secure=True)
    assert response.status_code == 200
    assert response.json()["token_endpoint"] == "https://testserver/pact/auth/token"
    assert "client_credentials" in response.json()["grant_types_supported"]
