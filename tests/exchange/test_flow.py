"""The exchange end to end at the service level: a three-level chain, its roll-up, and the rules."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from exchange import selectors, services
from exchange.models import Answer, AnswerStatus, Component, DataRequest, OwnMaterial, Part, RequestState
from portal.notifications.models import Notification
from portal.tenancy.models import Role
from tests.factories import OrganizationFactory, member

from .chain import build_chain, details, due

pytestmark = pytest.mark.django_db


def test_answer_carries_the_rolled_up_aggregate():
    chain = build_chain()
    request = services.send_request(
        actor=chain.cell_user,
        part=chain.cell_nmc,
        wants_footprint=True,
        wants_materials=True,
        message="",
        due_date=due(),
    )
    answer = services.answer_request(
        actor=chain.cathode_user, request=request, supplier_part=chain.nmc, details=details()
    )

    assert answer.own_pre_processing == 2 and answer.own_main_production == 3
    assert answer.purchased_pre_processing == Decimal("2.0") and answer.purchased_main_production == 0
    assert answer.pcf_excluding_biogenic == 7
    assert answer.primary_data_share == Decimal("94.286")  # (5 x 100 + 0.4 x 5 x 80) / 7
    assert answer.stage_quality == {"pre": {"technological": 2, "geographical": 2, "temporal": 1}}
    assert answer.mass_per_unit == Decimal("0.6")  # 0.4 kg carbonate + 0.2 kg own nickel
    lithium, nickel = (answer.materials.get(material__code=code) for code in ("lithium", "nickel"))
    assert lithium.mass_per_unit == Decimal("0.0752")
    assert lithium.extraction_shares == {"CL": "60", "AU": "40"}
    assert lithium.processing_shares == {"CN": "100"}
    assert lithium.recycled_post_consumer == 10 and lithium.recycled_pre_consumer == 0
    assert nickel.extraction_shares == {"ID": "100"} and nickel.processing_shares == {"JP": "100"}
    request.refresh_from_db()
    assert request.state == RequestState.FULFILLED and request.supplier_part == chain.nmc
    assert Notification.objects.filter(recipient=chain.cell_user, event="exchange.answer_released").exists()


def test_the_customer_never_sees_the_suppliers_suppliers_or_amounts():
    chain = build_chain()
    request = services.send_request(
        actor=chain.cell_user,
        part=chain.cell_nmc,
        wants_footprint=True,
        wants_materials=True,
        message="",
        due_date=due(),
    )
    answer = services.answer_request(
        actor=chain.cathode_user, request=request, supplier_part=chain.nmc, details=details()
    )
    cell = chain.cell_user
    assert not Part.objects.restrict(cell).filter(organization=chain.cathode).exists()
    assert not Component.objects.restrict(cell).exists()
    assert not OwnMaterial.objects.restrict(cell).exists()
    # The refiner's answer to the cathode maker is not the cell maker's business, nor its request.
    assert list(Answer.objects.restrict(cell)) == [answer]
    assert list(DataRequest.objects.restrict(cell)) == [request]
    # Nor the other way down: the refiner sees nothing of the cathode maker's customer.
    assert not DataRequest.objects.restrict(chain.refiner_user).filter(customer=chain.cell).exists()
    assert not Answer.objects.restrict(chain.refiner_user).filter(customer=chain.cell).exists()
    text = repr(answer.__dict__) + repr([m.__dict__ for m in answer.materials.all()])
    for secret in (chain.refiner.legal_name, chain.refiner.bpnl, "RM-7", "0.4"):
        assert secret not in text


def test_only_a_direct_supplier_can_be_asked():
    chain = build_chain()
    made = chain.nmc
    with pytest.raises(ValidationError) as error:
        services.send_request(
            actor=chain.cell_user,
            part=chain.cell_nmc.__class__.objects.get(pk=chain.cell_nmc.pk),
            wants_footprint=False,
            wants_materials=False,
            message="",
            due_date=due(),
        )
    assert "wants_footprint" in error.value.message_dict
    # A part of another company is not the cell maker's to ask about: 404, nothing stored.
    with pytest.raises(Http404):
        services.send_request(
            actor=chain.cell_user,
            part=made,
            wants_footprint=True,
            wants_materials=False,
            message="",
            due_date=due(),
        )
    unlinked = services.create_part(
        actor=chain.cell_user, kind="bought", data={"local_id": "X", "name": "X", "unit": "piece"}
    )
    with pytest.raises(ValidationError) as error:
        services.send_request(
            actor=chain.cell_user,
            part=unlinked,
            wants_footprint=True,
            wants_materials=False,
            message="",
            due_date=due(),
        )
    assert "part" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.link_supplier(actor=chain.cell_user, part=unlinked, identifier=chain.cell.bpnl)
    assert "supplier" in error.value.message_dict
    assert DataRequest.objects.filter(customer=chain.cell).count() == 0


def test_bad_figures_are_refused_and_nothing_is_stored():
    chain = build_chain(answer_refiner=False)
    cases = [
        {"mass_per_unit": "-1"},
        {"mass_per_unit": "1e999"},
        {"mass_per_unit": "abc"},
        {"extraction_shares": {"CL": "60", "AU": "30"}},
        {"extraction_shares": {"XX": "100"}},
        {"processing_shares": {"CN": "-5", "JP": "105"}},
        {"material": "unobtainium"},
        {"recycled_pre_consumer": "60", "recycled_post_consumer": "50"},
    ]
    base = {
        "material": "cobalt",
        "mass_per_unit": "0.1",
        "extraction_shares": {"CD": "100"},
        "processing_shares": {"CN": "100"},
    }
    for case in cases:
        with pytest.raises(ValidationError):
            services.set_own_material(actor=chain.refiner_user, part=chain.li_carb, data={**base, **case})
    assert not OwnMaterial.objects.filter(material__code="cobalt").exists()
    with pytest.raises(ValidationError) as error:
        services.send_request(
            actor=chain.cathode_user,
            part=chain.cathode_li_carb,
            wants_footprint=True,
            wants_materials=True,
            message="",
            due_date=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert "due_date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_part(
            actor=chain.cell_user,
            kind="made",
            data={"local_id": "A", "name": "A", "unit": "furlong", "own_pre_processing": "-2"},
        )
    assert set(error.value.message_dict) == {"unit", "own_pre_processing"}


def test_an_answer_in_another_unit_is_refused():
    chain = build_chain(answer_refiner=False)
    piece = services.create_part(
        actor=chain.refiner_user,
        kind="made",
        data={"local_id": "P", "name": "Pallet", "unit": "piece", "own_main_production": "1"},
    )
    request = services.send_request(
        actor=chain.cathode_user,
        part=chain.cathode_li_carb,
        wants_footprint=True,
        wants_materials=False,
        message="",
        due_date=due(),
    )
    with pytest.raises(ValidationError) as error:
        services.answer_request(
            actor=chain.refiner_user, request=request, supplier_part=piece, details=details()
        )
    assert "supplier_part" in error.value.message_dict
    assert not Answer.objects.exists()


def test_send_back_cancel_and_who_may_do_what():
    chain = build_chain(answer_refiner=False)
    request = services.send_request(
        actor=chain.cathode_user,
        part=chain.cathode_li_carb,
        wants_footprint=True,
        wants_materials=False,
        message="",
        due_date=due(),
    )
    viewer = member(Role.VIEWER, chain.refiner)
    with pytest.raises(PermissionDenied):
        services.send_back_request(actor=viewer, request=request, reason="no")
    with pytest.raises(Http404):
        services.send_back_request(actor=chain.cell_user, request=request, reason="no")
    with pytest.raises(ValidationError):
        services.send_back_request(actor=chain.refiner_user, request=request, reason="  ")
    services.send_back_request(actor=chain.refiner_user, request=request, reason="Wrong grade")
    assert Notification.objects.filter(
        recipient=chain.cathode_user, event="exchange.request_sent_back"
    ).exists()
    with pytest.raises(PermissionDenied):
        services.answer_request(
            actor=chain.refiner_user, request=request, supplier_part=chain.li_carb, details=details()
        )
    services.cancel_request(actor=chain.cathode_user, request=request)
    request.refresh_from_db()
    assert request.state == RequestState.CANCELLED
    with pytest.raises(PermissionDenied):
        services.cancel_request(actor=chain.cathode_user, request=request)


def test_a_correction_supersedes_and_tells_the_customer():
    chain = build_chain()
    first = Answer.objects.get(customer=chain.cathode)
    services.update_part(
        actor=chain.refiner_user,
        part=chain.li_carb,
        data={
            "local_id": "LI-CARB",
            "name": "Lithium carbonate",
            "unit": "kilogram",
            "own_pre_processing": "4",
            "own_primary_share": "80",
        },
    )
    second = services.correct_answer(
        actor=chain.refiner_user, answer=first, details=services.details_of(first)
    )
    first.refresh_from_db()
    assert first.status == AnswerStatus.SUPERSEDED and second.preceding == first and second.version == 2
    assert second.pcf_excluding_biogenic == 4
    assert Notification.objects.filter(
        recipient=chain.cathode_user, event="exchange.answer_corrected"
    ).exists()
    # Both stay readable to the customer; only the current one feeds its roll-up.
    assert set(Answer.objects.restrict(chain.cathode_user)) == {first, second}
    result = selectors.rollup_for(actor=chain.cathode_user, part=chain.nmc)
    assert result.figures.purchased_pre == Decimal("1.6")
    with pytest.raises(PermissionDenied):
        services.correct_answer(actor=chain.refiner_user, answer=first, details=services.details_of(first))


def test_roll_up_names_its_sources_and_gaps_for_the_owner():
    chain = build_chain(answer_refiner=False)
    result = selectors.rollup_for(actor=chain.cathode_user, part=chain.nmc)
    assert result.gaps == [(chain.cathode_li_carb.pk, "no answer yet")]
    assert [source.part for source in result.sources] == [None, chain.cathode_li_carb.pk]
    with pytest.raises(PermissionError):
        selectors.rollup_for(actor=chain.cell_user, part=chain.nmc)


def test_a_bill_of_materials_cannot_loop():
    chain = build_chain(answer_refiner=False)
    inner = services.create_part(
        actor=chain.cathode_user,
        kind="made",
        data={"local_id": "PRE", "name": "Precursor", "unit": "kilogram"},
    )
    services.set_component(actor=chain.cathode_user, parent=inner, child=chain.nmc, quantity="1")
    with pytest.raises(ValidationError):
        services.set_component(actor=chain.cathode_user, parent=chain.nmc, child=inner, quantity="1")
    with pytest.raises(ValidationError):
        services.set_component(actor=chain.cathode_user, parent=inner, child=inner, quantity="1")


def test_outsiders_have_no_part_in_the_exchange():
    build_chain()
    from portal.tenancy.models import OrganizationKind

    authority = member(Role.ADMIN, OrganizationFactory(kind=OrganizationKind.AUTHORITY))
    for model in (Part, Component, OwnMaterial, DataRequest, Answer):
        assert not model.objects.restrict(authority).exists()
        assert not model.objects.restrict(None).exists()
