"""Queueing background work after a commit, so that a broker that is down never undoes or hides saved work.

The request that saved something has already committed when its tasks are queued; if Redis refuses or
times out, the user must still get the success page. Each hook is guarded separately, so one failure
cannot keep the others of the same commit from running (Django runs on-commit hooks in order and stops
at the first one that raises). The periodic sweeps (PDF documents, certificate bundles, notification
e-mails, organizations' decision e-mails) find what was not queued and queue it again; a lost
registration notice to operators or invitation e-mail is not (operators see pending registrations in the
admin, and an invitation can be sent again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger("portal.enqueue")

#: What a broker that is away raises on publish. A task body that fails (eager mode) still raises.
BROKER_UNAVAILABLE = (OperationalError, RedisError, ConnectionError, TimeoutError)


def queue_after_commit(send: Callable[[], Any], *, what: str) -> None:
    """Call `send` (which queues one or more tasks) once the current transaction commits."""
    transaction.on_commit(partial(_queue, send, what))


def _queue(send: Callable[[], Any], what: str) -> None:
    try:
        send()
    except BROKER_UNAVAILABLE as exc:
        logger.warning(
            "Could not queue %s, the broker is unavailable (%s); a periodic sweep queues it again", what, exc
        )
