"""What a worker starting again resumes (portal/resume.py): every kind of unfinished work, whatever its age,
one resumer failing without stopping the others. The kill itself is in test_worker_killed.py."""

from __future__ import annotations

import pytest
from django.core import mail

from certification.documents.models import CertificateDocument, DocumentStatus
from portal import resume
from portal.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_starting_worker_queues_all_unfinished_work_however_young(certificate):
    # The test transaction never commits: the approval's renders and e-mails were never queued, and
    # all of it is seconds old, younger than any periodic sweep would touch.
    unsent = Notification.objects.filter(emailed_at__isnull=True, recipient__email__gt="")
    assert unsent.exists() and not CertificateDocument.objects.exists()
    resume._on_worker_ready()  # tasks run in-process here
    ready = CertificateDocument.objects.filter(status=DocumentStatus.READY)
    assert set(ready.values_list("certificate_id", flat=True)) == {
        certificate.pk,
        certificate.recognised.get().pk,
    }
    assert not unsent.exists() and len(mail.outbox) == Notification.objects.count()


def test_one_failing_resumer_does_not_stop_the_others(certificate, monkeypatch, caplog):
    def broken() -> None:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(resume, "_RESUMERS", {"broken": broken, **resume._RESUMERS})
    outcome = resume.resume_lost_work.delay().get()
    assert outcome["broken"] == "failed" and "Resuming broken failed" in caplog.text
    assert outcome["certificate documents"] == repr(sorted([certificate.pk, certificate.recognised.get().pk]))
    assert set(outcome) >= {
        "certificate ZIPs",
        "passport imports",
        "notification e-mails",
        "decision e-mails",
    }


def test_the_resumption_can_be_switched_off(certificate, settings):
    settings.PASSBRIDGE_RESUME_ON_WORKER_START = False
    resume._on_worker_ready()
    assert not CertificateDocument.objects.exists()
