"""Who may see and act on certification data: the one rule, as querysets (`portal.restrict`).

`Application.objects.restrict(actor, action)`, `Evidence...`, `Certificate...` (and the bundles' own queryset
in `bundles/models.py`) state it; the selectors filter with it and the policies ask it of one row
(`permits`), so no path decides on its own.

Applications
- view: the applicant company's members (administrators, editors, viewers); the certification body's leads
  and reviewers once the application is submitted (a draft is the applicant's alone).
- manage: the applicant's administrators, in any state (submit, resubmit, withdraw: the service then
  checks the state and answers an illegal transition as such, not as a refusal).
- change: manage, while the application is editable (a draft, or changes were requested).
- lead: the body's leads, whatever the state (the assign service then checks the state; a draft stays
  invisible to them all the same); assign: a lead while the application is in a review state.
- review: the assigned reviewer (a lead or reviewer of the body); decide: the assigned reviewer of an
  application in review; reject: the assigned reviewer, in review or while changes are requested.

Evidence follows its application: view with "view", change (remove) with "change".

Certificates
- view: the holder's members, the issuing body's members, every authority member and the operators.
- change_status: the issuing body's leads and the reviewer who issued it (suspend, reinstate, revoke).
- renew: the holder's administrators.
- access_log: the holder's administrators and the operators (who saw the certificate's document).
A recognised certificate follows its origin: the services refuse to change or renew it on its own
(an illegal transition), whoever asks.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from portal.restrict import NOTHING, RestrictedQuerySet
from portal.tenancy.models import COMPANY_KINDS, MANAGER_ROLES, Membership, OrganizationKind, Role
from portal.tenancy.policies import is_operator
from portal.tenancy.selectors import membership_of

#: Everything (an operator or authority reading every certificate).
EVERYTHING = Q()

APPLICANT_ROLES = (Role.ADMIN, Role.EDITOR, Role.VIEWER)
BODY_ROLES = (Role.LEAD, Role.REVIEWER)


def acting_membership(actor: Any) -> Membership | None:
    """The actor's membership when it may act at all: an active user, an active membership, an active
    organization. Everything an organization's member may do starts here."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return None
    membership = membership_of(actor)
    if membership is None or not membership.organization.is_active:
        return None
    return membership


def _applicant(membership: Membership | None, roles=APPLICANT_ROLES) -> Q | None:
    if membership is None or membership.role not in roles:
        return NOTHING
    if membership.organization.kind not in COMPANY_KINDS:
        return NOTHING
    return Q(organization_id=membership.organization_id)


def _body(membership: Membership | None, roles=BODY_ROLES, *, submitted_only: bool = True) -> Q | None:
    """The applications addressed to the member's certification body (once submitted: a draft is the
    applicant's alone; `submitted_only=False` for a role-only rule whose state the service checks)."""
    from .models import ApplicationState

    if membership is None or membership.role not in roles:
        return NOTHING
    if membership.organization.kind != OrganizationKind.CERTIFICATION_BODY:
        return NOTHING
    condition = Q(body_id=membership.organization_id)
    return condition & ~Q(state=ApplicationState.DRAFT) if submitted_only else condition


def _either(*conditions: Q | None) -> Q | None:
    found = NOTHING
    for condition in conditions:
        if condition is not NOTHING:
            found = condition if found is NOTHING else found | condition
    return found


def _and(condition: Q | None, extra: Q) -> Q | None:
    return NOTHING if condition is NOTHING else condition & extra


class ApplicationQuerySet(RestrictedQuerySet):
    actions = frozenset({"view", "manage", "change", "lead", "assign", "review", "decide", "reject"})

    def rule(self, actor: Any, action: str) -> Q | None:
        # The states are the model module's (which imports this one: hence here, not at the top).
        from .models import EDITABLE_STATES, REVIEW_STATES, ApplicationState

        membership = acting_membership(actor)
        if action == "view":
            return _either(_applicant(membership), _body(membership))
        if action == "manage":
            return _applicant(membership, (Role.ADMIN,))
        if action == "change":
            return _and(_applicant(membership, (Role.ADMIN,)), Q(state__in=EDITABLE_STATES))
        if action == "lead":
            return _body(membership, (Role.LEAD,), submitted_only=False)
        if action == "assign":
            return _and(_body(membership, (Role.LEAD,)), Q(state__in=REVIEW_STATES))
        reviewer = _and(_body(membership), Q(reviewer_id=actor.pk)) if membership is not None else NOTHING
        if action == "review":
            return reviewer
        if action == "decide":
            return _and(reviewer, Q(state=ApplicationState.IN_REVIEW))
        # reject
        return _and(reviewer, Q(state__in=(ApplicationState.IN_REVIEW, ApplicationState.CHANGES_REQUESTED)))


class EvidenceQuerySet(RestrictedQuerySet):
    """Evidence has no rule of its own: the application's "view" and "change", applied through the FK."""

    actions = frozenset({"view", "change"})

    def rule(self, actor: Any, action: str) -> Q | None:
        from .models import Application

        condition = Application.objects.all().rule(actor, action)
        if condition is NOTHING:
            return NOTHING
        return Q(application__in=Application.objects.filter(condition).values("pk"))


class CertificateQuerySet(RestrictedQuerySet):
    actions = frozenset({"view", "change_status", "renew", "access_log"})

    def rule(self, actor: Any, action: str) -> Q | None:
        operator = is_operator(actor)
        membership = acting_membership(actor)
        organization_id = membership.organization_id if membership is not None else None
        role = membership.role if membership is not None else None
        if action == "view":
            if operator:
                return EVERYTHING
            if membership is None:
                return NOTHING
            if membership.organization.kind == OrganizationKind.AUTHORITY:
                return EVERYTHING
            return Q(holder_id=organization_id) | Q(issuing_body_id=organization_id)
        if action == "change_status":
            if role == Role.LEAD:
                return Q(issuing_body_id=organization_id)
            if role in BODY_ROLES:
                return Q(issuing_body_id=organization_id, reviewer_id=actor.pk)
            return NOTHING
        if action == "renew":
            return Q(holder_id=organization_id) if role == Role.ADMIN else NOTHING
        # access_log: whoever reads the holder's audit log (portal.tenancy.policies.can_view_audit_log).
        if operator:
            return EVERYTHING
        return Q(holder_id=organization_id) if role in MANAGER_ROLES else NOTHING
