"""Action Events: acceptance of the four v3 event types, refusal by source without any outbound call,
RequestCreated turning into a portal data request, and the events owed back to the client."""

from __future__ import annotations

import pytest

from exchange import services as exchange_services
from exchange.models import DataRequest, RequestState
from pact.models import DeliveryKind, DeliveryState, PactDelivery, PactInboundEvent, PactRequest
from tests.exchange.chain import details

pytestmark = pytest.mark.django_db

PREFIX = "org.wbcsd.pact.ProductFootprint."


def event(type_, data, id_="ev-1", source="https://partner.example/webhook"):
    return {
        "specversion": "1.0",
        "id": id_,
        "source": source,
        "time": "2026-05-19T10:30:00Z",
        "type": PREFIX + type_,
        "data": data,
    }


@pytest.mark.parametrize(
    "body",
    [
        event("PublishedEvent.3", {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]}),
        event(
            "RequestFulfilledEvent.3",
            {"requestEventId": "x", "pfs": [{"id": "3a6c14a7-4deb-498a-b5ea-16ce2535b576"}]},
        ),
        event(
            "RequestRejectedEvent.3", {"requestEventId": "x", "error": {"code": "NotFound", "message": "No."}}
        ),
        event(
            "PublishedEvent.3",
            {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]},
            source="//partner.example/3/events",
        ),
    ],
)
def test_partner_events_are_accepted_once(world, api, body):
    response = api.event(body)
    assert response.status_code == 200 and response.content == b""
    assert api.event(body, content_type="application/json").status_code == 200  # redelivery: acknowledged
    assert PactInboundEvent.objects.filter(client=world.client).count() == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (event("PublishedEvent.3", {"pfIds": ["urn:gtin:4712345060507"]}), "BadRequest"),
        (event("PublishedEvent.3", {"pfIds": []}), "BadRequest"),
        (event("RequestFulfilledEvent.3", {"requestEventId": "x", "pfs": []}), "BadRequest"),
        (event("RequestRejectedEvent.3", {"requestEventId": "x"}), "BadRequest"),
        (event("SomethingElse.3", {}), "NotImplemented"),
        ({**event("PublishedEvent.3", {"pfIds": []}), "specversion": "0.3"}, "BadRequest"),
        (event("RequestCreatedEvent.3", {"validOn": "soon"}), "BadRequest"),
        ([], "BadRequest"),
    ],
)
def test_malformed_events_are_bad_requests(world, api, body, code):
    response = api.event(body)
    assert response.status_code == 400 and response.json()["code"] == code
    assert not PactInboundEvent.objects.exists()


def test_wrong_content_type_and_invalid_token(world, api):
    body = event("PublishedEvent.3", {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]})
    assert api.event(body, content_type="text/plain").status_code == 400
    response = api.event(body, token_="very-invalid-access-token")
    assert response.status_code == 401 and response.json()["code"] == "BadRequest"


@pytest.mark.parametrize(
    "source",
    ["https://evil.example/webhook", "//partner.example.evil.example/", "https://partner.example:8443/x"],
)
def test_an_event_from_another_host_is_refused_without_any_outbound_call(
    world, api, partner_server, django_capture_on_commit_callbacks, source
):
    body = event("RequestCreatedEvent.3", {"productId": ["urn:pact:null"]}, source=source)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.event(body)
    assert response.status_code == 403 and response.json()["code"] == "AccessDenied"
    assert callbacks == [] and partner_server.received == []
    assert not PactInboundEvent.objects.exists() and not PactRequest.objects.exists()
    assert not PactDelivery.objects.exists()


def _use(server, world, settings):
    settings.PACT_ALLOW_PRIVATE_CALLBACKS = True
    world.client.callback_url = server.url
    world.client.save(update_fields=["callback_url"])
    return f"http://127.0.0.1:{server.server_address[1]}/anything"


def test_a_request_for_a_released_footprint_is_fulfilled_at_once(
    world, api, partner_server, settings, django_capture_on_commit_callbacks
):
    source = _use(partner_server, world, settings)
    pf = api.get("/pact/3/footprints").json()["data"][0]
    body = event(
        "RequestCreatedEvent.3", {"productId": pf["productIds"], "comment": "Please"}, "req-13", source
    )
    requests_before = DataRequest.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert api.event(body).status_code == 200
    [(path, headers, sent)] = partner_server.received
    assert path == "/pact/3/events" and headers["Content-Type"].startswith("application/cloudevents+json")
    assert sent["type"] == PREFIX + "RequestFulfilledEvent.3" and sent["specversion"] == "1.0"
    assert sent["data"]["requestEventId"] == "req-13"
    assert [p["id"] for p in sent["data"]["pfs"]] == [pf["id"]]
    assert all(pid in pf["productIds"] for p in sent["data"]["pfs"] for pid in p["productIds"])
    assert PactDelivery.objects.get().state == DeliveryState.SENT
    assert DataRequest.objects.count() == requests_before  # nothing asked of the supplier again


