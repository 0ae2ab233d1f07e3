"""Battery model pages: the model list, creating a model and editing it step by step, the confidential
supply-chain step (owner staff only) and the model page.
"""

from __future__ import annotations

import json
import re
from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.archiving import ARCHIVED_PARAMETER, archived_requested
from portal.button_actions import button_action
from portal.tenancy.decorators import active_member_required
from portal.tenancy.selectors import active_organization_of

from .. import model_pcf, policies, selectors, services
from ..catalogue import Category, Viewer, attribute
from ..display import grouped_values, supply_chain_display
from ..forms import AttributeForm, PcfUploadForm, RowSet
from ..models import BatteryModel
from .display import completeness_panel
from .lists import PAGE_SIZE
from .lookups import can_create_models, forbid_unless, model_or_404
from .steps import SUPPLY_CHAIN_STEP, Step, after_save, model_steps, step_nav, step_or_404


# ---- battery models ------------------------------------------------------------------------------
@active_member_required
def model_list(request: HttpRequest) -> HttpResponse:
    own = active_organization_of(request.user)
    # The models in use by default; "Show archived models" (?archived=1) lists the archived ones instead.
    show_archived = archived_requested(request.GET.get(ARCHIVED_PARAMETER))
    models = (
        selectors.battery_models_for(actor=request.user, archived=show_archived)
        .annotate(passport_count=Count("passports", distinct=True))
        .order_by("name", "pk")
    )
    page = Paginator(models, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "id": m.public_id,
            "name": m.name,
            "part_id": m.manufacturer_part_id,
            "category": Category(m.category).label,
            "mine": own is not None and m.organization_id == own.pk,
            "passport_count": m.passport_count if own is not None and m.organization_id == own.pk else None,
            "archived": m.archived_at is not None,
        }
        for m in page.object_list
    ]
    return render(
        request,
        "passports/model_list.html",
        {
            "page": page,
            "rows": rows,
            "show_archived": show_archived,
            "filter_query": f"{ARCHIVED_PARAMETER}=1" if show_archived else "",  # kept by the page links
            "can_create": own is not None and can_create_models(request.user, own),
        },
    )


def _add_required_errors(form: AttributeForm, values: dict[str, Any]) -> None:
    """The service checks the required model keys only once every value is valid: name the empty ones
    with the other errors, so one round trip shows everything to correct."""
    for key in services.REQUIRED_MODEL_KEYS:
        if key in form.fields and values.get(key) in (None, "") and key not in form.errors:
            form.add_error(key, _("This field is required."))


def _model_url(model: BatteryModel):
    return lambda slug: reverse("passports:model_edit", args=[model.public_id, slug])


