"""A decision e-mail whose task was lost is sent by the sweep, once (issue 15: organization e-mails were
said to be swept, and were not)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.tenancy.models import OrganizationStatus, Role
from portal.tenancy.tasks import resend_lost_decision_emails
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db


def test_a_lost_decision_email_is_sent_by_the_sweep_and_only_once(mailoutbox):
    approved = OrganizationFactory(
        status=OrganizationStatus.ACTIVE, decided_at=timezone.now() - timedelta(minutes=10)
    )
    member(Role.ADMIN, approved, email="admin@approved.example")
    just_now = OrganizationFactory(status=OrganizationStatus.ACTIVE, decided_at=timezone.now())
    pending = OrganizationFactory(status=OrganizationStatus.PENDING, decided_at=None)
    assert resend_lost_decision_emails() == 1  # not the one decided a moment ago, not the pending one
    assert [mail.to for mail in mailoutbox] == [["admin@approved.example"]]
    approved.refresh_from_db()
    assert approved.decision_notified_at is not None
    assert resend_lost_decision_emails() == 0
    assert len(mailoutbox) == 1
    assert just_now.decision_notified_at is None and pending.decision_notified_at is None
