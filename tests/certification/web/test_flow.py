"""The whole journey through the forms: apply, answer, upload evidence, submit, assign, verdicts, request
changes, resubmit, approve; then the certificate page shows the certificate recognised from it, and the
people concerned were notified (the notification templates render the services' context)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from certification.models import Application, ApplicationState, Certificate
from portal.notifications.models import Notification

from ..audiences import ADMIN_A, INSPECTOR, LEAD, REVIEWER, stored_files
from ..conftest import SUPPLIER_MARKER
from .conftest import pdf

pytestmark = pytest.mark.django_db


def test_apply_review_resubmit_approve(
    browser, users, catenax, scope_model, scope_passport, django_capture_on_commit_callbacks
):
    admin, lead, reviewer = browser(ADMIN_A), browser(LEAD), browser(REVIEWER)
    criteria = list(catenax.criteria.all())

    # Choose the scheme: its standards and criteria are shown.
    choose = admin.get(reverse("certification:application_create")).content.decode()
    assert "Catena-X Battery Passport data provider (CX-0160)" in choose and "CX-0160" in choose
    form_url = reverse("certification:application_create") + f"?scheme={catenax.code}"
    page = admin.get(form_url).content.decode()
    assert "Cert Body GmbH" in page and "CX-BP-07" in page and "Certified Pack 80" in page

    # Create the application with its scope.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            form_url,
            {
                "body": users[LEAD].membership.organization.pk,
                "battery_models": [scope_model.pk],
                "passports": [scope_passport.pk],
            },
        )
    application = Application.objects.get(organization=users[ADMIN_A].membership.organization)
    assert response.status_code == 302
    assert response["Location"] == reverse("certification:self_assessment", args=[application.public_id])
    assert list(application.battery_models.all()) == [scope_model]

    # Answer every criterion and upload evidence for the first one, in one multipart form.
    answers = {f"answer_{c.code}": f"Our answer to {c.code}." for c in criteria}
    response = admin.post(
        reverse("certification:self_assessment", args=[application.public_id]),
        {**answers, "evidence_CX-BP-01": [pdf("schema-report.pdf"), pdf("second.pdf")], "go": "declare"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("certification:application_submit", args=[application.public_id])
    assert application.answers.count() == len(criteria)
    assert sorted(application.evidence.values_list("file_name", flat=True)) == [
        "schema-report.pdf",
        "second.pdf",
    ]
    assert len(stored_files()) == 2
    page = admin.get(reverse("certification:self_assessment", args=[application.public_id])).content.decode()
    assert "schema-report.pdf" in page and "Our answer to CX-BP-05." in page

    # Remove one file again.
    second = application.evidence.get(file_name="second.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("certification:evidence_delete", args=[application.public_id, second.public_id])
        )
    assert response.status_code == 302
    assert application.evidence.count() == 1 and len(stored_files()) == 1

    # Sign and submit.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("certification:application_submit", args=[application.public_id]),
            {"declaration_name": "Anna Admin", "confirm": "on"},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED and application.declaration_name == "Anna Admin"
    assert Notification.objects.filter(recipient=users[LEAD], event="application.submitted").exists()

    # The lead finds it in the queue and assigns the reviewer.
    queue = lead.get(reverse("certification:queue") + "?reviewer=none&q=company+a").content.decode()
    assert str(application.public_id) in queue
    with django_capture_on_commit_callbacks(execute=True):
        response = lead.post(
            reverse("certification:assign", args=[application.public_id]),
            {"assign-reviewer": users[REVIEWER].pk},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW and application.reviewer == users[REVIEWER]
    assigned = Notification.objects.get(recipient=users[REVIEWER], event="application.assigned")
    assert users[REVIEWER].get_full_name() in assigned.title and "Company A GmbH" in assigned.title

    # The reviewer's workspace: answers, evidence, passport data with the confidential supply chain.
    workspace_url = reverse("certification:review", args=[application.public_id])
    page = reviewer.get(workspace_url).content.decode()
    assert "Our answer to CX-BP-01." in page and "schema-report.pdf" in page
    assert SUPPLIER_MARKER in page and "urn:epc:CERT-0001" in page

    def verdict(code: str, value: str, notes: str = ""):
        return reviewer.post(
            reverse("certification:verdict", args=[application.public_id, code]),
            {f"verdict-{code}-value": value, f"verdict-{code}-notes": notes},
        )

    for criterion in criteria:
        value = "not_met" if criterion.code == "CX-BP-03" else "met"
        notes = "The usage policies name no BPNL." if criterion.code == "CX-BP-03" else ""
        assert verdict(criterion.code, value, notes).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(
            reverse("certification:request_changes", args=[application.public_id]),
            {"changes-message": "Please send the policy export."},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.CHANGES_REQUESTED
    assert Notification.objects.filter(
        recipient=users[ADMIN_A], event="application.changes_requested"
    ).exists()

    # The applicant reads the message and the notes, changes an answer and resubmits.
    detail = admin.get(
        reverse("certification:application_detail", args=[application.public_id])
    ).content.decode()
    assert "Please send the policy export." in detail and "The usage policies name no BPNL." in detail
    submit_page = admin.get(reverse("certification:application_submit", args=[application.public_id]))
    assert "The usage policies name no BPNL." in submit_page.content.decode()
    response = admin.post(
        reverse("certification:self_assessment", args=[application.public_id]),
        {
            **answers,
            "answer_CX-BP-03": "Policies now name the receiving BPNLs.",
            "evidence_CX-BP-03": pdf("policy.pdf"),
        },
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("certification:application_submit", args=[application.public_id]),
            {"declaration_name": "Anna Admin", "confirm": "on", "message": "Export attached."},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW and application.round == 2
    assert Notification.objects.filter(recipient=users[REVIEWER], event="application.resubmitted").exists()

    # Round 2: the earlier verdicts are shown; all met; approve with conditions.
    page = reviewer.get(workspace_url).content.decode()
    assert "Policies now name the receiving BPNLs." in page and "The usage policies name no BPNL." in page
    assert "Export attached." in page
    for criterion in criteria:
        assert verdict(criterion.code, "met").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(
            reverse("certification:approve", args=[application.public_id]),
            {"approve-conditions": "Annual surveillance audit.", "approve-message": "Well done."},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    certificate = Certificate.objects.get(application=application)
    recognised = certificate.recognised.get()
    approved = Notification.objects.get(recipient=users[ADMIN_A], event="application.approved")
    assert certificate.number in approved.title
    recognised_note = Notification.objects.get(recipient=users[ADMIN_A], event="certificate.recognised")
    assert recognised.number in recognised_note.title and certificate.number in recognised_note.body
    assert any(certificate.number in message.subject for message in mail.outbox)

    # The applicant's pages link the certificate; its page shows the recognised certificate both ways.
    detail = admin.get(
        reverse("certification:application_detail", args=[application.public_id])
    ).content.decode()
    assert reverse("certification:certificate_detail", args=[certificate.number]) in detail
    page = admin.get(reverse("certification:certificate_detail", args=[certificate.number])).content.decode()
    assert certificate.number in page and "Annual surveillance audit." in page
    assert reverse("certification:certificate_detail", args=[recognised.number]) in page
    page = admin.get(reverse("certification:certificate_detail", args=[recognised.number])).content.decode()
    assert "Recognised from" in page
    assert reverse("certification:certificate_detail", args=[certificate.number]) in page
    registry = browser(INSPECTOR).get(reverse("certification:certificate_list")).content.decode()
    assert certificate.number in registry and recognised.number in registry


def test_history_names_people_to_their_own_side_only(browser, users, in_review):
    admin_page = browser(ADMIN_A).get(reverse("certification:application_detail", args=[in_review.public_id]))
    lead_page = browser(LEAD).get(reverse("certification:application_detail", args=[in_review.public_id]))
    admin_name = users[ADMIN_A].get_full_name()
    lead_name = users[LEAD].get_full_name()
    assert admin_name in admin_page.content.decode() and lead_name not in admin_page.content.decode()
    assert lead_name in lead_page.content.decode() and admin_name not in lead_page.content.decode()
    assert "Company A GmbH" in lead_page.content.decode()


def test_withdraw_with_confirmation(browser, submitted, django_capture_on_commit_callbacks, users):
    admin = browser(ADMIN_A)
    url = reverse("certification:application_withdraw", args=[submitted.public_id])
    assert "Withdraw the application" in admin.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, {"reason": "Wrong scheme."})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.WITHDRAWN
    assert Notification.objects.filter(recipient=users[LEAD], event="application.withdrawn").exists()


def test_reject_with_reasons(browser, in_review, django_capture_on_commit_callbacks, users):
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(REVIEWER).post(
            reverse("certification:reject", args=[in_review.public_id]), {"reject-reason": "No connector."}
        )
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.state == ApplicationState.REJECTED
    page = browser(ADMIN_A).get(reverse("certification:application_detail", args=[in_review.public_id]))
    assert "No connector." in page.content.decode()
    assert Notification.objects.filter(recipient=users[ADMIN_A], event="application.rejected").exists()


def test_scope_edit_while_draft(browser, draft, scope_model):
    url = reverse("certification:application_edit", args=[draft.public_id])
    page = browser(ADMIN_A).get(url).content.decode()
    assert "Certified Pack 80" in page
    response = browser(ADMIN_A).post(
        url, {"body": draft.body_id, "battery_models": [scope_model.pk], "passports": []}
    )
    assert response.status_code == 302
    assert draft.passports.count() == 0


def test_certificate_status_changes_and_renewal(
    browser, certificate, django_capture_on_commit_callbacks, users
):
    lead = browser(LEAD)
    recognised = certificate.recognised.get()
    base = reverse("certification:certificate_detail", args=[certificate.number])
    with django_capture_on_commit_callbacks(execute=True):
        response = lead.post(
            reverse("certification:certificate_status", args=[certificate.number, "suspend"]),
            {"suspend-reason": "Surveillance audit missed."},
        )
    assert response.status_code == 302 and response["Location"] == base
    recognised.refresh_from_db()
    certificate.refresh_from_db()
    assert certificate.status == recognised.status == "suspended"
    note = Notification.objects.filter(recipient=users[ADMIN_A], event="certificate.status_changed").first()
    assert note is not None and "Surveillance audit missed." in note.body
    page = lead.get(base).content.decode()
    assert "Surveillance audit missed." in page and "Reinstate" in page
    response = lead.post(
        reverse("certification:certificate_status", args=[certificate.number, "reinstate"]), {}
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "valid"

    # Renewal: the holder's admin starts a new draft from the certificate (its old answers copied).
    admin = browser(ADMIN_A)
    response = admin.post(reverse("certification:certificate_renew", args=[certificate.number]))
    renewal = Application.objects.get(renewal_of=certificate)
    assert response["Location"] == reverse("certification:application_detail", args=[renewal.public_id])
    assert renewal.state == "draft" and renewal.answers.count() == certificate.application.answers.count()
    page = admin.get(response["Location"]).content.decode()
    assert certificate.number in page

    # Revoke (final), and the recognised certificate follows.
    response = lead.post(
        reverse("certification:certificate_status", args=[certificate.number, "revoke"]),
        {"revoke-reason": "Fraud."},
    )
    recognised.refresh_from_db()
    assert recognised.status == "revoked"


def test_a_closed_application_says_where_it_ended_not_what_comes_next(client, admin_a, certificate):
    client.force_login(admin_a)
    page = client.get(f"/certification/applications/{certificate.application.public_id}/").content.decode()
    assert "<strong>Status:</strong> Approved: the certificate is issued." in page
    assert "<strong>Next:</strong>" not in page


def test_answers_to_mandatory_criteria_are_not_marked_optional(client, admin_a, draft):
    client.force_login(admin_a)
    page = client.get(f"/certification/applications/{draft.public_id}/self-assessment/").content.decode()
    labels = {
        line.split('for="id_answer_')[1].split('"')[0]: line
        for line in page.splitlines()
        if 'for="id_answer_' in line
    }
    criteria = list(draft.scheme.criteria.all())
    assert criteria and all(criterion.code in labels for criterion in criteria)
    for criterion in criteria:
        assert ("(optional)" in labels[criterion.code]) is not criterion.mandatory, criterion.code
