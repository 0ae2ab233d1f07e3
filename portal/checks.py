"""Deployment checks of our own (`manage.py check --deploy`), beside Django's."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


@register(deploy=True)
def check_task_queue(app_configs=None, **kwargs) -> list[CheckMessage]:
    """Without a broker every task runs inside the web request that queues it: certificate PDFs are rendered
    and signed, e-mails sent and oversight cubes built while a user waits, and a failing task fails it."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return [
            Warning(
                "Tasks run inside web requests (no REDIS_URL, or CELERY_TASK_ALWAYS_EAGER is set).",
                hint="Set REDIS_URL and run the Celery workers and beat (docs/deployment.md).",
                id="passbridge.W001",
            )
        ]
    return []
