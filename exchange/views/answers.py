"""Answer pages: the released figures for the two companies of the request, the files (served through
this view, which asks the Answer rule, never from a public URL), and the supplier's correction."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from portal.restrict import permits
from portal.uploads import limit_uploads

from .. import services
from ..forms import AnswerForm
from ..models import PartKind
from .common import answer_or_404, company_member_required, forbid_unless
from .display import answer_view, part_label
from .requests import preview


@company_member_required
@require_safe
def answer_detail(request: HttpRequest, public_id) -> HttpResponse:
    answer = answer_or_404(request, public_id)
    is_supplier = answer.supplier_id == request.company.pk
    context = {
        "answer": answer_view(answer),
        "side": "supplier" if is_supplier else "customer",
        "can_correct": permits(request.user, "correct", answer),
    }
    if is_supplier:
        context["supplier_part"] = part_label(answer.supplier_part)  # the supplier's own part, to itself
    return render(request, "exchange/answer_detail.html", context)


@company_member_required
@require_safe
def answer_file(request: HttpRequest, public_id, file_id) -> HttpResponse:
    """The file as a download, to the two companies of the answer only: never rendered inline, never
    sniffed, never kept by shared caches."""
    answer = answer_or_404(request, public_id)
    stored = answer.files.filter(public_id=file_id).first()
    if stored is None:
        raise Http404
    try:
        with stored.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(content, content_type=stored.content_type)
    response["Content-Disposition"] = content_disposition_header(True, stored.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_vary_headers(response, ("Cookie",))
    return response


@csrf_exempt
def answer_correct(request: HttpRequest, public_id) -> HttpResponse:
    limit_uploads(request)  # before CSRF protection reads the body: an oversized file is cut off
    return _answer_correct(request, public_id)


@csrf_protect
@company_member_required
@require_http_methods(["GET", "POST"])
def _answer_correct(request: HttpRequest, public_id) -> HttpResponse:
    """A correction: today's roll-up of the same part with the descriptors as they were, changed as
    needed; the new answer supersedes this one and the customer is told."""
    answer = answer_or_404(request, public_id)
    forbid_unless(permits(request.user, "correct", answer))
    part = answer.supplier_part
    if part.kind != PartKind.MADE:
        raise Http404
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        footprint=answer.has_footprint or answer.request.wants_footprint,
        initial=AnswerForm.initial_of(services.details_of(answer)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            successor = services.correct_answer(actor=request.user, answer=answer, details=form.details())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("Correction released as version %(version)s.") % {"version": successor.version}
            )
            return redirect("exchange:answer", public_id=successor.public_id)
    context = {
        "data_request": {
            "id": answer.request.public_id,
            "reference": answer.request.reference,
            "customer": answer.customer.legal_name,
            "kinds": answer.request.kinds_label,
        },
        "answer": {"id": answer.public_id, "version": answer.version},
        "chosen": part_label(part),
        "form": form,
        "action": "correct",
        **preview(request, part),
    }
    return render(request, "exchange/answer_form.html", context, status=400 if form.errors else 200)
