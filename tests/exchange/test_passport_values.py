"""Answers received fill a battery model's footprint, recycled content and supply chain, after review."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from exchange import passport_values, services
from passports import services as passport_services
from passports.models import SupplyChainEntry

from .chain import build_chain, details, due

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain_with_battery():
    chain = build_chain()
    request = services.send_request(
        actor=chain.cell_user,
        part=chain.cell_nmc,
        wants_footprint=True,
        wants_materials=True,
        message="",
        due_date=due(),
    )
    services.answer_request(
        actor=chain.cathode_user, request=request, supplier_part=chain.nmc, details=details()
    )
    model = passport_services.battery_model_create(
        actor=chain.cell_user,
        organization=chain.cell,
        values={
            "model_name": "Pack 1",
            "manufacturer_part_id": "P-1",
            "battery_category": "ev",
            "rated_energy": "1",
            "expected_lifetime_cycles": 10,
        },
    )
    pack = services.create_part(
        actor=chain.cell_user, kind="made", data={"local_id": "PACK", "name": "Pack", "unit": "piece"}
    )
    services.set_component(actor=chain.cell_user, parent=pack, child=chain.cell_nmc, quantity="100")
    passport_values.link_battery_model(actor=chain.cell_user, part=pack, battery_model=model)
    SupplyChainEntry.objects.create(
        battery_model=model,
        material="cobalt",
        country_of_origin="AU",
        supplier_name="Hand-typed Mining",
        supplier_identifier="",
        procurement_amount=5,
        procurement_unit="t",
        period_start="2026-01-01",
        period_end="2026-12-31",
    )
    return chain, model


def test_the_proposal_is_computed_from_the_answers(chain_with_battery):
    chain, model = chain_with_battery
    offer = passport_values.proposal(actor=chain.cell_user, battery_model=model)
    assert offer.acceptable and offer.functional_unit_kwh == 10
    rows = {row["lifecycle_stage"]: row["value"] for row in offer.changes["carbon_footprint"][1]}
    assert rows == {
        "total": Decimal("70"),
        passport_values.PRE_STAGE: Decimal("40"),
        passport_values.MAIN_STAGE: Decimal("30"),
    }
    assert offer.changes["lithium_recycled_share"] == (None, Decimal("10"))
    assert offer.changes["lithium_recycled_post_consumer"] == (None, Decimal("10"))
    checks = {(c.metal, c.year): c.met for c in offer.checks}
    assert checks == {
        ("lithium", 2031): True,
        ("lithium", 2036): False,
        ("nickel", 2031): False,
        ("nickel", 2036): False,
    }
    assert offer.primary_data_share == Decimal("94.286")
    origins = {
        (r["material"], r["country_of_origin"]): r for r in offer.supply_chain if r["supplier_identifier"]
    }
    assert set(origins) == {("lithium", "CL"), ("lithium", "AU"), ("nickel", "ID")}
    assert origins[("lithium", "CL")]["procurement_amount"] == "4.512"  # 100 kg x 0.0752 x 60 %
    assert origins[("lithium", "CL")]["refiner_country"] == "CN"
    assert {r["supplier_name"] for r in origins.values()} == {"Cathode Materials KK"}  # never the refiner
    assert offer.kept_rows == 1
    # Nothing is written by looking.
    model.refresh_from_db()
    assert (
        "carbon_footprint" not in model.data
        and SupplyChainEntry.objects.filter(battery_model=model).count() == 1
    )


def test_accepting_writes_the_draft_and_keeps_hand_typed_rows(chain_with_battery):
    chain, model = chain_with_battery
    passport_values.accept(actor=chain.cell_user, battery_model=model)
    model.refresh_from_db()
    assert Decimal(str(model.data["lithium_recycled_share"])) == 10
    entries = SupplyChainEntry.objects.filter(battery_model=model)
    assert entries.count() == 4
    assert set(entries.values_list("supplier_name", flat=True)) == {
        "Cathode Materials KK",
        "Hand-typed Mining",
    }
    assert chain.refiner.legal_name not in repr(model.data)
    # Accepting twice replaces the linked rows instead of adding them again.
    passport_values.accept(actor=chain.cell_user, battery_model=model)
    assert SupplyChainEntry.objects.filter(battery_model=model).count() == 4


def test_nothing_to_compute_says_why(chain_with_battery):
    chain, model = chain_with_battery
    passport_values.link_battery_model(
        actor=chain.cell_user,
        part=services.create_part(
            actor=chain.cell_user,
            kind="made",
            data={"local_id": "KG", "name": "Per kg", "unit": "kilogram", "own_main_production": "1"},
        ),
        battery_model=model,
    )
    offer = passport_values.proposal(actor=chain.cell_user, battery_model=model)
    assert offer.problems and not offer.acceptable
    with pytest.raises(ValidationError):
        passport_values.accept(actor=chain.cell_user, battery_model=model)


def test_only_the_owner_links_and_proposes(chain_with_battery):
    chain, model = chain_with_battery
    from django.http import Http404

    with pytest.raises(Http404):
        passport_values.proposal(actor=chain.cathode_user, battery_model=model)
    with pytest.raises(ValidationError):
        passport_values.link_battery_model(actor=chain.cathode_user, part=chain.nmc, battery_model=model)
