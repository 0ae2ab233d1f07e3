"""The certification body's pages: the queue, the lead's assignment and the reviewer's workspace.

The workspace shows each criterion beside the applicant's answer and evidence and the earlier rounds'
verdicts, with one form for every verdict of this round (saved together, all or nothing, and saved again as
the review goes on), how many criteria have a verdict, and the passport data in scope as the passport policy
lets the body see it: with the confidential supply chain while the body's review is open (its group holds
the grant), without it once the review has closed. The per-criterion verdict route stays for scripts.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from passports.catalogue import Category
from passports.display import grouped_values, supply_chain_display
from portal.tenancy.decorators import active_member_required
from portal.tenancy.policies import is_certification_body

from .. import policies, selectors, services
from ..forms import ApproveForm, RejectForm, RequestChangesForm, VerdictForm, VerdictsForm, verdict_prefix
from ..models import REVIEW_STATES, Application, ApplicationState, VerdictValue
from .applications import application_row, evidence_rows
from .common import (
    REFUSALS,
    application_or_404,
    assign_form,
    history,
    last_message,
    refusal,
    refusals_as_403,
    scope_rows,
)

PAGE_SIZE = 25
UNASSIGNED = "none"


def _body_member_or_404(request: HttpRequest) -> None:
    if not is_certification_body(request.membership.organization):
        raise Http404


def _workspace(application: Application) -> HttpResponse:
    return redirect("certification:review", public_id=application.public_id)


# ---- queue ------------------------------------------------------------------------------------------
@active_member_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    _body_member_or_404(request)
    body = request.membership.organization
    params = request.GET
    queryset = selectors.review_queue(actor=request.user)
    state = params.get("state", "")
    if state in REVIEW_STATES:
        queryset = queryset.filter(state=state)
    else:
        state = ""
    schemes = {s.code: s for s in selectors.schemes_open()}
    scheme = params.get("scheme", "")
    if scheme in schemes:
        queryset = queryset.filter(scheme=schemes[scheme])
    else:
        scheme = ""
    reviewers = list(selectors.body_reviewers(body))
    reviewer = params.get("reviewer", "")
    if reviewer == UNASSIGNED:
        queryset = queryset.filter(reviewer__isnull=True)
    elif reviewer in {str(r.pk) for r in reviewers}:
        queryset = queryset.filter(reviewer_id=int(reviewer))
    else:
        reviewer = ""
    query = params.get("q", "").strip()[:100]
    if query:
        queryset = queryset.filter(Q(organization__legal_name__icontains=query))
    page = Paginator(queryset, PAGE_SIZE).get_page(params.get("page"))
    filters = params.copy()
    filters.pop("page", None)
    return render(
        request,
        "certification/queue.html",
        {
            "page": page,
            "rows": [application_row(request.user, a) for a in page.object_list],
            "states": [(s.value, s.label) for s in REVIEW_STATES],
            "state": state,
            "schemes": [(code, s.local_name) for code, s in schemes.items()],
            "scheme": scheme,
            "reviewers": [(str(r.pk), r.get_full_name() or r.get_username()) for r in reviewers],
            "reviewer": reviewer,
            "unassigned": UNASSIGNED,
            "query": query,
            "filter_query": filters.urlencode(),
            "is_lead": policies.is_body_lead(request.user, body.pk),
        },
    )


# ---- assignment -----------------------------------------------------------------------------------
@active_member_required
@require_POST
@refusals_as_403
def assign(request: HttpRequest, public_id) -> HttpResponse:
    application = application_or_404(
        request, public_id, "lead", _("Only a lead of the certification body can assign a reviewer.")
    )
    form = assign_form(application, data=request.POST)
    if form.is_valid():
        try:
            services.application_assign(
                actor=request.user, application=application, reviewer=form.cleaned_data["reviewer"]
            )
        except (*REFUSALS, ValidationError) as exc:
            refusal(request, exc)
        else:
            reviewer = form.cleaned_data["reviewer"]
            messages.success(
                request,
                _("%(name)s reviews this application.")
                % {"name": reviewer.get_full_name() or reviewer.get_username()},
            )
    else:
        messages.error(request, _("Choose a reviewer of your certification body."))
    return redirect("certification:application_detail", public_id=application.public_id)


# ---- workspace ------------------------------------------------------------------------------------
def _passport_data(request: HttpRequest, application: Application) -> dict[str, Any]:
    """The scope's battery models and passports rendered as the passport pages render them: live while
    the application is open, the snapshot the body reviewed once it has closed
    (`selectors.review_scope_for`)."""
    scope = selectors.review_scope_for(actor=request.user, application=application)
    if scope is None:
        return {"source": "", "recorded_at": None, "battery_models": [], "passports": []}

    def supply_chain(item: dict[str, Any]) -> dict[str, Any] | None:
        rows = item.get("supply_chain")
        return supply_chain_display(rows) if rows is not None else None

    models = [
        {
            "id": item["id"],
            "name": item["name"],
            "part_id": item["manufacturer_part_id"],
            "category": Category(item["category"]).label,
            "groups": grouped_values(item.get("values") or {}, audiences=True),
            "supply_chain": supply_chain(item),
        }
        for item in scope.battery_models
    ]
    passports = [
        {
            "id": item["id"],
            "unique_identifier": item.get("unique_identifier", ""),
            "version": item.get("version"),
            "state": item.get("state"),
            "groups": grouped_values(item.get("values") or {}, audiences=True),
            "supply_chain": supply_chain(item),
        }
        for item in scope.passports
    ]
    return {
        "source": scope.source,
        "recorded_at": scope.recorded_at,
        "battery_models": models,
        "passports": passports,
    }


def _verdict_view(verdict) -> dict[str, Any] | None:
    if verdict is None:
        return None
    return {
        "round": verdict.round,
        "value": verdict.value,
        "label": verdict.get_value_display(),
        "notes": verdict.notes,
        "reviewer": verdict.reviewer.get_full_name() or verdict.reviewer.get_username(),
        "recorded_at": verdict.recorded_at,
    }


def _verdicts_form(criterion_rows, data=None) -> VerdictsForm:
    """The form of every verdict of the round, pre-filled with the verdicts recorded in it."""
    return VerdictsForm(
        data,
        criteria=[row.criterion for row in criterion_rows],
        recorded={
            row.criterion.code: (row.verdict.value, row.verdict.notes)
            for row in criterion_rows
            if row.verdict is not None
        },
    )


def _progress(criterion_rows) -> dict[str, Any]:
    """How far the round's verdicts are: how many criteria have one, and which have none yet."""
    missing = [row.criterion.code for row in criterion_rows if row.verdict is None]
    total = len(criterion_rows)
    return {"done": total - len(missing), "total": total, "missing": missing}


