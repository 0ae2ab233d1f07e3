"""Every application state x every action x every role: the right role in the right state succeeds, a
wrong role gets a PermissionDenied with a reason, the right role in a wrong state an InvalidTransition,
and nothing changes on a refusal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from certification import services
from certification.models import Application, ApplicationState, VerdictValue
from portal.exceptions import InvalidTransition
from portal.tenancy.models import OrganizationKind, Role
from tests.factories import OrganizationFactory, member

from .conftest import meet_all

S = ApplicationState


def _to_state(application: Application, state: str, *, admin, lead, reviewer) -> Application:
    if state == S.DRAFT:
        return application
    services.application_submit(actor=admin, application=application, declaration_name="Anna Admin")
    if state == S.SUBMITTED:
        return application
    services.application_assign(actor=lead, application=application, reviewer=reviewer)
    if state == S.IN_REVIEW:
        return application
    if state == S.CHANGES_REQUESTED:
        services.application_request_changes(actor=reviewer, application=application, message="More evidence")
    elif state == S.APPROVED:
        meet_all(application, reviewer)
        services.application_approve(actor=reviewer, application=application)
    elif state == S.REJECTED:
        services.application_reject(actor=reviewer, application=application, reason="Not ready")
    elif state == S.WITHDRAWN:
        services.application_withdraw(actor=admin, application=application)
    application.refresh_from_db()
    assert application.state == state
    return application


# action -> (who may do it, states it is allowed in, how to call it)
ACTIONS: dict[str, tuple[str, tuple[str, ...], Callable]] = {
    "submit": (
        "admin",
        (S.DRAFT,),
        lambda actor, app, w: services.application_submit(actor=actor, application=app, declaration_name="X"),
    ),
    "assign": (
        "lead",
        (S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED),
        lambda actor, app, w: services.application_assign(
            actor=actor, application=app, reviewer=w["reviewer"]
        ),
    ),
    "request_changes": (
        "reviewer",
        (S.IN_REVIEW,),
        lambda actor, app, w: services.application_request_changes(
            actor=actor, application=app, message="Fix"
        ),
    ),
    "resubmit": (
        "admin",
        (S.CHANGES_REQUESTED,),
        lambda actor, app, w: services.application_resubmit(
            actor=actor, application=app, declaration_name="X"
        ),
    ),
    "approve": (
        "reviewer",
        (S.IN_REVIEW,),
        lambda actor, app, w: services.application_approve(actor=actor, application=app),
    ),
    "reject": (
        "reviewer",
        (S.IN_REVIEW, S.CHANGES_REQUESTED),
        lambda actor, app, w: services.application_reject(actor=actor, application=app, reason="No"),
    ),
    "withdraw": (
        "admin",
        (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED),
        lambda actor, app, w: services.application_withdraw(actor=actor, application=app),
    ),
    "answer": (
        "admin",
        (S.DRAFT, S.CHANGES_REQUESTED),
        lambda actor, app, w: services.answers_save(
            actor=actor, application=app, answers={"CX-BP-01": "Yes"}
        ),
    ),
    "verdict": (
        "reviewer",
        (S.IN_REVIEW,),
        lambda actor, app, w: services.verdict_record(
            actor=actor, application=app, criterion=app.scheme.criteria.first(), value=VerdictValue.MET
        ),
    ),
}
ROLES = (
    "admin",
    "viewer",
    "lead",
    "reviewer",
    "other_reviewer",
    "other_company",
    "other_body_lead",
    "inspector",
)


@pytest.fixture
def world(admin_a, viewer_a, lead, reviewer, certification_body, inspector):
    other_body = OrganizationFactory(kind=OrganizationKind.CERTIFICATION_BODY, legal_name="Other Body")
    return {
        "admin": admin_a,
        "viewer": viewer_a,
        "lead": lead,
        "reviewer": reviewer,
        "other_reviewer": member(Role.REVIEWER, certification_body, username="other-reviewer"),
        "other_company": member(
            Role.ADMIN, OrganizationFactory(legal_name="Other Co"), username="other-admin"
        ),
        "other_body_lead": member(Role.LEAD, other_body, username="other-lead"),
        "inspector": inspector,
    }


def _expected(action: str, state: str, role: str) -> str:
    who, states, _call = ACTIONS[action]
    # The reviewer is assigned from "in review" on; before that, nobody holds the reviewer's role.
    reviewer_assigned = state not in (S.DRAFT, S.SUBMITTED)
    role_ok = role == who and (who != "reviewer" or reviewer_assigned)
    if not role_ok:
        return "denied"
    return "done" if state in states else "invalid"


@pytest.mark.parametrize("state", list(S.values))
def test_transition_matrix(state, world, draft):
    """One application per state (setting one up is the costly part); every action by every role is tried
    in a savepoint that is rolled back, so each attempt starts from the same state."""
    application = _to_state(
        draft, state, admin=world["admin"], lead=world["lead"], reviewer=world["reviewer"]
    )
    outcomes, expected = {}, {}
    for action, (_who, _states, call) in ACTIONS.items():
        for role in ROLES:
            before = Application.objects.get(pk=application.pk)
            with transaction.atomic():
                if action == "approve" and state == S.IN_REVIEW:
                    meet_all(before, world["reviewer"])
                try:
                    call(world[role], Application.objects.get(pk=application.pk), world)
                    outcomes[action, role] = "done"
                except PermissionDenied as exc:
                    assert str(exc), "a refusal says why"
                    outcomes[action, role] = "denied"
                except InvalidTransition as exc:
                    assert str(before.get_state_display()) in exc.messages[0]
                    outcomes[action, role] = "invalid"
                transaction.set_rollback(True)
            after = Application.objects.get(pk=application.pk)
            assert (after.state, after.round, after.reviewer_id) == (
                before.state,
                before.round,
                before.reviewer_id,
            )
            expected[action, role] = _expected(action, state, role)
    assert outcomes == expected
