"""End-of-life pages: transfers sent and received, receipt, recovered output. Thin shells over services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.admin_writes import add_service_errors
from portal.restrict import permits
from portal.tenancy.models import OrganizationKind

from . import selectors, services
from .access import company_of, is_editor
from .forms import RecoveredOutputForm, TransferForm
from .models import Transfer


def _company(request: HttpRequest):
    company = company_of(request.user)
    if company is None:
        raise Http404
    return company


@login_required
def transfers(request: HttpRequest) -> HttpResponse:
    company = _company(request)
    rows = selectors.transfers_for(actor=request.user)
    return render(
        request,
        "endoflife/transfers.html",
        {
            "sent": [t for t in rows if t.organization_id == company.pk],
            "received": [t for t in rows if t.recipient_id == company.pk],
            "can_edit": is_editor(request.user),
            "is_recycler": company.kind == OrganizationKind.RECYCLER,
        },
    )


@login_required
def transfer_create(request: HttpRequest) -> HttpResponse:
    _company(request)
    if not is_editor(request.user):
        raise Http404
    form = TransferForm(request.POST or None, initial={"passport": request.GET.get("passport") or None})
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            transfer = services.transfer_record(actor=request.user, values=values)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Transfer recorded."))
            return redirect("endoflife:transfer", public_id=transfer.public_id)
    return render(request, "endoflife/transfer_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def transfer_detail(request: HttpRequest, public_id) -> HttpResponse:
    transfer = _transfer_or_404(request, public_id)
    return render(
        request,
        "endoflife/transfer_detail.html",
        {
            "transfer": transfer,
            "can_receive": permits(request.user, "receive", transfer),
            "can_withdraw": permits(request.user, "change", transfer),
        },
    )


def _transfer_or_404(request: HttpRequest, public_id) -> Transfer:
    transfer = selectors.transfer_get(actor=request.user, public_id=public_id)
    if transfer is None:
        raise Http404
    return transfer


@login_required
@require_POST
def transfer_receive(request: HttpRequest, public_id) -> HttpResponse:
    transfer = services.transfer_receive(actor=request.user, transfer=_transfer_or_404(request, public_id))
    messages.success(request, _("Receipt confirmed."))
    return redirect("endoflife:transfer", public_id=transfer.public_id)


@login_required
@require_POST
def transfer_withdraw(request: HttpRequest, public_id) -> HttpResponse:
    services.transfer_withdraw(actor=request.user, transfer=_transfer_or_404(request, public_id))
    messages.success(request, _("Transfer withdrawn."))
    return redirect("endoflife:transfers")


@login_required
def outputs(request: HttpRequest) -> HttpResponse:
    company = _company(request)
    if company.kind != OrganizationKind.RECYCLER:
        raise Http404
    form = RecoveredOutputForm(request.POST or None, initial={"facility_country": company.country.code})
    if request.method == "POST":
        if not is_editor(request.user):
            raise Http404
        if form.is_valid():
            try:
                services.recovered_output_record(actor=request.user, values=form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Recovered output recorded."))
                return redirect("endoflife:outputs")
    rows = selectors.outputs_for(actor=request.user)
    return render(
        request,
        "endoflife/outputs.html",
        {"form": form, "rows": rows, "can_edit": is_editor(request.user)},
        status=400 if form.errors else 200,
    )
