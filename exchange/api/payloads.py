"""The dicts the exchange API renders, one per audience. Built from explicit fields only: a customer
gets an answer's aggregate values and the answering company's identity, never the supplier's part ids,
bill of materials or sub-suppliers; a request shows each party its own part's id only."""

from __future__ import annotations

from typing import Any

from ..access import company_of
from ..models import Answer, Component, DataRequest, OwnMaterial, Part
from ..rollup import Result
from .common import figure


def company(organization) -> dict[str, Any]:
    return {
        "name": organization.legal_name,
        "bpnl": organization.bpnl,
        "corporate_number": organization.corporate_number,
        "lei": organization.lei,
    }


def part_ref(part: Part) -> dict[str, Any]:
    return {
        "id": part.public_id,
        "kind": part.kind,
        "local_id": part.local_id,
        "name": part.name,
        "unit": part.unit,
    }


def part_payload(part: Part) -> dict[str, Any]:
    """For the part's owner only (the views look parts up through `restrict()`)."""
    return {
        **part_ref(part),
        "mass_per_unit": part.mass_per_unit,
        "cn_code": part.cn_code,
        "supplier": company(part.supplier) if part.supplier_id else None,
        "own_pre_processing": part.own_pre_processing,
        "own_main_production": part.own_main_production,
        "own_biogenic_uptake": part.own_biogenic_uptake,
        "own_biogenic_carbon": part.own_biogenic_carbon,
        "own_primary_share": part.own_primary_share,
        "own_quality": part.own_quality or {},
        "created_at": part.created_at,
        "updated_at": part.updated_at,
    }


def component_payload(component: Component) -> dict[str, Any]:
    return {"child": part_ref(component.child), "quantity": component.quantity}


def own_material_payload(row: OwnMaterial) -> dict[str, Any]:
    return {
        "material": row.material.code,
        "material_name": row.material.display_name,
        "mass_per_unit": row.mass_per_unit,
        "extraction_shares": dict(row.extraction_shares),
        "processing_shares": dict(row.processing_shares),
        "recycled_pre_consumer": row.recycled_pre_consumer,
        "recycled_post_consumer": row.recycled_post_consumer,
        "evidence": row.evidence,
    }


def rollup_payload(part: Part, result: Result, parts: dict[int, Part]) -> dict[str, Any]:
    """The owner's own roll-up: its lines and the answers it received are its own business. `parts`:
    the owner's parts the result names, by primary key."""
    figures = result.figures
    materials = [
        {
            "material": code,
            "mass_per_unit": material.mass,
            "extraction_shares": {k: figure(v) for k, v in material.shares(material.extraction).items()},
            "processing_shares": {k: figure(v) for k, v in material.shares(material.processing).items()},
            "recycled_pre_consumer": material.percent(material.recycled_pre),
            "recycled_post_consumer": material.percent(material.recycled_post),
        }
        for code, material in sorted(figures.materials.items())
    ]
    return {
        "part": part_ref(part),
        "figures": {
            "has_emissions": figures.has_emissions,
            "own_pre_processing": figures.own_pre,
            "own_main_production": figures.own_main,
            "purchased_pre_processing": figures.purchased_pre,
            "purchased_main_production": figures.purchased_main,
            "total": figures.total,
            "including_biogenic": figures.including_biogenic,
            "biogenic_uptake": figures.biogenic_uptake,
            "biogenic_carbon": figures.biogenic_carbon,
            "primary_data_share": figures.primary_data_share,
            "mass_per_unit": figures.mass,
            "stage_quality": figures.stage_quality(),
            "materials": materials,
        },
        "sources": [
            {
                "part": part_ref(parts[source.part]) if source.part in parts else None,
                "quantity": source.quantity,
                "emissions": source.emissions,
                "materials": {code: figure(mass) for code, mass in source.materials.items()},
                "answer": getattr(source.answer, "public_id", None),
                "missing": str(source.missing),
            }
            for source in result.sources
        ],
        "gaps": [
            {"part": part_ref(parts[part_id]), "reason": str(reason)}
            for part_id, reason in result.gaps
            if part_id in parts
        ],
    }


