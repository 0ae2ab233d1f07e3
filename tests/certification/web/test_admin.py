"""Operators manage schemes, accreditations and agreements in the admin; applications and certificates are
listed read-only without answers, evidence, verdict notes or passport data."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from certification.documents.models import CertificateDocument, DocumentStatus
from certification.documents.services import (
    MAX_ATTEMPTS,
    RERENDER_REQUESTED,
    document_render,
    documents_enqueue,
)
from certification.models import Accreditation, RecognitionAgreement, Scheme
from portal.audit.models import AuditEvent

from ..conftest import SUPPLIER_MARKER, approve

pytestmark = pytest.mark.django_db

MODELS = ("scheme", "accreditation", "recognitionagreement", "application", "certificate")


@pytest.fixture
def operator_client(operator) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def test_changelists_render(operator_client, in_review, reviewer):
    certificate = approve(in_review, reviewer, conditions="Audit yearly.")
    for model in MODELS:
        response = operator_client.get(reverse(f"admin:certification_{model}_changelist"))
        assert response.status_code == 200, model
    certificates = operator_client.get(reverse("admin:certification_certificate_changelist")).content.decode()
    assert certificate.number in certificates and certificate.recognised.get().number in certificates
    applications = operator_client.get(reverse("admin:certification_application_changelist") + "?q=company")
    assert applications.status_code == 200 and "Company A GmbH" in applications.content.decode()


def test_read_only_views_show_no_answers_or_passport_data(operator_client, in_review, reviewer):
    in_review.verdicts.all().delete()
    certificate = approve(in_review, reviewer)
    for url in (
        reverse("admin:certification_application_change", args=[in_review.pk]),
        reverse("admin:certification_certificate_change", args=[certificate.pk]),
    ):
        response = operator_client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert "We meet CX-BP-01" not in html and SUPPLIER_MARKER not in html
        assert 'name="_save"' not in html  # read-only
    assert operator_client.get(reverse("admin:certification_application_add")).status_code == 403


def test_scheme_with_inlines_and_accreditation_forms(operator_client, catenax, accredited):
    page = operator_client.get(
        reverse("admin:certification_scheme_change", args=[catenax.pk])
    ).content.decode()
    assert "CX-BP-07" in page and "CX-0160" in page
    accreditation = Accreditation.objects.filter(scheme=catenax).first()
    response = operator_client.get(
        reverse("admin:certification_accreditation_change", args=[accreditation.pk])
    )
    assert response.status_code == 200
    assert operator_client.get(reverse("admin:certification_accreditation_add")).status_code == 200
    agreement = RecognitionAgreement.objects.first()
    assert (
        operator_client.get(
            reverse("admin:certification_recognitionagreement_change", args=[agreement.pk])
        ).status_code
        == 200
    )
    assert Scheme.objects.count() >= 2


# --- Certificate documents -----------------------------------------------------------------------------


def test_documents_are_listed_read_only_without_the_file(operator_client, in_review, reviewer):
    certificate = approve(in_review, reviewer)
    document = document_render(certificate_id=certificate.pk)
    changelist = operator_client.get(reverse("admin:certification_certificatedocument_changelist"))
    html = changelist.content.decode()
    assert changelist.status_code == 200
    assert certificate.number in html and "Ready" in html
    assert reverse("admin:certification_certificate_change", args=[certificate.pk]) in html
    change = operator_client.get(
        reverse("admin:certification_certificatedocument_change", args=[document.pk])
    )
    html = change.content.decode()
    assert change.status_code == 200
    for fact in (document.sha256, document.data_sha256, certificate.number):
        assert fact in html
    assert document.file.name not in html and "%PDF" not in html  # neither the file nor where it lies
    assert 'name="_save"' not in html
    assert operator_client.get(reverse("admin:certification_certificatedocument_add")).status_code == 403
    delete = reverse("admin:certification_certificatedocument_delete", args=[document.pk])
    assert operator_client.post(delete, {"post": "yes"}).status_code == 403
    found = operator_client.get(
        reverse("admin:certification_certificatedocument_changelist"), {"q": certificate.number}
    )
    assert found.context["cl"].result_count == 1


def test_rerender_queues_the_documents_that_are_not_ready(
    operator_client, operator, in_review, reviewer, django_capture_on_commit_callbacks
):
    origin = approve(in_review, reviewer)
    recognised = origin.recognised.get()
    ready = document_render(certificate_id=origin.pk)
    failed = CertificateDocument.objects.create(
        certificate=recognised, status=DocumentStatus.FAILED, attempts=MAX_ATTEMPTS, last_error="FontMissing"
    )
    url = reverse("admin:certification_certificatedocument_changelist")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = operator_client.post(
            url, {"action": "rerender", "_selected_action": [ready.pk, failed.pk]}, follow=True
        )
    assert response.status_code == 200 and len(callbacks) == 1
    notes = [str(message) for message in response.context["messages"]]
    assert "1 document queued for rendering." in notes
    assert "1 document is ready and was left as signed." in notes
    # The task ran (eagerly here, as the embedded default): rendered afresh, with a new budget of attempts.
    failed.refresh_from_db()
    assert failed.status == DocumentStatus.READY and failed.attempts == 1 and failed.last_error == ""
    assert failed.file.read().startswith(b"%PDF-")
    # The signed document is never rewritten.
    before = (ready.sha256, ready.rendered_at, ready.attempts)
    ready.refresh_from_db()
    assert (ready.sha256, ready.rendered_at, ready.attempts) == before
    requested = AuditEvent.objects.get(action=RERENDER_REQUESTED)
    assert requested.actor == operator and requested.object_label == recognised.number
    assert requested.organization_id == recognised.holder_id


def test_rerender_leaves_pending_rows_to_the_queue_and_ready_ones_alone(
    operator_client, in_review, reviewer, django_capture_on_commit_callbacks
):
    origin = approve(in_review, reviewer)
    ready = document_render(certificate_id=origin.pk)
    url = reverse("admin:certification_certificatedocument_changelist")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = operator_client.post(
            url, {"action": "rerender", "_selected_action": [ready.pk]}, follow=True
        )
    assert [str(m) for m in response.context["messages"]] == ["1 document is ready and was left as signed."]
    assert not AuditEvent.objects.filter(action=RERENDER_REQUESTED).exists()
    assert not [c for c in callbacks if getattr(c, "func", None) is documents_enqueue]  # nothing queued
