"""Who saw what: every download of a certificate's PDF by an authority (page or API) is in the access log,
shown on the certificate page to the holder's administrators and to operators only; the issuing body,
other companies and the authorities themselves never see it, and downloads by anyone else are not
logged as authority access."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from certification.documents.download import DOWNLOADED
from certification.documents.services import document_render
from certification.models import Certificate
from certification.selectors import certificate_access_log
from portal.audit.models import AuditEvent
from portal.tenancy.models import OrganizationKind, Role
from tests.factories import OrganizationFactory, member

from ..audiences import ADMIN_A, INSPECTOR, LEAD, OPERATOR, OTHER_BODY, OTHER_COMPANY, REVIEWER, VIEWER_A

pytestmark = pytest.mark.django_db

SECTION = "Access by authorities"
INSPECTOR_NAME = "Ines Inspektorin"
AUTHORITY_NAME = "Market Surveillance"
OTHER_AUTHORITY = "other_authority"


@pytest.fixture
def documented(certificate) -> Certificate:
    """Company A's certificate with its signed document ready."""
    document_render(certificate_id=certificate.pk)
    return certificate


@pytest.fixture
def people(users, inspector) -> dict:
    inspector.first_name, inspector.last_name = INSPECTOR_NAME.split()
    inspector.save(update_fields=["first_name", "last_name"])
    authority = OrganizationFactory(kind=OrganizationKind.AUTHORITY, legal_name="Other Authority Agency")
    other = member(
        Role.INSPECTOR, authority, username="other-inspector", first_name="Otto", last_name="Other"
    )
    return {**users, OTHER_AUTHORITY: other}


def page_url(certificate: Certificate) -> str:
    return reverse("certification:certificate_detail", args=[certificate.number])


def download(user, certificate: Certificate) -> tuple[int, int]:
    """(page status, API status) of one PDF download each way."""
    page = Client()
    page.force_login(user)
    api = APIClient()
    api.force_login(user)
    return (
        page.get(reverse("certification:certificate_pdf", args=[certificate.number])).status_code,
        api.get(f"/api/v1/certificates/{certificate.number}/pdf/").status_code,
    )


def page_of(user, certificate: Certificate):
    client = Client()
    client.force_login(user)
    return client.get(page_url(certificate))


def entries(certificate: Certificate):
    return AuditEvent.objects.filter(action=DOWNLOADED, object_id=str(certificate.public_id))


def test_authority_downloads_through_the_page_and_the_api_are_recorded(documented, people):
    assert download(people[INSPECTOR], documented) == (200, 200)
    recorded = list(entries(documented))
    assert len(recorded) == 2
    for entry in recorded:
        assert entry.actor == people[INSPECTOR]
        assert entry.organization_id == documented.holder_id  # the holder's log, not the authority's
        assert entry.object_type == "certification.certificate"
        assert entry.object_label == documented.number
        assert entry.details["by_organization"] == AUTHORITY_NAME
        assert entry.details["document_sha256"] == documented.document.sha256


def test_downloads_by_anyone_but_an_authority_create_no_entry(documented, people):
    for audience in (ADMIN_A, VIEWER_A, LEAD, REVIEWER, OPERATOR):
        assert download(people[audience], documented) == (200, 200), audience
    for audience in (OTHER_COMPANY, OTHER_BODY):
        assert download(people[audience], documented) == (404, 404), audience
    assert not AuditEvent.objects.filter(action=DOWNLOADED).exists()


def test_the_holder_admin_and_operators_see_who_downloaded_what(documented, people):
    download(people[INSPECTOR], documented)
    for audience in (ADMIN_A, OPERATOR):
        response = page_of(people[audience], documented)
        html = response.content.decode()
        assert response.status_code == 200
        assert SECTION in html, audience
        assert html.count(INSPECTOR_NAME) == 2 and html.count(AUTHORITY_NAME) == 2, audience
        assert html.count("PDF download") == 2, audience
        assert "No authority has downloaded" not in html


def test_nobody_else_sees_the_access_log(documented, people):
    download(people[INSPECTOR], documented)
    download(people[OTHER_AUTHORITY], documented)
    # The holder's viewers (like the organization's audit log: administrators only), the issuing body, the
    # authorities themselves: the page, but not the section.
    for audience in (VIEWER_A, LEAD, REVIEWER, INSPECTOR, OTHER_AUTHORITY):
        response = page_of(people[audience], documented)
        html = response.content.decode()
        assert response.status_code == 200, audience
        assert SECTION not in html, audience
        assert "PDF download" not in html, audience
        if audience != INSPECTOR:
            assert INSPECTOR_NAME not in html, audience
        if audience != OTHER_AUTHORITY:
            assert "Otto Other" not in html and "Other Authority Agency" not in html, audience
    # Another company and another body do not even see the certificate.
    for audience in (OTHER_COMPANY, OTHER_BODY):
        assert page_of(people[audience], documented).status_code == 404, audience


def test_the_log_belongs_to_each_certificate(documented, people):
    download(people[INSPECTOR], documented)
    recognised = documented.recognised.get()
    document_render(certificate_id=recognised.pk)
    html = page_of(people[ADMIN_A], recognised).content.decode()
    assert SECTION in html and "No authority has downloaded this certificate yet." in html
    assert INSPECTOR_NAME not in html


def test_the_selector_is_scoped_by_the_policy_and_limited(documented, people):
    for _ in range(3):
        download(people[INSPECTOR], documented)  # 6 entries
    log = certificate_access_log(actor=people[ADMIN_A], certificate=documented, limit=4)
    assert (len(log.entries), log.total) == (4, 6)
    assert log.entries[0].at >= log.entries[-1].at  # newest first
    assert {(e.organization, e.person, e.what) for e in log.entries} == {
        (AUTHORITY_NAME, INSPECTOR_NAME, "PDF download")
    }
    assert certificate_access_log(actor=people[OPERATOR], certificate=documented).total == 6
    for audience in (VIEWER_A, LEAD, REVIEWER, INSPECTOR, OTHER_AUTHORITY, OTHER_COMPANY, OTHER_BODY):
        log = certificate_access_log(actor=people[audience], certificate=documented)
        assert (log.entries, log.total) == ([], 0), audience
    html = page_of(people[ADMIN_A], documented).content.decode()
    assert html.count(INSPECTOR_NAME) == 6


def test_operators_filter_the_audit_log_by_action_in_the_admin(documented, people):
    download(people[INSPECTOR], documented)
    client = Client()
    client.force_login(people[OPERATOR])
    url = reverse("admin:audit_auditevent_changelist")
    everything = client.get(url)
    assert everything.status_code == 200
    assert everything.context["cl"].result_count > 2  # the application's own entries too
    filtered = client.get(url, {"action": DOWNLOADED})
    assert filtered.status_code == 200
    results = list(filtered.context["cl"].result_list)
    assert len(results) == 2 and {event.action for event in results} == {DOWNLOADED}
    assert f"?action={DOWNLOADED}" in everything.content.decode()  # offered in the filter sidebar
