"""Authenticating the portal at a partner's PACT host before sending it events.

PACT has each side authenticate the other's calls: the partner issues the portal client credentials (kept
sealed on the client, `portal.sealed`), and the portal obtains a bearer token with the OAuth 2.0 client
credentials grant at the partner's token endpoint, found through OpenID Connect discovery on the callback
host or else at `<callback>/auth/token`. Tokens are cached until shortly before they expire; a 401 to an
event drops the cached token so the next try asks for a new one."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import quote, urlencode, urlsplit

from django.core.cache import cache

from portal.sealed import Unsealable, unseal

from .models import PactClient

TIMEOUT = 10
#: Seconds before the token's own expiry at which it is no longer used (clock skew, slow deliveries).
EXPIRY_MARGIN = 60
DEFAULT_LIFETIME = 300

#: (method, url, body or None, headers) -> (status, body): how the portal talks to the token endpoint.
Fetch = Callable[[str, str, bytes | None, dict[str, str]], tuple[int, bytes]]


class PartnerAuthFailed(Exception):
    """No token from the partner: the delivery is retried later with the reason as its error."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect could lead anywhere: not followed
        return None


def http_fetch(method: str, url: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 - checked
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            return response.status, response.read(65536)
    except urllib.error.HTTPError as error:
        return error.code, error.read(65536) if error.fp else b""


fetch: Fetch = http_fetch


def _cache_key(client: PactClient) -> str:
    return f"pact:partner-token:{client.pk}:{client.partner_client_id}"


def _token_endpoint(base: str) -> str:
    """The partner's token endpoint: from its OpenID configuration when it publishes one on the same host
    (a token endpoint elsewhere would receive the secret: never followed), else `<base>/auth/token`."""
    fallback = base + "/auth/token"
    try:
        status, body = fetch(
            "GET", base + "/.well-known/openid-configuration", None, {"Accept": "application/json"}
        )
        if status != 200:
            return fallback
        endpoint = json.loads(body).get("token_endpoint")
    except (OSError, ValueError, AttributeError):
        return fallback
    if not isinstance(endpoint, str):
        return fallback
    same_host = urlsplit(endpoint).netloc == urlsplit(base).netloc
    return endpoint if same_host and urlsplit(endpoint).scheme == urlsplit(base).scheme else fallback


def bearer_token(client: PactClient) -> str | None:
    """A token for events to `client`'s partner, or None when the partner gave the portal no credentials."""
    if not client.partner_client_id:
        return None
    cached = cache.get(_cache_key(client))
    if cached:
        return cached
    try:
        secret = unseal(client.partner_secret_sealed)
    except Unsealable as error:
        raise PartnerAuthFailed("the partner credentials cannot be read: enter them again") from error
    base = client.callback_url.rstrip("/")
    basic = base64.b64encode(
        f"{quote(client.partner_client_id, safe='')}:{quote(secret, safe='')}".encode()
    ).decode("ascii")
    headers = {
        "Authorization": f"Basic {basic}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
    }
    body = urlencode({"grant_type": "client_credentials"}).encode()
    try:
        status, answer = fetch("POST", _token_endpoint(base), body, headers)
    except OSError as error:
        raise PartnerAuthFailed(f"token endpoint unreachable: {error}") from error
    if status != 200:
        raise PartnerAuthFailed(f"token endpoint answered HTTP {status}")
    try:
        granted = json.loads(answer)
        token = granted["access_token"]
        lifetime = int(granted.get("expires_in") or DEFAULT_LIFETIME)
    except (ValueError, KeyError, TypeError) as error:
        raise PartnerAuthFailed("token endpoint answered without an access token") from error
    if not isinstance(token, str) or not token:
        raise PartnerAuthFailed("token endpoint answered without an access token")
    if lifetime > EXPIRY_MARGIN:
        cache.set(_cache_key(client), token, timeout=lifetime - EXPIRY_MARGIN)
    return token


def forget_token(client: PactClient) -> None:
    cache.delete(_cache_key(client))
