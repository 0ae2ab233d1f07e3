"""Looking objects up for the pages: a passport or battery model in the caller's scope (else 404), a
refusal (403) for visible objects the caller may not change, whether the caller may create battery models,
and the organizations that hold, or may receive, a legitimate-interest grant.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from guardian.shortcuts import get_groups_with_perms

from portal.tenancy.models import COMPANY_KINDS, Organization, OrganizationKind

from .. import policies, selectors
from ..models import VIEW_LEGITIMATE_INTEREST, BatteryModel, Passport


# ---- looking objects up -----------------------------------------------------------------------------
def uuid_or_404(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise Http404 from None


def passport_or_404(request: HttpRequest, public_id) -> Passport:
    passport = selectors.passport_get(actor=request.user, public_id=public_id)
    if passport is None:
        raise Http404
    return passport


def model_or_404(request: HttpRequest, public_id) -> BatteryModel:
    model = selectors.battery_model_get(actor=request.user, public_id=public_id)
    if model is None:
        raise Http404
    return model


def forbid_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def can_create_models(user, organization: Organization) -> bool:
    return organization.kind in COMPANY_KINDS and policies.can_edit(
        user, BatteryModel(organization=organization)
    )


def grantee_organizations(target: Passport | BatteryModel) -> list[Organization]:
    """Organizations holding the legitimate-interest grant on `target` (grants go to the organization's
    group, named "organization:<public id>")."""
    codename = f"{VIEW_LEGITIMATE_INTEREST}_{target._meta.model_name}"
    names = get_groups_with_perms(target, only_with_perms_in=[codename]).values_list("name", flat=True)
    ids = []
    for name in names:
        prefix, _sep, rest = name.partition(":")
        if prefix == "organization":
            try:
                ids.append(uuid.UUID(rest))
            except ValueError:
                continue
    return list(Organization.objects.filter(public_id__in=ids).order_by("legal_name"))


def grantable_organization(public_id: Any) -> Organization | None:
    """An organization that may receive a grant (active, not the platform operator): public facts only."""
    try:
        key = uuid.UUID(str(public_id))
    except (TypeError, ValueError):
        return None
    return (
        Organization.objects.filter(public_id=key, status="active")
        .exclude(kind=OrganizationKind.PLATFORM_OPERATOR)
        .first()
    )
