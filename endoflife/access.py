"""Who may see or change end-of-life rows: one rule per model, `restrict(actor, action)`.

A transfer is seen by the company that sent it and the company on the portal that receives it; the sender's
editors change or withdraw it until it is received, the recipient's editors confirm receipt. A recovered
output is its recycler's own. Operators and authorities read none of these rows (the oversight cube holds
their protected aggregates).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from portal.restrict import NOTHING, RestrictedQuerySet
from portal.tenancy.models import COMPANY_KINDS, Organization, Role
from portal.tenancy.selectors import active_organization_of, membership_of

EDIT_ROLES = (Role.ADMIN, Role.EDITOR)


def company_of(actor: Any) -> Organization | None:
    """The active company (manufacturer, supplier, recycler or collector) the actor works for."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    organization = active_organization_of(actor)
    return organization if organization is not None and organization.kind in COMPANY_KINDS else None


def is_editor(actor: Any) -> bool:
    membership = membership_of(actor)
    return membership is not None and membership.role in EDIT_ROLES


class TransferQuerySet(RestrictedQuerySet):
    """view: sender and recipient. change (correct or withdraw): the sender's editors until received.
    receive: the recipient's editors until received."""

    actions = frozenset({"view", "change", "receive"})

    def rule(self, actor, action: str) -> Q | None:
        company = company_of(actor)
        if company is None:
            return NOTHING
        if action == "view":
            return Q(organization=company) | Q(recipient=company)
        if not is_editor(actor):
            return NOTHING
        if action == "change":
            return Q(organization=company, received_at__isnull=True)
        return Q(recipient=company, received_at__isnull=True)


class RecoveredOutputQuerySet(RestrictedQuerySet):
    """A recycler's own outputs: its members see them, its editors change them."""

    actions = frozenset({"view", "change"})

    def rule(self, actor, action: str) -> Q | None:
        company = company_of(actor)
        if company is None or (action == "change" and not is_editor(actor)):
            return NOTHING
        return Q(organization=company)