@active_member_required
@require_http_methods(["GET", "POST"])
def model_create(request: HttpRequest) -> HttpResponse:
    organization = request.membership.organization
    forbid_unless(can_create_models(request.user, organization))
    steps = model_steps()
    first = steps[0]
    form = AttributeForm(list(first.attributes), data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            model = services.battery_model_create(
                actor=request.user, organization=organization, values=values
            )
        except ValidationError as exc:
            form.add_service_error(exc)
            _add_required_errors(form, values)
        else:
            messages.success(request, _("Battery model created as a draft. Continue with the next step."))
            done = reverse("passports:model_detail", args=[model.public_id])
            return redirect(after_save(request, steps, 0, _model_url(model), done))
    return render(
        request,
        "passports/step_form.html",
        {
            "form": form,
            "kind": "model",
            "creating": True,
            "step": first,
            "step_index": 0,
            "steps": step_nav(steps, first.slug, None),
            "is_last": len(steps) == 1,
            "action": reverse("passports:model_create"),
            "cancel_url": reverse("passports:model_list"),
        },
        status=400 if form.has_errors else 200,
    )


@active_member_required
@require_http_methods(["GET", "POST"])
def model_edit(request: HttpRequest, public_id, step: str) -> HttpResponse:
    model = model_or_404(request, public_id)
    steps = model_steps()
    index, current = step_or_404(steps, step)
    if current.slug == SUPPLY_CHAIN_STEP:
        return _supply_chain_step(request, model, steps, index)
    forbid_unless(policies.can_edit(request.user, model))
    bound = request.POST if request.method == "POST" else None
    form = AttributeForm(list(current.attributes), data=bound, values=model.data)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            services.battery_model_update(actor=request.user, battery_model=model, values=values)
        except ValidationError as exc:
            form.add_service_error(exc)
            _add_required_errors(form, values)
        else:
            messages.success(request, _("Saved: %(step)s.") % {"step": current.label})
            done = reverse("passports:model_detail", args=[model.public_id])
            return redirect(after_save(request, steps, index, _model_url(model), done))
    return render(
        request,
        "passports/step_form.html",
        {
            "form": form,
            "kind": "model",
            "model": {"id": model.public_id, "name": model.name},
            "step": current,
            "step_index": index,
            "steps": step_nav(steps, current.slug, _model_url(model)),
            "is_last": index + 1 == len(steps),
            "action": request.path,
            "cancel_url": reverse("passports:model_detail", args=[model.public_id]),
        },
        status=400 if form.has_errors else 200,
    )


def _supply_chain_step(request: HttpRequest, model: BatteryModel, steps: tuple[Step, ...], index: int):
    """The confidential supply chain: owner staff only (anyone else: 404); viewers read it."""
    if not policies.is_owner(request.user, model):
        raise Http404
    can_edit = policies.can_edit(request.user, model)
    if request.method == "POST":
        forbid_unless(can_edit)
    current_rows = [
        selectors.supply_chain_row(entry)
        for entry in selectors.supply_chain_for(actor=request.user, battery_model=model)
    ]
    bound = request.POST if request.method == "POST" else None
    rowset = RowSet(attribute(services.SUPPLY_CHAIN), services.SUPPLY_CHAIN, data=bound, initial=current_rows)
    if request.method == "POST":
        try:
            services.supply_chain_replace(actor=request.user, battery_model=model, rows=rowset.value())
        except ValidationError as exc:
            _rowset_errors(rowset, exc)
        else:
            messages.success(request, _("Supply chain saved."))
            done = reverse("passports:model_detail", args=[model.public_id])
            return redirect(after_save(request, steps, index, _model_url(model), done))
    return render(
        request,
        "passports/supply_chain.html",
        {
            "model": {"id": model.public_id, "name": model.name},
            "rowset": rowset,
            "error_links": rowset.error_links(),
            "rows_display": supply_chain_display(current_rows),
            "can_edit": can_edit,
            "step": steps[index],
            "step_index": index,
            "steps": step_nav(steps, SUPPLY_CHAIN_STEP, _model_url(model)),
            "is_last": index + 1 == len(steps),
        },
        status=400 if rowset.has_errors else 200,
    )


def _rowset_errors(rowset: RowSet, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        rowset.errors.extend(exc.messages)
        return
    for key, found in exc.message_dict.items():
        if key == rowset.key or key.startswith(f"{rowset.key}["):
            rowset.add_error(key[len(rowset.key) :], found)
        else:
            rowset.errors.extend(found)


def _detail_context(request: HttpRequest, model: BatteryModel, pcf_form: PcfUploadForm | None = None) -> dict:
    # The owner (and a body during its open review) read the working values, everyone else those last
    # published: the selector decides.
    view = selectors.battery_model_view(actor=request.user, battery_model=model)
    is_owner = view.viewer is Viewer.OWNER
    can_edit = policies.can_edit(request.user, model)
    return {
        "model": {
            "id": model.public_id,
            "name": model.name,
            "part_id": model.manufacturer_part_id,
            "category": Category(model.category).label,
            "archived_at": view.archived_at,
        },
        # New passports only of a model in use; archiving takes the right to delete (`can_publish`).
        "can_create_passport": can_edit and view.archived_at is None,
        "can_archive": policies.can_publish(request.user, model),
        "is_owner": is_owner,
        "sees_values": view.published,
        "as_published": not policies.can_see_unpublished(view.viewer),
        "groups": grouped_values(view.values, audiences=True),
        "steps": step_nav(model_steps(), "", _model_url(model)) if can_edit else [],
        "can_edit": can_edit,
        "can_grant": policies.can_grant(request.user, model),
        "completeness": completeness_panel(None, model, model.data, can_edit=can_edit) if is_owner else None,
        "passport_count": selectors.passports_for(actor=request.user).filter(battery_model=model).count(),
        # The Catena-X PCF: a download of the footprint the caller sees, an upload for editors.
        "has_footprint": bool(view.values.get(model_pcf.FOOTPRINT)),
        "pcf_form": (pcf_form or PcfUploadForm()) if can_edit else None,
    }


@active_member_required
def model_detail(request: HttpRequest, public_id) -> HttpResponse:
    model = model_or_404(request, public_id)
    return render(request, "passports/model_detail.html", _detail_context(request, model))


@active_member_required
def model_pcf_download(request: HttpRequest, public_id) -> HttpResponse:
    """The footprint as a Catena-X PCF file, with what the caller may see (`model_pcf.export`)."""
    model = model_or_404(request, public_id)
    try:
        document = model_pcf.export(model, actor=request.user)
    except model_pcf.PcfUnavailable as exc:
        messages.error(request, exc.message)
        return redirect("passports:model_detail", public_id=model.public_id)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", model.manufacturer_part_id).strip("-") or "battery-model"
    response["Content-Disposition"] = f'attachment; filename="{name}-pcf.json"'
    # What the caller may see (the owner reads unpublished values): never shared by a cache.
    response["Cache-Control"] = "private, no-store"
    return response


@active_member_required
@require_POST
def model_pcf_upload(request: HttpRequest, public_id) -> HttpResponse:
    """Replace the footprint with an uploaded Catena-X PCF file; errors are shown on the model page."""
    model = model_or_404(request, public_id)
    forbid_unless(policies.can_edit(request.user, model))
    form = PcfUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            model_pcf.import_document(
                actor=request.user, battery_model=model, document=form.cleaned_data["file"]
            )
        except model_pcf.PcfInvalid as exc:
            for error in exc.errors:
                form.add_error("file", f"{error['path']}: {error['message']}")
        except model_pcf.PcfUnavailable as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Carbon footprint imported from the Catena-X PCF file."))
            return redirect("passports:model_detail", public_id=model.public_id)
    return render(request, "passports/model_detail.html", _detail_context(request, model, form), status=400)


@active_member_required
@require_POST
def model_archive(request: HttpRequest, public_id) -> HttpResponse:
    model = model_or_404(request, public_id)
    forbid_unless(policies.can_publish(request.user, model))
    return button_action(
        request,
        partial(services.battery_model_archive, actor=request.user, battery_model=model),
        done=_(
            "Battery model archived. Its passports and certificates keep it; restore it to make new "
            "passports."
        ),
        then="passports:model_detail",
        public_id=model.public_id,
    )


@active_member_required
@require_POST
def model_restore(request: HttpRequest, public_id) -> HttpResponse:
    model = model_or_404(request, public_id)
    forbid_unless(policies.can_publish(request.user, model))
    return button_action(
        request,
        partial(services.battery_model_restore, actor=request.user, battery_model=model),
        done=_("Battery model restored."),
        then="passports:model_detail",
        public_id=model.public_id,
    )
