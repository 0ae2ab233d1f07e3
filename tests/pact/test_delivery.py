"""Outbound events: retries with exponential back-off against a local server, giving up after 72 hours,
and never calling a private address unless allowed."""

from __future__ import annotations

import datetime

import pytest
from celery.exceptions import Retry

from pact import tasks
from pact.models import DeliveryKind, DeliveryState, PactDelivery

pytestmark = pytest.mark.django_db


def test_backoff_doubles_and_is_capped():
    fixed = lambda low, high: 1.0  # noqa: E731 - no jitter
    assert [tasks.backoff(n, fixed) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert tasks.backoff(40, fixed) == 6 * 3600
    spread = {tasks.backoff(3) for _ in range(50)}
    assert min(spread) >= 96 and max(spread) <= 144  # +-20 % jitter


def _published(world, url):
    world.client.callback_url = url
    world.client.save(update_fields=["callback_url"])
    return PactDelivery.objects.create(client=world.client, kind=DeliveryKind.PUBLISHED, answer=world.answer)


def test_a_failed_delivery_is_retried_with_backoff_until_accepted(world, partner_server, settings):
    settings.PACT_ALLOW_PRIVATE_CALLBACKS = True
    partner_server.statuses = [503, 500]
    delivery = _published(world, partner_server.url)
    first = tasks.attempt(delivery.pk)
    assert 24 <= first <= 36
    second = tasks.attempt(delivery.pk)
    assert 48 <= second <= 72
    delivery.refresh_from_db()
    assert (
        delivery.state == DeliveryState.PENDING
        and delivery.attempts == 2
        and delivery.last_error == "HTTP 500"
    )
    assert tasks.attempt(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.attempts == 3
    assert len(partner_server.received) == 3
    assert all(body["id"] == str(delivery.public_id) for _p, _h, body in partner_server.received)
    assert tasks.attempt(delivery.pk) is None and len(partner_server.received) == 3  # never sent twice


def test_the_task_asks_celery_to_retry_with_the_backoff(world, partner_server, settings, monkeypatch):
    settings.PACT_ALLOW_PRIVATE_CALLBACKS = True
    partner_server.statuses = [502]
    delivery = _published(world, partner_server.url)
    asked = {}

    def fake_retry(countdown=None, **kwargs):
        asked["countdown"] = countdown
        raise Retry()

    monkeypatch.setattr(tasks.deliver_event, "retry", fake_retry)
    with pytest.raises(Retry):
        tasks.deliver_event.run(delivery.pk)
    assert 24 <= asked["countdown"] <= 36


def test_a_delivery_is_abandoned_after_72_hours(world, partner_server, settings):
    settings.PACT_ALLOW_PRIVATE_CALLBACKS = True
    partner_server.statuses = [503]
    delivery = _published(world, partner_server.url)
    PactDelivery.objects.filter(pk=delivery.pk).update(
        created_at=delivery.created_at - datetime.timedelta(hours=72, minutes=1)
    )
    assert tasks.attempt(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and delivery.last_error == "HTTP 503"


def test_unreachable_partner_counts_as_a_failure(world, settings):
    settings.PACT_ALLOW_PRIVATE_CALLBACKS = True
    delivery = _published(world, "http://127.0.0.1:9/pact")  # discard port: connection refused
    assert tasks.attempt(delivery.pk) is not None
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.last_error


def test_private_destinations_are_never_called(world, partner_server, settings):
    settings.DEBUG = False  # and PACT_ALLOW_PRIVATE_CALLBACKS unset: off, as in production
    delivery = _published(world, partner_server.url)
    assert tasks.attempt(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and partner_server.received == []


def test_development_delivers_to_a_local_partner(world, partner_server, settings):
    """DEBUG on and PACT_ALLOW_PRIVATE_CALLBACKS unset (development): events reach a partner on a local
    address, as the PACT conformance suite's callback listener on localhost:8080."""
    if hasattr(settings, "PACT_ALLOW_PRIVATE_CALLBACKS"):
        del settings.PACT_ALLOW_PRIVATE_CALLBACKS
    settings.DEBUG = True
    delivery = _published(world, partner_server.url)
    assert tasks.attempt(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and len(partner_server.received) == 1
    path, _headers, body = partner_server.received[0]
    assert path == "/pact/3/events" and body["data"]["pfIds"] == [str(world.answer.public_id)]


def test_an_answer_no_longer_visible_is_not_published(world, partner_server, settings):
    settings.PACT_ALLOW_PRIVATE_CALLBACKS = True
    delivery = _published(world, partner_server.url)
    world.answer.customer.status = "suspended"
    world.answer.customer.save(update_fields=["status"])
    assert tasks.attempt(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and partner_server.received == []
