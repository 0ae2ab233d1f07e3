"""View-models of the exchange pages: plain dicts built from the fields each audience may read, so a
template never holds a model instance that could walk to a confidential relation (a customer's page
must not reach the supplier's parts, bill of materials or suppliers).

- `rollup_view` and `tree_view`: the owner's own part, with where each figure comes from; owner only.
- `request_view` and `answer_view`: what both companies of a request read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from .. import selectors
from ..forms import ASPECTS as ASPECT_LABELS
from ..forms import STAGES as STAGE_LABELS
from ..models import Answer, DataRequest, Part, PartKind
from ..rollup import ASPECTS, STAGES, Result
from .common import ANSWER_BADGES, REQUEST_BADGES

HUNDRED = Decimal(100)


def part_label(part: Part) -> dict[str, Any]:
    return {
        "id": part.public_id,
        "local_id": part.local_id,
        "name": part.name,
        "kind": part.kind,
        "kind_label": part.get_kind_display(),
        "unit": part.get_unit_display(),
    }


def _material_names() -> dict[str, str]:
    return {material.code: material.display_name for material in selectors.materials()}


def stage_quality_rows(ratings: dict | None) -> list[dict[str, Any]]:
    """{"pre": {"technological": 2, ...}} as rows per stage, for a small table."""
    labels = dict(STAGE_LABELS)
    aspect_labels = dict(ASPECT_LABELS)
    rows = []
    for stage in STAGES:
        values = (ratings or {}).get(stage)
        if values:
            rows.append(
                {
                    "stage": labels[stage],
                    "ratings": [(aspect_labels[aspect], values.get(aspect)) for aspect in ASPECTS],
                }
            )
    return rows


def rollup_view(result: Result, parts: dict[int, Part]) -> dict[str, Any]:
    """The roll-up of one of the actor's own parts: totals per stage, quality, materials, and where each
    figure comes from (own data, each line with its quantity, the supplier and answer version it uses)
    and what is missing. Only ever shown to the part's owner."""
    figures = result.figures
    names = _material_names()
    materials = []
    for code, material in sorted(figures.materials.items(), key=lambda item: -item[1].mass):
        materials.append(
            {
                "name": names.get(code, code),
                "mass": material.mass,
                "extraction": material.shares(material.extraction),
                "processing": material.shares(material.processing),
                "recycled_pre": material.percent(material.recycled_pre),
                "recycled_post": material.percent(material.recycled_post),
            }
        )
    sources = []
    for source in result.sources:
        row: dict[str, Any] = {
            "own": source.part is None,
            "quantity": source.quantity,
            "emissions": source.emissions,
            "materials": [(names.get(code, code), mass) for code, mass in source.materials.items() if mass],
            "missing": source.missing,
        }
        if source.part is not None:
            child = parts[source.part]
            row["part"] = part_label(child)
            row["supplier"] = child.supplier.legal_name if child.supplier_id and child.supplier else ""
        answer = source.answer
        if isinstance(answer, Answer):
            row["answer"] = {
                "id": answer.public_id,
                "supplier": answer.supplier.legal_name,
                "version": answer.version,
                "released_at": answer.released_at,
            }
        sources.append(row)
    gaps = [{"part": part_label(parts[part_id]), "reason": reason} for part_id, reason in result.gaps]
    return {
        "own_pre": figures.own_pre,
        "own_main": figures.own_main,
        "purchased_pre": figures.purchased_pre,
        "purchased_main": figures.purchased_main,
        "pre": figures.pre,
        "main": figures.main,
        "total": figures.total,
        "biogenic_uptake": figures.biogenic_uptake,
        "including_biogenic": figures.including_biogenic,
        "biogenic_carbon": figures.biogenic_carbon,
        "has_emissions": figures.has_emissions,
        "mass": figures.mass,
        "primary_data_share": figures.primary_data_share,
        "stage_quality": stage_quality_rows(figures.stage_quality()),
        "materials": materials,
        "sources": sources,
        "gaps": gaps,
    }


def tree_view(actor, part: Part, parts: dict[int, Part]) -> list[dict[str, Any]]:
    """The part's components as its owner sees them: its own made parts recursively, down to its bought
    parts and the companies it buys them from (never further: what lies beyond is the supplier's)."""
    lines = selectors.bill_of_materials(actor=actor, organization=part.organization_id)

    def nodes(parent_id: int, path: frozenset[int]) -> list[dict[str, Any]]:
        result = []
        for child_id, quantity in lines.get(parent_id, ()):
            child = parts[child_id]
            node = {
                "part": part_label(child),
                "quantity": quantity,
                "supplier": child.supplier.legal_name
                if child.kind == PartKind.BOUGHT and child.supplier
                else "",
                "children": [],
                "loop": child_id in path,
            }
            if child.kind == PartKind.MADE and not node["loop"]:
                node["children"] = nodes(child_id, path | {child_id})
            result.append(node)
        return result

    return nodes(part.pk, frozenset({part.pk}))


