"""Every write of the exchange: parts, bills of materials, own data, requests and answers.

Each function checks the actor against the model's rule (`visible_then_permitted`), validates everything
before it writes (a `ValidationError` keyed by field, nothing stored), and writes in one transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.restrict import visible_then_permitted
from portal.uploads import CheckedUpload

from . import events, notices
from .access import company_of, is_editor
from .models import (
    Answer,
    AnswerFile,
    AnswerMaterial,
    AnswerStatus,
    Component,
    DataRequest,
    DeclaredUnit,
    Material,
    OwnMaterial,
    Part,
    PartKind,
    RequestState,
)
from .rollup import CycleError, Result
from .selectors import rollup_for, suppliers_matching
from .validation import (
    country_shares,
    pact_rating,
    plain,
    recycled_shares,
    stage_rating,
    to_decimal,
    to_percent,
)

CHARACTERIZATION_FACTORS = ("AR6", "AR5")
CROSS_SECTORAL_STANDARDS = (
    "ISO 14067",
    "ISO 14083",
    "ISO 14040-44",
    "GHG Protocol Product standard",
    "PEF",
    "PAS 2050",
)
PACT_QUALITY_KEYS = ("technological", "temporal", "geographical", "completeness", "reliability")


def _require_company_editor(actor) -> Any:
    company = company_of(actor)
    if company is None or not is_editor(actor):
        raise PermissionDenied(_("Only administrators and editors of a company exchange supply-chain data."))
    return company


def _errors(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError({key: messages for key, messages in errors.items() if messages})


def _check(errors: dict[str, list[str]], key: str, function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except ValidationError as error:
        errors.setdefault(key, []).extend(error.messages)
        return None


# --- Parts ------------------------------------------------------------------------------------------------


def _part_values(data: dict[str, Any], *, kind: str) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key in ("local_id", "name"):
        text = str(data.get(key) or "").strip()
        if not text:
            errors[key] = [_("This field is required.")]
        values[key] = text
    unit = data.get("unit") or ""
    if unit not in DeclaredUnit.values:
        errors["unit"] = [_("Choose a declared unit.")]
    values["unit"] = unit
    cn_code = str(data.get("cn_code") or "").replace(" ", "").replace(".", "")
    if cn_code and (not cn_code.isdigit() or len(cn_code) not in (4, 6, 8, 10)):
        errors["cn_code"] = [_("A CN or HS code has 4, 6, 8 or 10 digits.")]
    values["cn_code"] = cn_code
    for key in ("mass_per_unit",) + (
        ("own_pre_processing", "own_main_production", "own_biogenic_carbon") if kind == PartKind.MADE else ()
    ):
        raw = data.get(key)
        values[key] = None if raw in (None, "") else _check(errors, key, to_decimal, raw)
    if kind == PartKind.MADE:
        raw = data.get("own_biogenic_uptake")
        values["own_biogenic_uptake"] = (
            None
            if raw in (None, "")
            else _check(errors, "own_biogenic_uptake", to_decimal, raw, minimum=None, maximum=Decimal(0))
        )
        raw = data.get("own_primary_share")
        values["own_primary_share"] = (
            None if raw in (None, "") else _check(errors, "own_primary_share", to_percent, raw)
        )
        quality = {}
        for stage, ratings in (data.get("own_quality") or {}).items():
            if stage not in ("pre", "main") or not isinstance(ratings, dict):
                errors.setdefault("own_quality", []).append(_("Rate the stages “pre” and “main”."))
                continue
            quality[stage] = {
                aspect: _check(errors, "own_quality", stage_rating, ratings.get(aspect))
                for aspect in ("technological", "geographical", "temporal")
            }
        values["own_quality"] = quality
    _errors(errors)
    return values


@transaction.atomic
def create_part(*, actor, kind: str, data: dict[str, Any]) -> Part:
    company = _require_company_editor(actor)
    if kind not in PartKind.values:
        raise ValidationError({"kind": [_("Choose made or bought.")]})
    values = _part_values(data, kind=kind)
    if Part.objects.filter(organization=company, local_id=values["local_id"]).exists():
        raise ValidationError({"local_id": [_("You already have a part with this id.")]})
    part = Part.objects.create(organization=company, kind=kind, **values)
    audit_record(actor=actor, action="exchange.part_created", organization=company, target=part)
    return part


@transaction.atomic
def update_part(*, actor, part: Part, data: dict[str, Any]) -> Part:
    visible_then_permitted(actor, "change", part)
    values = _part_values(data, kind=part.kind)
    if (
        Part.objects.filter(organization=part.organization, local_id=values["local_id"])
        .exclude(pk=part.pk)
        .exists()
    ):
        raise ValidationError({"local_id": [_("You already have a part with this id.")]})
    if values["unit"] != part.unit and part.requests.exclude(state=RequestState.CANCELLED).exists():
        raise ValidationError(
            {"unit": [_("Requests were sent for this part in its unit; add a new part instead.")]}
        )
    for key, value in values.items():
        setattr(part, key, value)
    part.save()
    audit_record(actor=actor, action="exchange.part_changed", organization=part.organization, target=part)
    return part


@transaction.atomic
def link_supplier(*, actor, part: Part, identifier: str) -> Part:
    """Name the company a bought part comes from, by its BPNL, corporate number or LEI."""
    visible_then_permitted(actor, "change", part)
    if part.kind != PartKind.BOUGHT:
        raise ValidationError({"supplier": [_("Only a bought part has a supplier.")]})
    supplier = suppliers_matching(actor=actor, identifier=identifier)
    if supplier is None:
        raise ValidationError(
            {
                "supplier": [
                    _("No other active company is registered under “%(value)s”.") % {"value": identifier[:40]}
                ]
            }
        )
    if part.requests.filter(state=RequestState.SENT).exclude(supplier=supplier).exists():
        raise ValidationError({"supplier": [_("Cancel the open request to the current supplier first.")]})
    part.supplier = supplier
    part.save(update_fields=["supplier", "updated_at"])
    audit_record(actor=actor, action="exchange.supplier_linked", organization=part.organization, target=part)
    return part


def _would_cycle(parent: Part, child: Part) -> bool:
    """Whether `parent` is already (indirectly) inside `child`."""
    rows = Component.objects.filter(parent__organization=parent.organization).values_list(
        "parent_id", "child_id"
    )
    inside: dict[int, list[int]] = {}
    for parent_id, child_id in rows:
        inside.setdefault(parent_id, []).append(child_id)
    stack, seen = [child.pk], set()
    while stack:
        current = stack.pop()
        if current == parent.pk:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(inside.get(current, ()))
    return False


@transaction.atomic
def set_component(*, actor, parent: Part, child: Part, quantity: Any) -> Component:
    """`quantity` of `child` (in its own unit) per declared unit of `parent`; replaces an earlier line."""
    visible_then_permitted(actor, "change", parent)
    visible_then_permitted(actor, "change", child)
    if parent.kind != PartKind.MADE:
        raise ValidationError({"parent": [_("Only a part you make has components.")]})
    errors: dict[str, list[str]] = {}
    amount = _check(errors, "quantity", to_decimal, quantity)
    if amount is not None and amount <= 0:
        errors["quantity"] = [_("The quantity must be more than zero.")]
    if parent.pk == child.pk or _would_cycle(parent, child):
        errors["child"] = [_("A part cannot contain itself, directly or through its components.")]
    _errors(errors)
    component, _created = Component.objects.update_or_create(
        parent=parent, child=child, defaults={"quantity": amount}
    )
    return component


@transaction.atomic
def remove_component(*, actor, component: Component) -> None:
    visible_then_permitted(actor, "change", component)
    component.delete()


def material_by_code(code: str) -> Material:
    material = Material.objects.filter(code=str(code or "").strip().lower()).first()
    if material is None:
        raise ValidationError(
            _("“%(code)s” is not a material on the list.") % {"code": str(code)[:40]}, code="material"
        )
    return material


def _material_values(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    material = _check(errors, "material", material_by_code, data.get("material"))
    mass = _check(errors, "mass_per_unit", to_decimal, data.get("mass_per_unit"))
    extraction = _check(errors, "extraction_shares", country_shares, data.get("extraction_shares"))
    processing = _check(errors, "processing_shares", country_shares, data.get("processing_shares"))
    recycled = _check(
        errors,
        "recycled_post_consumer",
        recycled_shares,
        data.get("recycled_pre_consumer"),
        data.get("recycled_post_consumer"),
    )
    return {
        "material": material,
        "mass_per_unit": mass,
        "extraction_shares": {k: plain(v) for k, v in (extraction or {}).items()},
        "processing_shares": {k: plain(v) for k, v in (processing or {}).items()},
        "recycled_pre_consumer": recycled[0] if recycled else None,
        "recycled_post_consumer": recycled[1] if recycled else None,
    }


@transaction.atomic
def set_own_material(*, actor, part: Part, data: dict[str, Any]) -> OwnMaterial:
    """The company's own contribution of one material to a made part (replaces an earlier one)."""
    visible_then_permitted(actor, "change", part)
    if part.kind != PartKind.MADE:
        raise ValidationError({"material": [_("Declare own materials on a part you make.")]})
    errors: dict[str, list[str]] = {}
    values = _material_values(data, errors)
    _errors(errors)
    values["evidence"] = str(data.get("evidence") or "")[:500]
    material = values.pop("material")
    row, _created = OwnMaterial.objects.update_or_create(part=part, material=material, defaults=values)
    return row


