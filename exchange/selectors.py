"""Reads of the exchange, each through its model's `restrict()`."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from portal.tenancy.models import COMPANY_KINDS, Organization, OrganizationStatus

from .access import company_of
from .models import (
    Answer,
    AnswerMaterial,
    AnswerStatus,
    Component,
    DataRequest,
    Material,
    OwnMaterial,
    Part,
    PartKind,
)
from .rollup import ASPECTS, Figures, Line, MaterialMass, OwnData, Result, roll_up


def materials() -> QuerySet[Material]:
    return Material.objects.all()


def parts_for(*, actor) -> QuerySet[Part]:
    return Part.objects.restrict(actor, "view").select_related("supplier")


def part_get(*, actor, public_id) -> Part | None:
    return parts_for(actor=actor).filter(public_id=public_id).first()


def components_of(*, actor, part: Part) -> QuerySet[Component]:
    return (
        Component.objects.restrict(actor, "view")
        .filter(parent=part)
        .select_related("child", "child__supplier")
    )


def bill_of_materials(*, actor, organization) -> dict[int, list[tuple[int, Decimal]]]:
    """Every bill-of-materials line of the actor's company as {parent id: [(child id, quantity)]}."""
    lines: dict[int, list[tuple[int, Decimal]]] = {}
    rows = (
        Component.objects.restrict(actor, "view")
        .filter(parent__organization=organization)
        .values_list("parent_id", "child_id", "quantity")
    )
    for parent_id, child_id, quantity in rows:
        lines.setdefault(parent_id, []).append((child_id, quantity))
    return lines


def own_materials_of(*, actor, part: Part) -> QuerySet[OwnMaterial]:
    return OwnMaterial.objects.restrict(actor, "view").filter(part=part).select_related("material")


def requests_for(*, actor) -> QuerySet[DataRequest]:
    return DataRequest.objects.restrict(actor, "view").select_related("customer", "supplier", "customer_part")


def requests_received(*, actor) -> QuerySet[DataRequest]:
    return requests_for(actor=actor).filter(supplier=company_of(actor)).select_related("supplier_part")


def requests_sent(*, actor) -> QuerySet[DataRequest]:
    return requests_for(actor=actor).filter(customer=company_of(actor))


def request_get(*, actor, public_id) -> DataRequest | None:
    return requests_for(actor=actor).filter(public_id=public_id).first()


def answers_for(*, actor) -> QuerySet[Answer]:
    return (
        Answer.objects.restrict(actor, "view")
        .select_related("supplier", "customer", "request", "preceding", "successor")
        .prefetch_related(Prefetch("materials", queryset=AnswerMaterial.objects.select_related("material")))
    )


def answer_get(*, actor, public_id) -> Answer | None:
    return answers_for(actor=actor).filter(public_id=public_id).first()


def answers_on(*, actor, request: DataRequest) -> QuerySet[Answer]:
    return answers_for(actor=actor).filter(request=request).order_by("-version")


def suppliers_matching(*, actor, identifier: str) -> Organization | None:
    """The active company registered under a BPNL, corporate number or LEI, other than the actor's own:
    what a customer may name as the supplier of a bought part."""
    value = (identifier or "").strip().upper()
    if not value:
        return None
    own = company_of(actor)
    found = Organization.objects.filter(
        Q(bpnl=value) | Q(corporate_number=value) | Q(lei=value),
        status=OrganizationStatus.ACTIVE,
        kind__in=COMPANY_KINDS,
    ).order_by("pk")
    for organization in found:
        if own is None or organization.pk != own.pk:
            return organization
    return None


# --- roll-up --------------------------------------------------------------------------------------------


