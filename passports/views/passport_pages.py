"""Passport pages: creating a passport and editing its draft step by step, the passport page (values,
dynamic data, status history, versions, QR code), the review before publishing, publishing, status changes,
dynamic-data measurements, deleting a draft, and the difference between two versions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from portal.tenancy.decorators import active_member_required
from portal.tenancy.selectors import active_organization_of

from .. import policies, selectors, services
from ..catalogue import Attribute, Cluster, Viewer, attribute
from ..display import STATUS_LABELS, TOP_LEVEL, display, grouped_values, supply_chain_display, version_values
from ..forms import AttributeForm, DynamicDataForm, StatusForm
from ..models import Passport, VersionState
from .display import completeness_panel
from .lookups import can_create_models, forbid_unless, model_or_404, passport_or_404, uuid_or_404
from .steps import after_save, passport_steps, step_nav, step_or_404


# ---- passports: create and edit ------------------------------------------------------------------
def _passport_url(passport: Passport):
    return lambda slug: reverse("passports:edit", args=[passport.public_id, slug])


@active_member_required
@require_http_methods(["GET", "POST"])
def passport_create(request: HttpRequest) -> HttpResponse:
    model_id = request.GET.get("model")
    if not model_id:
        own = active_organization_of(request.user)
        models = [
            {"id": m.public_id, "name": m.name, "part_id": m.manufacturer_part_id}
            # New passports only of models in use: archived ones are retired.
            for m in selectors.battery_models_for(actor=request.user, archived=False).filter(organization=own)
        ]
        forbid_unless(can_create_models(request.user, own))
        return render(request, "passports/choose_model.html", {"models": models})
    model = model_or_404(request, uuid_or_404(model_id))
    forbid_unless(policies.can_edit(request.user, model))
    steps = passport_steps()
    first = steps[0]
    form = AttributeForm(list(first.attributes), data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            passport = services.passport_create(actor=request.user, battery_model=model, values=form.values())
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Passport created as a draft."))
            done = reverse("passports:detail", args=[passport.public_id])
            return redirect(after_save(request, steps, 0, _passport_url(passport), done))
    return render(
        request,
        "passports/step_form.html",
        {
            "form": form,
            "kind": "passport",
            "creating": True,
            "model": {"id": model.public_id, "name": model.name},
            "step": first,
            "step_index": 0,
            "steps": step_nav(steps, first.slug, None),
            "is_last": len(steps) == 1,
            "action": f"{reverse('passports:create')}?model={model.public_id}",
            "cancel_url": reverse("passports:model_detail", args=[model.public_id]),
        },
        status=400 if form.has_errors else 200,
    )


@active_member_required
@require_http_methods(["GET", "POST"])
def passport_edit(request: HttpRequest, public_id, step: str) -> HttpResponse:
    passport = passport_or_404(request, public_id)
    forbid_unless(policies.can_edit(request.user, passport))
    steps = passport_steps()
    index, current = step_or_404(steps, step)
    # The unique identifier is what the QR code points at: fixed once the passport exists.
    editable = [a for a in current.attributes if a.key != "unique_identifier"]
    latest = passport.versions.order_by("-number").first()
    stored = {k: v for k, v in (latest.data if latest else {}).items() if k in services.BATTERY_KEYS}
    form = AttributeForm(editable, data=request.POST if request.method == "POST" else None, values=stored)
    if request.method == "POST" and form.is_valid():
        try:
            services.passport_update(actor=request.user, passport=passport, values=form.values())
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Draft saved: %(step)s.") % {"step": current.label})
            done = reverse("passports:detail", args=[passport.public_id])
            return redirect(after_save(request, steps, index, _passport_url(passport), done))
    return render(
        request,
        "passports/step_form.html",
        {
            "form": form,
            "kind": "passport",
            "passport": {"id": passport.public_id, "unique_identifier": passport.unique_identifier},
            "model": {"id": passport.battery_model.public_id, "name": passport.battery_model.name},
            "fixed_identifier": current.slug == Cluster.GENERAL.value,
            "step": current,
            "step_index": index,
            "steps": step_nav(steps, current.slug, _passport_url(passport)),
            "is_last": index + 1 == len(steps),
            "action": request.path,
            "cancel_url": reverse("passports:detail", args=[passport.public_id]),
        },
        status=400 if form.has_errors else 200,
    )


# ---- passport page ---------------------------------------------------------------------------------
def _qr_svg(passport: Passport) -> str | None:
    """The QR code of the public page, when the QR module is installed (else the template links /p/<id>/)."""
    try:
        from ..qr import qr_svg
    except ImportError:
        return None
    return mark_safe(qr_svg(passport.public_id))  # noqa: S308 - generated by our own module, no user input


def _dynamic_keys() -> list[Attribute]:
    return [a for a in TOP_LEVEL if a.key in services.DYNAMIC_KEYS]


def _detail_context(request: HttpRequest, passport: Passport, **forms_) -> dict[str, Any]:
    view = selectors.passport_view(actor=request.user, passport=passport)
    viewer = view.viewer
    is_owner = viewer is Viewer.OWNER
    can_edit = policies.can_edit(request.user, passport) and passport.closed_at is None
    versions = list(passport.versions.order_by("-number")) if policies.can_see_unpublished(viewer) else []
    has_draft = any(v.state == VersionState.DRAFT for v in versions)
    published = passport.versions.filter(state=VersionState.PUBLISHED).exists()
    allowed = policies.visible_keys(viewer)
    dynamic = [
        {
            "label": attribute(key).label,
            "unit": attribute(key).unit,
            "points": [{"value": p["value"], "measured_at": p["measured_at"]} for p in points],
        }
        for key, points in view.dynamic.items()
    ]
    context: dict[str, Any] = {
        "passport": {
            "id": passport.public_id,
            "unique_identifier": passport.unique_identifier,
            "status": STATUS_LABELS.get(passport.status, passport.status),
            "closed_at": passport.closed_at,
            "model_id": passport.battery_model.public_id,
            "model_name": passport.battery_model.name,
        },
        "view": {"version": view.version, "state": view.state, "published_at": view.published_at},
        "viewer": viewer.value,
        "is_owner": is_owner,
        "groups": grouped_values(view.values, audiences=is_owner),
        "dynamic": dynamic,
        "status_history": [
            {"status": STATUS_LABELS.get(e["status"], e["status"]), "occurred_at": e["occurred_at"]}
            for e in view.status_history
        ],
        "supply_chain": supply_chain_display(view.supply_chain) if view.supply_chain is not None else None,
        "can_edit": can_edit,
        "can_publish": policies.can_publish(request.user, passport) and has_draft,
        "can_grant": policies.can_grant(request.user, passport),
        "can_delete": policies.can_edit(request.user, passport) and not published,
        "has_draft": has_draft,
        "published": published,
        "versions": [
            {
                "number": v.number,
                "state": v.state,
                "state_label": v.get_state_display(),
                "published_at": v.published_at,
            }
            for v in versions
        ],
        "completeness": (
            completeness_panel(passport, passport.battery_model, view.values, can_edit=can_edit)
            if is_owner
            else None
        ),
        "edit_steps": step_nav(passport_steps(), "", _passport_url(passport)) if can_edit else [],
        "qr_svg": _qr_svg(passport) if published else None,
        "predecessor": _linked(request, passport.predecessor),
        "successor": _linked(request, getattr(passport, "successor", None)),
        "sees_status": services.STATUS_KEY in allowed,
    }
    if can_edit:
        context["status_form"] = forms_.get("status_form") or StatusForm(
            initial={"occurred_on": timezone.localdate()}
        )
        context["dynamic_form"] = forms_.get("dynamic_form") or DynamicDataForm(keys=_dynamic_keys())
    return context


def _linked(request: HttpRequest, other: Passport | None) -> dict[str, Any] | None:
    """A predecessor or successor, named only when the caller may open it."""
    if other is None:
        return None
    visible = selectors.passport_get(actor=request.user, public_id=other.public_id)
    if visible is None:
        return None
    return {"id": visible.public_id, "unique_identifier": visible.unique_identifier}


@active_member_required
def passport_detail(request: HttpRequest, public_id) -> HttpResponse:
    passport = passport_or_404(request, public_id)
    return render(request, "passports/detail.html", _detail_context(request, passport))


@active_member_required
def passport_review(request: HttpRequest, public_id) -> HttpResponse:
    passport = passport_or_404(request, public_id)
    view = selectors.passport_view(actor=request.user, passport=passport)
    if not policies.can_see_unpublished(view.viewer):
        raise Http404
    has_draft = passport.versions.filter(state=VersionState.DRAFT).exists()
    return render(
        request,
        "passports/review.html",
        {
            "passport": {
                "id": passport.public_id,
                "unique_identifier": passport.unique_identifier,
                "model_name": passport.battery_model.name,
            },
            "view": {"version": view.version, "state": view.state},
            "groups": grouped_values(view.values, audiences=True),
            "supply_chain": supply_chain_display(view.supply_chain)
            if view.supply_chain is not None
            else None,
            "completeness": completeness_panel(
                passport,
                passport.battery_model,
                view.values,
                can_edit=policies.can_edit(request.user, passport),
            ),
            "can_publish": policies.can_publish(request.user, passport) and has_draft,
            "has_draft": has_draft,
        },
    )


@active_member_required
@require_POST
def passport_publish(request: HttpRequest, public_id) -> HttpResponse:
    passport = passport_or_404(request, public_id)
    forbid_unless(policies.can_publish(request.user, passport))
    try:
        version = services.passport_publish(actor=request.user, passport=passport)
    except ValidationError as exc:
        messages.error(request, _("The passport was not published:"))
        missing = _missing_count(exc)
        if missing:
            messages.error(
                request,
                ngettext(
                    "%(count)s mandatory attribute has no value: the completeness box below links it "
                    "to its step.",
                    "%(count)s mandatory attributes have no value: the completeness box below links "
                    "each to its step.",
                    missing,
                )
                % {"count": missing},
            )
        for text in _labelled_messages(exc, skip_code=services.MISSING_CODE):
            messages.error(request, text)
        return redirect("passports:review", public_id=passport.public_id)
    messages.success(request, _("Version %(number)s published.") % {"number": version.number})
    return redirect("passports:detail", public_id=passport.public_id)


def _missing_count(exc: ValidationError) -> int:
    errors = getattr(exc, "error_dict", {})
    return sum(1 for found in errors.values() if any(e.code == services.MISSING_CODE for e in found))


def _labelled_messages(exc: ValidationError, *, skip_code: str | None = None) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    result = []
    for key, found in exc.error_dict.items():
        try:
            label = str(attribute(key).label)
        except LookupError:
            label = ""
        for error in found:
            if skip_code is not None and error.code == skip_code:
                continue
            for message in error.messages:
                result.append(message if not label or message.startswith(label) else f"{label}: {message}")
    return result


@active_member_required
@require_POST
def passport_status(request: HttpRequest, public_id) -> HttpResponse:
    passport = passport_or_404(request, public_id)
    forbid_unless(policies.can_edit(request.user, passport))
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            result = services.passport_change_status(
                actor=request.user,
                passport=passport,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                occurred_at=form.occurred_at(),
                new_unique_identifier=form.cleaned_data["new_unique_identifier"] or None,
                recycled=form.cleaned_data["recycled"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            if result.pk != passport.pk:
                messages.success(request, _("Status changed. The battery continues under a new passport."))
                return redirect("passports:detail", public_id=result.public_id)
            messages.success(request, _("Status changed."))
            return redirect("passports:detail", public_id=passport.public_id)
    context = _detail_context(request, passport, status_form=form)
    return render(request, "passports/detail.html", context, status=400)


@active_member_required
@require_POST
def passport_dynamic(request: HttpRequest, public_id) -> HttpResponse:
    passport = passport_or_404(request, public_id)
    forbid_unless(policies.can_edit(request.user, passport))
    form = DynamicDataForm(request.POST, keys=_dynamic_keys())
    if form.is_valid():
        try:
            services.dynamic_data_append(
                actor=request.user,
                passport=passport,
                key=form.cleaned_data["key"],
                value=form.cleaned_data["value"],
                measured_at=form.cleaned_data["measured_at"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Measurement recorded."))
            return redirect("passports:detail", public_id=passport.public_id)
    context = _detail_context(request, passport, dynamic_form=form)
    return render(request, "passports/detail.html", context, status=400)


@active_member_required
@require_POST
def passport_delete(request: HttpRequest, public_id) -> HttpResponse:
    passport = passport_or_404(request, public_id)
    forbid_unless(policies.can_edit(request.user, passport))
    try:
        services.passport_delete(actor=request.user, passport=passport)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("passports:detail", public_id=passport.public_id)
    messages.success(request, _("Draft passport deleted."))
    return redirect("passports:list")


# ---- versions and diff ------------------------------------------------------------------------------
@active_member_required
def passport_diff(request: HttpRequest, public_id) -> HttpResponse:
    passport = passport_or_404(request, public_id)
    viewer = policies.viewer_kind(request.user, passport)
    versions = passport.versions.order_by("number")
    if not policies.can_see_unpublished(viewer):
        versions = versions.filter(state=VersionState.PUBLISHED)
    by_number = {v.number: v for v in versions}
    numbers = sorted(by_number)
    if not numbers:
        raise Http404

    def pick(name: str, default: int) -> int:
        try:
            number = int(request.GET.get(name, default))
        except (TypeError, ValueError):
            raise Http404 from None
        if number not in by_number:
            raise Http404
        return number

    a = pick("a", numbers[-2] if len(numbers) > 1 else numbers[-1])
    b = pick("b", numbers[-1])
    old = policies.visible_values(viewer, version_values(passport, by_number[a]))
    new = policies.visible_values(viewer, version_values(passport, by_number[b]))
    changes = [
        {
            "label": target.label,
            "cluster": target.cluster.label,
            "old": display(target, old.get(target.key)),
            "new": display(target, new.get(target.key)),
        }
        for target in TOP_LEVEL
        if old.get(target.key) != new.get(target.key)
    ]
    return render(
        request,
        "passports/diff.html",
        {
            "passport": {"id": passport.public_id, "unique_identifier": passport.unique_identifier},
            "a": by_number[a],
            "b": by_number[b],
            "numbers": numbers,
            "changes": changes,
        },
    )
