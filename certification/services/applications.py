"""Every write to applications: create, scope and answers, and the review transitions.

Each transition checks the actor's role (403 with a reason), then locks the row and checks the state
(an illegal transition raises `InvalidTransition`, 409), runs atomically, records the history and the
audit log, and tells the people concerned once the transaction has committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from passports.models import BatteryModel, Passport
from portal.audit.services import audit_record
from portal.exceptions import InvalidTransition
from portal.tenancy.models import Organization, OrganizationKind, Site
from portal.tenancy.selectors import active_organization_of
from portal.uploads import check_upload

from .. import policies
from ..models import (
    OPEN_STATES,
    REVIEW_STATES,
    Answer,
    Application,
    ApplicationEvent,
    ApplicationState,
    Certificate,
    Criterion,
    Evidence,
    Scheme,
    Verdict,
    VerdictValue,
)
from . import grants, notices, reviews
from .certificates import certificate_issue


def _deny_unless(allowed: bool, reason: str) -> None:
    if not allowed:
        raise PermissionDenied(reason)


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("scheme", "organization", "body", "reviewer")
        .get(pk=application.pk)
    )


def _require_state(application: Application, allowed: Iterable[str], action: str) -> None:
    if application.state not in allowed:
        raise InvalidTransition(
            _("An application in the state “%(state)s” cannot be %(action)s.")
            % {"state": application.get_state_display(), "action": action}
        )


def _require_accreditation(application: Application) -> None:
    if policies.accreditation_on(application.body, application.scheme) is None:
        raise ValidationError(
            {
                "body": [
                    _("%(body)s is not accredited for %(scheme)s today.")
                    % {"body": application.body.legal_name, "scheme": application.scheme.local_name}
                ]
            }
        )


def _move(application: Application, *, actor, to: str, message: str = "") -> None:
    previous = application.state
    now = timezone.now()
    application.state = to
    application.state_changed_at = now
    if to not in OPEN_STATES:
        application.closed_at = now
    application.save()
    ApplicationEvent.objects.create(
        application=application,
        round=application.round,
        from_state=previous,
        to_state=to,
        actor=actor,
        message=message,
    )
    _audit(application, actor=actor, action=f"application.{to}", details={"from": previous})


def _audit(application: Application, *, actor, action: str, details: dict | None = None) -> None:
    """One entry for the applicant and, once the body is involved, one for the body's own log."""
    facts = {"scheme": application.scheme.code, "round": application.round, **(details or {})}
    audit_record(
        actor=actor, action=action, organization=application.organization, target=application, details=facts
    )
    if application.state != ApplicationState.DRAFT:
        audit_record(
            actor=actor, action=action, organization=application.body, target=application, details=facts
        )


# --- Scope and answers ------------------------------------------------------------------------------


def _check_scope(
    organization: Organization,
    scheme: Scheme,
    battery_models: Iterable[BatteryModel],
    passports: Iterable[Passport],
    sites: Iterable[Site],
    in_scope: Iterable[BatteryModel | Site] = (),
) -> None:
    """`in_scope`: what the application covers already. An archived model or site stays where it is, but is
    never added: archiving retires it from new things (portal.archiving)."""
    errors: dict[str, list[str]] = {}
    kept = {(type(obj), obj.pk) for obj in in_scope}
    if any(model.organization_id != organization.pk for model in battery_models):
        errors["battery_models"] = [_("Only your own battery models can be in scope.")]
    elif any(m.archived_at is not None and (BatteryModel, m.pk) not in kept for m in battery_models):
        errors["battery_models"] = [
            _("An archived battery model cannot be added to the scope: restore it first.")
        ]
    if any(passport.organization_id != organization.pk for passport in passports):
        errors["passports"] = [_("Only your own passports can be in scope.")]
    if any(site.organization_id != organization.pk for site in sites):
        errors["sites"] = [_("Only your own sites can be in scope.")]
    elif any(site.archived_at is not None and (Site, site.pk) not in kept for site in sites):
        errors["sites"] = [_("An archived site cannot be added to the scope: restore it first.")]
    if not scheme.requires_products and (list(battery_models) or list(passports)):
        errors["battery_models"] = [_("This scheme certifies the organization alone: leave products out.")]
    if errors:
        raise ValidationError(errors)


def _check_body(body: Organization, scheme: Scheme) -> None:
    if body.kind != OrganizationKind.CERTIFICATION_BODY or not body.is_active:
        raise ValidationError({"body": [_("Choose an active certification body.")]})
    if policies.accreditation_on(body, scheme) is None:
        raise ValidationError(
            {"body": [_("This body is not accredited for %(scheme)s today.") % {"scheme": scheme.local_name}]}
        )


