"""Certification services: issue and numbering, recognition both ways and its lifecycle, reviewer access
to confidential passport data, expiry and reminders, renewal, and the refusals of bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from certification import selectors, services
from certification.models import (
    Accreditation,
    ApplicationState,
    Certificate,
    CertificateStatus,
    RecognitionAgreement,
    VerdictValue,
)
from certification.services.numbering import add_months
from passports import selectors as passport_selectors
from passports import services as passport_services
from passports.catalogue import Viewer
from passports.policies import viewer_kind
from portal.exceptions import InvalidTransition

from .conftest import SUPPLIER_MARKER, answer_all, meet_all


@pytest.fixture
def issued(in_review, reviewer) -> Certificate:
    meet_all(in_review, reviewer)
    return services.application_approve(actor=reviewer, application=in_review, conditions="Annual audit")


def test_approval_issues_a_numbered_certificate_with_the_facts_of_the_day(issued, in_review, company_a):
    assert issued.number == "CATX-CBG-0000001"
    assert issued.holder_name == company_a.legal_name and issued.holder_bpnl == company_a.bpnl
    assert issued.standards[0]["code"] == "CX-0160"
    assert issued.scope["battery_models"][0]["name"] == "Certified Pack 80"
    assert issued.valid_from == timezone.localdate()
    assert issued.valid_until == add_months(issued.valid_from, 36) - timedelta(days=1)
    assert issued.conditions == "Annual audit"
    in_review.refresh_from_db()
    assert in_review.state == ApplicationState.APPROVED and in_review.closed_at is not None
    assert issued.events.get().to_status == CertificateStatus.VALID


def test_ouranos_certificate_is_recognised_as_catenax_and_the_other_way(issued, ouranos, catenax):
    recognised = issued.recognised.get()
    assert recognised.scheme == ouranos
    assert recognised.number.startswith(f"OUR-CBG-{timezone.localdate().year}-")
    assert recognised.origin == issued and recognised.application is None
    assert recognised.holder == issued.holder and recognised.scope == issued.scope
    # Ouranos certificates last 24 months: the recognised one is bound by its own scheme and the origin.
    assert recognised.valid_until <= issued.valid_until
    assert set(recognised.battery_models.all()) == set(issued.battery_models.all())


def test_ouranos_origin_yields_catenax_recognition(
    admin_a, accredited, ouranos, catenax, scope_model, lead, reviewer
):
    application = services.application_create(
        actor=admin_a, scheme=ouranos, body=accredited, battery_models=[scope_model]
    )
    answer_all(application, admin_a)
    services.application_submit(actor=admin_a, application=application, declaration_name="A")
    services.application_assign(actor=lead, application=application, reviewer=reviewer)
    meet_all(application, reviewer)
    origin = services.application_approve(actor=reviewer, application=application)
    recognised = origin.recognised.get()
    assert recognised.scheme == catenax and recognised.number == "CATX-CBG-0000001"
    assert recognised.valid_until == origin.valid_until  # 24 months < Catena-X's 36


def test_recognition_is_idempotent_and_never_chains(issued):
    recognised = issued.recognised.get()
    assert services.certificate_recognise(origin=issued) == []
    assert services.certificate_recognise(origin=recognised) == []
    assert Certificate.objects.count() == 2


def test_agreement_can_narrow_scope_and_shorten_validity(in_review, reviewer, catenax, ouranos):
    RecognitionAgreement.objects.filter(from_scheme=catenax, to_scheme=ouranos).update(
        organization_only=True, max_validity_months=6, conditions="Recognised for the organization only"
    )
    meet_all(in_review, reviewer)
    origin = services.application_approve(actor=reviewer, application=in_review)
    recognised = origin.recognised.get()
    assert recognised.scope == {"organization": origin.holder_name}
    assert not recognised.battery_models.exists()
    assert recognised.valid_until < origin.valid_until
    assert "organization only" in recognised.conditions


def test_agreement_not_yet_effective_recognises_nothing(in_review, reviewer, catenax):
    RecognitionAgreement.objects.filter(from_scheme=catenax).update(
        effective_from=timezone.localdate() + timedelta(days=1)
    )
    meet_all(in_review, reviewer)
    origin = services.application_approve(actor=reviewer, application=in_review)
    assert not origin.recognised.exists()


def test_lifecycle_propagates_to_recognised_certificates(issued, lead):
    recognised = issued.recognised.get()
    services.certificate_suspend(actor=lead, certificate=issued, reason="Audit finding")
    recognised.refresh_from_db()
    assert recognised.status == CertificateStatus.SUSPENDED and recognised.status_reason == "Audit finding"
    services.certificate_reinstate(actor=lead, certificate=issued)
    recognised.refresh_from_db()
    assert recognised.status == CertificateStatus.VALID
    services.certificate_revoke(actor=lead, certificate=issued, reason="Fraud")
    recognised.refresh_from_db()
    assert recognised.status == CertificateStatus.REVOKED
    assert [e.to_status for e in recognised.events.all()] == ["valid", "suspended", "valid", "revoked"]
    with pytest.raises(InvalidTransition):
        services.certificate_reinstate(actor=lead, certificate=issued)


def test_recognised_certificate_cannot_be_changed_on_its_own(issued, lead):
    with pytest.raises(InvalidTransition, match="follows its origin"):
        services.certificate_suspend(actor=lead, certificate=issued.recognised.get(), reason="x")


def test_only_the_issuing_body_changes_status(issued, admin_a, inspector):
    for actor in (admin_a, inspector):
        with pytest.raises(PermissionDenied):
            services.certificate_revoke(actor=actor, certificate=issued, reason="x")
    with pytest.raises(ValidationError) as error:
        services.certificate_suspend(actor=issued.reviewer, certificate=issued, reason="  ")
    assert "reason" in error.value.message_dict


def test_reviewer_sees_the_confidential_supply_chain_only_while_the_review_is_open(
    submitted, lead, reviewer, scope_model, scope_passport
):
    assert viewer_kind(reviewer, scope_model) == Viewer.PUBLIC
    application = services.application_assign(actor=lead, application=submitted, reviewer=reviewer)
    assert selectors.review_is_open(application)
    assert viewer_kind(reviewer, scope_model) == Viewer.CERTIFIER
    assert viewer_kind(reviewer, scope_passport) == Viewer.CERTIFIER
    data = selectors.scope_passport_data(actor=reviewer, application=application)
    assert SUPPLIER_MARKER in str(data["battery_models"][0].__dict__)
    meet_all(application, reviewer)
    services.application_approve(actor=reviewer, application=application)
    assert not selectors.review_is_open(application)
    assert viewer_kind(reviewer, scope_model) == Viewer.PUBLIC
    assert passport_selectors.supply_chain_for(actor=reviewer, battery_model=scope_model) == []


def test_closing_one_review_keeps_access_another_open_review_needs(
    in_review, reviewer, admin_a, ouranos, accredited, scope_model, lead
):
    other = services.application_create(
        actor=admin_a, scheme=ouranos, body=accredited, battery_models=[scope_model]
    )
    answer_all(other, admin_a)
    services.application_submit(actor=admin_a, application=other, declaration_name="A")
    services.application_assign(actor=lead, application=other, reviewer=reviewer)
    services.application_withdraw(actor=admin_a, application=in_review)
    assert viewer_kind(reviewer, scope_model) == Viewer.CERTIFIER
    services.application_withdraw(actor=admin_a, application=other)
    assert viewer_kind(reviewer, scope_model) == Viewer.PUBLIC


def test_incomplete_self_assessment_cannot_be_submitted(admin_a, accredited, catenax, scope_model):
    application = services.application_create(
        actor=admin_a, scheme=catenax, body=accredited, battery_models=[scope_model]
    )
    services.answers_save(actor=admin_a, application=application, answers={"CX-BP-01": "Done"})
    with pytest.raises(ValidationError) as error:
        services.application_submit(actor=admin_a, application=application, declaration_name="")
    assert "CX-BP-02" in str(error.value.message_dict["answers"])
    assert "declaration_name" in error.value.message_dict
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT and application.declaration_signed_at is None


def test_approval_with_an_unmet_mandatory_criterion_is_refused(in_review, reviewer):
    meet_all(in_review, reviewer)
    criterion = in_review.scheme.criteria.get(code="CX-BP-03")
    services.verdict_record(
        actor=reviewer,
        application=in_review,
        criterion=criterion,
        value=VerdictValue.NOT_MET,
        notes="No policies",
    )
    with pytest.raises(ValidationError, match="CX-BP-03"):
        services.application_approve(actor=reviewer, application=in_review)
    assert not Certificate.objects.exists()
    in_review.refresh_from_db()
    assert in_review.state == ApplicationState.IN_REVIEW


def test_verdict_rules(in_review, reviewer):
    mandatory = in_review.scheme.criteria.get(code="CX-BP-01")
    with pytest.raises(ValidationError, match="always applies"):
        services.verdict_record(
            actor=reviewer, application=in_review, criterion=mandatory, value=VerdictValue.NOT_APPLICABLE
        )
    with pytest.raises(ValidationError) as error:
        services.verdict_record(
            actor=reviewer, application=in_review, criterion=mandatory, value=VerdictValue.NOT_MET
        )
    assert "notes" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.verdict_record(actor=reviewer, application=in_review, criterion=mandatory, value="maybe")


def test_changes_requested_round_trip_keeps_the_history(in_review, reviewer, admin_a):
    meet_all(in_review, reviewer)
    services.application_request_changes(actor=reviewer, application=in_review, message="Add the PCF study")
    services.answers_save(actor=admin_a, application=in_review, answers={"CX-BP-05": "Study attached"})
    application = services.application_resubmit(actor=admin_a, application=in_review, declaration_name="Anna")
    assert application.round == 2 and application.state == ApplicationState.IN_REVIEW
    assert services.unmet_criteria(application)  # round 2 starts without verdicts
    meet_all(application, reviewer)
    services.application_approve(actor=reviewer, application=application)
    assert application.verdicts.filter(round=1).count() == application.verdicts.filter(round=2).count()
    states = [e.to_state for e in application.events.all()]
    assert states == ["draft", "submitted", "in_review", "changes_requested", "in_review", "approved"]


def test_one_open_application_per_organization_and_scheme(draft, admin_a, accredited, catenax):
    with pytest.raises(ValidationError) as error:
        services.application_create(actor=admin_a, scheme=catenax, body=accredited)
    assert "scheme" in error.value.message_dict


def test_scope_must_be_own_and_body_accredited(
    admin_a, admin_b, company_b, accredited, catenax, scope_model, certification_body
):
    with pytest.raises(ValidationError) as error:
        services.application_create(
            actor=admin_b, scheme=catenax, body=accredited, battery_models=[scope_model]
        )
    assert "battery_models" in error.value.message_dict
    Accreditation.objects.filter(scheme=catenax).update(valid_until=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        services.application_create(actor=admin_a, scheme=catenax, body=certification_body)
    assert "body" in error.value.message_dict


def test_expiry_and_reminders(issued, company_a):
    recognised = issued.recognised.get()
    today = issued.valid_until - timedelta(days=45)
    mail.outbox.clear()
    assert services.certificates_remind(today=today) == [(issued.number, 60)]
    assert services.certificates_remind(today=today) == []
    assert services.certificates_remind(today=issued.valid_until - timedelta(days=20)) == [
        (issued.number, 30)
    ]
    # The recognised Ouranos certificate (24 months) ends first, on its own date.
    assert services.certificates_expire(today=recognised.valid_until + timedelta(days=1)) == [
        recognised.number
    ]
    issued.refresh_from_db()
    assert issued.status == CertificateStatus.VALID
    expired = services.certificates_expire(today=issued.valid_until + timedelta(days=1))
    assert expired == [issued.number]
    issued.refresh_from_db()
    recognised.refresh_from_db()
    assert issued.status == recognised.status == CertificateStatus.EXPIRED
    assert services.certificates_expire(today=issued.valid_until + timedelta(days=2)) == []


def test_renewal_starts_from_the_old_application(issued, admin_a):
    renewal = services.application_renew(actor=admin_a, certificate=issued)
    assert renewal.state == ApplicationState.DRAFT and renewal.renewal_of == issued
    assert renewal.answers.count() == issued.application.answers.count()
    assert set(renewal.battery_models.all()) == set(issued.battery_models.all())


def test_expiring_origin_expires_what_was_recognised_from_it(issued, catenax, ouranos):
    recognised = issued.recognised.get()
    Certificate.objects.filter(pk=recognised.pk).update(valid_until=issued.valid_until)
    expired = services.certificates_expire(today=issued.valid_until + timedelta(days=1))
    assert expired == [issued.number, recognised.number]


def test_numbers_are_a_gap_free_sequence_per_body(issued, admin_b, accredited, catenax, lead, reviewer):
    """A refused approval (rolled back) gives its number back; the next certificate takes it."""
    model_b = passport_services.battery_model_create(
        actor=admin_b,
        organization=admin_b.membership.organization,
        values={"model_name": "B Pack", "manufacturer_part_id": "B-1", "battery_category": "ev"},
    )
    application = services.application_create(
        actor=admin_b, scheme=catenax, body=accredited, battery_models=[model_b]
    )
    answer_all(application, admin_b)
    services.application_submit(actor=admin_b, application=application, declaration_name="B")
    services.application_assign(actor=lead, application=application, reviewer=reviewer)
    with pytest.raises(ValidationError):
        services.application_approve(actor=reviewer, application=application)  # no verdicts yet
    meet_all(application, reviewer)
    second = services.application_approve(actor=reviewer, application=application)
    assert (issued.number, second.number) == ("CATX-CBG-0000001", "CATX-CBG-0000002")


def test_add_months_clamps_to_the_month_end():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 26), 36) == date(2029, 11, 26)


def test_restricted_reads_are_logged_for_the_owner(in_review, reviewer, admin_a, inspector, scope_model):
    from portal.audit.models import AuditEvent

    selectors.scope_passport_data(actor=reviewer, application=in_review)
    passport_selectors.battery_model_view(actor=admin_a, battery_model=scope_model)  # the owner: not logged
    reads = AuditEvent.objects.filter(action__endswith=".read_restricted")
    assert {(e.actor, e.organization, e.details["viewer"]) for e in reads} == {
        (reviewer, scope_model.organization, "certifier")
    }
    assert reads.filter(object_type="passports.batterymodel").count() == 1
    assert reads.filter(object_type="passports.passport").count() == 1
