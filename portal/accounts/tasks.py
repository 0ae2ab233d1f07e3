"""Sign-in records the database would otherwise keep for ever: expired sessions and axes' logs.

Sessions live in the database; Django removes an expired one only when its own browser comes back.
axes keeps every sign-in (`AccessLog`) and every failure (`AccessFailureLog`, the per-address throttle
reads it) until deleted: kept `SIGN_IN_LOG_DAYS` for security reviews, then deleted; lock-outs
(`AccessAttempt`) end after their cool-off and are removed a day after."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(acks_late=True, time_limit=600)
def clean_sign_in_records() -> dict[str, int]:
    now = timezone.now()
    log_cutoff = now - timedelta(days=settings.SIGN_IN_LOG_DAYS)
    deleted = {
        "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
        "access_logs": AccessLog.objects.filter(attempt_time__lt=log_cutoff).delete()[0],
        "failure_logs": AccessFailureLog.objects.filter(attempt_time__lt=log_cutoff).delete()[0],
        "lockouts": AccessAttempt.objects.filter(
            attempt_time__lt=now - timedelta(hours=settings.AXES_COOLOFF_TIME) - timedelta(days=1)
        ).delete()[0],
    }
    return deleted
