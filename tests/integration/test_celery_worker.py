"""The organization decision e-mail goes through Redis and a real Celery worker, exactly once."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from portal.celery import app as celery_app
from portal.tenancy import services
from portal.tenancy.models import Organization, OrganizationStatus, Role
from portal.tenancy.tasks import send_organization_decision_email
from tests.factories import OrganizationFactory, UserFactory, member

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

TASK_NAME = send_organization_decision_email.name


@pytest.fixture
def pending_org():
    org = OrganizationFactory(legal_name="Akku Werke GmbH", status=OrganizationStatus.PENDING)
    admin = member(Role.ADMIN, org, username="akku-admin", preferred_language="ja")
    viewer = member(Role.VIEWER, org, username="akku-viewer", preferred_language="de")
    return org, admin, viewer


@pytest.fixture
def platform_operator():
    return UserFactory(username="ops", is_staff=True, is_superuser=True)


def _expected_subject(org: Organization, language: str) -> str:
    with translation.override(language):
        return render_to_string("emails/organization_active_subject.txt", {"organization": org}).strip()


def _notified_at(org: Organization):
    return Organization.objects.values_list("decision_notified_at", flat=True).get(pk=org.pk)


def _decision_runs(worker) -> list:
    with worker.lock:
        return [run for run in worker.runs if run.name == TASK_NAME]


def test_approval_email_is_sent_by_a_real_worker(live_celery_worker, pending_org, platform_operator):
    org, admin, _viewer = pending_org
    assert celery_app.conf.task_always_eager is False
    assert mail.outbox == []

    with transaction.atomic():
        services.organization_approve(actor=platform_operator, organization=org)
        # Nothing is published before the transaction commits.
        assert _decision_runs(live_celery_worker) == []

    notified_at = live_celery_worker.wait_for(lambda: _notified_at(org), timeout=20)
    assert notified_at is not None

    [run] = live_celery_worker.wait_for(lambda: _decision_runs(live_celery_worker))
    assert run.args == (org.pk,)
    assert run.retval is True
    assert run.state == "SUCCESS"
    assert run.thread != threading.current_thread().name  # executed by the worker, not in-process

    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    message = mail.outbox[0]
    assert message.to == [admin.email]  # administrators only, not the viewer
    org.refresh_from_db()
    assert org.status == OrganizationStatus.ACTIVE
    assert message.subject == _expected_subject(org, admin.preferred_language)
    assert "Akku Werke GmbH" in message.subject
    assert "/accounts/login/" in message.body


def test_decision_email_delivered_twice_is_sent_once(live_celery_worker, pending_org, platform_operator):
    org, admin, _viewer = pending_org
    with transaction.atomic():
        services.organization_approve(actor=platform_operator, organization=org)
    notified_at = live_celery_worker.wait_for(lambda: _notified_at(org))
    first = live_celery_worker.wait_for(lambda: _decision_runs(live_celery_worker))
    assert [run.retval for run in first] == [True]
    assert len(mail.outbox) == 1

    # The same message delivered again (a redelivery after a lost ack, or a duplicate enqueue).
    duplicates = [send_organization_decision_email.delay(org.pk) for _ in range(2)]
    for result in duplicates:
        run = live_celery_worker.wait_for_task(result.id)
        assert run.state == "SUCCESS"
        assert run.retval is False

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [admin.email]
    assert _notified_at(org) == notified_at  # the first delivery's timestamp stays


def test_pending_organization_gets_no_decision_email(live_celery_worker, pending_org):
    org, _admin, _viewer = pending_org
    result = send_organization_decision_email.delay(org.pk)
    run = live_celery_worker.wait_for_task(result.id)
    assert run.retval is False
    assert _notified_at(org) is None
    assert mail.outbox == []
