"""Company administrators' page for the PACT clients acting for their company: list, create (the secret
is shown once) and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.tenancy.decorators import active_member_required
from portal.tenancy.policies import can_manage_members, is_company

from . import selectors, services
from .forms import PactClientForm

NEW_SECRET_KEY = "passbridge_new_pact_secret"


def _require_admin(request: HttpRequest) -> None:
    organization = request.membership.organization
    if not is_company(organization):
        raise Http404
    if not can_manage_members(request.user, organization):
        raise PermissionDenied


@active_member_required
@require_http_methods(["GET", "POST"])
def clients(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = PactClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client, secret = services.client_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                callback_url=form.cleaned_data["callback_url"],
                partner_client_id=form.cleaned_data["partner_client_id"],
                partner_secret=form.cleaned_data["partner_client_secret"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            # Shown once after the redirect: a reload neither creates another client nor shows it again.
            request.session[NEW_SECRET_KEY] = {"client_id": client.client_id, "secret": secret}
            return redirect("pact:clients")
    new = request.session.pop(NEW_SECRET_KEY, None)
    return render(
        request,
        "pact/clients.html",
        {
            "form": form,
            "new": new,
            "clients": selectors.clients_for(actor=request.user),
            "token_url": request.build_absolute_uri(reverse("pact:token")),
            "api_base": request.build_absolute_uri(reverse("pact:index")),
        },
    )


@active_member_required
@require_POST
def client_revoke(request: HttpRequest, public_id) -> HttpResponse:
    _require_admin(request)
    client = selectors.client_get(actor=request.user, public_id=public_id)
    if client is None:
        raise Http404
    services.client_revoke(actor=request.user, client=client)
    messages.success(request, _("PACT client revoked."))
    return redirect("pact:clients")
