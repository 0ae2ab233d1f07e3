"""Work a killed worker held is queued again as soon as a worker starts, not after a sweep interval.

Every task is `acks_late`: a task that was running when its worker was killed stays unacknowledged in
Redis until the broker's visibility timeout (one hour, `CELERY_BROKER_TRANSPORT_OPTIONS`) hands it out
again. The timeout cannot be short: it must exceed the longest task and the longest retry countdown, or
Redis would hand out a task that is still running or still waiting for its retry.

The database, not the broker, knows what is unfinished: a certificate without its PDF, a ZIP or an
import not done, a notification or decision not e-mailed. So when a worker has started (`worker_ready`)
one `resume_lost_work` task asks every registered resumer to queue all unfinished work of its kind again,
whatever its age. Each task re-reads the database and does its work under a row lock (or a run token),
so work another live worker is doing at that moment is done once: the second delivery waits for the lock
and finds it done, or takes an import or a ZIP over from its start. The killed worker's own message,
handed out again an hour later, finds it done too. The periodic sweeps stay for what no restart reveals
(a message Redis lost, a worker that never came back).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from .enqueue import BROKER_UNAVAILABLE

logger = logging.getLogger("portal.resume")

Resumer = Callable[[], object]
_RESUMERS: dict[str, Resumer] = {}


def register(name: str, resumer: Resumer) -> None:
    """`resumer` queues again all unfinished work of one kind; it must be safe to call at any time."""
    _RESUMERS[name] = resumer


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def resume_lost_work() -> dict[str, str]:
    """Run every resumer; one that fails is logged and does not keep the others from running."""
    outcome: dict[str, str] = {}
    for name, resumer in _RESUMERS.items():
        try:
            outcome[name] = repr(resumer())
        except Exception:
            logger.exception("Resuming %s failed", name)
            outcome[name] = "failed"
    logger.info("Resumed lost work after a worker start: %s", outcome)
    return outcome


@worker_ready.connect(dispatch_uid="portal.resume.on_worker_ready")
def _on_worker_ready(sender=None, **kwargs) -> None:
    if not settings.PASSBRIDGE_RESUME_ON_WORKER_START:
        return
    try:
        resume_lost_work.delay()
    except BROKER_UNAVAILABLE as exc:  # the worker cannot consume either; the sweeps catch up later
        logger.warning("Could not queue the resumption of lost work (%s)", exc)
