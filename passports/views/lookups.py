"""Looking objects up for the pages: a passport or battery model in the caller's scope (else 404), a
refusal (403) for visible objects the caller may not change, and whether the caller may create battery
models.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from portal.tenancy.models import Organization

from .. import policies, selectors
from ..models import BatteryModel, Passport


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
    return policies.can_create_models(user, organization)
