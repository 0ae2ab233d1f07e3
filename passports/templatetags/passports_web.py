"""Template tags of the passport pages: the summary card on the company dashboard, the authority's look-up."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q

from portal.tenancy.selectors import active_organization_of

from .. import selectors
from ..models import VersionState

register = template.Library()


@register.simple_tag(takes_context=True)
def passport_summary(context) -> dict[str, Any]:
    """Counts of the caller's own passports and battery models, and of the passports other companies share
    with it (the dashboard lives in `portal`, which must not know passports, so the card asks here)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    organization = active_organization_of(user)
    if organization is None:
        return {"passports": 0, "drafts": 0, "published": 0, "models": 0, "shared": 0}
    own = selectors.passports_for(actor=user).filter(organization=organization).order_by()
    counts = own.aggregate(
        total=Count("pk", distinct=True),
        drafts=Count("pk", filter=Q(versions__state=VersionState.DRAFT), distinct=True),
        published=Count("pk", filter=Q(versions__state=VersionState.PUBLISHED), distinct=True),
    )
    models = selectors.battery_models_for(actor=user).filter(organization=organization).count()
    shared = selectors.passports_for(actor=user).exclude(organization=organization).count()
    return {
        "shared": shared,
        "passports": counts["total"],
        "drafts": counts["drafts"],
        "published": counts["published"],
        "models": models,
    }


@register.simple_tag(takes_context=True)
def passports_readable(context) -> bool:
    """Whether the caller may open any passport (an authority: once one is published): the dashboard then
    offers the search instead of saying it is unavailable."""
    request = context.get("request")
    return selectors.passports_for(actor=getattr(request, "user", None)).exists()