@transaction.atomic
def application_create(
    *,
    actor,
    scheme: Scheme,
    body: Organization,
    battery_models: Iterable[BatteryModel] = (),
    passports: Iterable[Passport] = (),
    sites: Iterable[Site] = (),
    renewal_of: Certificate | None = None,
) -> Application:
    _deny_unless(policies.can_apply(actor), _("Only a company administrator can apply for certification."))
    organization = active_organization_of(actor)
    battery_models, passports, sites = list(battery_models), list(passports), list(sites)
    if not scheme.is_active:
        raise ValidationError({"scheme": [_("This scheme does not take applications at present.")]})
    _check_body(body, scheme)
    _check_scope(organization, scheme, battery_models, passports, sites)
    if Application.objects.filter(organization=organization, scheme=scheme, state__in=OPEN_STATES).exists():
        raise ValidationError(
            {"scheme": [_("Your organization already has an open application for this scheme.")]}
        )
    try:
        with transaction.atomic():
            application = Application.objects.create(
                organization=organization, scheme=scheme, body=body, created_by=actor, renewal_of=renewal_of
            )
    except IntegrityError as exc:  # a concurrent request created the open application first
        raise ValidationError(
            {"scheme": [_("Your organization already has an open application for this scheme.")]}
        ) from exc
    application.battery_models.set(battery_models)
    application.passports.set(passports)
    application.sites.set(sites)
    ApplicationEvent.objects.create(
        application=application, round=1, from_state="", to_state=ApplicationState.DRAFT, actor=actor
    )
    _audit(application, actor=actor, action="application.created")
    return application


@transaction.atomic
def application_update(
    *,
    actor,
    application: Application,
    body: Organization | None = None,
    battery_models: Iterable[BatteryModel] | None = None,
    passports: Iterable[Passport] | None = None,
    sites: Iterable[Site] | None = None,
) -> Application:
    """Change the body (drafts only) or the scope (drafts, and when changes are requested)."""
    application = _lock(application)
    _deny_unless(
        policies.can_manage_application(actor, application),
        _("Only the applicant's administrators can edit it."),
    )
    _require_state(application, policies.EDITABLE_STATES, pgettext("action", "edited"))
    if body is not None and body.pk != application.body_id:
        if application.state != ApplicationState.DRAFT:
            raise ValidationError({"body": [_("The body cannot change once the review has started.")]})
        _check_body(body, application.scheme)
        application.body = body
        application.save(update_fields=["body"])
    old_models, old_sites = list(application.battery_models.all()), list(application.sites.all())
    new_models = old_models if battery_models is None else list(battery_models)
    new_passports = list(application.passports.all()) if passports is None else list(passports)
    new_sites = old_sites if sites is None else list(sites)
    _check_scope(
        application.organization,
        application.scheme,
        new_models,
        new_passports,
        new_sites,
        in_scope=[*old_models, *old_sites],
    )
    reviewing = application.state in REVIEW_STATES and application.reviewer_id is not None
    if reviewing:
        grants.close_review_access(application)
    application.battery_models.set(new_models)
    application.passports.set(new_passports)
    application.sites.set(new_sites)
    if reviewing:
        grants.open_review_access(application)
    _audit(application, actor=actor, action="application.scope_changed")
    return application


@transaction.atomic
def answers_save(*, actor, application: Application, answers: Mapping[str, str]) -> list[Answer]:
    """Save the self-assessment answers given by criterion code; a blank answer removes it."""
    application = _lock(application)
    _deny_unless(
        policies.can_manage_application(actor, application),
        _("Only the applicant's administrators can answer."),
    )
    _require_state(application, policies.EDITABLE_STATES, pgettext("action", "edited"))
    criteria = {criterion.code: criterion for criterion in application.scheme.criteria.all()}
    unknown = sorted(set(answers) - set(criteria))
    if unknown:
        raise ValidationError(
            {"answers": [_("Unknown criteria: %(codes)s.") % {"codes": ", ".join(unknown)}]}
        )
    saved = []
    for code, text in answers.items():
        text = (text or "").strip()
        if not text:
            Answer.objects.filter(application=application, criterion=criteria[code]).delete()
            continue
        answer, _created = Answer.objects.update_or_create(
            application=application, criterion=criteria[code], defaults={"text": text, "updated_by": actor}
        )
        saved.append(answer)
    return saved


