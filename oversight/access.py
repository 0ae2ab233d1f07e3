"""Who may read the oversight's rows: one rule per model, `restrict(actor, "view")`.

Members of an active authority read the cubes of finished builds and the alerts; of them, only members
holding the enforcement permission (`oversight.enforce`, granted by an operator) read the flagged
transfers. Nobody else reads anything here: companies, certifiers, operators and the public get 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from portal.restrict import NOTHING, RestrictedQuerySet
from portal.tenancy.models import OrganizationKind
from portal.tenancy.selectors import active_organization_of


def is_overseer(actor: Any) -> bool:
    """A member of an active authority."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    organization = active_organization_of(actor)
    return organization is not None and organization.kind == OrganizationKind.AUTHORITY


def is_enforcer(actor: Any) -> bool:
    return is_overseer(actor) and actor.has_perm("oversight.enforce")


class CubeBuildQuerySet(RestrictedQuerySet):
    def rule(self, actor, action: str) -> Q | None:
        return Q(state="ready") if is_overseer(actor) else NOTHING


class CubeCellQuerySet(RestrictedQuerySet):
    def rule(self, actor, action: str) -> Q | None:
        return Q(build__state="ready") if is_overseer(actor) else NOTHING


class AlertQuerySet(RestrictedQuerySet):
    def rule(self, actor, action: str) -> Q | None:
        return Q() if is_overseer(actor) else NOTHING


class FlaggedTransferQuerySet(RestrictedQuerySet):
    def rule(self, actor, action: str) -> Q | None:
        return Q() if is_enforcer(actor) else NOTHING