def _workspace_context(request: HttpRequest, application: Application, **bound: Any) -> dict[str, Any]:
    user = request.user
    can_decide = policies.can_decide(user, application)
    criterion_rows = selectors.criterion_rows(application)
    verdicts_form = None
    if can_decide:
        verdicts_form = bound.get("verdicts_form") or _verdicts_form(criterion_rows)
        for code, form in bound.get("verdict_forms", {}).items():
            verdicts_form.put(code, form)
    rows = []
    for row in criterion_rows:
        criterion = row.criterion
        form = verdicts_form[criterion.code] if verdicts_form else None
        rows.append(
            {
                "code": criterion.code,
                "text": criterion.local_text,
                "evidence_expected": criterion.local_evidence_expected,
                "method": criterion.get_method_display(),
                "mandatory": criterion.mandatory,
                "answer": row.answer.text if row.answer else "",
                "evidence": evidence_rows(application, row.evidence, can_delete=False),
                "verdict": _verdict_view(row.verdict),
                "earlier": [_verdict_view(v) for v in row.earlier_verdicts],
                "form": form,
                "has_error": bool(form and form.errors),
            }
        )
    can_reject = policies.can_reject(user, application)
    context: dict[str, Any] = {
        "application": application_row(user, application),
        "scheme": {"name": application.scheme.local_name, "version": application.scheme.version},
        "declaration": {"name": application.declaration_name, "at": application.declaration_signed_at},
        "scope": scope_rows(application),
        "rows": rows,
        "verdicts_form": verdicts_form,
        "progress": _progress(criterion_rows) if application.state == ApplicationState.IN_REVIEW else None,
        "passport_data": _passport_data(request, application),
        "review_open": selectors.review_is_open(application),
        "history": history(user, application),
        "can_decide": can_decide,
        "can_reject": can_reject,
        "is_reviewer": policies.is_assigned_reviewer(user, application),
        "resubmit_message": last_message(application, ApplicationState.IN_REVIEW)
        if application.round > 1
        else "",
        "blocking": [c.code for c in services.unmet_criteria(application)] if can_decide else [],
        "not_applicable": VerdictValue.NOT_APPLICABLE,
    }
    if can_decide:
        context["changes_form"] = bound.get("changes_form") or RequestChangesForm()
        context["approve_form"] = bound.get("approve_form") or ApproveForm()
    if can_reject:
        context["reject_form"] = bound.get("reject_form") or RejectForm()
    if policies.can_assign(user, application):
        context["assign_form"] = assign_form(application)
    return context