@transaction.atomic
def remove_own_material(*, actor, row: OwnMaterial) -> None:
    visible_then_permitted(actor, "change", row)
    row.delete()


# --- Requests ---------------------------------------------------------------------------------------------


@transaction.atomic
def send_request(
    *, actor, part: Part, wants_footprint: bool, wants_materials: bool, message: str, due_date: Any
) -> DataRequest:
    """Ask the direct supplier of a bought part for its footprint and/or material declaration."""
    company = _require_company_editor(actor)
    visible_then_permitted(actor, "change", part)
    errors: dict[str, list[str]] = {}
    if part.kind != PartKind.BOUGHT:
        errors["part"] = [_("Requests go to the supplier of a part you buy.")]
    elif part.supplier_id is None:
        errors["part"] = [_("Name the supplier of this part first.")]
    elif not part.supplier.is_active or part.supplier_id == company.pk:
        errors["part"] = [_("The supplier of this part cannot receive requests.")]
    if not (wants_footprint or wants_materials):
        errors["wants_footprint"] = [_("Ask for a carbon footprint, a material declaration or both.")]
    if isinstance(due_date, str):
        try:
            due_date = datetime.date.fromisoformat(due_date)
        except ValueError:
            due_date = None
    if not isinstance(due_date, datetime.date):
        errors["due_date"] = [_("Enter a valid date.")]
    elif due_date < timezone.localdate():
        errors["due_date"] = [_("The due date cannot be in the past.")]
    if len(message or "") > 2000:
        errors["message"] = [_("Keep the message under 2,000 characters.")]
    _errors(errors)
    request = DataRequest.objects.create(
        customer=company,
        customer_part=part,
        supplier=part.supplier,
        wants_footprint=wants_footprint,
        wants_materials=wants_materials,
        message=message or "",
        due_date=due_date,
        created_by=actor,
    )
    audit_record(actor=actor, action="exchange.request_sent", organization=company, target=request)
    notices.request_sent(request)
    return request


