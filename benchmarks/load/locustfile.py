"""Load mix of issue 15: the seven roles of the portal, as people use it (run by benchmarks/load/run.py).

Every simulated person signs in through the real login form (with an authenticator code where the role
requires two-factor authentication in production), then works with think times of a few seconds, finding
what it opens from the pages it has just read (links in the HTML), as a browser user would. Company
integrations use API tokens. Weights per 100 users:

    35 public visitors      QR scans: /p/<id>/ as HTML, as JSON (machine readers), /verify/<number>/
    20 company staff        passport list (pages, search), a passport, edit a step of the form and save the
                            draft, battery models, dashboard
     8 company integrations REST API with a token: passport list, a passport, battery models, a draft saved
    10 authority inspectors passport list and search, a passport, certificate registry and search, a
                            certificate PDF, the mineral-flow overview
     8 certifiers           review queue, a review workspace, the certificates they issued
     7 suppliers            data requests of their customers, a request, their parts
     6 recyclers            end-of-life transfers, a transfer, recovered material
     6 platform operators   dashboard with the registrations queue, the certificate registry

Input (environment): LOAD_ACCOUNTS (the JSON written by benchmarks/load/seed.py), LOAD_SEED (the choices of
every person come from a random generator seeded with it and the person's number).

The load generator stands in for the TLS proxy of deploy/nginx.conf.example: each request says it came over
HTTPS (X-Forwarded-Proto) from the person's own address (X-Forwarded-For, 10.x.y.z), and the cookie jar sends
the portal's Secure cookies over the plain-HTTP loopback hop, as the proxy does.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
from html.parser import HTMLParser
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlencode, urlsplit

from locust import task
from locust.contrib.fasthttp import FastHttpUser

DATA = json.loads(open(os.environ["LOAD_ACCOUNTS"]).read())  # noqa: SIM115
SEED = int(os.environ.get("LOAD_SEED", "15"))
random.seed(SEED)  # locust's own choices (which task next) as far as they use the global generator

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def totp(key_hex: str, at: float | None = None) -> str:
    """The code an authenticator app shows (RFC 6238: SHA-1, 30-second steps, 6 digits)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class FormReader(HTMLParser):
    """The fields of the first <form method=post> with an action (inputs, selects, textareas), as a browser
    would submit them unchanged."""

    def __init__(self, action_contains: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action_contains = action_contains
        self.inside = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self.texts: list[str] = []  # names of free-text inputs (type text)
        self._select: str | None = None
        self._select_value: str | None = None
        self._select_first: str | None = None
        self._option_value: str | None = None
        self._textarea: str | None = None
        self._textarea_value = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and not self.done and a.get("method", "").lower() == "post":
            self.inside = self.action_contains in a.get("action", self.action_contains)
            return
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            self.fields.append((a["name"], value))
            if kind == "text":
                self.texts.append(a["name"])
        elif tag == "select" and a.get("name"):
            self._select, self._select_value, self._select_first = a["name"], None, None
        elif tag == "option" and self._select:
            value = a.get("value")
            if self._select_first is None and value is not None:
                self._select_first = value
            if "selected" in a:
                self._select_value = value
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._textarea_value = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._textarea_value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "select" and self._select:
            value = self._select_value if self._select_value is not None else (self._select_first or "")
            self.fields.append((self._select, value))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._textarea_value.strip("\n")))
            self._textarea = None