def test_an_unknown_product_is_rejected(
    world, api, partner_server, settings, django_capture_on_commit_callbacks
):
    source = _use(partner_server, world, settings)
    body = event("RequestCreatedEvent.3", {"productId": ["urn:pact:null"]}, "req-14", source)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.event(body).status_code == 200
    [(_path, _headers, sent)] = partner_server.received
    assert sent["type"] == PREFIX + "RequestRejectedEvent.3"
    assert sent["data"]["requestEventId"] == "req-14"
    assert sent["data"]["error"]["code"] == "NotFound" and sent["data"]["error"]["message"]


def test_a_request_for_a_bought_part_becomes_a_data_request_and_its_answer_fulfils_it(
    world, api, partner_server, settings, django_capture_on_commit_callbacks
):
    source = _use(partner_server, world, settings)
    chain = world.chain
    # The cathode maker asks, through its own PACT client, for the refiner's footprint of RM-7 afresh:
    # the refiner's answer is superseded first, so nothing active matches.
    from django.test import Client

    from pact.services import client_save

    from .conftest import SECRET, get_token

    cathode_client, _ = client_save(
        actor=None,
        organization=chain.cathode,
        client_id="cathode-erp",
        secret=SECRET,
        callback_url=partner_server.url,
        name="ERP",
    )
    refiner_answer = chain.li_carb.answers.get()
    exchange_services.correct_answer(actor=chain.refiner_user, answer=refiner_answer, details=details())
    http = Client()
    token = get_token(http, "cathode-erp")
    import json

    body = event(
        "RequestCreatedEvent.3",
        {
            "companyId": [f"urn:bpn:id:{chain.refiner.bpnl}"],
            "status": "Deprecated",
            "validAfter": "2099-01-01T00:00:00Z",
            "comment": "New year",
        },
        "req-x",
        source,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            "/pact/3/events",
            json.dumps(body),
            content_type="application/cloudevents+json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            secure=True,
        )
    assert response.status_code == 200
    pact_request = PactRequest.objects.get(client=cathode_client)
    data_request = pact_request.data_request
    assert data_request.customer == chain.cathode and data_request.supplier == chain.refiner
    assert data_request.customer_part == chain.cathode_li_carb and data_request.state == RequestState.SENT
    assert (
        data_request.message == "New year"
        and data_request.wants_footprint
        and not data_request.wants_materials
    )
    assert partner_server.received == []  # nothing owed yet

    with django_capture_on_commit_callbacks(execute=True):
        answer = exchange_services.answer_request(
            actor=chain.refiner_user, request=data_request, supplier_part=chain.li_carb, details=details()
        )
    kinds = {d.client.client_id: d.kind for d in PactDelivery.objects.filter(answer=answer)}
    assert kinds == {"cathode-erp": DeliveryKind.FULFILLED}
    [(_path, _headers, sent)] = partner_server.received
    assert sent["type"] == PREFIX + "RequestFulfilledEvent.3" and sent["data"]["requestEventId"] == "req-x"
    assert [p["id"] for p in sent["data"]["pfs"]] == [str(answer.public_id)]
    pact_request.refresh_from_db()
    assert pact_request.state == "fulfilled"


def test_a_request_sent_back_is_rejected_and_a_new_answer_is_published(
    world, api, partner_server, settings, django_capture_on_commit_callbacks
):
    source = _use(partner_server, world, settings)
    chain = world.chain
    pf = api.get("/pact/3/footprints").json()["data"][0]
    buyer_id = pf["productIds"][1]
    exchange_services.correct_answer(actor=chain.cathode_user, answer=world.answer, details=details())
    # Active footprints for the part exist again (the correction): deprecate-only criteria force a request.
    body = event(
        "RequestCreatedEvent.3",
        {"productId": [buyer_id], "validBefore": "1900-01-01T00:00:00Z"},
        "r2",
        source,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert api.event(body).status_code == 200
    data_request = PactRequest.objects.get(event_id="r2").data_request
    assert data_request.customer_part == chain.cell_nmc
    with django_capture_on_commit_callbacks(execute=True):
        exchange_services.send_back_request(
            actor=chain.cathode_user, request=data_request, reason="Wrong part"
        )
    sent = partner_server.received[-1][2]
    assert (
        sent["type"] == PREFIX + "RequestRejectedEvent.3" and "Wrong part" in sent["data"]["error"]["message"]
    )


def test_a_correction_is_published_to_the_customers_clients(
    world, partner_server, settings, django_capture_on_commit_callbacks
):
    _use(partner_server, world, settings)
    with django_capture_on_commit_callbacks(execute=True):
        successor = exchange_services.correct_answer(
            actor=world.chain.cathode_user, answer=world.answer, details=details()
        )
    [(_path, _headers, sent)] = partner_server.received
    assert sent["type"] == PREFIX + "PublishedEvent.3" and sent["data"]["pfIds"] == [str(successor.public_id)]