def evidence_add(*, actor, application: Application, criterion: Criterion, upload) -> Evidence:
    """Attach a file (PDF or image, size-limited, recognised by its content) as evidence for a criterion.

    The checks run before a byte is written; the file is then stored privately and the row inserted in
    one transaction, and if that fails the file is removed again, so a refused upload leaves nothing."""
    _deny_unless(
        policies.can_manage_application(actor, application),
        _("Only the applicant's administrators can add evidence."),
    )
    _require_state(application, policies.EDITABLE_STATES, pgettext("action", "edited"))
    if criterion.scheme_id != application.scheme_id:
        raise ValidationError({"criterion": [_("This criterion belongs to another scheme.")]})
    checked = check_upload(upload)
    evidence = Evidence(
        application=application,
        criterion=criterion,
        file_name=checked.name,
        content_type=checked.kind.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    evidence.file.save(checked.name, upload, save=False)
    try:
        with transaction.atomic():
            locked = _lock(application)
            _require_state(locked, policies.EDITABLE_STATES, pgettext("action", "edited"))
            evidence.save()
            _audit(
                locked,
                actor=actor,
                action="application.evidence_added",
                details={"criterion": criterion.code},
            )
    except BaseException:
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def evidence_delete(*, actor, evidence: Evidence) -> None:
    application = evidence.application
    _deny_unless(
        policies.can_manage_application(actor, application),
        _("Only the applicant's administrators can remove evidence."),
    )
    application = _lock(application)
    _require_state(application, policies.EDITABLE_STATES, pgettext("action", "edited"))
    name, storage = evidence.file.name, evidence.file.storage
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name), robust=True)
    _audit(application, actor=actor, action="application.evidence_removed")


def missing_answers(application: Application) -> list[Criterion]:
    answered = set(application.answers.values_list("criterion_id", flat=True))
    return [c for c in application.scheme.criteria.all() if c.mandatory and c.pk not in answered]


def _check_ready(application: Application, declaration_name: str) -> None:
    errors: dict[str, list[str]] = {}
    missing = missing_answers(application)
    if missing:
        errors["answers"] = [
            _("Answer every mandatory criterion first; missing: %(codes)s.")
            % {"codes": ", ".join(c.code for c in missing)}
        ]
    if application.scheme.requires_products and not (
        application.battery_models.exists() or application.passports.exists()
    ):
        errors["battery_models"] = [
            _("This scheme certifies products: put at least one battery model in scope.")
        ]
    if not declaration_name.strip():
        errors["declaration_name"] = [
            _("Sign the declaration that the application is complete and correct with your name.")
        ]
    if errors:
        raise ValidationError(errors)
    _require_accreditation(application)


def _sign(application: Application, *, actor, declaration_name: str) -> None:
    application.declaration_name = declaration_name.strip()[:200]
    application.declaration_signed_at = timezone.now()
    application.declaration_by = actor


# --- Transitions ------------------------------------------------------------------------------------


@transaction.atomic
def application_submit(*, actor, application: Application, declaration_name: str) -> Application:
    application = _lock(application)
    _deny_unless(
        policies.can_manage_application(actor, application),
        _("Only the applicant's administrators can submit it."),
    )
    _require_state(application, (ApplicationState.DRAFT,), pgettext("action", "submitted"))
    _check_ready(application, declaration_name)
    _sign(application, actor=actor, declaration_name=declaration_name)
    application.submitted_at = timezone.now()
    _move(application, actor=actor, to=ApplicationState.SUBMITTED)
    notices.tell_about_application(application, event="submitted", recipients=notices.body_leads(application))
    return application


@transaction.atomic
def application_assign(*, actor, application: Application, reviewer) -> Application:
    application = _lock(application)
    _deny_unless(
        policies.can_lead(actor, application),
        _("Only a lead of the certification body can assign a reviewer."),
    )
    _require_state(application, REVIEW_STATES, pgettext("action", "assigned"))
    if reviewer is None or not policies.assignable_reviewer(reviewer, application):
        raise ValidationError({"reviewer": [_("Choose a reviewer of your certification body.")]})
    _require_accreditation(application)
    previous = application.reviewer_id
    application.reviewer = reviewer
    if application.state == ApplicationState.SUBMITTED:
        _move(application, actor=actor, to=ApplicationState.IN_REVIEW, message=reviewer.get_full_name())
    else:
        application.save(update_fields=["reviewer"])
        _audit(application, actor=actor, action="application.reassigned")
    grants.open_review_access(application)
    if previous != reviewer.pk:
        notices.tell_about_application(
            application,
            event="assigned",
            recipients=[reviewer, *notices.applicant_admins(application)],
            extra={"reviewer": reviewer.get_full_name() or reviewer.get_username()},
        )
    return application