def _request_part(part: Part, *, with_id: bool) -> dict[str, Any]:
    row = {"local_id": part.local_id, "name": part.name, "unit": part.unit}
    if with_id:
        row["id"] = part.public_id
    return row


def request_payload(actor, request: DataRequest) -> dict[str, Any]:
    own = company_of(actor)
    is_customer = own is not None and request.customer_id == own.pk
    payload = {
        "id": request.public_id,
        "reference": request.reference,
        "role": "customer" if is_customer else "supplier",
        "state": request.state,
        "customer": company(request.customer),
        "supplier": company(request.supplier),
        "customer_part": _request_part(request.customer_part, with_id=is_customer),
        "wants_footprint": request.wants_footprint,
        "wants_materials": request.wants_materials,
        "message": request.message,
        "due_date": request.due_date,
        "reason": request.reason,
        "answers": [answer.public_id for answer in sorted(request.answers.all(), key=lambda a: a.version)],
        "created_at": request.created_at,
        "updated_at": request.updated_at,
    }
    if not is_customer:
        payload["supplier_part"] = (
            _request_part(request.supplier_part, with_id=True) if request.supplier_part_id else None
        )
    return payload


def _successor_id(answer: Answer):
    try:
        return answer.successor.public_id
    except Answer.DoesNotExist:
        return None


def answer_payload(actor, answer: Answer) -> dict[str, Any]:
    own = company_of(actor)
    is_supplier = own is not None and answer.supplier_id == own.pk
    footprint = None
    if answer.has_footprint:
        footprint = {
            key: getattr(answer, key)
            for key in (
                "pcf_excluding_biogenic",
                "pcf_including_biogenic",
                "fossil_emissions",
                "biogenic_uptake",
                "biogenic_carbon_content",
                "fossil_carbon_content",
                "own_pre_processing",
                "own_main_production",
                "purchased_pre_processing",
                "purchased_main_production",
                "primary_data_share",
                "reference_period_start",
                "reference_period_end",
                "geography_country",
                "characterization_factors",
                "product_rules",
                "boundary_processes",
                "exempted_emissions_percent",
                "assurance_provider",
                "assurance_standard",
                "assurance_date",
            )
        }
        footprint.update(
            stage_quality=answer.stage_quality or {},
            quality=dict(answer.quality or {}),
            cross_sectoral_standards=list(answer.cross_sectoral_standards or []),
        )
    payload = {
        "id": answer.public_id,
        "request": answer.request.public_id,
        "role": "supplier" if is_supplier else "customer",
        "version": answer.version,
        "status": answer.status,
        "preceding": answer.preceding.public_id if answer.preceding_id else None,
        "successor": _successor_id(answer),
        "supplier": company(answer.supplier),
        "customer": company(answer.customer),
        "product": {
            "name": answer.product_name,
            "product_id": answer.product_id,
            "cn_code": answer.cn_code,
            "declared_unit": answer.declared_unit,
            "mass_per_unit": answer.mass_per_unit,
        },
        "has_footprint": answer.has_footprint,
        "footprint": footprint,
        "has_materials": answer.has_materials,
        "materials": [
            {
                "material": line.material.code,
                "mass_per_unit": line.mass_per_unit,
                "extraction_shares": dict(line.extraction_shares),
                "processing_shares": dict(line.processing_shares),
                "recycled_pre_consumer": line.recycled_pre_consumer,
                "recycled_post_consumer": line.recycled_post_consumer,
            }
            for line in answer.materials.all()
        ],
        "files": [
            {
                "id": stored.public_id,
                "kind": stored.kind,
                "name": stored.original_name,
                "content_type": stored.content_type,
                "size": stored.size,
                "sha256": stored.sha256,
            }
            for stored in answer.files.all()
        ],
        "comment": answer.comment,
        "evidence": answer.evidence,
        "released_at": answer.released_at,
        "superseded_at": answer.superseded_at,
    }
    if is_supplier:
        payload["supplier_part"] = answer.supplier_part.public_id
    return payload
