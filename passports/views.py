"""Browser pages for company staff: battery models and passports (server-rendered, thin shells).

Reads go through `selectors`, writes through `services`, every decision through `policies`. Templates get
view-models (dicts) built from the values the viewer may see, never model rows that could walk to the
confidential supply chain. Objects outside the caller's scope answer 404; visible objects the caller may
not change answer 403.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_countries import countries
from guardian.shortcuts import get_groups_with_perms

from portal.tenancy.decorators import active_member_required
from portal.tenancy.models import COMPANY_KINDS, Organization, OrganizationKind
from portal.tenancy.selectors import active_organization_of, organizations_matching

from . import policies, selectors, services
from .catalogue import (
    ATTRIBUTES,
    PASSPORT_OBLIGATION_DATE,
    Attribute,
    Audience,
    Category,
    Cluster,
    FieldType,
    Level,
    Viewer,
    attribute,
    attributes_for,
    children,
    passport_required,
    requirement,
)
from .catalogue.choices import BATTERY_STATUSES
from .completeness import completeness
from .forms import AttributeForm, DynamicDataForm, RowSet, StatusForm
from .models import VIEW_LEGITIMATE_INTEREST, BatteryModel, Passport, PassportVersion, VersionState

PAGE_SIZE = 25
SUPPLY_CHAIN_STEP = "supply_chain"
AUDIENCE_LABELS: dict[str, Promise] = {
    Audience.PUBLIC: gettext_lazy("Public"),
    Audience.LEGITIMATE_INTEREST: gettext_lazy("Legitimate interest"),
    Audience.AUTHORITY: gettext_lazy("Authorities"),
    Audience.CONFIDENTIAL: gettext_lazy("Confidential"),
}
STATUS_LABELS = dict(BATTERY_STATUSES)
TOP_LEVEL = tuple(a for a in ATTRIBUTES if a.group is None)


# ---- steps of the multi-step forms ------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    slug: str
    label: Any
    attributes: tuple[Attribute, ...]


def _cluster_steps(level: Level, allowed: frozenset[str]) -> tuple[Step, ...]:
    steps = []
    for cluster in Cluster:
        found = attributes_for(cluster, level, include_rows=False, include_system=False)
        chosen = tuple(a for a in found if a.key in allowed)
        if chosen:
            steps.append(Step(cluster.value, cluster.label, chosen))
    return tuple(steps)


@cache
def model_steps() -> tuple[Step, ...]:
    """One step per cluster with model-level attributes, then the confidential supply chain."""
    return (
        *_cluster_steps(Level.MODEL, services.MODEL_KEYS),
        Step(SUPPLY_CHAIN_STEP, gettext_lazy("Supply chain (confidential)"), ()),
    )


@cache
def passport_steps() -> tuple[Step, ...]:
    return _cluster_steps(Level.BATTERY, services.BATTERY_KEYS)


def _step_or_404(steps: tuple[Step, ...], slug: str) -> tuple[int, Step]:
    for index, step in enumerate(steps):
        if step.slug == slug:
            return index, step
    raise Http404


def _after_save(request: HttpRequest, steps: tuple[Step, ...], index: int, url_for, done_url: str) -> str:
    """Where the step's submit button leads: next or previous step, the same step (to add a row) or,
    after the last step, the finished object."""
    go = request.POST.get("go", "next")
    if go == "previous" and index > 0:
        return url_for(steps[index - 1].slug)
    if go == "next":
        return url_for(steps[index + 1].slug) if index + 1 < len(steps) else done_url
    if go.startswith("add:"):
        anchor = "".join(ch for ch in go[4:] if ch.isalnum() or ch in "-_")
        return f"{url_for(steps[index].slug)}#rows-{anchor}"
    return url_for(steps[index].slug)


def _step_nav(steps: tuple[Step, ...], current: str, url_for) -> list[dict[str, Any]]:
    return [
        {
            "slug": s.slug,
            "label": s.label,
            "url": url_for(s.slug) if url_for else None,
            "current": s.slug == current,
        }
        for s in steps
    ]


# ---- looking objects up -----------------------------------------------------------------------------
def _uuid_or_404(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise Http404 from None


def _passport_or_404(request: HttpRequest, public_id) -> Passport:
    passport = selectors.passport_get(actor=request.user, public_id=public_id)
    if passport is None:
        raise Http404
    return passport


def _model_or_404(request: HttpRequest, public_id) -> BatteryModel:
    model = selectors.battery_model_get(actor=request.user, public_id=public_id)
    if model is None:
        raise Http404
    return model


def _forbid_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _can_create_models(user, organization: Organization) -> bool:
    return organization.kind in COMPANY_KINDS and policies.can_edit(
        user, BatteryModel(organization=organization)
    )


def grantee_organizations(target: Passport | BatteryModel) -> list[Organization]:
    """Organizations holding the legitimate-interest grant on `target` (grants go to the organization's
    group, named "organization:<public id>")."""
    codename = f"{VIEW_LEGITIMATE_INTEREST}_{target._meta.model_name}"
    names = get_groups_with_perms(target, only_with_perms_in=[codename]).values_list("name", flat=True)
    ids = []
    for name in names:
        prefix, _sep, rest = name.partition(":")
        if prefix == "organization":
            try:
                ids.append(uuid.UUID(rest))
            except ValueError:
                continue
    return list(Organization.objects.filter(public_id__in=ids).order_by("legal_name"))


def _grantable_organization(public_id: Any) -> Organization | None:
    """An organization that may receive a grant (active, not the platform operator): public facts only."""
    try:
        key = uuid.UUID(str(public_id))
    except (TypeError, ValueError):
        return None
    return (
        Organization.objects.filter(public_id=key, status="active")
        .exclude(kind=OrganizationKind.PLATFORM_OPERATOR)
        .first()
    )


# ---- displaying values ----------------------------------------------------------------------------
def _choice_label(target: Attribute, value: Any) -> Any:
    return dict(target.choices).get(value, value)


def _href(content: Any) -> str | None:
    text = str(content or "")
    return text if text.lower().startswith(("https://", "http://")) else None


def display(target: Attribute, value: Any) -> dict[str, Any]:
    """A value as a small view-model for `passports/includes/value.html` (rows and documents nested)."""
    if value is None or value == "" or value == []:
        return {"kind": "empty"}
    if target.type is FieldType.GROUP:
        members = children(target.key)
        rows = [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []
        return {
            "kind": "rows",
            "columns": [{"label": m.label, "unit": m.unit} for m in members],
            "rows": [[display(m, row.get(m.name)) for m in members] for row in rows],
        }
    if target.type is FieldType.DOCUMENT:
        items = value if isinstance(value, list) else [value]
        return {
            "kind": "documents",
            "items": [
                {
                    "header": item.get("header", ""),
                    "content_type": item.get("content_type", ""),
                    "content": item.get("content", ""),
                    "href": _href(item.get("content")),
                }
                for item in items
                if isinstance(item, dict)
            ],
        }
    if target.many:
        items = value if isinstance(value, list) else [value]
        return {"kind": "list", "items": [_scalar_text(target, item) for item in items]}
    if target.type is FieldType.URL:
        return {"kind": "link", "text": str(value), "href": _href(value)}
    return {
        "kind": "text",
        "text": _scalar_text(target, value),
        "unit": target.unit,
        "multiline": target.type is FieldType.LONG_TEXT,  # addresses, compositions: keep their lines
    }


def _scalar_text(target: Attribute, value: Any) -> Any:
    if target.type is FieldType.BOOLEAN:
        return _("Yes") if value is True else _("No")
    if target.type is FieldType.CHOICE:
        return _choice_label(target, value)
    if target.type is FieldType.COUNTRY:
        return countries.name(str(value)) or value
    return value


def grouped_values(values: dict[str, Any], *, audiences: bool = False) -> list[dict[str, Any]]:
    """Top-level values in catalogue order, grouped by cluster (only keys present in `values`, which the
    caller has already reduced to what the viewer may see)."""
    groups: dict[Cluster, list[dict[str, Any]]] = {}
    for target in TOP_LEVEL:
        value = values.get(target.key)
        if target.key not in values or value in (None, "", []):
            continue
        groups.setdefault(target.cluster, []).append(
            {
                "key": target.key,
                "label": target.label,
                "audience": target.audience.value if audiences else None,
                "audience_label": AUDIENCE_LABELS[target.audience] if audiences else None,
                "display": display(target, value),
            }
        )
    return [
        {"slug": cluster.value, "label": cluster.label, "entries": groups[cluster]}
        for cluster in Cluster
        if cluster in groups
    ]


def supply_chain_display(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return display(attribute(services.SUPPLY_CHAIN), rows)


def _version_values(passport: Passport, version: PassportVersion) -> dict[str, Any]:
    """All values of one version: a draft holds the battery values only, so the model's current values
    and the status are merged in (as `selectors.passport_view` does); a published version is complete."""
    if version.state == VersionState.DRAFT:
        return {**passport.battery_model.data, **version.data, services.STATUS_KEY: passport.status}
    return dict(version.data)


# ---- completeness panel ----------------------------------------------------------------------------
def completeness_panel(
    passport: Passport | None, model: BatteryModel, values: dict[str, Any], *, can_edit: bool
) -> dict[str, Any]:
    category = model.category
    try:
        required = passport_required(category, model.data.get("rated_energy"))
    except ValueError:
        required = None  # an industrial battery without its rated energy: the answer is not known yet
    report = completeness(category, values)

    def link(target: Attribute) -> str | None:
        if not can_edit:
            return None
        if target.level is Level.MODEL and target.key in services.MODEL_KEYS:
            return reverse("passports:model_edit", args=[model.public_id, target.cluster.value])
        if passport is not None and target.key in services.BATTERY_KEYS and target.key != "unique_identifier":
            return reverse("passports:edit", args=[passport.public_id, target.cluster.value])
        return None

    def entries(targets) -> list[dict[str, Any]]:
        return [
            {"label": t.label, "cluster": t.cluster.label, "url": link(t), "note": requirement(t.key).note}
            for t in targets
        ]

    return {
        "category_label": Category(category).label,
        "required": required,
        "obligation_date": PASSPORT_OBLIGATION_DATE,
        "checked_on": report.checked_on,
        "complete": report.complete,
        "missing": entries(report.missing),
        "conditional": entries(report.conditional),
        "pending": entries(report.pending),
    }


# ---- passport list ---------------------------------------------------------------------------------
STATE_FILTERS = (
    ("draft", gettext_lazy("Unpublished changes (your passports)")),
    ("published", gettext_lazy("Published")),
    ("complete", gettext_lazy("Complete (your passports)")),
    ("incomplete", gettext_lazy("Incomplete (your passports)")),
)


def _latest_data() -> Subquery:
    return Subquery(
        PassportVersion.objects.filter(passport=OuterRef("pk")).order_by("-number").values("data")[:1]
    )


def _values_for_completeness(passport: Passport) -> dict[str, Any]:
    return {
        **passport.battery_model.data,
        **(passport.latest_data or {}),
        services.STATUS_KEY: passport.status,
    }


@active_member_required
def passport_list(request: HttpRequest) -> HttpResponse:
    own = active_organization_of(request.user)
    # The owner organization's registered name is not shown to other viewers (it is tenant data; the
    # passport's own public manufacturer name is among its values).
    queryset = selectors.passports_for(actor=request.user).annotate(
        has_draft=Exists(PassportVersion.objects.filter(passport=OuterRef("pk"), state=VersionState.DRAFT)),
        has_published=Exists(
            PassportVersion.objects.filter(passport=OuterRef("pk"), state=VersionState.PUBLISHED)
        ),
        latest_data=_latest_data(),
    )
    params = request.GET
    query = params.get("q", "").strip()[:100]
    category = params.get("category", "")
    status = params.get("status", "")
    model_id = params.get("model", "")
    state = params.get("state", "")
    # Filters and search use only what every listed passport shows its viewer: the identifier, the model
    # name and category (public) and the battery status (legitimate interest: every lister may see it).
    # Draft and completeness facts are the owner's working material: those filters cover own passports.
    if query:
        queryset = queryset.filter(
            Q(unique_identifier__icontains=query) | Q(battery_model__name__icontains=query)
        )
    if category in {c.value for c in Category}:
        queryset = queryset.filter(battery_model__category=category)
    else:
        category = ""
    if status in STATUS_LABELS:
        queryset = queryset.filter(status=status)
    else:
        status = ""
    try:
        model_key = uuid.UUID(model_id) if model_id else None
    except ValueError:
        model_key = None
    if model_key:
        queryset = queryset.filter(battery_model__public_id=model_key)
    if state == "draft":
        queryset = queryset.filter(organization=own, has_draft=True)
    elif state == "published":
        queryset = queryset.filter(has_published=True)
    elif state in ("complete", "incomplete"):
        # Completeness is computed from the catalogue, not stored: evaluated for the caller's own
        # passports that match the other filters.
        wanted = state == "complete"
        ids = [
            p.pk
            for p in queryset.filter(organization=own)
            if completeness(p.battery_model.category, _values_for_completeness(p)).complete is wanted
        ]
        queryset = queryset.filter(pk__in=ids)
    else:
        state = ""
    queryset = queryset.order_by("-created_at", "-pk")  # stable pages
    page = Paginator(queryset, PAGE_SIZE).get_page(params.get("page"))
    rows = []
    for p in page.object_list:
        mine = own is not None and p.organization_id == own.pk
        report = completeness(p.battery_model.category, _values_for_completeness(p)) if mine else None
        rows.append(
            {
                "id": p.public_id,
                "unique_identifier": p.unique_identifier,
                "model_name": p.battery_model.name,
                "category": Category(p.battery_model.category).label,
                "status": STATUS_LABELS.get(p.status, p.status),
                "shared": not mine,
                "mine": mine,
                "has_draft": p.has_draft if mine else None,
                "has_published": p.has_published,
                "closed": p.closed_at is not None,
                "missing": len(report.missing) if report else None,
            }
        )
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "passports/list.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "category": category,
            "status": status,
            "model": str(model_key) if model_key else "",
            "state": state,
            "categories": [(c.value, c.label) for c in Category],
            "statuses": BATTERY_STATUSES,
            "states": STATE_FILTERS,
            "models": [
                (str(m.public_id), m.name)
                for m in selectors.battery_models_for(actor=request.user)
                .select_related(None)
                .only("public_id", "name")
            ],
            "filter_query": filters.urlencode(),
            "can_create": own is not None and _can_create_models(request.user, own),
        },
    )


# ---- battery models ------------------------------------------------------------------------------
@active_member_required
def model_list(request: HttpRequest) -> HttpResponse:
    own = active_organization_of(request.user)
    models = (
        selectors.battery_models_for(actor=request.user)
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
        }
        for m in page.object_list
    ]
    return render(
        request,
        "passports/model_list.html",
        {"page": page, "rows": rows, "can_create": own is not None and _can_create_models(request.user, own)},
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
    _forbid_unless(_can_create_models(request.user, organization))
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
            return redirect(_after_save(request, steps, 0, _model_url(model), done))
    return render(
        request,
        "passports/step_form.html",
        {
            "form": form,
            "kind": "model",
            "creating": True,
            "step": first,
            "step_index": 0,
            "steps": _step_nav(steps, first.slug, None),
            "is_last": len(steps) == 1,
            "action": reverse("passports:model_create"),
            "cancel_url": reverse("passports:model_list"),
        },
        status=400 if form.has_errors else 200,
    )


@active_member_required
@require_http_methods(["GET", "POST"])
def model_edit(request: HttpRequest, public_id, step: str) -> HttpResponse:
    model = _model_or_404(request, public_id)
    steps = model_steps()
    index, current = _step_or_404(steps, step)
    if current.slug == SUPPLY_CHAIN_STEP:
        return _supply_chain_step(request, model, steps, index)
    _forbid_unless(policies.can_edit(request.user, model))
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
            return redirect(_after_save(request, steps, index, _model_url(model), done))
    return render(
        request,
        "passports/step_form.html",
        {
            "form": form,
            "kind": "model",
            "model": {"id": model.public_id, "name": model.name},
            "step": current,
            "step_index": index,
            "steps": _step_nav(steps, current.slug, _model_url(model)),
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
        _forbid_unless(can_edit)
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
            return redirect(_after_save(request, steps, index, _model_url(model), done))
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
            "steps": _step_nav(steps, SUPPLY_CHAIN_STEP, _model_url(model)),
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


@active_member_required
def model_detail(request: HttpRequest, public_id) -> HttpResponse:
    model = _model_or_404(request, public_id)
    viewer = policies.viewer_kind(request.user, model)
    # The model's live values are working material (unpublished); others read them in published passports.
    sees_values = policies.can_see_unpublished(viewer)
    is_owner = viewer is Viewer.OWNER
    can_edit = policies.can_edit(request.user, model)
    values = policies.visible_values(viewer, model.data) if sees_values else {}
    return render(
        request,
        "passports/model_detail.html",
        {
            "model": {
                "id": model.public_id,
                "name": model.name,
                "part_id": model.manufacturer_part_id,
                "category": Category(model.category).label,
            },
            "is_owner": is_owner,
            "sees_values": sees_values,
            "groups": grouped_values(values, audiences=True),
            "steps": _step_nav(model_steps(), "", _model_url(model)) if can_edit else [],
            "can_edit": can_edit,
            "can_grant": policies.can_grant(request.user, model),
            "completeness": completeness_panel(None, model, model.data, can_edit=can_edit)
            if is_owner
            else None,
            "passport_count": selectors.passports_for(actor=request.user).filter(battery_model=model).count(),
        },
    )


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
            for m in selectors.battery_models_for(actor=request.user).filter(organization=own)
        ]
        _forbid_unless(_can_create_models(request.user, own))
        return render(request, "passports/choose_model.html", {"models": models})
    model = _model_or_404(request, _uuid_or_404(model_id))
    _forbid_unless(policies.can_edit(request.user, model))
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
            return redirect(_after_save(request, steps, 0, _passport_url(passport), done))
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
            "steps": _step_nav(steps, first.slug, None),
            "is_last": len(steps) == 1,
            "action": f"{reverse('passports:create')}?model={model.public_id}",
            "cancel_url": reverse("passports:model_detail", args=[model.public_id]),
        },
        status=400 if form.has_errors else 200,
    )


@active_member_required
@require_http_methods(["GET", "POST"])
def passport_edit(request: HttpRequest, public_id, step: str) -> HttpResponse:
    passport = _passport_or_404(request, public_id)
    _forbid_unless(policies.can_edit(request.user, passport))
    steps = passport_steps()
    index, current = _step_or_404(steps, step)
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
            return redirect(_after_save(request, steps, index, _passport_url(passport), done))
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
            "steps": _step_nav(steps, current.slug, _passport_url(passport)),
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
        from .qr import qr_svg
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
        "edit_steps": _step_nav(passport_steps(), "", _passport_url(passport)) if can_edit else [],
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
    passport = _passport_or_404(request, public_id)
    return render(request, "passports/detail.html", _detail_context(request, passport))


@active_member_required
def passport_review(request: HttpRequest, public_id) -> HttpResponse:
    passport = _passport_or_404(request, public_id)
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
    passport = _passport_or_404(request, public_id)
    _forbid_unless(policies.can_publish(request.user, passport))
    try:
        version = services.passport_publish(actor=request.user, passport=passport)
    except ValidationError as exc:
        messages.error(request, _("The passport was not published:"))
        for text in _labelled_messages(exc):
            messages.error(request, text)
        return redirect("passports:review", public_id=passport.public_id)
    messages.success(request, _("Version %(number)s published.") % {"number": version.number})
    return redirect("passports:detail", public_id=passport.public_id)


def _labelled_messages(exc: ValidationError) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    result = []
    for key, found in exc.message_dict.items():
        try:
            label = str(attribute(key).label)
        except LookupError:
            label = ""
        for message in found:
            result.append(message if not label or str(message).startswith(label) else f"{label}: {message}")
    return result


@active_member_required
@require_POST
def passport_status(request: HttpRequest, public_id) -> HttpResponse:
    passport = _passport_or_404(request, public_id)
    _forbid_unless(policies.can_edit(request.user, passport))
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
    passport = _passport_or_404(request, public_id)
    _forbid_unless(policies.can_edit(request.user, passport))
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
    passport = _passport_or_404(request, public_id)
    _forbid_unless(policies.can_edit(request.user, passport))
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
    passport = _passport_or_404(request, public_id)
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
    old = policies.visible_values(viewer, _version_values(passport, by_number[a]))
    new = policies.visible_values(viewer, _version_values(passport, by_number[b]))
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


# ---- sharing (legitimate-interest grants) --------------------------------------------------------------
def _sharing(
    request: HttpRequest, target: Passport | BatteryModel, back_url: str, title: str
) -> HttpResponse:
    _forbid_unless(policies.can_grant(request.user, target))
    if request.method == "POST":
        organization = _grantable_organization(request.POST.get("organization"))
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
    grantees = grantee_organizations(target)
    granted_ids = {o.pk for o in grantees}
    results = []
    if query:
        found = organizations_matching(actor=request.user, query=query)
        results = [
            _organization_row(o, granted=o.pk in granted_ids)
            for o in found
            if o.pk != target.organization_id and o.kind != OrganizationKind.PLATFORM_OPERATOR
        ]
    inherited = []
    if isinstance(target, Passport):
        inherited = [_organization_row(o, granted=True) for o in grantee_organizations(target.battery_model)]
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
    passport = _passport_or_404(request, public_id)
    title = _("Sharing of passport %(identifier)s") % {"identifier": passport.unique_identifier}
    return _sharing(request, passport, reverse("passports:detail", args=[passport.public_id]), title)


@active_member_required
@require_http_methods(["GET", "POST"])
def model_sharing(request: HttpRequest, public_id) -> HttpResponse:
    model = _model_or_404(request, public_id)
    title = _("Sharing of battery model %(name)s") % {"name": model.name}
    return _sharing(request, model, reverse("passports:model_detail", args=[model.public_id]), title)
