"""The operator's queue of registrations: counts on the dashboard, approve, reject with a reason that the
applicant is told; nobody else can decide."""

from __future__ import annotations

import pytest
from django.core import mail

from portal.audit.models import AuditEvent
from portal.tenancy.models import OrganizationStatus, Role
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(db):
    first = OrganizationFactory(legal_name="Waiting One GmbH", status=OrganizationStatus.PENDING)
    second = OrganizationFactory(legal_name="Waiting Two KK", status=OrganizationStatus.PENDING)
    member(Role.ADMIN, first, username="first-admin", email="admin@one.example")
    member(Role.ADMIN, second, username="second-admin", email="admin@two.example")
    return first, second


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


def test_the_dashboard_counts_and_lists_the_waiting_registrations(operator_client, waiting, company_a):
    page = operator_client.get("/dashboard/").content.decode()
    assert "2 registrations wait for a decision." in page
    assert "Waiting One GmbH" in page and "admin@one.example" in page and "Waiting Two KK" in page
    assert company_a.legal_name not in page  # active organizations are not in the queue


def test_approve(operator_client, waiting, django_capture_on_commit_callbacks):
    first, _second = waiting
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(f"/operator/registrations/{first.public_id}/approve/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    first.refresh_from_db()
    assert first.status == OrganizationStatus.ACTIVE
    assert AuditEvent.objects.filter(action="organization.approved", organization=first).exists()
    assert any("admin@one.example" in message.to for message in mail.outbox)
    assert "1 registration waits for a decision." in operator_client.get("/dashboard/").content.decode()


def test_reject_needs_a_reason_and_tells_it(operator_client, waiting):
    _first, second = waiting
    url = f"/operator/registrations/{second.public_id}/reject/"
    refused = operator_client.post(url, {f"{second.public_id}-reason": "  "})
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    second.refresh_from_db()
    assert second.status == OrganizationStatus.PENDING
    operator_client.post(url, {f"{second.public_id}-reason": "No evidence of a business."})
    second.refresh_from_db()
    assert (
        second.status == OrganizationStatus.REJECTED and second.status_reason == "No evidence of a business."
    )


def test_only_operators_decide(client, waiting, admin_a):
    first, _second = waiting
    client.force_login(admin_a)
    assert client.post(f"/operator/registrations/{first.public_id}/approve/").status_code == 403
    client.logout()
    assert client.post(f"/operator/registrations/{first.public_id}/approve/").status_code in (302, 403)
    first.refresh_from_db()
    assert first.status == OrganizationStatus.PENDING


def test_a_decided_registration_is_no_longer_in_the_queue(operator_client, company_a):
    assert operator_client.post(f"/operator/registrations/{company_a.public_id}/approve/").status_code == 404
    assert operator_client.get(f"/operator/registrations/{company_a.public_id}/approve/").status_code == 405
