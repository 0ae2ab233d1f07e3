"""The demo world's supplier data exchange (`exchange.demo.load`): the chain, the request states, the
releases to eu-maker, confidentiality of the refiner towards eu-maker, and idempotency.

Only the demo organizations and logins are loaded first (the exchange needs nothing of the passports or
certification demos), which keeps the test fast; `tests/web/test_demo.py` runs the whole `load_demo`.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from exchange import demo, selectors
from exchange.models import (
    Answer,
    AnswerMaterial,
    AnswerStatus,
    Component,
    DataRequest,
    OwnMaterial,
    Part,
    RequestState,
)
from portal.accounts.models import User
from portal.notifications.models import Notification
from portal.tenancy.demo import load_demo_world
from portal.tenancy.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    load_demo_world()
    demo.load()
    users = {
        name: User.objects.get(username=name) for name in ("refiner", "supplier", "eu-maker", "jp-maker")
    }
    orgs = {name: user.membership.organization for name, user in users.items()}
    return users, orgs


def _rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Part, Component, OwnMaterial, DataRequest, Answer, AnswerMaterial, Notification)
    }


def test_three_level_chain_rolls_up_through_released_answers(world):
    users, orgs = world
    refiner, supplier, eu = orgs["refiner"], orgs["supplier"], orgs["eu-maker"]
    assert refiner.legal_name == demo.REFINER

    # Level 1: the refiner answered the supplier's two requests, from its own parts.
    upstream = Answer.objects.filter(supplier=refiner, customer=supplier, status=AnswerStatus.ACTIVE)
    assert sorted(upstream.values_list("product_id", flat=True)) == ["BBM-LIOH", "BBM-NISO4"]
    lioh = upstream.get(product_id="BBM-LIOH")
    assert lioh.pcf_excluding_biogenic == Decimal("7.3")  # 4.1 pre + 3.2 main
    assert lioh.materials.get(material__code="lithium").extraction_shares == {"AU": "78", "FI": "22"}
    niso4 = upstream.get(product_id="BBM-NISO4")
    # 0.31 kg of its own nickel matte (4.6 + 2.2) plus 0.9 own: the refiner's internal bill of materials.
    assert niso4.pcf_excluding_biogenic == Decimal("3.008")
    assert niso4.materials.get(material__code="nickel").mass_per_unit == Decimal("0.2232")

    # Level 2: the supplier's bought parts name the refiner; its cathode material rolls both answers up
    # through its own precursor (a two-level bill of materials).
    bought = Part.objects.filter(organization=supplier, kind="bought")
    assert {part.supplier_id for part in bought} == {refiner.pk}
    cam = Part.objects.get(organization=supplier, local_id="NCM-CAM-811-PC")
    result = selectors.rollup_for(actor=users["supplier"], part=cam)
    assert result.gaps == []
    assert set(result.figures.materials) == {"lithium", "nickel", "cobalt", "manganese"}

    # Level 3: eu-maker's bought parts name the supplier; its cell rolls the released footprint up.
    cell = Part.objects.get(organization=eu, local_id="EBW-CELL-P100")
    current = Answer.objects.get(customer=eu, product_id="NCM-CAM-811-PC", status=AnswerStatus.ACTIVE)
    cell_result = selectors.rollup_for(actor=users["eu-maker"], part=cell)
    assert cell_result.gaps == []
    assert cell_result.figures.total == Decimal("9.8") + Decimal("0.56") * current.pcf_excluding_biogenic


def test_requests_to_the_supplier_in_every_state(world):
    users, orgs = world
    supplier, eu, jp = orgs["supplier"], orgs["eu-maker"], orgs["jp-maker"]
    received = DataRequest.objects.filter(supplier=supplier)
    assert {(r.customer_id, r.customer_part.local_id, r.state) for r in received} == {
        (eu.pk, "EBW-CAM-811-PC", RequestState.FULFILLED),
        (eu.pk, "EBW-CAM-811-SC", RequestState.FULFILLED),
        (jp.pk, "SD-CAM-NMC811", RequestState.SENT),
        (jp.pk, "SD-CAM-LFP", RequestState.SENT_BACK),
    }
    sent_back = received.get(state=RequestState.SENT_BACK)
    assert "LFP" in sent_back.reason
    # The services' notifications ran: the supplier was asked, jp-maker told of the sent-back request.
    assert (
        Notification.objects.filter(recipient=users["supplier"], event="exchange.request_sent").count() == 4
    )
    assert Notification.objects.filter(
        recipient=users["jp-maker"], event="exchange.request_sent_back"
    ).exists()


def test_two_footprints_released_to_eu_maker_one_corrected(world):
    users, orgs = world
    eu_admin = users["eu-maker"]
    answers = Answer.objects.restrict(eu_admin, "view").order_by("product_id", "version")
    assert {answer.supplier_id for answer in answers} == {orgs["supplier"].pk}
    assert [(a.product_id, a.version, a.status, a.has_footprint) for a in answers] == [
        ("NCM-CAM-811-PC", 1, AnswerStatus.SUPERSEDED, True),
        ("NCM-CAM-811-PC", 2, AnswerStatus.ACTIVE, True),
        ("NCM-CAM-811-SC", 1, AnswerStatus.ACTIVE, True),
    ]
    first, corrected, single_crystal = answers
    assert corrected.preceding_id == first.pk
    # The correction lowered only the supplier's own main production (2.6 -> 2.1 kg CO2e per kg).
    assert first.pcf_excluding_biogenic - corrected.pcf_excluding_biogenic == Decimal("0.5")
    assert Decimal(10) < corrected.pcf_excluding_biogenic < Decimal(25)  # realistic for NMC 811 CAM
    assert single_crystal.pcf_excluding_biogenic > corrected.pcf_excluding_biogenic
    assert Notification.objects.filter(recipient=eu_admin, event="exchange.answer_corrected").exists()


def test_eu_maker_sees_nothing_of_the_refiner(world):
    users, orgs = world
    refiner = orgs["refiner"]
    eu_admin = users["eu-maker"]
    parts = Part.objects.restrict(eu_admin, "view")
    assert parts.exists() and not parts.exclude(organization=orgs["eu-maker"]).exists()
    assert (
        not Component.objects.restrict(eu_admin, "view")
        .exclude(parent__organization=orgs["eu-maker"])
        .exists()
    )
    assert not OwnMaterial.objects.restrict(eu_admin, "view").exists()  # eu-maker declares none itself
    requests = DataRequest.objects.restrict(eu_admin, "view")
    answers = Answer.objects.restrict(eu_admin, "view")
    assert not requests.filter(supplier=refiner).exists() and not answers.filter(supplier=refiner).exists()
    assert not requests.filter(customer=orgs["supplier"]).exists()  # the supplier's own requests upstream
    # Nothing eu-maker can read names the refiner, its identifiers or its parts.
    text = repr(
        [a.__dict__ for a in answers]
        + [m.__dict__ for m in AnswerMaterial.objects.filter(answer__in=answers)]
        + [r.__dict__ for r in requests]
        + [r.customer_part.__dict__ for r in requests]
    )
    for secret in (refiner.legal_name, "Boreal", refiner.bpnl, refiner.lei, "BBM-", "NCM-RM-", "matte"):
        assert secret not in text, secret


def test_loading_twice_changes_nothing(world):
    before = _rows()
    load_demo_world()
    lines = demo.load()
    assert _rows() == before
    assert len(lines) == 4 and lines[0].startswith(demo.REFINER)
    assert Organization.objects.filter(legal_name=demo.REFINER).count() == 1