REVIEWER_ONLY = gettext_lazy("Only the reviewer assigned to this application can do this.")


def _reviewed(request: HttpRequest, public_id) -> Application:
    """The application for the assigned reviewer's actions: 404 outside the actor's scope, 403 for anyone
    else who may see it (the applicant's people, the body's other members)."""
    return application_or_404(request, public_id, "review", REVIEWER_ONLY)


@active_member_required
@require_safe
def workspace(request: HttpRequest, public_id) -> HttpResponse:
    """The body's view of the application; the applicant's people are sent to their own page."""
    application = application_or_404(request, public_id)
    if not policies.is_body_member(request.user, application.body_id):
        return redirect("certification:application_detail", public_id=application.public_id)
    return render(request, "certification/workspace.html", _workspace_context(request, application))


def _workspace_with_errors(request: HttpRequest, application: Application, **bound: Any) -> HttpResponse:
    return render(
        request, "certification/workspace.html", _workspace_context(request, application, **bound), status=400
    )


@active_member_required
@require_POST
@refusals_as_403
def verdict(request: HttpRequest, public_id, code: str) -> HttpResponse:
    application = _reviewed(request, public_id)
    criterion = application.scheme.criteria.filter(code=code).first()
    if criterion is None:
        raise Http404
    form = VerdictForm(
        request.POST,
        code=criterion.code,
        mandatory=criterion.mandatory,
        prefix=verdict_prefix(criterion.code),
    )
    if form.is_valid():
        try:
            services.verdict_record(
                actor=request.user,
                application=application,
                criterion=criterion,
                value=form.cleaned_data["value"],
                notes=form.cleaned_data["notes"],
            )
        except REFUSALS as exc:
            refusal(request, exc)
            return _workspace(application)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Verdict on %(code)s recorded.") % {"code": criterion.code})
            return redirect(
                f"{reverse('certification:review', args=[application.public_id])}#criterion-{code}"
            )
    return _workspace_with_errors(request, application, verdict_forms={criterion.code: form})


@active_member_required
@require_POST
@refusals_as_403
def verdicts(request: HttpRequest, public_id) -> HttpResponse:
    """Every verdict of the round from the workspace's one form: stored together or, if one is wrong, none
    (the errors shown on the criteria concerned). Criteria left without a verdict keep what they have."""
    application = _reviewed(request, public_id)
    form = _verdicts_form(selectors.criterion_rows(application), data=request.POST)
    if form.is_valid():
        try:
            stored = services.verdicts_record(
                actor=request.user, application=application, verdicts=form.verdicts()
            )
        except REFUSALS as exc:
            refusal(request, exc)
            return _workspace(application)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            if stored:
                messages.success(
                    request,
                    ngettext("%(count)d verdict saved.", "%(count)d verdicts saved.", len(stored))
                    % {"count": len(stored)},
                )
            else:
                messages.info(request, _("No verdict changed."))
            return _workspace(application)
    return _workspace_with_errors(request, application, verdicts_form=form)


def _decision(request: HttpRequest, public_id, form_class, key: str, act) -> HttpResponse:
    """Shared shell of the three decisions: validate, call the service, report."""
    application = _reviewed(request, public_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            done = act(application, form.cleaned_data)
        except REFUSALS as exc:
            refusal(request, exc)
            return _workspace(application)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, done)
            return redirect("certification:application_detail", public_id=application.public_id)
    return _workspace_with_errors(request, application, **{key: form})


@active_member_required
@require_POST
@refusals_as_403
def request_changes(request: HttpRequest, public_id) -> HttpResponse:
    def act(application: Application, data: dict[str, Any]) -> str:
        services.application_request_changes(
            actor=request.user, application=application, message=data["message"]
        )
        return _("Changes requested from %(applicant)s.") % {"applicant": application.organization.legal_name}

    return _decision(request, public_id, RequestChangesForm, "changes_form", act)


@active_member_required
@require_POST
@refusals_as_403
def approve(request: HttpRequest, public_id) -> HttpResponse:
    def act(application: Application, data: dict[str, Any]) -> str:
        certificate = services.application_approve(
            actor=request.user,
            application=application,
            conditions=data["conditions"],
            message=data["message"],
        )
        return _("Approved: certificate %(number)s issued.") % {"number": certificate.number}

    return _decision(request, public_id, ApproveForm, "approve_form", act)


@active_member_required
@require_POST
@refusals_as_403
def reject(request: HttpRequest, public_id) -> HttpResponse:
    def act(application: Application, data: dict[str, Any]) -> str:
        services.application_reject(actor=request.user, application=application, reason=data["reason"])
        return _("Application rejected.")

    return _decision(request, public_id, RejectForm, "reject_form", act)
