"""The PACT v3.0 HTTP API of the portal's host system, derived from the PACT Technical Specifications
(WBCSD) v3.0: Action Authenticate (`/auth/token`, OAuth2 client credentials), ListFootprints and
GetFootprint (`/3/footprints`), Action Events (`/3/events`, CloudEvents) and the OpenID provider
configuration that names the token endpoint. All under `/pact/`.

Errors: the token endpoint answers as OAuth2 (RFC 6749 5.2: `error`, `error_description`); the others
with the PACT error object (`code`, `message`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from portal import json_input

from . import selectors, services
from .events import EventError
from .footprints import CriteriaError, apply_criteria, footprints, parse_criteria, product_footprint
from .models import PactClient
from .tokens import BasicAuthError, authenticate_client, basic_credentials, check_bearer, issue_token

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
#: v3.0 names the 404 error code `NotFound` (`NoSuchFootprint` in v2); the conformance suite checks it.
NOT_FOUND = "NotFound"
EVENT_TYPES = ("application/cloudevents+json", "application/json")


def _requires_https() -> bool:
    return bool(getattr(settings, "PACT_REQUIRE_HTTPS", not settings.DEBUG))


def pact_error(status: int, code: str, message: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"code": code, "message": message}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def oauth_error(status: int, error: str, description: str) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="pact"'
    return response


def _client_or_error(request: HttpRequest) -> PactClient | JsonResponse:
    """The client behind the bearer token, or the error response: HTTPS only; a missing, unknown or
    revoked token is a BadRequest (401), an expired one TokenExpired (401)."""
    if _requires_https() and not request.is_secure():
        return pact_error(403, "AccessDenied", "The PACT API is offered over HTTPS only.")
    header = request.headers.get("Authorization", "")
    check = check_bearer(header)
    challenge = 'Bearer realm="pact", error="invalid_token"'
    if check.expired:
        return pact_error(
            401, "TokenExpired", "The specified access token has expired.", WWW_Authenticate=challenge
        )
    if check.client is None:
        return pact_error(401, "BadRequest", "Invalid or missing access token.", WWW_Authenticate=challenge)
    client = check.client
    if not client.organization.is_active or not client.organization.is_company:
        return pact_error(403, "AccessDenied", "Access denied.")
    return client


@csrf_exempt
@require_http_methods(["POST"])
def token(request: HttpRequest) -> HttpResponse:
    """Action Authenticate (PACT Technical Specifications v3.0): OAuth2 client credentials grant with HTTP
    Basic client authentication (or `client_id`/`client_secret` in the form body)."""
    if _requires_https() and not request.is_secure():
        return oauth_error(400, "invalid_request", "Use HTTPS.")
    if request.content_type != "application/x-www-form-urlencoded":
        return oauth_error(400, "invalid_request", "Send the form as application/x-www-form-urlencoded.")
    try:
        basic = basic_credentials(request.headers.get("Authorization", ""))
    except BasicAuthError:
        return oauth_error(401, "invalid_client", "Client authentication failed.")
    in_body = "client_id" in request.POST or "client_secret" in request.POST
    if basic is not None and in_body:
        return oauth_error(400, "invalid_request", "Authenticate the client in one way only.")
    client_id, secret = basic or (request.POST.get("client_id", ""), request.POST.get("client_secret", ""))
    client = authenticate_client(client_id, secret) if client_id else None
    if client is None:
        return oauth_error(401, "invalid_client", "Client authentication failed.")
    grant_type = request.POST.get("grant_type")
    if not grant_type:
        return oauth_error(400, "invalid_request", "The grant_type parameter is missing.")
    if grant_type != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported.")
    value, lifetime = issue_token(client)
    response = JsonResponse({"access_token": value, "token_type": "Bearer", "expires_in": lifetime})
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@require_GET
def openid_configuration(request: HttpRequest) -> JsonResponse:
    """OpenID provider configuration naming the token endpoint (PACT v3.0 authentication flow)."""
    base = request.build_absolute_uri(reverse("pact:index"))
    return JsonResponse(
        {
            "issuer": base.rstrip("/"),
            "token_endpoint": request.build_absolute_uri(reverse("pact:token")),
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["none"],
            "jwks_uri": request.build_absolute_uri(reverse("pact:jwks")),
        }
    )


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """No signing keys: the portal's access tokens are opaque."""
    return JsonResponse({"keys": []})


