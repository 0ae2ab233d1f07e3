"""Sharing pages: granting and revoking legitimate-interest access to a passport or a battery model,
with a search for the organizations that may receive it (the platform operator never does).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.tenancy.decorators import active_member_required
from portal.tenancy.models import Organization
from portal.tenancy.selectors import organizations_matching

from .. import policies, selectors, services
from ..models import BatteryModel, Passport
from .lookups import forbid_unless, model_or_404, passport_or_404


# ---- sharing (legitimate-interest grants) --------------------------------------------------------------
def _sharing(
    request: HttpRequest, target: Passport | BatteryModel, back_url: str, title: str
) -> HttpResponse:
    forbid_unless(policies.can_grant(request.user, target))
    if request.method == "POST":
        organization = selectors.grantee_get(actor=request.user, public_id=request.POST.get("organization"))
        action = request.POST.get("action")
        if organization is None or action not in ("grant", "revoke"):
            messages.error(request, _("Choose an organization from the search results."))
        else:
            try:
                if action == "grant":
                    services.grant_legitimate_interest(
                        actor=request.user, target=target, organization=organization
                    )
                    messages.success(
                        request,
                        _("%(name)s now has legitimate-interest access.") % {"name": organization.legal_name},
                    )
                else:
                    services.revoke_legitimate_interest(
                        actor=request.user, target=target, organization=organization
                    )
                    messages.success(
                        request, _("Access of %(name)s revoked.") % {"name": organization.legal_name}
                    )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
        return redirect(request.path)
    query = request.GET.get("q", "").strip()[:100]
    grantees = selectors.legitimate_interest_grantees(actor=request.user, target=target)
    granted_ids = {o.pk for o in grantees}
    results = []
    if query:
        found = organizations_matching(actor=request.user, query=query)
        results = [
            _organization_row(o, granted=o.pk in granted_ids)
            for o in found
            if policies.may_receive_grant(target.organization, o)
        ]
    inherited = []
    if isinstance(target, Passport):
        inherited = [
            _organization_row(o, granted=True)
            for o in selectors.legitimate_interest_grantees(actor=request.user, target=target.battery_model)
        ]
    return render(
        request,
        "passports/sharing.html",
        {
            "title": title,
            "back_url": back_url,
            "query": query,
            "results": results,
            "grantees": [_organization_row(o, granted=True) for o in grantees],
            "inherited": inherited,
            "is_passport": isinstance(target, Passport),
        },
    )


def _organization_row(organization: Organization, *, granted: bool) -> dict[str, Any]:
    return {
        "id": organization.public_id,
        "name": organization.legal_name,
        "kind": organization.get_kind_display(),
        "country": organization.country.name,
        "identifiers": organization.identifiers,
        "granted": granted,
    }


@active_member_required
@require_http_methods(["GET", "POST"])
def passport_sharing(request: HttpRequest, public_id) -> HttpResponse:
    passport = passport_or_404(request, public_id)
    title = _("Sharing of passport %(identifier)s") % {"identifier": passport.unique_identifier}
    return _sharing(request, passport, reverse("passports:detail", args=[passport.public_id]), title)


@active_member_required
@require_http_methods(["GET", "POST"])
def model_sharing(request: HttpRequest, public_id) -> HttpResponse:
    model = model_or_404(request, public_id)
    title = _("Sharing of battery model %(name)s") % {"name": model.name}
    return _sharing(request, model, reverse("passports:model_detail", args=[model.public_id]), title)