def answer_figures(answer: Answer) -> Figures:
    """What one unit of an answered part brings into its customer's roll-up. An answer without the
    Ouranos split (imported from a PACT or Catena-X file) counts as pre-processing."""
    figures = Figures(mass=answer.mass_per_unit)
    if answer.has_footprint:
        figures.has_emissions = True
        split = [
            answer.own_pre_processing,
            answer.own_main_production,
            answer.purchased_pre_processing,
            answer.purchased_main_production,
        ]
        if any(value is not None for value in split):
            figures.own_pre = (answer.own_pre_processing or 0) + (answer.purchased_pre_processing or 0)
            figures.own_main = (answer.own_main_production or 0) + (answer.purchased_main_production or 0)
        else:
            figures.own_pre = answer.pcf_excluding_biogenic or Decimal(0)
        figures.biogenic_uptake = answer.biogenic_uptake or Decimal(0)
        figures.biogenic_carbon = answer.biogenic_carbon_content or Decimal(0)
        figures.primary_weighted = figures.total * (answer.primary_data_share or 0)
        for stage, stage_total in (("pre", figures.own_pre), ("main", figures.own_main)):
            ratings = (answer.stage_quality or {}).get(stage) or {}
            if stage_total and all(ratings.get(aspect) for aspect in ASPECTS):
                figures.quality_weight[stage] += stage_total
                for aspect in ASPECTS:
                    figures.quality_weighted[(stage, aspect)] += stage_total * Decimal(ratings[aspect])
    for line in answer.materials.all():
        figures.materials[line.material.code] = MaterialMass.from_shares(
            line.mass_per_unit,
            line.extraction_shares,
            line.processing_shares,
            line.recycled_pre_consumer,
            line.recycled_post_consumer,
        )
    return figures


def current_answers_received(organization: Organization, part_ids) -> dict[int, Answer]:
    """The newest current answer received for each of the organization's bought parts."""
    answers = (
        Answer.objects.filter(
            customer=organization, status=AnswerStatus.ACTIVE, request__customer_part__in=part_ids
        )
        .select_related("request", "supplier")
        .prefetch_related(Prefetch("materials", queryset=AnswerMaterial.objects.select_related("material")))
        .order_by("request__customer_part_id", "-released_at", "-id")
    )
    newest: dict[int, Answer] = {}
    for answer in answers:
        newest.setdefault(answer.request.customer_part_id, answer)
    return newest


def rollup_for(*, actor, part: Part) -> Result:
    """The roll-up of one of the actor's own parts, from its whole bill of materials (loaded in a fixed
    number of queries, whatever its size) and the answers its suppliers released to it."""
    organization = part.organization
    if not Part.objects.permits(actor, "view", part):
        raise PermissionError("not the actor's part")
    parts = {p.pk: p for p in Part.objects.filter(organization=organization)}
    lines: dict[int, list[Line]] = {}
    for parent_id, child_id, quantity in Component.objects.filter(
        parent__organization=organization
    ).values_list("parent_id", "child_id", "quantity"):
        lines.setdefault(parent_id, []).append(Line(child_id, quantity))
    materials_by_part: dict[int, list[tuple[str, MaterialMass]]] = {}
    for row in OwnMaterial.objects.filter(part__organization=organization).select_related("material"):
        materials_by_part.setdefault(row.part_id, []).append(
            (
                row.material.code,
                MaterialMass.from_shares(
                    row.mass_per_unit,
                    row.extraction_shares,
                    row.processing_shares,
                    row.recycled_pre_consumer,
                    row.recycled_post_consumer,
                ),
            )
        )
    own = {
        pk: OwnData(
            pre=p.own_pre_processing,
            main=p.own_main_production,
            biogenic_uptake=p.own_biogenic_uptake,
            biogenic_carbon=p.own_biogenic_carbon,
            primary_share=p.own_primary_share,
            quality=p.own_quality,
            mass=p.mass_per_unit,
            materials=tuple(materials_by_part.get(pk, ())),
        )
        for pk, p in parts.items()
        if p.kind == PartKind.MADE
    }
    bought_ids = [pk for pk, p in parts.items() if p.kind == PartKind.BOUGHT]
    answers = current_answers_received(organization, bought_ids)
    bought = {}
    for pk in bought_ids:
        answer = answers.get(pk)
        if answer is not None and answer.declared_unit != parts[pk].unit:
            bought[pk] = (
                None,
                answer,
                _("the answer is per %(unit)s, the part per %(part_unit)s")
                % {"unit": answer.get_declared_unit_display(), "part_unit": parts[pk].get_unit_display()},
            )
        elif answer is not None:
            figures = answer_figures(answer)
            if figures.mass is None and parts[pk].mass_per_unit is not None:
                figures.mass = parts[pk].mass_per_unit
            bought[pk] = (figures, answer, "")
        elif parts[pk].supplier_id is None:
            bought[pk] = (None, None, _("no supplier named"))
        else:
            bought[pk] = (None, None, _("no answer yet"))
    return roll_up(part.pk, own=own, lines=lines, bought=bought)