@transaction.atomic
def cancel_request(*, actor, request: DataRequest) -> DataRequest:
    visible_then_permitted(actor, "cancel", locked(request))
    request.state = RequestState.CANCELLED
    request.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor, action="exchange.request_cancelled", organization=request.customer, target=request
    )
    notices.request_cancelled(request)
    events.request_closed.send(sender=DataRequest, request=request)
    return request


@transaction.atomic
def send_back_request(*, actor, request: DataRequest, reason: str) -> DataRequest:
    visible_then_permitted(actor, "send_back", locked(request))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why you send the request back.")]})
    if len(reason) > 2000:
        raise ValidationError({"reason": [_("Keep the reason under 2,000 characters.")]})
    request.state = RequestState.SENT_BACK
    request.reason = reason
    request.save(update_fields=["state", "reason", "updated_at"])
    audit_record(
        actor=actor, action="exchange.request_sent_back", organization=request.supplier, target=request
    )
    notices.request_sent_back(request)
    events.request_closed.send(sender=DataRequest, request=request)
    return request


def locked(request: DataRequest) -> DataRequest:
    """Re-read the request under a row lock so two people cannot answer and cancel it at once."""
    fresh = DataRequest.objects.select_for_update().get(pk=request.pk)
    request.state = fresh.state
    return request