def is_overdue(data_request: DataRequest) -> bool:
    return data_request.state in ("sent", "sent_back") and data_request.due_date < timezone.localdate()


def request_row(data_request: DataRequest) -> dict[str, Any]:
    """A request as both of its companies may read it (the customer's part is named to the supplier, as
    the notification e-mails do; the supplier's own part is not named to the customer here)."""
    return {
        "id": data_request.public_id,
        "reference": data_request.reference,
        "customer": data_request.customer.legal_name,
        "supplier": data_request.supplier.legal_name,
        "part": f"{data_request.customer_part.local_id} {data_request.customer_part.name}",
        "unit": data_request.customer_part.get_unit_display(),
        "kinds": data_request.kinds_label,
        "wants_footprint": data_request.wants_footprint,
        "wants_materials": data_request.wants_materials,
        "message": data_request.message,
        "due_date": data_request.due_date,
        "overdue": is_overdue(data_request),
        "state": data_request.state,
        "state_label": data_request.get_state_display(),
        "badge": REQUEST_BADGES.get(data_request.state, "inactive"),
        "reason": data_request.reason,
        "created_at": data_request.created_at,
    }


def answer_row(answer: Answer) -> dict[str, Any]:
    return {
        "id": answer.public_id,
        "version": answer.version,
        "status": answer.status,
        "status_label": answer.get_status_display(),
        "badge": ANSWER_BADGES.get(answer.status, "inactive"),
        "released_at": answer.released_at,
        "superseded_at": answer.superseded_at,
        "has_footprint": answer.has_footprint,
        "pcf": answer.pcf_excluding_biogenic,
        "unit": answer.get_declared_unit_display(),
    }


def answer_view(answer: Answer) -> dict[str, Any]:
    """What was released: the aggregate figures, descriptors, material declaration and files. The same
    for both companies; nothing here reaches the supplier's parts or its own suppliers."""
    quality = answer.quality or {}
    return {
        **answer_row(answer),
        "request_id": answer.request.public_id,
        "request_reference": answer.request.reference,
        "supplier": answer.supplier.legal_name,
        "customer": answer.customer.legal_name,
        "product_name": answer.product_name,
        "product_id": answer.product_id,
        "cn_code": answer.cn_code,
        "mass": answer.mass_per_unit,
        "comment": answer.comment,
        "evidence": answer.evidence,
        "pcf_excluding_biogenic": answer.pcf_excluding_biogenic,
        "pcf_including_biogenic": answer.pcf_including_biogenic,
        "fossil_emissions": answer.fossil_emissions,
        "biogenic_uptake": answer.biogenic_uptake,
        "biogenic_carbon_content": answer.biogenic_carbon_content,
        "own_pre": answer.own_pre_processing,
        "own_main": answer.own_main_production,
        "purchased_pre": answer.purchased_pre_processing,
        "purchased_main": answer.purchased_main_production,
        "primary_data_share": answer.primary_data_share,
        "stage_quality": stage_quality_rows(answer.stage_quality),
        "coverage_percent": quality.get("coverage_percent"),
        "dqr": [
            (key, quality[key])
            for key in ("technological", "temporal", "geographical", "completeness", "reliability")
            if key in quality
        ],
        "reference_period_start": answer.reference_period_start,
        "reference_period_end": answer.reference_period_end,
        "geography_country": answer.geography_country,
        "characterization_factors": answer.characterization_factors,
        "cross_sectoral_standards": list(answer.cross_sectoral_standards or []),
        "product_rules": answer.product_rules,
        "boundary_processes": answer.boundary_processes,
        "exempted_emissions_percent": answer.exempted_emissions_percent,
        "assurance_provider": answer.assurance_provider,
        "assurance_standard": answer.assurance_standard,
        "assurance_date": answer.assurance_date,
        "has_materials": answer.has_materials,
        "materials": [
            {
                "name": line.material.display_name,
                "mass": line.mass_per_unit,
                "extraction": line.extraction_shares,
                "processing": line.processing_shares,
                "recycled_pre": line.recycled_pre_consumer,
                "recycled_post": line.recycled_post_consumer,
            }
            for line in answer.materials.all()
        ],
        "files": [
            {
                "id": stored.public_id,
                "name": stored.original_name,
                "kind": stored.get_kind_display(),
                "size": stored.size,
            }
            for stored in answer.files.all()
        ],
        "preceding": answer_row(answer.preceding) if answer.preceding_id else None,
        "successor": _successor(answer),
    }


def _successor(answer: Answer) -> dict[str, Any] | None:
    try:
        successor = answer.successor
    except Answer.successor.RelatedObjectDoesNotExist:
        return None
    return answer_row(successor)
