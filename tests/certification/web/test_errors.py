"""Bad input on the certification forms: errors next to the fields (400), refusals as messages, and nothing
half-stored (no answers saved with a refused file, no file left on disk, no certificate)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification import services
from certification.models import Answer, ApplicationState, Certificate, Evidence

from ..audiences import ADMIN_A, LEAD, OTHER_COMPANY, REVIEWER, VIEWER_A, stored_files
from .conftest import PNG, pdf

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _refused(response, reason: str) -> None:
    """A reader who may see the object but not do this: 403, with the reason on the page."""
    assert response.status_code == 403
    assert reason in response.content.decode()


def _answers(application, text: str = "An answer.") -> dict[str, str]:
    return {f"answer_{c.code}": text for c in application.scheme.criteria.all()}


class TestSelfAssessment:
    def test_wrong_file_type_stores_nothing(self, browser, draft):
        Answer.objects.filter(application=draft).delete()
        fake = pdf("report.pdf", b"MZ\x90\x00 not a pdf at all")
        response = browser(ADMIN_A).post(
            reverse("certification:self_assessment", args=[draft.public_id]),
            {**_answers(draft, "Typed but refused."), "evidence_CX-BP-02": fake},
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "Only PDF documents and PNG, JPEG or WebP images can be uploaded." in html
        assert 'id="id_evidence_CX-BP-02_error"' in html
        assert "Typed but refused." in html  # the typed answers are kept in the form
        assert not Evidence.objects.exists() and not Answer.objects.exists() and stored_files() == []

    def test_too_large_stores_nothing(self, browser, draft, settings):
        settings.PASSPORT_DOCUMENT_MAX_BYTES = 200
        big = pdf("big.pdf", b"%PDF-1.7\n" + b"0" * 5000)
        response = browser(ADMIN_A).post(
            reverse("certification:self_assessment", args=[draft.public_id]),
            {**_answers(draft), "evidence_CX-BP-01": big},
        )
        assert response.status_code == 400
        assert "The file is too large" in response.content.decode()
        assert not Evidence.objects.exists() and stored_files() == []

    def test_one_refused_file_among_good_ones_stores_none_of_them(self, browser, draft):
        before = dict(Answer.objects.filter(application=draft).values_list("criterion__code", "text"))
        response = browser(ADMIN_A).post(
            reverse("certification:self_assessment", args=[draft.public_id]),
            {
                **_answers(draft, "Changed answer."),
                "evidence_CX-BP-01": [pdf("good.pdf"), SimpleUploadedFile("image.png", PNG)],
                "evidence_CX-BP-02": pdf("bad.png", b"plain text"),
            },
        )
        assert response.status_code == 400
        assert not Evidence.objects.exists() and stored_files() == []
        after = dict(Answer.objects.filter(application=draft).values_list("criterion__code", "text"))
        assert after == before

    def test_extension_that_lies_is_refused(self, browser, draft):
        response = browser(ADMIN_A).post(
            reverse("certification:self_assessment", args=[draft.public_id]),
            {**_answers(draft), "evidence_CX-BP-01": pdf("photo.png")},
        )
        assert response.status_code == 400
        assert "but the file is a PDF file" in response.content.decode()
        assert stored_files() == []

    def test_viewer_cannot_save(self, browser, draft):
        response = browser(VIEWER_A).post(
            reverse("certification:self_assessment", args=[draft.public_id]),
            {**_answers(draft, "Viewer text."), "evidence_CX-BP-01": pdf()},
        )
        _refused(response, "Only the applicant&#x27;s administrators can edit it.")
        assert not Answer.objects.filter(text="Viewer text.").exists() and stored_files() == []

    def test_in_review_the_admin_cannot_change_answers(self, browser, in_review):
        response = browser(ADMIN_A).post(
            reverse("certification:self_assessment", args=[in_review.public_id]),
            _answers(in_review, "Late change."),
            follow=True,
        )
        assert any("cannot be edited" in m for m in _messages(response))
        assert not Answer.objects.filter(text="Late change.").exists()

    def test_evidence_delete_by_viewer_is_refused(self, browser, evidence, draft):
        response = browser(VIEWER_A).post(
            reverse("certification:evidence_delete", args=[draft.public_id, evidence.public_id])
        )
        _refused(response, "Only the applicant&#x27;s administrators can remove evidence.")
        assert Evidence.objects.filter(pk=evidence.pk).exists()


class TestSubmission:
    def test_incomplete_self_assessment(self, browser, draft):
        Answer.objects.filter(application=draft, criterion__code__in=["CX-BP-02", "CX-BP-05"]).delete()
        url = reverse("certification:application_submit", args=[draft.public_id])
        page = browser(ADMIN_A).get(url).content.decode()
        assert "CX-BP-02, CX-BP-05" in page  # announced before signing
        response = browser(ADMIN_A).post(url, {"declaration_name": "Anna Admin", "confirm": "on"})
        assert response.status_code == 400
        assert (
            "Answer every mandatory criterion first; missing: CX-BP-02, CX-BP-05."
            in response.content.decode()
        )
        draft.refresh_from_db()
        assert draft.state == ApplicationState.DRAFT and draft.declaration_name == ""

    def test_declaration_must_be_confirmed_and_signed(self, browser, draft):
        url = reverse("certification:application_submit", args=[draft.public_id])
        response = browser(ADMIN_A).post(url, {"declaration_name": "  "})
        assert response.status_code == 400
        html = response.content.decode()
        assert "Tick the box to confirm the declaration." in html
        assert 'id="id_declaration_name_error"' in html
        draft.refresh_from_db()
        assert draft.state == ApplicationState.DRAFT

    def test_submitting_twice_is_refused_with_a_message(self, browser, submitted):
        response = browser(ADMIN_A).post(
            reverse("certification:application_submit", args=[submitted.public_id]),
            {"declaration_name": "Anna Admin", "confirm": "on"},
            follow=True,
        )
        assert response.status_code == 200
        assert any("cannot be submitted" in m or "cannot be edited" in m for m in _messages(response))

    def test_one_open_application_per_scheme(self, browser, draft, catenax, users):
        response = browser(ADMIN_A).post(
            reverse("certification:application_create") + f"?scheme={catenax.code}",
            {"body": users[LEAD].membership.organization.pk},
        )
        assert response.status_code == 400
        assert (
            "Your organization already has an open application for this scheme." in response.content.decode()
        )

    def test_scope_of_another_company_is_not_offered_or_accepted(self, browser, catenax, scope_model, users):
        response = browser(OTHER_COMPANY).post(
            reverse("certification:application_create") + f"?scheme={catenax.code}",
            {"body": users[LEAD].membership.organization.pk, "battery_models": [scope_model.pk]},
        )
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
        assert "Certified Pack 80" not in response.content.decode()


class TestReview:
    def test_unmet_mandatory_criterion_blocks_approval(self, browser, in_review):
        reviewer = browser(REVIEWER)
        for criterion in in_review.scheme.criteria.all():
            value, notes = ("not_met", "Missing export.") if criterion.code == "CX-BP-07" else ("met", "")
            reviewer.post(
                reverse("certification:verdict", args=[in_review.public_id, criterion.code]),
                {f"verdict-{criterion.code}-value": value, f"verdict-{criterion.code}-notes": notes},
            )
        response = reviewer.post(reverse("certification:approve", args=[in_review.public_id]), {})
        assert response.status_code == 400
        assert "every mandatory criterion must be met: CX-BP-07." in response.content.decode()
        in_review.refresh_from_db()
        assert in_review.state == ApplicationState.IN_REVIEW and not Certificate.objects.exists()

    def test_verdict_errors_on_their_fields(self, browser, in_review):
        reviewer = browser(REVIEWER)
        url = reverse("certification:verdict", args=[in_review.public_id, "CX-BP-01"])
        response = reviewer.post(url, {"verdict-CX-BP-01-value": "not_met"})
        assert response.status_code == 400
        assert 'id="id_verdict-CX-BP-01-notes_error"' in response.content.decode()
        assert "Say why the criterion is not met." in response.content.decode()
        response = reviewer.post(url, {"verdict-CX-BP-01-value": "not_applicable"})
        assert "A mandatory criterion always applies." in response.content.decode()
        assert not in_review.verdicts.exists()
        assert (
            reviewer.post(
                reverse("certification:verdict", args=[in_review.public_id, "NOPE"]), {}
            ).status_code
            == 404
        )

    def test_only_the_assigned_reviewer_decides(self, browser, in_review):
        response = browser(LEAD).post(
            reverse("certification:request_changes", args=[in_review.public_id]),
            {"changes-message": "From the lead."},
        )
        _refused(response, "Only the reviewer assigned to this application can do this.")
        in_review.refresh_from_db()
        assert in_review.state == ApplicationState.IN_REVIEW

    def test_decision_forms_need_their_text(self, browser, in_review):
        reviewer = browser(REVIEWER)
        response = reviewer.post(reverse("certification:request_changes", args=[in_review.public_id]), {})
        assert response.status_code == 400 and 'id="id_changes-message_error"' in response.content.decode()
        response = reviewer.post(reverse("certification:reject", args=[in_review.public_id]), {})
        assert response.status_code == 400 and 'id="id_reject-reason_error"' in response.content.decode()

    def test_double_approval_is_refused_with_a_message(self, browser, certificate):
        application = certificate.application
        response = browser(REVIEWER).post(
            reverse("certification:approve", args=[application.public_id]), {}, follow=True
        )
        assert response.status_code == 200
        assert any("cannot be approved" in m for m in _messages(response))
        assert Certificate.objects.filter(application=application).count() == 1

    def test_assign_someone_outside_the_body(self, browser, in_review, users):
        response = browser(LEAD).post(
            reverse("certification:assign", args=[in_review.public_id]),
            {"assign-reviewer": users[ADMIN_A].pk},
            follow=True,
        )
        assert "Choose a reviewer of your certification body." in _messages(response)
        in_review.refresh_from_db()
        assert in_review.reviewer == users[REVIEWER]

    def test_reviewer_cannot_assign(self, browser, submitted, users):
        response = browser(REVIEWER).post(
            reverse("certification:assign", args=[submitted.public_id]),
            {"assign-reviewer": users[REVIEWER].pk},
        )
        _refused(response, "Only a lead of the certification body can assign a reviewer.")
        submitted.refresh_from_db()
        assert submitted.reviewer is None


class TestCertificates:
    def test_suspend_needs_a_reason(self, browser, certificate):
        response = browser(LEAD).post(
            reverse("certification:certificate_status", args=[certificate.number, "suspend"]), {}
        )
        assert response.status_code == 400
        assert 'id="id_suspend-reason_error"' in response.content.decode()
        certificate.refresh_from_db()
        assert certificate.status == "valid"

    def test_holder_cannot_change_the_status(self, browser, certificate):
        response = browser(ADMIN_A).post(
            reverse("certification:certificate_status", args=[certificate.number, "revoke"]),
            {"revoke-reason": "Not ours to do."},
        )
        _refused(response, "Only the issuing body can change the status of this certificate.")
        certificate.refresh_from_db()
        assert certificate.status == "valid"

    def test_recognised_certificate_follows_its_origin(self, browser, certificate):
        recognised = certificate.recognised.get()
        response = browser(LEAD).post(
            reverse("certification:certificate_status", args=[recognised.number, "suspend"]),
            {"suspend-reason": "x"},
            follow=True,
        )
        assert any(certificate.number in m for m in _messages(response))
        recognised.refresh_from_db()
        assert recognised.status == "valid"

    def test_unknown_action_and_certificate(self, browser, certificate):
        assert (
            browser(LEAD)
            .post(reverse("certification:certificate_status", args=[certificate.number, "destroy"]), {})
            .status_code
            == 404
        )
        assert (
            browser(LEAD).get(reverse("certification:certificate_detail", args=["CATX-NOPE-1"])).status_code
            == 404
        )

    def test_renewal_while_an_application_is_open(self, browser, certificate, admin_a):
        services.application_renew(actor=admin_a, certificate=certificate)
        response = browser(ADMIN_A).post(
            reverse("certification:certificate_renew", args=[certificate.number]), follow=True
        )
        assert "Your organization already has an open application for this scheme." in _messages(response)
        _refused(
            browser(VIEWER_A).post(reverse("certification:certificate_renew", args=[certificate.number])),
            "Only the holder&#x27;s administrators can renew it.",
        )
