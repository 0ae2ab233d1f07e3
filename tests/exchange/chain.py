"""A three-level chain for exchange tests: a refiner answers a cathode maker, which answers a cell maker.

refiner   makes  LI-CARB (lithium carbonate, per kg): own 5 kg CO2e pre-processing, 0.188 kg lithium,
                 extracted CL 60 / AU 40, processed CN 100, 10 % post-consumer recycled.
cathode   buys   LI-CARB from refiner; makes NMC (per kg): own 2 pre + 3 main, 0.4 kg LI-CARB per kg,
                 0.2 kg own nickel (ID 100, processed JP 100, no recycled content).
cell      buys   NMC from cathode.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from exchange import services
from exchange.models import Part
from portal.tenancy.models import OrganizationKind, Role
from tests.factories import OrganizationFactory, member

DETAILS = dict(reference_period_start="2026-01-01", reference_period_end="2027-01-01")


def details(**overrides) -> services.AnswerDetails:
    return services.AnswerDetails(**{**DETAILS, **overrides})


@dataclass
class Chain:
    refiner: object
    cathode: object
    cell: object
    refiner_user: object
    cathode_user: object
    cell_user: object
    li_carb: Part
    cathode_li_carb: Part
    nmc: Part
    cell_nmc: Part


def due() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=30)


def build_chain(*, answer_refiner: bool = True) -> Chain:
    refiner = OrganizationFactory(
        legal_name="Salar Refining S.A.", kind=OrganizationKind.SUPPLIER, country="CL"
    )
    cathode = OrganizationFactory(
        legal_name="Cathode Materials KK", kind=OrganizationKind.SUPPLIER, country="JP"
    )
    cell = OrganizationFactory(legal_name="Cell Maker GmbH")
    refiner_user = member(Role.EDITOR, refiner)
    cathode_user = member(Role.EDITOR, cathode)
    cell_user = member(Role.ADMIN, cell)

    li_carb = services.create_part(
        actor=refiner_user,
        kind="made",
        data={
            "local_id": "LI-CARB",
            "name": "Lithium carbonate",
            "unit": "kilogram",
            "mass_per_unit": "1",
            "own_pre_processing": "5",
            "own_primary_share": "80",
            "own_quality": {"pre": {"technological": 2, "geographical": 2, "temporal": 1}},
        },
    )
    services.set_own_material(
        actor=refiner_user,
        part=li_carb,
        data={
            "material": "lithium",
            "mass_per_unit": "0.188",
            "extraction_shares": {"CL": "60", "AU": "40"},
            "processing_shares": {"CN": "100"},
            "recycled_pre_consumer": "0",
            "recycled_post_consumer": "10",
        },
    )
    cathode_li_carb = services.create_part(
        actor=cathode_user,
        kind="bought",
        data={"local_id": "RM-7", "name": "Li2CO3 battery grade", "unit": "kilogram"},
    )
    services.link_supplier(actor=cathode_user, part=cathode_li_carb, identifier=refiner.bpnl)
    nmc = services.create_part(
        actor=cathode_user,
        kind="made",
        data={
            "local_id": "NMC811",
            "name": "NMC 811 cathode active material",
            "unit": "kilogram",
            "own_pre_processing": "2",
            "own_main_production": "3",
            "own_primary_share": "100",
        },
    )
    services.set_component(actor=cathode_user, parent=nmc, child=cathode_li_carb, quantity="0.4")
    services.set_own_material(
        actor=cathode_user,
        part=nmc,
        data={
            "material": "nickel",
            "mass_per_unit": "0.2",
            "extraction_shares": {"ID": "100"},
            "processing_shares": {"JP": "100"},
        },
    )
    cell_nmc = services.create_part(
        actor=cell_user,
        kind="bought",
        data={"local_id": "CAM-1", "name": "Cathode material", "unit": "kilogram"},
    )
    services.link_supplier(actor=cell_user, part=cell_nmc, identifier=cathode.bpnl)
    if answer_refiner:
        request = services.send_request(
            actor=cathode_user,
            part=cathode_li_carb,
            wants_footprint=True,
            wants_materials=True,
            message="Please",
            due_date=due(),
        )
        services.answer_request(actor=refiner_user, request=request, supplier_part=li_carb, details=details())
    return Chain(
        refiner, cathode, cell, refiner_user, cathode_user, cell_user, li_carb, cathode_li_carb, nmc, cell_nmc
    )


ZERO = Decimal(0)
