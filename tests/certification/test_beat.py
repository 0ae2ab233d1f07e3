"""Expiry and expiry reminders run from a real Celery beat, through Redis, in a real worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.beat import EmbeddedService
from django.core import mail
from django.utils import timezone

from certification import services
from certification.models import Certificate, CertificateStatus
from portal.celery import app as celery_app

from .conftest import answer_all, meet_all

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _approve(application, *, admin, lead, reviewer) -> Certificate:
    answer_all(application, admin)
    services.application_submit(actor=admin, application=application, declaration_name="Anna Admin")
    services.application_assign(actor=lead, application=application, reviewer=reviewer)
    meet_all(application, reviewer)
    return services.application_approve(actor=reviewer, application=application)


@pytest.fixture
def certificates(draft, admin_a, lead, reviewer, ouranos, accredited, scope_model):
    """An Ouranos certificate (and its recognised Catena-X one) that ended yesterday, and a Catena-X
    certificate that ends in 40 days."""
    today = timezone.localdate()
    ending = _approve(draft, admin=admin_a, lead=lead, reviewer=reviewer)
    ending.recognised.all().delete()  # keep this one alone: it is the reminder case
    Certificate.objects.filter(pk=ending.pk).update(valid_until=today + timedelta(days=40))
    application = services.application_create(
        actor=admin_a, scheme=ouranos, body=accredited, battery_models=[scope_model]
    )
    ended = _approve(application, admin=admin_a, lead=lead, reviewer=reviewer)
    past = {"valid_from": today - timedelta(days=400), "valid_until": today - timedelta(days=1)}
    Certificate.objects.filter(pk=ended.pk).update(**past)
    Certificate.objects.filter(origin=ended).update(**past)
    return ended, ending


@pytest.fixture
def beat(tmp_path):
    """Celery beat in a thread with the portal's certification entries every second instead of hourly."""
    previous = celery_app.conf.beat_schedule
    celery_app.conf.beat_schedule = {
        name: {**entry, "schedule": 1.0}
        for name, entry in previous.items()
        if name.startswith("certification-")
    }
    service = EmbeddedService(
        celery_app, max_interval=1, thread=True, schedule_filename=str(tmp_path / "beat")
    )
    service.start()
    try:
        yield service
    finally:
        service.stop()
        celery_app.conf.beat_schedule = previous


def test_beat_expires_certificates_and_reminds_holders(certificates, live_celery_worker, beat, admin_a):
    ended, ending = certificates
    recognised = ended.recognised.get()

    expected = {"certification.tasks.expire_certificates", "certification.tasks.remind_expiring_certificates"}
    live_celery_worker.wait_for(lambda: expected <= {run.name for run in live_celery_worker.runs}, timeout=30)
    ended.refresh_from_db()
    recognised.refresh_from_db()
    assert ended.status == recognised.status == CertificateStatus.EXPIRED
    live_celery_worker.wait_for(lambda: Certificate.objects.get(pk=ending.pk).reminded_60_at, timeout=30)
    ending.refresh_from_db()
    assert ending.status == CertificateStatus.VALID
    # The reminder reaches the holder's admin by e-mail, sent by the worker after the beat's task.
    live_celery_worker.wait_for(
        lambda: any(admin_a.email in m.to and ending.number in f"{m.subject} {m.body}" for m in mail.outbox),
        timeout=30,
    )
