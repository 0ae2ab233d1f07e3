"""Who may see or change exchange rows: one rule per model, `restrict(actor, action)`.

One-up/one-down: a company sees its own parts, bill of materials and own data; a data request and the
answers on it are seen by exactly two companies, the customer that sent it and the direct supplier it
names. Nobody else, operators and authorities included, reads them through the portal.

An actor is a portal user (its active membership decides) or an outside system acting for one company
(a PACT client): anything with an `acts_for` attribute naming an active organization, which may only read
the answers released to that company.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from portal.restrict import NOTHING, RestrictedQuerySet
from portal.tenancy.models import COMPANY_KINDS, Role
from portal.tenancy.selectors import active_organization_of, membership_of

EDIT_ROLES = (Role.ADMIN, Role.EDITOR)


def company_of(actor: Any):
    """The active company the actor works for, or None (certification bodies, authorities and
    operators have no part in the exchange)."""
    if actor is None:
        return None
    acts_for = getattr(actor, "acts_for", None)
    if acts_for is not None:
        return acts_for if acts_for.is_active and acts_for.kind in COMPANY_KINDS else None
    if not getattr(actor, "is_authenticated", False):
        return None
    organization = active_organization_of(actor)
    return organization if organization is not None and organization.kind in COMPANY_KINDS else None


def is_editor(actor: Any) -> bool:
    """A member who may write (administrators and editors); outside systems never write through a rule."""
    if getattr(actor, "acts_for", None) is not None:
        return False
    membership = membership_of(actor)
    return membership is not None and membership.role in EDIT_ROLES


def is_person(actor: Any) -> bool:
    return getattr(actor, "acts_for", None) is None


class _OwnRowsQuerySet(RestrictedQuerySet):
    """Rows of one company: its members see them, its editors change them."""

    actions = frozenset({"view", "change"})
    organization_path = "organization"

    def rule(self, actor, action: str) -> Q | None:
        company = company_of(actor)
        if company is None or not is_person(actor) or (action == "change" and not is_editor(actor)):
            return NOTHING
        return Q(**{self.organization_path: company})


class PartQuerySet(_OwnRowsQuerySet):
    pass


class ComponentQuerySet(_OwnRowsQuerySet):
    organization_path = "parent__organization"


class OwnMaterialQuerySet(_OwnRowsQuerySet):
    organization_path = "part__organization"


class DataRequestQuerySet(RestrictedQuerySet):
    """view: the customer and the supplier. cancel: the customer's editors, while it is open (sent or sent
    back). answer, send_back: the supplier's editors while it is sent."""

    actions = frozenset({"view", "cancel", "answer", "send_back"})

    def rule(self, actor, action: str) -> Q | None:
        company = company_of(actor)
        if company is None or not is_person(actor):
            return NOTHING
        if action == "view":
            return Q(customer=company) | Q(supplier=company)
        if not is_editor(actor):
            return NOTHING
        if action == "cancel":
            return Q(customer=company, state__in=("sent", "sent_back"))
        return Q(supplier=company, state="sent")


class AnswerQuerySet(RestrictedQuerySet):
    """view: the supplier that released it and the customer it was released to (and that customer's
    outside systems). correct: the supplier's editors, while the answer is current."""

    actions = frozenset({"view", "correct"})

    def rule(self, actor, action: str) -> Q | None:
        company = company_of(actor)
        if company is None:
            return NOTHING
        if not is_person(actor):
            return Q(customer=company) if action == "view" else NOTHING
        if action == "view":
            return Q(customer=company) | Q(supplier=company)
        if not is_editor(actor):
            return NOTHING
        return Q(supplier=company, status="active")
