"""Helpers shared by the certification pages: look-ups that 404 outside the actor's scope, the refusal
messages, and the small view-models (badges, ages, history, what is asked of whom)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import InvalidTransition
from portal.restrict import permits
from portal.tenancy.policies import is_operator
from portal.tenancy.selectors import membership_of

from .. import policies, selectors
from ..forms import AssignForm
from ..models import Application, ApplicationState, CertificateStatus

STATE_BADGES = {
    ApplicationState.DRAFT: "inactive",
    ApplicationState.SUBMITTED: "pending",
    ApplicationState.IN_REVIEW: "pending",
    ApplicationState.CHANGES_REQUESTED: "suspended",
    ApplicationState.APPROVED: "active",
    ApplicationState.REJECTED: "rejected",
    ApplicationState.WITHDRAWN: "inactive",
}
STATUS_BADGES = {
    CertificateStatus.VALID: "active",
    CertificateStatus.SUSPENDED: "suspended",
    CertificateStatus.REVOKED: "rejected",
    CertificateStatus.EXPIRED: "inactive",
}


def application_or_404(
    request: HttpRequest, public_id, action: str = "view", reason: str = ""
) -> Application:
    """The application, looked up in the actor's scope: 404 when the actor may not see it (on every route
    and method), then 403 with `reason` when it may see it but not `action` it. State checks stay with the
    services (an illegal transition is a message on the page, not a refusal)."""
    application = selectors.application_get(actor=request.user, public_id=public_id)
    if application is None:
        raise Http404
    if action != "view" and not permits(request.user, action, application):
        raise PermissionDenied(reason or _("You may not do this."))
    return application


def forbid_unless(allowed: bool, reason: str = "") -> None:
    if not allowed:
        raise PermissionDenied(reason or _("You may not do this."))


def refusals_as_403(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A refusal for the actor's role (`PermissionDenied`, from the look-up or a service) answers 403 with
    its reason on the page: the reader may see the object, so saying why is no disclosure."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            reason = str(exc) or _("You may not do this.")
            return render(request, "certification/refused.html", {"reason": reason}, status=403)

    return wrapper


def refusal(request: HttpRequest, exc: Exception) -> None:
    """A service refused the action for the object's state (or the input): say why on the page."""
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text or _("You may not do this."))


#: Refusals shown as a message on the page: the object's state. A refusal for the actor's role is a
#: `PermissionDenied`, answered 403 by `refusals_as_403`.
REFUSALS = (InvalidTransition,)


def certificate_reader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in, and an operator (who has no membership) or an active member of an active organization;
    which certificates each one sees is the selector's decision."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_operator(request.user):
            membership = membership_of(request.user)
            if membership is None or not membership.organization.is_active:
                raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def days_since(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return max((timezone.now() - moment).days, 0)


def viewer_side(user, application: Application) -> str:
    """ "applicant", "body" or "" (the side of the application the viewer is on)."""
    if policies.is_applicant_member(user, application):
        return "applicant"
    if policies.is_body_member(user, application.body_id):
        return "body"
    return ""


def history(user, application: Application) -> list[dict[str, Any]]:
    """The events of the application. People are named to their own side only; the other side reads the
    organization (an applicant's staff are not the body's business, and the other way round)."""
    events = list(selectors.application_history(application))
    organization_of = selectors.organizations_of_people(
        {event.actor_id for event in events if event.actor_id}
    )
    own = membership_of(user)
    own_organization = own.organization_id if own else None
    names = {
        application.organization_id: application.organization.legal_name,
        application.body_id: application.body.legal_name,
    }
    rows = []
    for event in events:
        organization = organization_of.get(event.actor_id)
        if event.actor is None:
            who = _("The portal")
        elif organization == own_organization:
            who = event.actor.get_full_name() or event.actor.get_username()
        else:
            who = names.get(organization, "")
        rows.append(
            {
                "at": event.created_at,
                "round": event.round,
                "from_state": ApplicationState(event.from_state).label if event.from_state else "",
                "to_state": ApplicationState(event.to_state).label,
                "to_value": event.to_state,
                "badge": STATE_BADGES[ApplicationState(event.to_state)],
                "who": who,
                "message": event.message,
            }
        )
    return rows


def last_message(application: Application, to_state: str) -> str:
    event = application.events.filter(to_state=to_state).order_by("-created_at", "-id").first()
    return event.message if event else ""


def next_step(user, application: Application) -> str:
    """What is asked of the viewer (or whom the application waits for), in one sentence."""
    state = application.state
    side = viewer_side(user, application)
    if side == "applicant":
        manages = policies.can_manage_application(user, application)
        texts = {
            ApplicationState.DRAFT: _("Answer the self-assessment, sign the declaration and submit.")
            if manages
            else _("An administrator of your organization completes and submits this draft."),
            ApplicationState.SUBMITTED: _("Waiting for the certification body to assign a reviewer."),
            ApplicationState.IN_REVIEW: _("The reviewer is assessing your application."),
            ApplicationState.CHANGES_REQUESTED: _(
                "The reviewer asks for changes: update your answers and evidence, then resubmit."
            )
            if manages
            else _("The reviewer asks for changes; an administrator of your organization resubmits."),
            ApplicationState.APPROVED: _("Approved: the certificate is issued."),
            ApplicationState.REJECTED: _("Rejected. You may apply again."),
            ApplicationState.WITHDRAWN: _("Withdrawn. You may apply again."),
        }
        return str(texts[state])
    if side == "body":
        if state == ApplicationState.SUBMITTED:
            if policies.is_body_lead(user, application.body_id):
                return _("Assign a reviewer.")
            return _("Waiting for a lead to assign a reviewer.")
        if state == ApplicationState.IN_REVIEW:
            if policies.is_assigned_reviewer(user, application):
                return _("Record a verdict per criterion, then approve, request changes or reject.")
            return _("In review.")
        if state == ApplicationState.CHANGES_REQUESTED:
            return _("Waiting for the applicant to make the changes and resubmit.")
    return str(ApplicationState(state).label)


def scope_rows(application: Application) -> dict[str, list[dict[str, Any]]]:
    """What the application covers: names and identifiers (never passport values)."""
    return {
        "battery_models": [
            {"name": m.name, "part_id": m.manufacturer_part_id}
            for m in application.battery_models.order_by("name")
        ],
        "passports": [
            {"unique_identifier": p.unique_identifier}
            for p in application.passports.order_by("unique_identifier")
        ],
        "sites": [{"name": s.name, "city": s.city} for s in application.sites.order_by("name")],
    }


def assign_form(application: Application, data=None) -> AssignForm:
    """The lead's choice of reviewer: members of the application's body only."""
    return AssignForm(
        data=data,
        initial={"reviewer": application.reviewer_id},
        reviewers=selectors.body_reviewers(application.body),
    )
