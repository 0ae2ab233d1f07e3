"""The applicant's pages and the application page both sides share.

- list of the company's applications, with state and what is asked of it;
- apply: choose a scheme (its standards and criteria shown), then the body and the scope;
- scope: change body (drafts) or scope (drafts and when changes are requested);
- self-assessment: an answer and evidence files per criterion (multipart, size-limited before parsing);
- declaration and submission (or resubmission after changes were requested), withdrawal;
- the evidence download: attachment only, never sniffed, to whoever may see the application.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from passports import selectors as passport_selectors
from portal.downloads import stored_file
from portal.exceptions import InvalidTransition
from portal.restrict import permits
from portal.tenancy.decorators import active_member_required
from portal.tenancy.policies import is_certification_body, is_company
from portal.tenancy.selectors import sites_for
from portal.uploads import limit_uploads

from .. import policies, selectors, services
from ..forms import ApplicationForm, DeclarationForm, SelfAssessmentForm, WithdrawForm, answer_field_name
from ..forms import evidence_field_name as evidence_name
from ..models import OPEN_STATES, Application, ApplicationState, Evidence, Scheme
from .common import (
    REFUSALS,
    STATE_BADGES,
    application_or_404,
    assign_form,
    days_since,
    forbid_unless,
    history,
    last_message,
    next_step,
    refusal,
    refusals_as_403,
    scope_rows,
    viewer_side,
)

MANAGE_REFUSED = gettext_lazy("Only the applicant's administrators can do this.")
EDIT_REFUSED = gettext_lazy(
    "Only the applicant's administrators can edit it, while it is a draft or changes are requested."
)
EDIT_ANSWERS_REFUSED = gettext_lazy("Only the applicant's administrators can edit it.")
REMOVE_REFUSED = gettext_lazy("Only the applicant's administrators can remove evidence.")


def _detail(application: Application) -> HttpResponse:
    return redirect("certification:application_detail", public_id=application.public_id)


def application_row(user, application: Application) -> dict[str, Any]:
    return {
        "id": application.public_id,
        "reference": str(application.public_id)[:8],
        "scheme": application.scheme.local_name,
        "scheme_version": application.scheme.version,
        "applicant": application.organization.legal_name,
        "body": application.body.legal_name,
        "state": application.get_state_display(),
        "badge": STATE_BADGES[ApplicationState(application.state)],
        "round": application.round,
        "reviewer": (application.reviewer.get_full_name() or application.reviewer.get_username())
        if application.reviewer_id
        else "",
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
        "state_changed_at": application.state_changed_at,
        "days_submitted": days_since(application.submitted_at),
        "days_in_state": days_since(application.state_changed_at),
        "next_step": next_step(user, application),
        # A closed application has no next step: its line says where it ended ("Status:", not "Next:").
        "closed": application.state not in OPEN_STATES,
    }


def _scheme_view(scheme: Scheme) -> dict[str, Any]:
    return {
        "code": scheme.code,
        "name": scheme.local_name,
        "version": scheme.version,
        "owner": scheme.get_owner_display(),
        "description": scheme.local_description,
        "certifies": scheme.get_scope_kind_display(),
        "requires_products": scheme.requires_products,
        "validity": _validity_text(scheme),
        "standards": [
            {"code": s.code, "title": s.title, "version": s.version} for s in scheme.standards.all()
        ],
        "criteria": [_criterion_view(c) for c in scheme.criteria.all()],
    }


def _validity_text(scheme: Scheme) -> str:
    if scheme.validity_months:
        return _("%(months)s months from the issue date") % {"months": scheme.validity_months}
    label = scheme.valid_until_label or (
        scheme.valid_until_date.isoformat() if scheme.valid_until_date else ""
    )
    return _("Until %(label)s") % {"label": label}


def _criterion_view(criterion) -> dict[str, Any]:
    return {
        "code": criterion.code,
        "text": criterion.local_text,
        "evidence_expected": criterion.local_evidence_expected,
        "method": criterion.get_method_display(),
        "mandatory": criterion.mandatory,
    }


# ---- list -------------------------------------------------------------------------------------------
@active_member_required
@require_safe
def application_list(request: HttpRequest) -> HttpResponse:
    organization = request.membership.organization
    if is_certification_body(organization):
        return redirect("certification:queue")
    if not is_company(organization):
        raise Http404
    applications = selectors.applications_for(actor=request.user).order_by("-created_at", "-pk")
    return render(
        request,
        "certification/application_list.html",
        {
            "rows": [application_row(request.user, a) for a in applications],
            "can_apply": policies.can_apply(request.user),
        },
    )


# ---- apply and scope ------------------------------------------------------------------------------
def _scope_choices(request: HttpRequest) -> dict[str, Any]:
    organization = request.membership.organization
    return {
        "battery_models": passport_selectors.battery_models_for(actor=request.user)
        .filter(organization=organization)
        .order_by("name"),
        "passports": passport_selectors.passports_for(actor=request.user)
        .filter(organization=organization)
        .order_by("unique_identifier"),
        "sites": sites_for(actor=request.user).order_by("name"),
    }


@active_member_required
@require_http_methods(["GET", "POST"])
@refusals_as_403
def application_create(request: HttpRequest) -> HttpResponse:
    forbid_unless(
        policies.can_apply(request.user), _("Only a company administrator can apply for certification.")
    )
    code = request.GET.get("scheme", "")
    scheme = selectors.schemes_open().filter(code=code).first() if code else None
    if scheme is None:
        if code:
            raise Http404
        return render(
            request,
            "certification/choose_scheme.html",
            {"schemes": [_scheme_view(s) for s in selectors.schemes_open()]},
        )
    bodies = selectors.accredited_bodies(scheme)
    form = ApplicationForm(
        data=request.POST if request.method == "POST" else None,
        bodies=bodies,
        products=scheme.requires_products,
        **_scope_choices(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                actor=request.user, scheme=scheme, body=form.cleaned_data["body"], **form.scope()
            )
        except REFUSALS as exc:
            refusal(request, exc)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Application created as a draft. Answer the self-assessment next."))
            return redirect("certification:self_assessment", public_id=application.public_id)
    return render(
        request,
        "certification/application_form.html",
        {
            "form": form,
            "scheme": _scheme_view(scheme),
            "creating": True,
            "has_bodies": bodies.exists(),
            "action": f"{reverse('certification:application_create')}?scheme={scheme.code}",
            "cancel_url": reverse("certification:application_create"),
        },
        status=400 if form.errors else 200,
    )


@active_member_required
@require_http_methods(["GET", "POST"])
@refusals_as_403
def application_edit(request: HttpRequest, public_id) -> HttpResponse:
    application = application_or_404(request, public_id, "change", EDIT_REFUSED)
    body_editable = application.state == ApplicationState.DRAFT
    initial = {
        "body": application.body_id,
        "battery_models": list(application.battery_models.values_list("pk", flat=True)),
        "passports": list(application.passports.values_list("pk", flat=True)),
        "sites": list(application.sites.values_list("pk", flat=True)),
    }
    form = ApplicationForm(
        data=request.POST if request.method == "POST" else None,
        initial=initial,
        bodies=selectors.accredited_bodies(application.scheme),
        products=application.scheme.requires_products,
        body_editable=body_editable,
        **_scope_choices(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                actor=request.user,
                application=application,
                body=form.cleaned_data.get("body") if body_editable else None,
                **form.scope(),
            )
        except REFUSALS as exc:
            refusal(request, exc)
            return _detail(application)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Scope saved."))
            return _detail(application)
    return render(
        request,
        "certification/application_form.html",
        {
            "form": form,
            "scheme": _scheme_view(application.scheme),
            "application": application_row(request.user, application),
            "creating": False,
            "has_bodies": True,
            "action": request.path,
            "cancel_url": reverse("certification:application_detail", args=[application.public_id]),
        },
        status=400 if form.errors else 200,
    )


# ---- the application page -------------------------------------------------------------------------
def evidence_rows(
    application: Application, items: list[Evidence], *, can_delete: bool
) -> list[dict[str, Any]]:
    return [
        {
            "id": item.public_id,
            "name": item.file_name,
            "size": filesizeformat(item.size),
            "uploaded_at": item.uploaded_at,
            "download_url": reverse(
                "certification:evidence_download", args=[application.public_id, item.public_id]
            ),
            "delete_url": reverse(
                "certification:evidence_delete", args=[application.public_id, item.public_id]
            )
            if can_delete
            else None,
        }
        for item in items
    ]


def _verdict_view(verdict) -> dict[str, Any] | None:
    if verdict is None:
        return None
    return {
        "round": verdict.round,
        "value": verdict.value,
        "label": verdict.get_value_display(),
        "notes": verdict.notes,
        "recorded_at": verdict.recorded_at,
    }


#: States in which the applicant reads the verdicts of the current round (the reviewer has decided).
DECIDED_STATES = (ApplicationState.CHANGES_REQUESTED, ApplicationState.APPROVED, ApplicationState.REJECTED)


def applicant_criteria(application: Application, *, can_edit: bool) -> list[dict[str, Any]]:
    """Each criterion with the applicant's answer, evidence and the reviewer's decided verdicts."""
    decided = application.state in DECIDED_STATES
    rows = []
    for row in selectors.criterion_rows(application):
        rows.append(
            {
                **_criterion_view(row.criterion),
                "answer": row.answer.text if row.answer else "",
                "evidence": evidence_rows(application, row.evidence, can_delete=can_edit),
                "verdict": _verdict_view(row.verdict) if decided else None,
                "earlier": [_verdict_view(v) for v in row.earlier_verdicts],
            }
        )
    return rows


def _certificate_link(request: HttpRequest, application: Application) -> dict[str, Any] | None:
    if application.state != ApplicationState.APPROVED:
        return None
    certificate = selectors.certificates_for(actor=request.user).filter(application=application).first()
    if certificate is None:
        return None
    return {
        "number": certificate.number,
        "recognised": [c.number for c in certificate.recognised.all()],
    }


@active_member_required
@require_safe
def application_detail(request: HttpRequest, public_id) -> HttpResponse:
    application = application_or_404(request, public_id)
    user = request.user
    side = viewer_side(user, application)
    can_edit = policies.can_edit_application(user, application)
    manages = policies.can_manage_application(user, application)
    context = {
        "application": application_row(user, application),
        "scheme": {"name": application.scheme.local_name, "version": application.scheme.version},
        "side": side,
        "scope": scope_rows(application),
        "history": history(user, application),
        "certificate": _certificate_link(request, application),
        "can_edit": can_edit,
        "can_submit": manages and application.state == ApplicationState.DRAFT,
        "can_resubmit": manages and application.state == ApplicationState.CHANGES_REQUESTED,
        "can_withdraw": manages and application.is_open,
        "decision_reason": application.decision_reason
        if application.state in (ApplicationState.APPROVED, ApplicationState.REJECTED)
        else "",
        "changes_message": last_message(application, ApplicationState.CHANGES_REQUESTED)
        if application.state == ApplicationState.CHANGES_REQUESTED
        else "",
        "declaration": {
            "name": application.declaration_name,
            "at": application.declaration_signed_at,
        },
        "renewal_of": application.renewal_of.number if application.renewal_of_id else "",
        "sees_workspace": side == "body",
        "can_assign": policies.can_assign(user, application),
    }
    if side == "applicant":
        context["criteria"] = applicant_criteria(application, can_edit=False)
        context["missing"] = [c.code for c in services.missing_answers(application)] if can_edit else []
    if context["can_assign"]:
        context["assign_form"] = assign_form(application)
    return render(request, "certification/application_detail.html", context)


# ---- self-assessment ------------------------------------------------------------------------------
@csrf_exempt
def self_assessment(request: HttpRequest, public_id) -> HttpResponse:
    limit_uploads(request)  # before CSRF protection reads the body: an oversized file is cut off
    return _self_assessment(request, public_id)


def _store(request: HttpRequest, application: Application, form: SelfAssessmentForm) -> bool:
    """Save the answers and every uploaded file, or nothing at all: a refused file rolls the answers back
    and removes the files already stored in this request (their rows roll back with the transaction).
    A refusal for the actor's role or the application's state propagates (after the same clean-up)."""
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            services.answers_save(actor=request.user, application=application, answers=form.answers())
            for criterion, upload in form.uploads():
                try:
                    evidence = services.evidence_add(
                        actor=request.user, application=application, criterion=criterion, upload=upload
                    )
                except InvalidTransition:
                    raise
                except ValidationError as exc:
                    form.add_criterion_error(criterion, exc)  # go on: every refused file is named at once
                else:
                    stored.append(evidence)
            if form.errors:
                raise _RollBack
    except _RollBack:
        pass
    except InvalidTransition:
        _remove_files(stored)
        raise
    except ValidationError as exc:
        form.add_service_error(exc)
    except BaseException:
        _remove_files(stored)
        raise
    if form.errors:
        _remove_files(stored)
        return False
    return True


class _RollBack(Exception):
    """Leaves the transaction so that nothing of a partly refused submission is kept."""


def _remove_files(stored: list[Evidence]) -> None:
    for evidence in stored:
        evidence.file.storage.delete(evidence.file.name)


@csrf_protect
@active_member_required
@require_http_methods(["GET", "POST"])
@refusals_as_403
def _self_assessment(request: HttpRequest, public_id) -> HttpResponse:
    application = application_or_404(
        request, public_id, "manage" if request.method == "POST" else "view", EDIT_ANSWERS_REFUSED
    )
    can_edit = policies.can_edit_application(request.user, application)
    criteria = list(application.scheme.criteria.all())
    answers = {a.criterion.code: a.text for a in application.answers.select_related("criterion")}
    form = None
    if can_edit:
        form = SelfAssessmentForm(
            data=request.POST if request.method == "POST" else None,
            files=request.FILES if request.method == "POST" else None,
            criteria=criteria,
            answers=answers,
        )
    if request.method == "POST":
        if form is None:  # an administrator, but the application is not editable in its state
            refusal(request, _state_refusal(application))
            return _detail(application)
        if form.is_valid():
            try:
                saved = _store(request, application, form)
            except REFUSALS as exc:
                refusal(request, exc)
                return _detail(application)
            if saved:
                messages.success(request, _("Self-assessment saved."))
                target = reverse("certification:self_assessment", args=[application.public_id])
                if request.POST.get("go") == "declare":
                    target = reverse("certification:application_submit", args=[application.public_id])
                return redirect(target)
    rows = (
        applicant_criteria(application, can_edit=can_edit)
        if viewer_side(request.user, application) == "applicant"
        else _body_criteria(application)
    )
    for row, criterion in zip(rows, criteria, strict=True):
        if form is not None:
            row["answer_field"] = form[answer_field_name(criterion)]
            row["evidence_field"] = form[evidence_name(criterion)]
    return render(
        request,
        "certification/self_assessment.html",
        {
            "application": application_row(request.user, application),
            "scheme": {"name": application.scheme.local_name, "version": application.scheme.version},
            "rows": rows,
            "form": form,
            "can_edit": can_edit,
            "changes_message": last_message(application, ApplicationState.CHANGES_REQUESTED)
            if application.state == ApplicationState.CHANGES_REQUESTED
            else "",
        },
        status=400 if form is not None and form.errors else 200,
    )


def _body_criteria(application: Application) -> list[dict[str, Any]]:
    return [
        {
            **_criterion_view(row.criterion),
            "answer": row.answer.text if row.answer else "",
            "evidence": evidence_rows(application, row.evidence, can_delete=False),
            "verdict": None,
            "earlier": [],
        }
        for row in selectors.criterion_rows(application)
    ]


def _state_refusal(application: Application) -> Exception:
    """Why an administrator's write is refused in the application's state, in the service's words."""
    return InvalidTransition(
        _("An application that is %(state)s cannot be edited.")
        % {"state": application.get_state_display().lower()}
    )