@require_GET
def index(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "description": "PACT host system of PassBridge. The API derives from the PACT Technical "
            "Specifications for PCF Data Exchange (WBCSD) v3.0.",
            "version": "3",
        }
    )


def _limit(raw: str | None) -> int | None:
    if raw in (None, ""):
        return DEFAULT_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        return None
    return min(int(raw), MAX_LIMIT)


@require_GET
def footprint_list(request: HttpRequest) -> HttpResponse:
    """Action ListFootprints (PACT Technical Specifications v3.0): the footprints released to the client's
    company, filtered by the v3 criteria, paginated with `limit` and a `Link: <...>; rel="next"` header."""
    client = _client_or_error(request)
    if isinstance(client, JsonResponse):
        return client
    limit = _limit(request.GET.get("limit"))
    offset_raw = request.GET.get("offset", "0")
    if limit is None or not offset_raw.isdigit():
        return pact_error(
            400, "BadRequest", "limit must be a positive integer and offset a non-negative one."
        )
    offset = int(offset_raw)
    try:
        criteria = parse_criteria(request.GET)
    except CriteriaError as error:
        return pact_error(400, "BadRequest", str(error))
    queryset = apply_criteria(selectors.footprints_for(client=client), criteria)
    page = list(queryset[offset : offset + limit + 1])
    response = JsonResponse({"data": footprints(page[:limit])})
    if len(page) > limit:
        params = [
            (key, value)
            for key, values in request.GET.lists()
            for value in values
            if key not in ("limit", "offset")
        ]
        params += [("limit", str(limit)), ("offset", str(offset + limit))]
        url = request.build_absolute_uri(f"{request.path}?{urlencode(params)}")
        response["Link"] = f'<{url}>; rel="next"'
    return response


@require_GET
def footprint_detail(request: HttpRequest, pf_id: str) -> HttpResponse:
    """Action GetFootprint (PACT Technical Specifications v3.0). A footprint not released to the client's
    company answers exactly as one that does not exist."""
    client = _client_or_error(request)
    if isinstance(client, JsonResponse):
        return client
    try:
        public_id = UUID(pf_id)
    except ValueError:
        public_id = None
    answer = selectors.footprint_get(client=client, public_id=public_id) if public_id else None
    if answer is None:
        return pact_error(404, NOT_FOUND, "The specified footprint does not exist.")
    return JsonResponse({"data": product_footprint(answer)})


@csrf_exempt
@require_http_methods(["POST"])
def event(request: HttpRequest) -> HttpResponse:
    """Action Events (PACT Technical Specifications v3.0): CloudEvents in structured JSON mode. Accepted
    events get 200 with an empty body; an event whose `source` is not the client's registered callback host
    is refused (403 AccessDenied) before anything is stored or sent."""
    client = _client_or_error(request)
    if isinstance(client, JsonResponse):
        return client
    if request.content_type not in EVENT_TYPES:
        return pact_error(400, "BadRequest", "Send the event as application/cloudevents+json.")
    try:
        body: Any = json_input.loads(request.body)  # bounded depth, no NaN: hostile bodies get 400
    except (UnicodeDecodeError, ValueError):
        return pact_error(400, "BadRequest", "The body is not valid JSON.")
    try:
        services.receive_event(client=client, body=body)
    except EventError as error:
        return pact_error(400, error.code, str(error))
    except CriteriaError as error:
        return pact_error(400, "BadRequest", str(error))
    except services.SourceRefused:
        return pact_error(403, "AccessDenied", "The event source is not the host registered for this client.")
    return HttpResponse(status=200)