def _require_reviewer(actor, application: Application) -> None:
    _deny_unless(
        policies.is_assigned_reviewer(actor, application),
        _("Only the reviewer assigned to this application can do this."),
    )


def _checked_verdict(application: Application, criterion: Criterion, value: str, notes: str) -> str:
    """The rules of one verdict (the criterion is the scheme's, the value is one of the choices and fits
    the criterion, a criterion not met says why); returns the notes as stored."""
    if criterion.scheme_id != application.scheme_id:
        raise ValidationError({"criterion": [_("This criterion belongs to another scheme.")]})
    if value not in VerdictValue.values:
        raise ValidationError({"value": [_("Choose met, not met or not applicable.")]})
    if value == VerdictValue.NOT_APPLICABLE and criterion.mandatory:
        raise ValidationError({"value": [_("A mandatory criterion always applies.")]})
    notes = (notes or "").strip()
    if value == VerdictValue.NOT_MET and not notes:
        raise ValidationError({"notes": [_("Say why the criterion is not met.")]})
    return notes


def _lock_for_verdicts(actor, application: Application) -> Application:
    application = _lock(application)
    _require_reviewer(actor, application)
    _require_state(application, (ApplicationState.IN_REVIEW,), pgettext("action", "assessed"))
    return application


@transaction.atomic
def verdict_record(
    *, actor, application: Application, criterion: Criterion, value: str, notes: str = ""
) -> Verdict:
    application = _lock_for_verdicts(actor, application)
    notes = _checked_verdict(application, criterion, value, notes)
    verdict, _created = Verdict.objects.update_or_create(
        application=application,
        criterion=criterion,
        round=application.round,
        defaults={"value": value, "notes": notes, "reviewer": actor},
    )
    return verdict


def verdict_error_key(criterion: Criterion, field: str) -> str:
    """The key of a `verdicts_record` error: the criterion's code and the field (`value`, `notes`,
    `criterion`), e.g. "CX-BP-03.notes"."""
    return f"{criterion.code}.{field}"


@transaction.atomic
def verdicts_record(
    *, actor, application: Application, verdicts: Mapping[Criterion, tuple[str, str]]
) -> list[Verdict]:
    """Record several verdicts of the current round at once (criterion -> (value, notes)), all or none.

    The same actor, state and per-verdict rules as `verdict_record`. Every verdict is checked before any
    is stored; if one breaks a rule nothing is stored and one ValidationError names every problem under
    `verdict_error_key(criterion, field)`. Criteria not given keep what they have (none, or this round's
    verdict). A verdict identical to this round's recorded one is left as it is (its reviewer and time
    stay); the others are stored with the actor as reviewer. Returns the verdicts stored."""
    application = _lock_for_verdicts(actor, application)
    checked: list[tuple[Criterion, str, str]] = []
    errors: dict[str, list] = {}
    for criterion, (value, notes) in verdicts.items():
        try:
            checked.append((criterion, value, _checked_verdict(application, criterion, value, notes)))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[verdict_error_key(criterion, field)] = messages
    if errors:
        raise ValidationError(errors)
    recorded = {v.criterion_id: v for v in application.verdicts.filter(round=application.round)}
    stored = []
    for criterion, value, notes in checked:
        current = recorded.get(criterion.pk)
        if current is not None and (current.value, current.notes) == (value, notes):
            continue
        verdict, _created = Verdict.objects.update_or_create(
            application=application,
            criterion=criterion,
            round=application.round,
            defaults={"value": value, "notes": notes, "reviewer": actor},
        )
        stored.append(verdict)
    return stored


def _reason(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: [message]})
    return text


@transaction.atomic
def application_request_changes(*, actor, application: Application, message: str) -> Application:
    application = _lock(application)
    _require_reviewer(actor, application)
    message = _reason(message, "message", _("Say what the applicant must change."))
    _require_state(application, (ApplicationState.IN_REVIEW,), pgettext("action", "sent back for changes"))
    _move(application, actor=actor, to=ApplicationState.CHANGES_REQUESTED, message=message)
    notices.tell_about_application(
        application, event="changes_requested", recipients=notices.applicant_admins(application)
    )
    return application


@transaction.atomic
def application_resubmit(
    *, actor, application: Application, declaration_name: str, message: str = ""
) -> Application:
    application = _lock(application)
    _deny_unless(
        policies.can_manage_application(actor, application),
        _("Only the applicant's administrators can resubmit it."),
    )
    _require_state(application, (ApplicationState.CHANGES_REQUESTED,), pgettext("action", "resubmitted"))
    _check_ready(application, declaration_name)
    _sign(application, actor=actor, declaration_name=declaration_name)
    application.round += 1
    _move(application, actor=actor, to=ApplicationState.IN_REVIEW, message=(message or "").strip())
    notices.tell_about_application(
        application, event="resubmitted", recipients=notices.reviewer_of(application)
    )
    return application