class Person(FastHttpUser):
    """A signed-in person (or a visitor): own address, own cookies, own seeded random generator."""

    abstract = True
    role = "person"
    counters: dict[str, itertools.count] = {}
    class_numbers: dict[str, int] = {}

    def __init__(self, environment) -> None:
        super().__init__(environment)
        counter = Person.counters.setdefault(self.role, itertools.count())
        self.number = next(counter)
        class_number = Person.class_numbers.setdefault(self.role, len(Person.class_numbers) + 1)
        self.rng = random.Random(SEED * 100_000 + class_number * 1_000 + self.number)  # noqa: S311
        self.address = f"10.{class_number}.{self.number // 250}.{self.number % 250 + 1}"
        self.origin = "https://" + urlsplit(self.host).netloc
        # Secure cookies travel over the loopback hop, as between the TLS proxy and gunicorn.
        self.client.cookiejar.set_policy(DefaultCookiePolicy(secure_protocols=("https", "wss", "http")))
        self.found: dict[str, list[str]] = {}

    def wait_time(self) -> float:  # type: ignore[override]
        low, high = self.think
        return self.rng.uniform(low, high)

    think = (2.0, 8.0)

    # ---- requests ----------------------------------------------------------------------------------------
    def headers(self, extra: dict | None = None) -> dict:
        return {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "User-Agent": f"passbridge-load/{self.role}",
            **(extra or {}),
        }

    def get(self, path: str, name: str, *, accept: str = "text/html", expect: int = 200, **extra) -> str:
        """One GET that must answer `expect` itself (a redirect to the login page is a failure)."""
        with self.client.get(
            path,
            name=f"{self.role}: {name}",
            headers=self.headers({"Accept": accept, **extra}),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != expect:
                response.failure(f"HTTP {response.status_code}, expected {expect}")
                return ""
            response.success()
            try:
                return response.text or ""
            except (UnicodeDecodeError, AttributeError):
                return ""

    def post_form(self, path: str, name: str, fields: list[tuple[str, str]], *, expect: int = 302) -> str:
        """A form posted as a browser does (same-origin Referer and Origin); returns the redirect target."""
        with self.client.post(
            path,
            name=f"{self.role}: {name}",
            data=urlencode(fields),
            headers=self.headers(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": self.origin + path,
                    "Origin": self.origin,
                }
            ),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != expect:
                snippet = re.sub(r"\s+", " ", (response.text or "")[:300]) if response.text else ""
                response.failure(f"HTTP {response.status_code}, expected {expect}: {snippet}")
                return ""
            response.success()
            return response.headers.get("Location", "") or ""

    def remember(self, kind: str, html: str, pattern: str) -> None:
        values = sorted(set(re.findall(pattern, html)))
        if values:
            self.found[kind] = values

    def pick(self, kind: str) -> str | None:
        values = self.found.get(kind)
        return self.rng.choice(values) if values else None

    # ---- signing in ----------------------------------------------------------------------------------------
    accounts_key = ""

    def on_start(self) -> None:
        if not self.accounts_key:
            return
        pool = DATA["accounts"][self.accounts_key]
        account = pool[self.number % len(pool)]
        page = self.get("/accounts/login/", "sign in (form)")
        token = CSRF.search(page)
        if not token:
            raise RuntimeError("no CSRF token on the login page")
        target = self.post_form(
            "/accounts/login/",
            "sign in (password)",
            [
                ("csrfmiddlewaretoken", token.group(1)),
                ("username", account["username"]),
                ("password", DATA["password"]),
            ],
        )
        if "/login/verify/" in target:
            page = self.get("/accounts/login/verify/", "sign in (code form)")
            token = CSRF.search(page)
            left = 30 - time.time() % 30
            if left < 5:  # as a person does: a code about to change is not typed, the next one is
                time.sleep(left + 0.5)
            code = totp(account["totp"])
            target = self.post_form(
                "/accounts/login/verify/",
                "sign in (authenticator code)",
                [("csrfmiddlewaretoken", token.group(1) if token else ""), ("code", code)],
            )
        self.get("/dashboard/", "dashboard")


class PublicVisitor(Person):
    """Someone who scanned a battery's QR code (or a certificate's), no login."""

    role = "public"
    weight = 35
    think = (2.0, 8.0)

    def passport(self) -> str:
        return self.rng.choice(DATA["public_passports"])

    @task(6)
    def qr_scan(self) -> None:
        passport = self.passport()
        self.get(f"/p/{passport}/", "/p/[id]/ page")
        if self.rng.random() < 0.3:
            self.get(f"/p/{passport}/qr.svg", "/p/[id]/qr.svg", accept="image/svg+xml")

    @task(3)
    def machine_reader(self) -> None:
        self.get(f"/p/{self.passport()}/", "/p/[id]/ JSON", accept="application/json")

    @task(2)
    def verify_certificate(self) -> None:
        self.get(f"/verify/{self.rng.choice(DATA['certificates'])}/", "/verify/[number]/")


class CompanyStaff(Person):
    """An editor of a battery maker: lists and searches passports, opens one, saves a draft of one step."""

    role = "staff"
    weight = 20
    accounts_key = "staff"

    def on_start(self) -> None:
        super().on_start()
        self.passport_list()

    @task(4)
    def passport_list(self) -> None:
        page = self.rng.choice([1, 1, 1, 2, 3, 5])
        html = self.get(f"/passports/?page={page}" if page > 1 else "/passports/", "passport list")
        self.remember("passport", html, rf'href="/passports/({UUID})/"')

    @task(1)
    def passport_search(self) -> None:
        identifiers = self.found.get("identifier") or ["PB00"]
        html = self.get(
            f"/passports/?{urlencode({'q': self.rng.choice(identifiers)[:7]})}", "passport search"
        )
        self.remember("passport", html, rf'href="/passports/({UUID})/"')

    @task(4)
    def passport_detail(self) -> None:
        passport = self.pick("passport")
        if passport:
            html = self.get(f"/passports/{passport}/", "passport page")
            self.remember("step", html, rf'href="/passports/{passport}/edit/([a-z0-9-]+)/"')

    @task(2)
    def edit_draft(self) -> None:
        passport = self.pick("passport")
        step = self.pick("step")
        if not passport or not step:
            return
        path = f"/passports/{passport}/edit/{step}/"
        html = self.get(path, "edit step (form)", expect=200)
        if not html:
            return
        reader = FormReader(action_contains=f"/edit/{step}/")
        reader.feed(html)
        fields = [*reader.fields, ("go", "stay")]  # "Save draft"
        self.post_form(path, "edit step (save draft)", fields)

    @task(1)
    def battery_models(self) -> None:
        self.get("/passports/models/", "battery models")

    @task(1)
    def dashboard(self) -> None:
        self.get("/dashboard/", "dashboard")


class CompanyIntegration(Person):
    """A maker's system using the REST API with a personal API token."""

    role = "api"
    weight = 8
    think = (1.0, 4.0)

    def on_start(self) -> None:
        self.token = DATA["tokens"][self.number % len(DATA["tokens"])]
        self.passport_list()

    def api(self, path: str, name: str) -> dict:
        text = self.get(path, name, accept="application/json", Authorization=f"Token {self.token}")
        try:
            return json.loads(text) if text else {}
        except ValueError:
            return {}

    @task(3)
    def passport_list(self) -> None:
        page = self.rng.randint(1, 20)
        answer = self.api(f"/api/v1/passports/?page={page}", "GET /api/v1/passports/")
        ids = [row.get("id") or row.get("public_id") for row in answer.get("results", [])]
        if ids:
            self.found["passport"] = [i for i in ids if i]

    @task(3)
    def passport_detail(self) -> None:
        passport = self.pick("passport")
        if passport:
            self.api(f"/api/v1/passports/{passport}/", "GET /api/v1/passports/[id]/")

    @task(1)
    def battery_models(self) -> None:
        self.api("/api/v1/battery-models/", "GET /api/v1/battery-models/")


class Inspector(Person):
    """A market surveillance inspector: passports, the certificate registry, PDFs, mineral flows."""

    role = "authority"
    weight = 10
    accounts_key = "regulator"

    @task(3)
    def passport_list(self) -> None:
        page = self.rng.choice([1, 1, 2, 4])
        html = self.get(f"/passports/?page={page}" if page > 1 else "/passports/", "passport list")
        self.remember("passport", html, rf'href="/passports/({UUID})/"')

    @task(2)
    def passport_search(self) -> None:
        query = self.rng.choice(DATA["unique_identifiers"])
        html = self.get(f"/passports/?{urlencode({'q': query})}", "passport search")
        self.remember("passport", html, rf'href="/passports/({UUID})/"')

    @task(2)
    def passport_detail(self) -> None:
        passport = self.pick("passport")
        if passport:
            self.get(f"/passports/{passport}/", "passport page")

    @task(2)
    def registry(self) -> None:
        html = self.get("/certification/certificates/", "certificate registry")
        self.remember("certificate", html, r'href="/certification/certificates/([A-Za-z0-9-]+)/"')

    @task(2)
    def registry_search(self) -> None:
        query = self.rng.choice(["Bench", "Elektra", "Sakura", "CX", "valid"])
        html = self.get(f"/certification/certificates/?{urlencode({'q': query})}", "registry search")
        self.remember("certificate", html, r'href="/certification/certificates/([A-Za-z0-9-]+)/"')

    @task(1)
    def certificate_pdf(self) -> None:
        number = self.pick("certificate")
        if number and number not in ("export",):
            self.get(
                f"/certification/certificates/{number}/pdf/", "certificate PDF", accept="application/pdf"
            )

    @task(1)
    def oversight(self) -> None:
        self.get("/oversight/", "mineral-flow overview")


class Certifier(Person):
    """A lead auditor of a certification body: the review queue and a review."""

    role = "certifier"
    weight = 8
    accounts_key = "certifier"

    @task(3)
    def queue(self) -> None:
        html = self.get("/certification/queue/", "review queue")
        self.remember("application", html, rf'href="/certification/applications/({UUID})/(?:review/)?"')

    @task(3)
    def application(self) -> None:
        application = self.pick("application")
        if application:
            self.get(f"/certification/applications/{application}/review/", "review workspace")

    @task(1)
    def application_page(self) -> None:
        application = self.pick("application")
        if application:
            self.get(f"/certification/applications/{application}/", "application page")

    @task(1)
    def certificates(self) -> None:
        self.get("/certification/certificates/", "certificates")


class Supplier(Person):
    """A supplier answering its customers' data requests."""

    role = "supplier"
    weight = 7
    accounts_key = "supplier"

    @task(3)
    def requests(self) -> None:
        html = self.get("/exchange/requests/", "data requests")
        self.remember("request", html, rf'href="/exchange/requests/({UUID})/"')

    @task(2)
    def request(self) -> None:
        request = self.pick("request")
        if request:
            self.get(f"/exchange/requests/{request}/", "data request")

    @task(2)
    def parts(self) -> None:
        html = self.get("/exchange/parts/", "parts")
        self.remember("part", html, rf'href="/exchange/parts/({UUID})/"')

    @task(1)
    def part(self) -> None:
        part = self.pick("part")
        if part:
            self.get(f"/exchange/parts/{part}/", "part")


class Recycler(Person):
    """A recycler: batteries and black mass received, recovered material."""

    role = "recycler"
    weight = 6
    accounts_key = "recycler"

    @task(3)
    def transfers(self) -> None:
        html = self.get("/end-of-life/transfers/", "transfers")
        self.remember("transfer", html, rf'href="/end-of-life/transfers/({UUID})/"')

    @task(2)
    def transfer(self) -> None:
        transfer = self.pick("transfer")
        if transfer:
            self.get(f"/end-of-life/transfers/{transfer}/", "transfer")

    @task(1)
    def recovered(self) -> None:
        self.get("/end-of-life/recovered/", "recovered material")


class Operator(Person):
    """Platform staff: the dashboard with the registrations waiting for a decision."""

    role = "operator"
    weight = 6
    accounts_key = "operator"

    @task(4)
    def dashboard(self) -> None:
        self.get("/dashboard/", "dashboard (registrations)")

    @task(1)
    def registry(self) -> None:
        self.get("/certification/certificates/", "certificate registry")

    @task(1)
    def notifications(self) -> None:
        self.get("/notifications/", "notifications")


__all__ = [
    "Certifier",
    "CompanyIntegration",
    "CompanyStaff",
    "Inspector",
    "Operator",
    "PublicVisitor",
    "Recycler",
    "Supplier",
]
