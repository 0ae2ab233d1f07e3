"""Sending the events the portal owes PACT clients (the `PactDelivery` outbox), from Celery.

Each delivery is tried, and on failure retried with randomized exponential back-off (the spec asks for
it, and to give up after 72 hours). Tasks get ids only and re-read the row; a delivery already sent is
never sent again. The payload is built at send time from the client's own view of the footprints.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import random
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from celery import shared_task
from django.utils import timezone

from portal.enqueue import queue_after_commit

from . import events, partner_auth, selectors
from .footprints import apply_criteria, footprints, parse_criteria
from .models import DeliveryKind, DeliveryState, PactDelivery

logger = logging.getLogger(__name__)

BACKOFF_BASE = 30  # seconds before the first retry
BACKOFF_MAX = 6 * 3600  # never wait more than 6 hours between tries
GIVE_UP_AFTER = timedelta(hours=72)
TIMEOUT = 10
MAX_FULFILLED = 100  # footprints in one RequestFulfilled event

#: (url, body bytes, headers) -> HTTP status: how an event leaves (a module attribute, so that another
#: transport, e.g. with authentication at the partner, can be put in its place).
Transport = Callable[[str, bytes, dict[str, str]], int]


def backoff(attempt: int, jitter: Callable[[float, float], float] = random.uniform) -> int:
    """Seconds to wait after the `attempt`-th failure: 30 s, 60 s, 120 s ... capped at 6 h, each spread
    by up to +-20 % so that many failed deliveries do not retry in step."""
    delay = min(BACKOFF_BASE * 2 ** max(attempt - 1, 0), BACKOFF_MAX)
    return max(1, round(delay * jitter(0.8, 1.2)))


class Refused(Exception):
    """A destination the portal will not call (private address, not https): permanent failure."""


def check_destination(url: str) -> None:
    """Refuse callbacks that resolve to loopback, private or link-local addresses, so that a registered
    callback cannot make the worker call the portal's own network (unless tests/dev allow it)."""
    from .services import allow_plain_callbacks

    parts = urlsplit(url)
    if allow_plain_callbacks():
        return
    if parts.scheme != "https" or not parts.hostname:
        raise Refused("callback is not https")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError as error:
        raise ConnectionError(f"cannot resolve {parts.hostname}") from error
    for info in infos:
        if not ipaddress.ip_address(info[4][0]).is_global:
            raise Refused("callback resolves to a non-public address")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect could lead anywhere: not followed
        return None


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - checked
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


transport: Transport = http_post


def payload(delivery: PactDelivery) -> dict:
    """The CloudEvent for a delivery, from what the client may read now. A fulfilment whose footprints
    are no longer visible becomes a rejection; a publication of an invisible answer sends nothing."""
    client = delivery.client
    event_id = str(delivery.public_id)
    visible = selectors.footprints_for(client=client)
    if delivery.kind == DeliveryKind.PUBLISHED:
        if delivery.answer_id is None or not visible.filter(pk=delivery.answer_id).exists():
            return {}
        ids = [str(visible.get(pk=delivery.answer_id).public_id)]
        return events.envelope(event_id=event_id, type_=events.PUBLISHED, data={"pfIds": ids})
    request_event_id = delivery.pact_request.event_id
    if delivery.kind == DeliveryKind.FULFILLED:
        if delivery.answer_id is not None:
            answers = list(visible.filter(pk=delivery.answer_id))
        else:
            criteria = parse_criteria(delivery.pact_request.criteria, lists=True)
            if not criteria.status:
                criteria.status = "Active"
            answers = list(apply_criteria(visible, criteria)[:MAX_FULFILLED])
        if answers:
            return events.envelope(
                event_id=event_id,
                type_=events.REQUEST_FULFILLED,
                data={"requestEventId": request_event_id, "pfs": footprints(answers)},
            )
        code, message = "NotFound", "The requested footprints are no longer available."
    else:
        code, message = delivery.error_code or "BadRequest", delivery.error_message or "Rejected."
    return events.envelope(
        event_id=event_id,
        type_=events.REQUEST_REJECTED,
        data={"requestEventId": request_event_id, "error": {"code": code, "message": message}},
    )


def attempt(delivery_id: int) -> int | None:
    """Try one delivery. Returns None when done (sent, failed for good, or nothing to do), else the
    seconds to wait before the next try."""
    delivery = PactDelivery.objects.select_related("client", "pact_request").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != DeliveryState.PENDING:
        return None
    client = delivery.client
    body = payload(delivery) if client.is_active else {}
    if not body:
        PactDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.FAILED, last_error="nothing to send"
        )
        return None
    url = client.callback_url.rstrip("/") + "/3/events"
    headers = {
        "Content-Type": "application/cloudevents+json; charset=UTF-8",
        "User-Agent": "PassBridge-PACT/3",
    }
    error = ""
    try:
        check_destination(url)
        token = partner_auth.bearer_token(client)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        status = transport(url, json.dumps(body).encode(), headers)
        if status == 401 and token:
            partner_auth.forget_token(client)  # expired or revoked at the partner: ask anew next time
        if 200 <= status < 300:
            PactDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(
                state=DeliveryState.SENT,
                sent_at=timezone.now(),
                attempts=delivery.attempts + 1,
                last_error="",
            )
            return None
        error = f"HTTP {status}"
    except Refused as refused:
        PactDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.FAILED, attempts=delivery.attempts + 1, last_error=str(refused)[:500]
        )
        return None
    except partner_auth.PartnerAuthFailed as failure:
        error = f"authentication at the partner: {failure}"[:500]
    except (OSError, ValueError) as failure:  # connection refused, timeout, DNS, malformed URL
        error = f"{type(failure).__name__}: {failure}"[:500]
    attempts = delivery.attempts + 1
    give_up = timezone.now() - delivery.created_at >= GIVE_UP_AFTER
    PactDelivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts, last_error=error, state=DeliveryState.FAILED if give_up else DeliveryState.PENDING
    )
    logger.info("PACT delivery %s to client %s failed (%s)", delivery.public_id, client.client_id, error)
    return None if give_up else backoff(attempts)


@shared_task(bind=True, max_retries=None, acks_late=True, time_limit=60, soft_time_limit=45)
def deliver_event(self, delivery_id: int) -> None:
    countdown = attempt(delivery_id)
    if countdown is not None:
        raise self.retry(countdown=countdown)


def enqueue_delivery(delivery_id: int) -> None:
    """Hand the delivery to Celery after commit; if the broker is down the row stays pending and the sweep
    picks it up (portal.enqueue), the portal's own action is not failed for it."""
    queue_after_commit(partial(deliver_event.delay, delivery_id), what="a PACT event")


@shared_task(acks_late=True, time_limit=120)
def sweep_deliveries() -> int:
    """Re-enqueue deliveries still pending an hour after their creation or last change (a lost task)."""
    stale = timezone.now() - timedelta(hours=1)
    ids = list(
        PactDelivery.objects.filter(state=DeliveryState.PENDING, created_at__lt=stale).values_list(
            "pk", flat=True
        )[:500]
    )
    for delivery_id in ids:
        enqueue_delivery(delivery_id)
    return len(ids)
