"""Redis away (issue 15): saved work still answers success, public reads fall back to the database, the
rate limits fail open, and /healthz names the failing part within 2 s, also when Redis hangs.

Each test starts a real Redis server of its own (the suite's shared one must stay up for the other test
process), points the task queue and the caches at it, checks that it works, and then kills it (SIGKILL, as
a crash or the OOM killer does: connections are refused) or freezes it (SIGSTOP: connections are accepted
by the kernel and never answered, a hung Redis)."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.core.cache import caches
from django.urls import reverse

from certification.bundles.models import CertificateBundle
from certification.documents.services import documents_missing, documents_sweep
from certification.models import Certificate
from portal.celery import app as celery_app

from .conftest import meet_all

pytestmark = pytest.mark.django_db


@dataclass
class RedisServer:
    url: str
    process: subprocess.Popen

    def ping(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        """Crash it: every connection is refused from now on."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def freeze(self) -> None:
        """Hang it: the port still accepts connections, nothing answers."""
        self.process.send_signal(signal.SIGSTOP)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_redis(directory: Path) -> RedisServer:
    directory.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    command = [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no", "--dir", str(directory)]
    server = RedisServer(f"redis://127.0.0.1:{port}/0", subprocess.Popen(command, stdout=subprocess.DEVNULL))
    deadline = time.monotonic() + 10
    while not server.ping():
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    return server


@pytest.fixture
def own_redis(tmp_path):
    """A started, working Redis server of this test's own; stopped whatever the test did to it."""
    server = _start_redis(tmp_path)
    yield server
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGCONT)
        server.process.kill()
        server.process.wait(timeout=10)


def _use_broker(url: str | None) -> None:
    # A fresh connection pool for the new address (the old one is left to the garbage collector: closing
    # it would break producers other tests still hold).
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_at():
    """Point the task queue at a given Redis, tasks queued as in production; restored afterwards."""
    previous = celery_app.conf.broker_url

    def point(url: str) -> None:
        celery_app.conf.task_always_eager = False
        _use_broker(url)

    yield point
    celery_app.conf.task_always_eager = True
    _use_broker(previous)


@pytest.fixture
def cache_at(settings):
    def point(url: str) -> None:
        config = {
            "BACKEND": "portal.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        # As deployed: the cache and the rate limits' cache are both in that Redis.
        settings.CACHES = {"default": config, "ratelimit": {**config, "KEY_PREFIX": "ratelimit"}}
        # Django's setting_changed handler rebuilds the cache connections for the new setting.

    return point


def test_approval_answers_success_and_keeps_the_certificate_when_the_broker_is_down(
    client, in_review, reviewer, broker_at, own_redis, tmp_path, django_capture_on_commit_callbacks
):
    meet_all(in_review, reviewer)
    broker_at(own_redis.url)
    own_redis.kill()
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        response = client.post(
            reverse("certification:approve", args=[in_review.public_id]), {"conditions": ""}
        )
    assert response.status_code == 302, response.content[:500]
    certificate = Certificate.objects.get(application=in_review)
    assert len(hooks) >= 2  # the notification e-mails and the documents: each tried, none stopped the others

    # Redis back (empty, as after a crash without persistence): the sweep queues the PDFs nobody queued.
    back = _start_redis(tmp_path / "back")
    try:
        broker_at(back.url)
        expected = sorted([certificate.pk, *certificate.recognised.values_list("pk", flat=True)])
        assert documents_missing() == expected  # nothing was rendered or queued
        assert documents_sweep(grace=timedelta(0)) == expected
        assert redis.Redis.from_url(back.url).llen("pdf") == len(expected)
    finally:
        back.process.kill()
        back.process.wait(timeout=10)


def test_approval_through_the_api_too(
    api_client, in_review, reviewer, broker_at, own_redis, django_capture_on_commit_callbacks
):
    meet_all(in_review, reviewer)
    broker_at(own_redis.url)
    own_redis.kill()
    api_client.force_authenticate(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/v1/applications/{in_review.public_id}/approve/", {}, format="json")
    assert response.status_code in (200, 201), response.content[:500]
    assert Certificate.objects.filter(application=in_review).exists()


def test_a_zip_request_is_accepted_and_swept_later(
    client, world, inspector, broker_at, own_redis, django_capture_on_commit_callbacks
):
    broker_at(own_redis.url)
    own_redis.kill()
    client.force_login(inspector)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certification:bundle_create"), {"mode": "all", "query": ""})
    assert response.status_code == 302
    assert CertificateBundle.objects.count() == 1


def test_public_reads_and_the_rate_limit_work_without_the_cache(client, world, cache_at, own_redis, settings):
    cache_at(own_redis.url)
    settings.PUBLIC_PASSPORT_CACHE_SECONDS = 3600
    number = world.cx1.number
    assert client.get(f"/verify/{number}/").status_code == 200
    assert redis.Redis.from_url(own_redis.url).dbsize() > 0  # the rate limit counted in this Redis
    own_redis.kill()
    for _ in range(3):
        assert client.get(f"/verify/{number}/").status_code == 200
        assert client.get(f"/api/v1/verify/{number}/").status_code == 200


def test_the_public_passport_answers_without_the_cache(
    client, cache_at, own_redis, admin_a, scope_passport, settings
):
    """The page's cached body and the cached JSON are only shortcuts: with the cache gone both are made
    again on every request."""
    from passports import services
    from tests.factories import BEFORE_OBLIGATIONS

    passport = scope_passport
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    cache_at(own_redis.url)
    settings.PUBLIC_PASSPORT_CACHE_SECONDS = 3600
    url = f"/p/{passport.public_id}/"
    page = client.get(url, HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and client.get(url, HTTP_ACCEPT="application/json").status_code == 200
    assert redis.Redis.from_url(own_redis.url).dbsize() >= 2  # the page's body and the JSON were kept
    own_redis.kill()
    for accept in ("text/html", "application/json"):
        response = client.get(url, HTTP_ACCEPT=accept)
        assert response.status_code == 200 and response["ETag"]
    assert passport.unique_identifier.encode() in client.get(url, HTTP_ACCEPT="text/html").content


def test_the_token_endpoint_answers_without_the_cache(client, cache_at, own_redis, admin_a):
    cache_at(own_redis.url)
    assert caches["default"].add("probe", 1) is True  # the cache works before the crash
    own_redis.kill()
    response = client.post(
        "/api/v1/auth/token/", {"username": "admin-a", "password": "wrong"}, content_type="application/json"
    )
    assert response.status_code in (400, 401, 403)


@pytest.mark.parametrize("how", ["killed", "frozen"])
def test_healthz_names_the_failing_part_within_two_seconds(client, broker_at, cache_at, own_redis, how):
    broker_at(own_redis.url)
    cache_at(own_redis.url)
    healthy = client.get("/healthz").json()
    assert healthy["broker"] == healthy["cache"] == "ok", healthy
    own_redis.kill() if how == "killed" else own_redis.freeze()
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, elapsed
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] in ("error", "timeout") and body["cache"] in ("error", "timeout")