def unmet_criteria(application: Application) -> list[Criterion]:
    """Criteria that stand in the way of approval in the current round: no verdict yet, or a mandatory
    criterion not met."""
    verdicts = {v.criterion_id: v.value for v in application.verdicts.filter(round=application.round)}
    return [
        criterion
        for criterion in application.scheme.criteria.all()
        if criterion.pk not in verdicts
        or (criterion.mandatory and verdicts[criterion.pk] != VerdictValue.MET)
    ]


@transaction.atomic
def application_approve(
    *, actor, application: Application, conditions: str = "", message: str = ""
) -> Certificate:
    # The lock serialises two approvals of the same application: the second sees "approved" and stops.
    application = _lock(application)
    _require_reviewer(actor, application)
    _require_state(application, (ApplicationState.IN_REVIEW,), pgettext("action", "approved"))
    blocking = unmet_criteria(application)
    if blocking:
        raise ValidationError(
            {
                "verdicts": [
                    _("Every criterion needs a verdict and every mandatory criterion must be met: %(codes)s.")
                    % {"codes": ", ".join(c.code for c in blocking)}
                ]
            }
        )
    _require_accreditation(application)
    application.decision_reason = (message or "").strip()
    _move(application, actor=actor, to=ApplicationState.APPROVED, message=application.decision_reason)
    certificate = certificate_issue(
        application=application, actor=actor, conditions=(conditions or "").strip()
    )
    reviews.review_close(application)
    notices.tell_about_application(
        application,
        event="approved",
        recipients=notices.applicant_admins(application),
        extra={"number": certificate.number},
    )
    return certificate


@transaction.atomic
def application_reject(*, actor, application: Application, reason: str) -> Application:
    application = _lock(application)
    _require_reviewer(actor, application)
    reason = _reason(reason, "reason", _("Give the reasons for the rejection."))
    _require_state(
        application,
        (ApplicationState.IN_REVIEW, ApplicationState.CHANGES_REQUESTED),
        pgettext("action", "rejected"),
    )
    application.decision_reason = reason
    _move(application, actor=actor, to=ApplicationState.REJECTED, message=reason)
    reviews.review_close(application)
    notices.tell_about_application(
        application, event="rejected", recipients=notices.applicant_admins(application)
    )
    return application


@transaction.atomic
def application_withdraw(*, actor, application: Application, reason: str = "") -> Application:
    application = _lock(application)
    _deny_unless(
        policies.can_manage_application(actor, application),
        _("Only the applicant's administrators can withdraw it."),
    )
    _require_state(application, OPEN_STATES, pgettext("action", "withdrawn"))
    was_with_body = application.state != ApplicationState.DRAFT
    _move(application, actor=actor, to=ApplicationState.WITHDRAWN, message=(reason or "").strip())
    reviews.review_close(application)
    if was_with_body:
        notices.tell_about_application(
            application,
            event="withdrawn",
            recipients=[*notices.body_leads(application), *notices.reviewer_of(application)],
        )
    return application


@transaction.atomic
def application_renew(*, actor, certificate: Certificate) -> Application:
    """A new draft under the same scheme and body, with the old scope and answers to start from."""
    if certificate.is_recognised:
        raise InvalidTransition(
            _("A recognised certificate is renewed with its origin %(origin)s.")
            % {"origin": certificate.origin.number}
        )
    _deny_unless(policies.may_renew(actor, certificate), _("Only the holder's administrators can renew it."))
    previous = certificate.application
    application = application_create(
        actor=actor,
        scheme=certificate.scheme,
        body=certificate.issuing_body,
        # What the holder has archived since is retired: the renewal starts without it.
        battery_models=certificate.battery_models.filter(organization=certificate.holder, archived_at=None),
        passports=previous.passports.filter(organization=certificate.holder) if previous else (),
        sites=certificate.sites.filter(organization=certificate.holder, archived_at=None),
        renewal_of=certificate,
    )
    if previous is not None:
        current = {c.code: c for c in application.scheme.criteria.all()}
        Answer.objects.bulk_create(
            Answer(
                application=application, criterion=current[a.criterion.code], text=a.text, updated_by=actor
            )
            for a in previous.answers.select_related("criterion")
            if a.criterion.code in current
        )
    return application
