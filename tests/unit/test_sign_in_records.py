"""The daily clean-up of sign-in records: expired sessions and axes' logs past SIGN_IN_LOG_DAYS go, the
rest stays; and SMTP settings for implicit TLS."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal.accounts.tasks import clean_sign_in_records

from .test_settings import manage

pytestmark = pytest.mark.django_db


def _aged(model, days: float, **values):
    agent = f"test-{model.__name__}-{days}"  # axes keeps one lock-out per user, address and agent
    row = model.objects.create(user_agent=agent, ip_address="192.0.2.1", username="someone", **values)
    model.objects.filter(pk=row.pk).update(attempt_time=timezone.now() - timedelta(days=days))
    return row


def test_old_records_go_and_recent_ones_stay(settings):
    settings.SIGN_IN_LOG_DAYS = 90
    live, expired = SessionStore(), SessionStore()
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(1))
    old_log, new_log = _aged(AccessLog, 91), _aged(AccessLog, 10)
    old_failure, new_failure = (
        _aged(AccessFailureLog, 120, locked_out=False),
        _aged(AccessFailureLog, 1, locked_out=False),
    )
    old_lockout = _aged(AccessAttempt, 3, failures_since_start=5)
    fresh_lockout = _aged(AccessAttempt, 0, failures_since_start=5)

    assert clean_sign_in_records.delay().get() == {
        "sessions": 1, "access_logs": 1, "failure_logs": 1, "lockouts": 1
    }  # fmt: skip
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert set(AccessLog.objects.values_list("pk", flat=True)) == {new_log.pk}
    assert set(AccessFailureLog.objects.values_list("pk", flat=True)) == {new_failure.pk}
    assert set(AccessAttempt.objects.values_list("pk", flat=True)) == {fresh_lockout.pk}
    assert not AccessLog.objects.filter(pk=old_log.pk).exists()
    assert not AccessFailureLog.objects.filter(pk=old_failure.pk).exists()
    assert not AccessAttempt.objects.filter(pk=old_lockout.pk).exists()


def test_the_clean_up_is_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "portal.accounts.tasks.clean_sign_in_records" in tasks


def test_smtp_over_implicit_tls_and_starttls_exclude_each_other():
    code = "from django.conf import settings as s; print(s.MAILERS['default']['OPTIONS']['use_ssl'])"
    result = manage("shell", "-c", code, EMAIL_USE_SSL="1", EMAIL_PORT="465")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"
    both = manage("check", EMAIL_USE_SSL="1", EMAIL_USE_TLS="1")
    assert both.returncode != 0 and "exclude each other" in both.stderr