# --- Answers ----------------------------------------------------------------------------------------------


@dataclass
class AnswerDetails:
    """What the supplier states about an answer beyond the computed figures (the PACT descriptors)."""

    reference_period_start: Any = None
    reference_period_end: Any = None
    characterization_factors: str = "AR6"
    cross_sectoral_standards: list[str] = field(default_factory=lambda: ["ISO 14067"])
    product_rules: str = ""
    boundary_processes: str = ""
    exempted_emissions_percent: Any = "0"
    geography_country: str = ""
    quality: dict[str, Any] = field(default_factory=dict)
    assurance_provider: str = ""
    assurance_standard: str = ""
    assurance_date: Any = None
    comment: str = ""
    evidence: str = ""
    #: (AnswerFile.Kind, the uploaded file, its `check_upload` result)
    files: list[tuple[str, Any, CheckedUpload]] = field(default_factory=list)


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(_("Enter a valid date."), code="invalid") from None


def detail_values(details: AnswerDetails, *, footprint: bool) -> dict[str, Any]:
    from django_countries import countries

    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {
        "comment": (details.comment or "")[:2000],
        "evidence": (details.evidence or "")[:500],
    }
    if footprint:
        start = _check(errors, "reference_period_start", _date, details.reference_period_start)
        end = _check(errors, "reference_period_end", _date, details.reference_period_end)
        if start is None and "reference_period_start" not in errors:
            errors["reference_period_start"] = [_("A footprint needs the start of its reference period.")]
        if end is None and "reference_period_end" not in errors:
            errors["reference_period_end"] = [_("A footprint needs the end of its reference period.")]
        if start and end and end <= start:
            errors["reference_period_end"] = [_("The reference period must end after it starts.")]
        utc = datetime.UTC
        values["reference_period_start"] = (
            datetime.datetime.combine(start, datetime.time(), utc) if start else None
        )
        values["reference_period_end"] = datetime.datetime.combine(end, datetime.time(), utc) if end else None
        if details.characterization_factors not in CHARACTERIZATION_FACTORS:
            errors["characterization_factors"] = [_("Choose AR6 or AR5.")]
        values["characterization_factors"] = details.characterization_factors
        standards = [s for s in (details.cross_sectoral_standards or []) if s]
        unknown = [s for s in standards if s not in CROSS_SECTORAL_STANDARDS]
        if not standards:
            errors["cross_sectoral_standards"] = [_("Name at least one standard the footprint follows.")]
        elif unknown:
            errors["cross_sectoral_standards"] = [
                _("Unknown standard: %(name)s.") % {"name": unknown[0][:40]}
            ]
        values["cross_sectoral_standards"] = standards
        values["product_rules"] = (details.product_rules or "")[:200]
        values["boundary_processes"] = (details.boundary_processes or "")[:2000]
        values["exempted_emissions_percent"] = _check(
            errors,
            "exempted_emissions_percent",
            to_decimal,
            details.exempted_emissions_percent or "0",
            maximum=Decimal(5),
        )
        country = (details.geography_country or "").strip().upper()
        if country and country not in countries:
            errors["geography_country"] = [
                _("“%(code)s” is not a known country code.") % {"code": country[:10]}
            ]
        values["geography_country"] = country
        quality = {}
        for key in ("coverage_percent", *PACT_QUALITY_KEYS):
            raw = (details.quality or {}).get(key)
            if raw in (None, ""):
                continue
            checker = to_percent if key == "coverage_percent" else pact_rating
            checked = _check(errors, f"quality_{key}", checker, raw)
            if checked is not None:
                quality[key] = plain(checked)
        values["quality"] = quality
        values["assurance_provider"] = (details.assurance_provider or "")[:200]
        values["assurance_standard"] = (details.assurance_standard or "")[:200]
        values["assurance_date"] = _check(errors, "assurance_date", _date, details.assurance_date)
        if values["assurance_date"] and values["assurance_date"] > timezone.localdate():
            errors["assurance_date"] = [_("The assurance date cannot be in the future.")]
    _errors(errors)
    return values