# ---- evidence -------------------------------------------------------------------------------------
def _evidence_or_404(
    request: HttpRequest, public_id, evidence_id, action: str = "view"
) -> tuple[Application, Evidence]:
    """The evidence in the actor's scope (404 otherwise), then `action` on its application (403)."""
    application = application_or_404(request, public_id)
    evidence = selectors.evidence_get(actor=request.user, application=application, public_id=evidence_id)
    if evidence is None:
        raise Http404
    forbid_unless(action == "view" or permits(request.user, action, application), REMOVE_REFUSED)
    return application, evidence


@active_member_required
@require_safe
def evidence_download(request: HttpRequest, public_id, evidence_id) -> HttpResponse:
    """The file as a private download."""
    _application, evidence = _evidence_or_404(request, public_id, evidence_id)
    return stored_file(evidence.file, evidence.content_type, evidence.file_name)


@active_member_required
@require_POST
@refusals_as_403
def evidence_delete(request: HttpRequest, public_id, evidence_id) -> HttpResponse:
    application, evidence = _evidence_or_404(request, public_id, evidence_id, "manage")
    try:
        services.evidence_delete(actor=request.user, evidence=evidence)
    except REFUSALS as exc:
        refusal(request, exc)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, _("Evidence %(name)s removed.") % {"name": evidence.file_name})
    return redirect("certification:self_assessment", public_id=application.public_id)


