"""Redis away (issue 15): saved work still answers success, public reads fall back to the database, the
rate limits fail open, and /healthz names the failing part within 2 s, also when Redis hangs.

Redis is "down" by pointing the broker and the cache at a port where nothing listens (connection refused,
as after a crash) or at a local server that accepts connections and never answers (a hung Redis)."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from django.urls import reverse

from certification.bundles.models import CertificateBundle
from certification.models import Certificate
from portal.celery import app as celery_app

from .conftest import meet_all

pytestmark = pytest.mark.django_db

REFUSED = "redis://127.0.0.1:1/0"


@pytest.fixture
def hung_redis():
    """A server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(1)
    for conn in accepted:
        conn.close()
    server.close()


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
        redis = {
            "BACKEND": "portal.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        # As deployed: the cache and the rate limits' cache are both in that Redis.
        settings.CACHES = {"default": redis, "ratelimit": {**redis, "KEY_PREFIX": "ratelimit"}}
        # Django's setting_changed handler rebuilds the cache connections for the new setting.

    return point


def test_approval_answers_success_and_keeps_the_certificate_when_the_broker_is_down(
    client, in_review, reviewer, broker_at, django_capture_on_commit_callbacks
):
    meet_all(in_review, reviewer)
    broker_at(REFUSED)
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        response = client.post(
            reverse("certification:approve", args=[in_review.public_id]), {"conditions": ""}
        )
    assert response.status_code == 302, response.content[:500]
    assert Certificate.objects.filter(application=in_review).exists()
    assert len(hooks) >= 2  # the notification e-mails and the documents: each tried, none stopped the others


def test_approval_through_the_api_too(
    api_client, in_review, reviewer, broker_at, django_capture_on_commit_callbacks
):
    meet_all(in_review, reviewer)
    broker_at(REFUSED)
    api_client.force_authenticate(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/v1/applications/{in_review.public_id}/approve/", {}, format="json")
    assert response.status_code in (200, 201), response.content[:500]
    assert Certificate.objects.filter(application=in_review).exists()


def test_a_zip_request_is_accepted_and_swept_later(
    client, world, inspector, broker_at, django_capture_on_commit_callbacks
):
    broker_at(REFUSED)
    client.force_login(inspector)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certification:bundle_create"), {"mode": "all", "query": ""})
    assert response.status_code == 302
    assert CertificateBundle.objects.count() == 1


def test_public_reads_and_the_rate_limit_work_without_the_cache(client, world, cache_at, settings):
    cache_at(REFUSED)
    settings.PUBLIC_PASSPORT_CACHE_SECONDS = 3600
    number = world.cx1.number
    for _ in range(3):
        assert client.get(f"/verify/{number}/").status_code == 200
        assert client.get(f"/api/v1/verify/{number}/").status_code == 200


def test_the_token_endpoint_answers_without_the_cache(client, cache_at, admin_a):
    cache_at(REFUSED)
    response = client.post(
        "/api/v1/auth/token/", {"username": "admin-a", "password": "wrong"}, content_type="application/json"
    )
    assert response.status_code in (400, 401, 403)


@pytest.mark.parametrize("how", ["refused", "hung"])
def test_healthz_names_the_failing_part_within_two_seconds(client, broker_at, cache_at, hung_redis, how):
    url = REFUSED if how == "refused" else hung_redis
    broker_at(url)
    cache_at(url)
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, elapsed
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] in ("error", "timeout") and body["cache"] in ("error", "timeout")
