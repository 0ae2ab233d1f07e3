"""The operator's queue of registrations outside the raw admin: approve, or reject with a reason the
applicant is told. Everything else about organizations stays in the admin."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import policies, selectors, services


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (sent to the applicant)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def operator_dashboard(
    request: HttpRequest, *, rejection: tuple[str, RejectionForm] | None = None
) -> HttpResponse:
    pending = list(selectors.registrations_pending(actor=request.user))
    forms_by_id = {str(org.public_id): RejectionForm(prefix=str(org.public_id)) for org in pending}
    if rejection is not None:
        forms_by_id[rejection[0]] = rejection[1]
    rows = [
        {"organization": org, "admin": next(iter(org.admins), None), "form": forms_by_id[str(org.public_id)]}
        for org in pending
    ]
    return render(
        request,
        "dashboards/operator.html",
        {"pending": rows, "pending_count": len(rows)},
        status=400 if rejection is not None else 200,
    )


def _pending_or_404(request: HttpRequest, public_id):
    if not policies.is_operator(request.user):
        raise PermissionDenied
    organization = selectors.registration_pending_get(actor=request.user, public_id=public_id)
    if organization is None:
        raise Http404
    return organization


@require_POST
def registration_approve(request: HttpRequest, public_id) -> HttpResponse:
    organization = _pending_or_404(request, public_id)
    services.organization_approve(actor=request.user, organization=organization)
    messages.success(
        request,
        _("%(name)s is approved; its administrator is told by e-mail.") % {"name": organization.legal_name},
    )
    return redirect("dashboard")


@require_POST
def registration_reject(request: HttpRequest, public_id) -> HttpResponse:
    organization = _pending_or_404(request, public_id)
    form = RejectionForm(request.POST, prefix=str(organization.public_id))
    if form.is_valid():
        try:
            services.organization_reject(
                actor=request.user, organization=organization, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s is rejected; its administrator is told why.") % {"name": organization.legal_name},
            )
            return redirect("dashboard")
    return operator_dashboard(request, rejection=(str(organization.public_id), form))
