"""Shared data for the PACT tests: the exchange chain of tests/exchange/chain.py, with the cathode maker's
answer released to the cell maker, and a PACT client acting for the cell maker."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from exchange import services as exchange_services
from exchange.models import Answer
from pact.services import client_save
from tests.exchange.chain import build_chain, details, due

SECRET = "s3cret-s3cret-s3cret"
CALLBACK = "https://partner.example/pact"
FORM = "application/x-www-form-urlencoded"


@dataclass
class World:
    chain: object
    answer: Answer
    client: object


@pytest.fixture
def world(db, exchange_materials) -> World:
    chain = build_chain()
    request = exchange_services.send_request(
        actor=chain.cell_user,
        part=chain.cell_nmc,
        wants_footprint=True,
        wants_materials=True,
        message="",
        due_date=due(),
    )
    answer = exchange_services.answer_request(
        actor=chain.cathode_user,
        request=request,
        supplier_part=chain.nmc,
        details=details(
            geography_country="JP", quality={"technological": "2", "geographical": "1.5", "temporal": "1"}
        ),
    )
    Answer.objects.filter(pk=answer.pk).update(cn_code="28369100")
    answer.refresh_from_db()
    client, _ = client_save(
        actor=None,
        organization=chain.cell,
        client_id="partner",
        secret=SECRET,
        callback_url=CALLBACK,
        name="Partner",
    )
    return World(chain, answer, client)


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def get_token(http: Client, client_id: str = "partner", secret: str = SECRET) -> str:
    response = http.post(
        "/pact/auth/token",
        "grant_type=client_credentials",
        content_type=FORM,
        HTTP_AUTHORIZATION=basic(client_id, secret),
        secure=True,
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


@pytest.fixture
def api(world):
    """A test client that sends the bearer token of the partner client, over HTTPS."""
    http = Client()
    token = get_token(http)

    class Api:
        def get(self, path, data=None, **extra):
            return http.get(path, data, HTTP_AUTHORIZATION=f"Bearer {token}", secure=True, **extra)

        def event(self, body, content_type="application/cloudevents+json; charset=UTF-8", token_=None):
            return http.post(
                "/pact/3/events",
                json.dumps(body),
                content_type=content_type,
                HTTP_AUTHORIZATION=f"Bearer {token_ or token}",
                secure=True,
            )

    return Api()


class _Handler(BaseHTTPRequestHandler):
    def _answer(self, status: int, payload: dict | None = None) -> None:
        content = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def do_GET(self):
        server = self.server
        if self.path.endswith("/.well-known/openid-configuration") and server.token_endpoint:
            return self._answer(200, {"token_endpoint": server.token_endpoint})
        return self._answer(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        server = self.server
        if self.path.endswith("/token"):
            # The partner's own token endpoint: the client credentials it issued to the portal.
            server.token_requests.append((self.path, dict(self.headers), body.decode()))
            expected = "Basic " + base64.b64encode(server.credentials.encode()).decode()
            if server.credentials and self.headers.get("Authorization") == expected:
                server.tokens_issued += 1
                token = f"partner-token-{server.tokens_issued}"
                return self._answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})
            return self._answer(401, {"code": "AccessDenied", "message": "Invalid credentials"})
        server.received.append((self.path, dict(self.headers), json.loads(body)))
        status = server.statuses.pop(0) if server.statuses else 200
        if server.credentials and not str(self.headers.get("Authorization", "")).startswith(
            "Bearer partner-token-"
        ):
            status = 401
        self._answer(status)

    def log_message(self, *args):
        pass


@pytest.fixture
def partner_server():
    """A local partner host on 127.0.0.1: records what it receives and answers with the queued statuses
    (then 200). No call ever leaves the machine."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.received = []
    server.statuses = []
    server.credentials = ""  # "id:secret" the partner issued to the portal; events then need its token
    server.token_requests = []
    server.tokens_issued = 0
    server.token_endpoint = ""  # announced by OpenID discovery when set
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/pact"
    yield server
    server.shutdown()
    server.server_close()