def _figure_values(result: Result, *, footprint: bool, materials: bool) -> dict[str, Any]:
    figures = result.figures
    errors: dict[str, list[str]] = {}
    if footprint and not figures.has_emissions:
        errors["footprint"] = [
            _("This part has no emissions yet: enter its own emissions or get answers for its components.")
        ]
    if materials and not figures.materials:
        errors["materials"] = [
            _("This part declares no materials yet: add its own materials or get answers for its components.")
        ]
    _errors(errors)
    values: dict[str, Any] = {
        "mass_per_unit": figures.mass,
        "has_footprint": footprint,
        "has_materials": materials,
    }
    if footprint:
        values.update(
            pcf_excluding_biogenic=figures.total,
            pcf_including_biogenic=figures.including_biogenic,
            fossil_emissions=figures.total,
            biogenic_uptake=figures.biogenic_uptake,
            biogenic_carbon_content=figures.biogenic_carbon,
            own_pre_processing=figures.own_pre,
            own_main_production=figures.own_main,
            purchased_pre_processing=figures.purchased_pre,
            purchased_main_production=figures.purchased_main,
            stage_quality=figures.stage_quality(),
            primary_data_share=figures.primary_data_share,
            fossil_carbon_content=Decimal(0),
        )
    return values


def store_answer(
    *, actor, request: DataRequest, part: Part, values: dict[str, Any], version: int = 1, preceding=None
) -> Answer:
    """An answer of the supplier's `part` on `request`, from checked `values` (rolled up here, or read
    from a partner's file by `file_answers`). Only the supplier's identity and the part's own name."""
    return Answer.objects.create(
        request=request,
        supplier=request.supplier,
        customer=request.customer,
        supplier_part=part,
        preceding=preceding,
        version=version,
        product_name=part.name,
        product_id=part.local_id,
        cn_code=part.cn_code,
        declared_unit=part.unit,
        released_by=actor,
        **values,
    )


def release(*, actor, request: DataRequest, part: Part, answer: Answer, source: str = "portal") -> None:
    """The request is fulfilled by `answer`: recorded, audited, the customer told, other apps told."""
    request.state = RequestState.FULFILLED
    request.supplier_part = part
    request.save(update_fields=["state", "supplier_part", "updated_at"])
    audit_record(
        actor=actor,
        action="exchange.answer_released",
        organization=request.supplier,
        target=answer,
        details={"source": source},
    )
    notices.answer_released(answer)
    events.answer_released.send(sender=Answer, answer=answer)


