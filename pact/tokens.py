"""OAuth2 client credentials (RFC 6749 4.4) for PACT clients and their bearer tokens.

Tokens are opaque random strings of which only the SHA-256 is stored, with an expiry. Chosen over signed
(JWT) tokens because revocation must bite at once (revoking a client in the portal ends its tokens on the
next call), there is no signing key to rotate or leak, and each call reads the client anyway to learn the
company it acts for; the lookup is one indexed query.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import unquote_plus

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.utils import timezone

from .models import PactClient, PactToken

TOKEN_PREFIX = "pbp_"


def token_lifetime() -> int:
    """Seconds an access token lives (`PACT_TOKEN_LIFETIME`, default one hour as in the spec's example)."""
    return int(getattr(settings, "PACT_TOKEN_LIFETIME", 3600))


def hash_token(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def hash_secret(secret: str) -> str:
    return make_password(secret)


class BasicAuthError(ValueError):
    pass


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(client_id, client_secret) from an `Authorization: Basic` header; None when there is no Basic
    header. Per RFC 6749 2.3.1 both parts are form-urlencoded before encoding."""
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise BasicAuthError("malformed Basic credentials") from None
    client_id, separator, secret = decoded.partition(":")
    if not separator:
        raise BasicAuthError("malformed Basic credentials")
    return unquote_plus(client_id), unquote_plus(secret)


def authenticate_client(client_id: str, secret: str) -> PactClient | None:
    """The active client with these credentials, or None. An unknown id costs a hash too, so the answer
    time does not tell which client ids exist."""
    client = (
        PactClient.objects.select_related("organization").filter(client_id=client_id, is_active=True).first()
        if client_id and len(client_id) <= 100 and "\x00" not in client_id
        else None
    )
    if client is None or "\x00" in secret:
        make_password(secret.replace("\x00", ""))
        return None
    if not check_password(secret, client.secret_hash):
        return None
    if not client.organization.is_active:
        return None
    return client


def issue_token(client: PactClient) -> tuple[str, int]:
    lifetime = token_lifetime()
    now = timezone.now()
    client.tokens.filter(expires_at__lte=now).delete()
    value = TOKEN_PREFIX + secrets.token_urlsafe(32)
    PactToken.objects.create(
        client=client, key_hash=hash_token(value), expires_at=now + timedelta(seconds=lifetime)
    )
    return value, lifetime


@dataclass
class BearerCheck:
    client: PactClient | None = None
    expired: bool = False


def check_bearer(header: str) -> BearerCheck:
    """The client behind an `Authorization: Bearer` header. `expired` tells an expired token from an
    unknown one (TokenExpired vs BadRequest)."""
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or len(value) > 200:
        return BearerCheck()
    token = (
        PactToken.objects.select_related("client__organization")
        .filter(key_hash=hash_token(value), client__is_active=True)
        .first()
    )
    if token is None:
        return BearerCheck()
    if token.is_expired:
        return BearerCheck(expired=True)
    return BearerCheck(client=token.client)
