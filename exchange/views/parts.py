"""The company's own parts: list, create and edit, the supplier of a bought part, and a made part's page
with its bill of materials, own materials, roll-up and tree. Owner only: every other company gets 404;
viewers read, administrators and editors write (403 for a viewer's write)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.restrict import permits

from .. import selectors, services
from ..forms import ComponentForm, OwnMaterialForm, PartForm, SupplierForm
from ..models import Part, PartKind
from ..rollup import CycleError
from .common import can_write, company_member_required, forbid_unless, part_or_404
from .display import answer_row, part_label, request_row, rollup_view, tree_view


def _to_part(part: Part) -> HttpResponse:
    return redirect("exchange:part", public_id=part.public_id)


@company_member_required
@require_safe
def part_list(request: HttpRequest) -> HttpResponse:
    parts = list(selectors.parts_for(actor=request.user).order_by("local_id"))
    made = [part_label(p) for p in parts if p.kind == PartKind.MADE]
    bought = [
        {**part_label(p), "supplier": p.supplier.legal_name if p.supplier_id else ""}
        for p in parts
        if p.kind == PartKind.BOUGHT
    ]
    return render(
        request, "exchange/part_list.html", {"made": made, "bought": bought, "can_write": can_write(request)}
    )


@company_member_required
@require_http_methods(["GET", "POST"])
def part_create(request: HttpRequest) -> HttpResponse:
    """A new part; `?kind=made` (the default) or `?kind=bought`."""
    kind = request.GET.get("kind") or PartKind.MADE
    if kind not in PartKind.values:
        raise Http404
    forbid_unless(can_write(request))
    form = PartForm(request.POST if request.method == "POST" else None, kind=kind, with_supplier=True)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data.get("supplier_identifier", "")
        try:
            # One transaction: a supplier that cannot be linked leaves no part behind.
            with transaction.atomic():
                part = services.create_part(actor=request.user, kind=kind, data=form.data_for_service())
                if identifier:
                    services.link_supplier(actor=request.user, part=part, identifier=identifier)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Part %(id)s added.") % {"id": part.local_id})
            return _to_part(part)
    return render(
        request,
        "exchange/part_form.html",
        {"form": form, "kind": kind, "creating": True},
        status=400 if form.errors else 200,
    )


@company_member_required
@require_http_methods(["GET", "POST"])
def part_edit(request: HttpRequest, public_id) -> HttpResponse:
    part = part_or_404(request, public_id, "change")
    form = PartForm(
        request.POST if request.method == "POST" else None, kind=part.kind, initial=PartForm.initial_of(part)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_part(actor=request.user, part=part, data=form.data_for_service())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Part %(id)s saved.") % {"id": part.local_id})
            return _to_part(part)
    return render(
        request,
        "exchange/part_form.html",
        {"form": form, "kind": part.kind, "creating": False, "part": part_label(part)},
        status=400 if form.errors else 200,
    )


@company_member_required
@require_safe
def part_detail(request: HttpRequest, public_id) -> HttpResponse:
    part = part_or_404(request, public_id)
    context = {
        "part": part_label(part),
        "own": part,  # the owner's own row: its figures are the owner's to read
        "can_change": permits(request.user, "change", part),
    }
    if part.kind == PartKind.BOUGHT:
        context["supplier"] = part.supplier
        context["requests"] = [
            request_row(r) for r in selectors.requests_sent(actor=request.user).filter(customer_part=part)
        ]
        context["answers"] = [
            answer_row(a)
            for a in selectors.answers_for(actor=request.user).filter(
                customer=request.company, request__customer_part=part
            )
        ]
        return render(request, "exchange/part_bought.html", context)
    parts = {p.pk: p for p in selectors.parts_for(actor=request.user)}
    context["components"] = [
        {**part_label(c.child), "quantity": c.quantity, "child_id": c.child.public_id}
        for c in selectors.components_of(actor=request.user, part=part)
    ]
    context["materials"] = list(selectors.own_materials_of(actor=request.user, part=part))
    try:
        context["rollup"] = rollup_view(selectors.rollup_for(actor=request.user, part=part), parts)
    except CycleError:
        context["rollup_error"] = _("The bill of materials contains a loop; remove one of its lines.")
    context["tree"] = tree_view(request.user, part, parts)
    context["quality"] = PartForm.initial_of(part)
    return render(request, "exchange/part_made.html", context)


@company_member_required
@require_http_methods(["GET", "POST"])
def part_supplier(request: HttpRequest, public_id) -> HttpResponse:
    part = part_or_404(request, public_id, "change")
    if part.kind != PartKind.BOUGHT:
        raise Http404
    form = SupplierForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.link_supplier(actor=request.user, part=part, identifier=form.cleaned_data["identifier"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Supplier of %(id)s saved.") % {"id": part.local_id})
            return _to_part(part)
    return render(
        request,
        "exchange/supplier_form.html",
        {
            "form": form,
            "part": part_label(part),
            "current": part.supplier.legal_name if part.supplier_id else "",
        },
        status=400 if form.errors else 200,
    )


def _made_or_404(request: HttpRequest, public_id) -> Part:
    part = part_or_404(request, public_id, "change")
    if part.kind != PartKind.MADE:
        raise Http404
    return part


@company_member_required
@require_http_methods(["GET", "POST"])
def component_form(request: HttpRequest, public_id) -> HttpResponse:
    """Add a line to the bill of materials, or change the quantity of one (`?child=<part>`)."""
    part = _made_or_404(request, public_id)
    candidates = selectors.parts_for(actor=request.user).exclude(pk=part.pk).order_by("kind", "local_id")
    initial = {}
    existing = request.GET.get("child", "")
    if existing:
        line = (
            selectors.components_of(actor=request.user, part=part).filter(child__public_id=existing).first()
            if _is_uuid(existing)
            else None
        )
        if line is None:
            raise Http404
        initial = {"child": str(line.child.public_id), "quantity": f"{line.quantity.normalize():f}"}
    form = ComponentForm(
        request.POST if request.method == "POST" else None, parts=candidates, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        child = selectors.part_get(actor=request.user, public_id=form.cleaned_data["child"])
        if child is None:
            raise Http404
        try:
            services.set_component(
                actor=request.user, parent=part, child=child, quantity=form.cleaned_data["quantity"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Bill of materials of %(id)s saved.") % {"id": part.local_id})
            return _to_part(part)
    return render(
        request,
        "exchange/component_form.html",
        {"form": form, "part": part_label(part), "changing": bool(existing)},
        status=400 if form.errors else 200,
    )


@company_member_required
@require_POST
def component_remove(request: HttpRequest, public_id, child_id) -> HttpResponse:
    part = _made_or_404(request, public_id)
    line = selectors.components_of(actor=request.user, part=part).filter(child__public_id=child_id).first()
    if line is None:
        raise Http404
    services.remove_component(actor=request.user, component=line)
    messages.success(
        request, _("%(child)s removed from the bill of materials.") % {"child": line.child.local_id}
    )
    return _to_part(part)


@company_member_required
@require_http_methods(["GET", "POST"])
def material_form(request: HttpRequest, public_id) -> HttpResponse:
    """Declare one material the company adds itself (`?material=<code>` changes an earlier one)."""
    part = _made_or_404(request, public_id)
    initial = {}
    code = request.GET.get("material", "")
    if code:
        row = selectors.own_materials_of(actor=request.user, part=part).filter(material__code=code).first()
        if row is None:
            raise Http404
        initial = OwnMaterialForm.initial_of(row)
    form = OwnMaterialForm(
        request.POST if request.method == "POST" else None, materials=selectors.materials(), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_own_material(actor=request.user, part=part, data=form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Materials of %(id)s saved.") % {"id": part.local_id})
            return _to_part(part)
    return render(
        request,
        "exchange/material_form.html",
        {"form": form, "part": part_label(part), "changing": bool(code)},
        status=400 if form.errors else 200,
    )


@company_member_required
@require_POST
def material_remove(request: HttpRequest, public_id, code: str) -> HttpResponse:
    part = _made_or_404(request, public_id)
    row = selectors.own_materials_of(actor=request.user, part=part).filter(material__code=code).first()
    if row is None:
        raise Http404
    services.remove_own_material(actor=request.user, row=row)
    messages.success(request, _("%(material)s removed.") % {"material": row.material.display_name})
    return _to_part(part)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
