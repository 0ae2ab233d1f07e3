"""Data requests: the two lists (to answer, sent), sending one from a bought part, the request page both
companies share, cancelling (customer), sending back and answering (supplier). Anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.restrict import permits
from portal.uploads import limit_uploads

from .. import selectors, services
from ..forms import AnswerForm, RequestForm, SendBackForm
from ..models import PartKind
from ..rollup import CycleError
from .common import company_member_required, forbid_unless, part_or_404, request_or_404
from .display import answer_row, part_label, request_row, rollup_view


@company_member_required
@require_safe
def request_list(request: HttpRequest) -> HttpResponse:
    received = [request_row(r) for r in selectors.requests_received(actor=request.user)]
    sent = [request_row(r) for r in selectors.requests_sent(actor=request.user)]
    return render(request, "exchange/request_list.html", {"received": received, "sent": sent})


@company_member_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest, public_id) -> HttpResponse:
    """Ask the supplier of one of the company's bought parts for its footprint and/or materials."""
    part = part_or_404(request, public_id, "change")
    if part.kind != PartKind.BOUGHT:
        raise Http404
    form = RequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.send_request(actor=request.user, part=part, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("Request sent to %(supplier)s.") % {"supplier": sent.supplier.legal_name}
            )
            return redirect("exchange:request", public_id=sent.public_id)
    return render(
        request,
        "exchange/request_form.html",
        {
            "form": form,
            "part": part_label(part),
            "supplier": part.supplier.legal_name if part.supplier_id else "",
        },
        status=400 if form.errors else 200,
    )


@company_member_required
@require_safe
def request_detail(request: HttpRequest, public_id) -> HttpResponse:
    data_request = request_or_404(request, public_id)
    is_supplier = data_request.supplier_id == request.company.pk
    answers = [answer_row(a) for a in selectors.answers_on(actor=request.user, request=data_request)]
    context = {
        "data_request": request_row(data_request),
        "side": "supplier" if is_supplier else "customer",
        "answers": answers,
        "can_cancel": permits(request.user, "cancel", data_request),
        "can_answer": permits(request.user, "answer", data_request),
        "can_send_back": permits(request.user, "send_back", data_request),
    }
    if is_supplier and data_request.supplier_part_id:
        context["supplier_part"] = part_label(data_request.supplier_part)  # the supplier's own part
    elif not is_supplier:
        context["customer_part_id"] = data_request.customer_part.public_id  # the customer's own part
    return render(request, "exchange/request_detail.html", context)


@company_member_required
@require_POST
def request_cancel(request: HttpRequest, public_id) -> HttpResponse:
    data_request = request_or_404(request, public_id)
    services.cancel_request(actor=request.user, request=data_request)
    messages.success(request, _("Request %(reference)s cancelled.") % {"reference": data_request.reference})
    return redirect("exchange:request", public_id=data_request.public_id)


@company_member_required
@require_http_methods(["GET", "POST"])
def request_send_back(request: HttpRequest, public_id) -> HttpResponse:
    data_request = request_or_404(request, public_id)
    forbid_unless(permits(request.user, "send_back", data_request))
    form = SendBackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.send_back_request(
                actor=request.user, request=data_request, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("Request %(reference)s sent back.") % {"reference": data_request.reference}
            )
            return redirect("exchange:request", public_id=data_request.public_id)
    return render(
        request,
        "exchange/send_back.html",
        {"form": form, "data_request": request_row(data_request)},
        status=400 if form.errors else 200,
    )


def preview(request: HttpRequest, part) -> dict:
    """The roll-up of the supplier's own part, as it would be released (and where it comes from)."""
    parts = {p.pk: p for p in selectors.parts_for(actor=request.user)}
    try:
        return {"rollup": rollup_view(selectors.rollup_for(actor=request.user, part=part), parts)}
    except CycleError:
        return {"rollup_error": _("The part's bill of materials contains a loop.")}


@csrf_exempt
def request_answer(request: HttpRequest, public_id) -> HttpResponse:
    limit_uploads(request)  # before CSRF protection reads the body: an oversized file is cut off
    return _request_answer(request, public_id)


@csrf_protect
@company_member_required
@require_http_methods(["GET", "POST"])
def _request_answer(request: HttpRequest, public_id) -> HttpResponse:
    """Choose one of the company's made parts in the request's unit (`?part=`), see its roll-up, state
    the descriptors and release the aggregate to this one customer."""
    data_request = request_or_404(request, public_id)
    forbid_unless(permits(request.user, "answer", data_request))
    candidates = list(
        selectors.parts_for(actor=request.user)
        .filter(kind=PartKind.MADE, unit=data_request.customer_part.unit)
        .order_by("local_id")
    )
    chosen_id = request.POST.get("supplier_part") if request.method == "POST" else request.GET.get("part")
    chosen = next((p for p in candidates if str(p.public_id) == (chosen_id or "")), None)
    if chosen_id and chosen is None:
        raise Http404
    form = None
    if chosen is not None:
        form = AnswerForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            footprint=data_request.wants_footprint,
            initial={"supplier_part": str(chosen.public_id)},
        )
        if request.method == "POST" and form.is_valid():
            try:
                answer = services.answer_request(
                    actor=request.user, request=data_request, supplier_part=chosen, details=form.details()
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("Answer released to %(customer)s.") % {"customer": data_request.customer.legal_name},
                )
                return redirect("exchange:answer", public_id=answer.public_id)
    elif request.method == "POST":
        raise Http404
    context = {
        "data_request": request_row(data_request),
        "candidates": [part_label(p) for p in candidates],
        "chosen": part_label(chosen) if chosen else None,
        "form": form,
        "action": "answer",
    }
    if chosen is not None:
        context.update(preview(request, chosen))
    return render(request, "exchange/answer_form.html", context, status=400 if form and form.errors else 200)
