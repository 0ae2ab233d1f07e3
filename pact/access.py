"""Who may see or change PACT clients: one rule, `PactClient.objects.restrict(actor, action)`.

A company's administrators (the tenancy managers) see and revoke the clients acting for their company;
nobody else does through the portal (operators use the Django admin or `manage.py pact_client`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from portal.restrict import NOTHING, RestrictedQuerySet
from portal.tenancy.models import COMPANY_KINDS, MANAGER_ROLES
from portal.tenancy.selectors import membership_of


def managed_company(actor: Any):
    """The active company whose PACT clients `actor` manages, or None."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    membership = membership_of(actor)
    if membership is None or membership.role not in MANAGER_ROLES:
        return None
    organization = membership.organization
    if not organization.is_active or organization.kind not in COMPANY_KINDS:
        return None
    return organization


class PactClientQuerySet(RestrictedQuerySet):
    actions = frozenset({"view", "change"})

    def rule(self, actor, action: str) -> Q | None:
        company = managed_company(actor)
        return NOTHING if company is None else Q(organization=company)