# ---- declaration and submission -------------------------------------------------------------------
@active_member_required
@require_http_methods(["GET", "POST"])
@refusals_as_403
def application_submit(request: HttpRequest, public_id) -> HttpResponse:
    """Sign the declaration and submit a draft, or resubmit after changes were requested."""
    application = application_or_404(request, public_id, "manage", MANAGE_REFUSED)
    resubmission = application.state == ApplicationState.CHANGES_REQUESTED
    allowed = application.state in (ApplicationState.DRAFT, ApplicationState.CHANGES_REQUESTED)
    if request.method == "GET":
        forbid_unless(allowed, _("Only a draft, or an application sent back for changes, is submitted."))
    form = DeclarationForm(data=request.POST if request.method == "POST" else None, resubmission=resubmission)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["declaration_name"]
        try:
            if resubmission:
                services.application_resubmit(
                    actor=request.user,
                    application=application,
                    declaration_name=name,
                    message=form.cleaned_data.get("message", ""),
                )
            else:
                services.application_submit(
                    actor=request.user, application=application, declaration_name=name
                )
        except REFUSALS as exc:
            refusal(request, exc)
            return _detail(application)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            done = (
                _("Application resubmitted to %(body)s.")
                if resubmission
                else _("Application submitted to %(body)s.")
            )
            messages.success(request, done % {"body": application.body.legal_name})
            return _detail(application)
    elif request.method == "POST" and not allowed:
        refusal(request, _state_refusal(application))
        return _detail(application)
    return render(
        request,
        "certification/submit.html",
        {
            "application": application_row(request.user, application),
            "scheme": {"name": application.scheme.local_name, "version": application.scheme.version},
            "scope": scope_rows(application),
            "form": form,
            "resubmission": resubmission,
            "missing": [c.code for c in services.missing_answers(application)],
            "criteria": applicant_criteria(application, can_edit=False) if resubmission else [],
            "changes_message": last_message(application, ApplicationState.CHANGES_REQUESTED)
            if resubmission
            else "",
        },
        status=400 if form.errors else 200,
    )


@active_member_required
@require_http_methods(["GET", "POST"])
@refusals_as_403
def application_withdraw(request: HttpRequest, public_id) -> HttpResponse:
    application = application_or_404(request, public_id, "manage", MANAGE_REFUSED)
    if request.method == "GET":
        forbid_unless(application.is_open, _("Only an open application can be withdrawn."))
    form = WithdrawForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                actor=request.user, application=application, reason=form.cleaned_data["reason"]
            )
        except REFUSALS as exc:
            refusal(request, exc)
            return _detail(application)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Application withdrawn."))
            return _detail(application)
    return render(
        request,
        "certification/withdraw.html",
        {"application": application_row(request.user, application), "form": form},
        status=400 if form.errors else 200,
    )