def _store_answer(
    *,
    actor,
    request: DataRequest,
    part: Part,
    result: Result,
    details: AnswerDetails,
    version: int,
    preceding: Answer | None,
) -> Answer:
    footprint, materials = request.wants_footprint, request.wants_materials
    values = {
        **detail_values(details, footprint=footprint),
        **_figure_values(result, footprint=footprint, materials=materials),
    }
    answer = store_answer(
        actor=actor, request=request, part=part, values=values, version=version, preceding=preceding
    )
    if materials:
        materials_by_code = Material.objects.in_bulk(list(result.figures.materials), field_name="code")
        AnswerMaterial.objects.bulk_create(
            AnswerMaterial(
                answer=answer,
                material=material,
                mass_per_unit=figure.mass,
                extraction_shares={k: plain(v) for k, v in figure.shares(figure.extraction).items()},
                processing_shares={k: plain(v) for k, v in figure.shares(figure.processing).items()},
                recycled_pre_consumer=figure.percent(figure.recycled_pre),
                recycled_post_consumer=figure.percent(figure.recycled_post),
            )
            for code, figure in result.figures.materials.items()
            for material in [materials_by_code[code]]
        )
    for kind, upload, checked in details.files:
        stored = AnswerFile(
            answer=answer,
            kind=kind,
            original_name=checked.name,
            content_type=checked.kind.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        stored.file.save(checked.name, upload, save=False)
        stored.save()
    return answer


def answerable_part(actor, request: DataRequest, supplier_part: Part | None) -> Part:
    part = supplier_part or request.supplier_part
    if part is None:
        raise ValidationError({"supplier_part": [_("Choose which of your parts this request is about.")]})
    if part.organization_id != request.supplier_id or part.kind != PartKind.MADE:
        raise ValidationError({"supplier_part": [_("Choose one of the parts you make.")]})
    visible_then_permitted(actor, "view", part)
    if part.unit != request.customer_part.unit:
        raise ValidationError(
            {
                "supplier_part": [
                    _("Your part is declared per %(unit)s, the customer buys it per %(customer_unit)s.")
                    % {
                        "unit": part.get_unit_display(),
                        "customer_unit": request.customer_part.get_unit_display(),
                    }
                ]
            }
        )
    return part


@transaction.atomic
def answer_request(
    *, actor, request: DataRequest, supplier_part: Part | None, details: AnswerDetails
) -> Answer:
    """Roll the chosen part up and release only the aggregate, to this one customer."""
    visible_then_permitted(actor, "answer", locked(request))
    part = answerable_part(actor, request, supplier_part)
    result = _rollup(actor, part)
    answer = _store_answer(
        actor=actor, request=request, part=part, result=result, details=details, version=1, preceding=None
    )
    release(actor=actor, request=request, part=part, answer=answer)
    return answer


def _rollup(actor, part: Part) -> Result:
    try:
        return rollup_for(actor=actor, part=part)
    except CycleError:
        raise ValidationError(
            {"supplier_part": [_("The part's bill of materials contains a loop.")]}
        ) from None


@transaction.atomic
def correct_answer(*, actor, answer: Answer, details: AnswerDetails) -> Answer:
    """A correction: a new answer from today's figures that supersedes `answer`; the customer is told."""
    locked = Answer.objects.select_for_update().get(pk=answer.pk)
    visible_then_permitted(actor, "correct", locked)
    result = _rollup(actor, locked.supplier_part)
    successor = _store_answer(
        actor=actor,
        request=locked.request,
        part=locked.supplier_part,
        result=result,
        details=details,
        version=locked.version + 1,
        preceding=locked,
    )
    for earlier in locked.files.all():  # the certificates still stand unless the correction replaces them
        if not any(
            kind == earlier.kind and checked.sha256 == earlier.sha256 for kind, _u, checked in details.files
        ):
            AnswerFile.objects.create(
                answer=successor,
                kind=earlier.kind,
                original_name=earlier.original_name,
                content_type=earlier.content_type,
                size=earlier.size,
                sha256=earlier.sha256,
                file=earlier.file.name,
            )
    locked.status = AnswerStatus.SUPERSEDED
    locked.superseded_at = timezone.now()
    locked.save(update_fields=["status", "superseded_at"])
    audit_record(
        actor=actor, action="exchange.answer_corrected", organization=locked.supplier, target=successor
    )
    notices.answer_corrected(successor)
    events.answer_released.send(sender=Answer, answer=successor)
    return successor


def details_of(answer: Answer) -> AnswerDetails:
    """An answer's descriptors, to start a correction from."""
    return AnswerDetails(
        reference_period_start=answer.reference_period_start.date()
        if answer.reference_period_start
        else None,
        reference_period_end=answer.reference_period_end.date() if answer.reference_period_end else None,
        characterization_factors=answer.characterization_factors or "AR6",
        cross_sectoral_standards=list(answer.cross_sectoral_standards or []),
        product_rules=answer.product_rules,
        boundary_processes=answer.boundary_processes,
        exempted_emissions_percent=answer.exempted_emissions_percent,
        geography_country=answer.geography_country,
        quality=dict(answer.quality or {}),
        assurance_provider=answer.assurance_provider,
        assurance_standard=answer.assurance_standard,
        assurance_date=answer.assurance_date,
        comment=answer.comment,
        evidence=answer.evidence,
    )


def correct_answers_of_part(*, actor, part: Part) -> list[Answer]:
    """Re-release every current answer given on `part` from today's figures, each with its own descriptors:
    after the part's own data or its suppliers' answers changed, every earlier recipient is told."""
    visible_then_permitted(actor, "change", part)
    current = Answer.objects.restrict(actor, "correct").filter(supplier_part=part).order_by("id")
    return [correct_answer(actor=actor, answer=answer, details=details_of(answer)) for answer in current]
