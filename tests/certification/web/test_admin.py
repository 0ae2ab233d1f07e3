"""Operators manage schemes, accreditations and agreements in the admin; applications and certificates are
listed read-only without answers, evidence, verdict notes or passport data."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from certification.models import Accreditation, RecognitionAgreement, Scheme

from ..conftest import SUPPLIER_MARKER
from .conftest import approve

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
