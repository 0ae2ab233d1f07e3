"""The exchange's browser pages: each renders for its owner or the two companies of a request, every other
company gets 404, bad input is a form error with nothing stored, viewers read but never write, and the
customer's pages never show what lies behind its supplier (the refiner -> cathode -> cell chain)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exchange import services
from exchange.models import Answer, AnswerStatus, Component, DataRequest, OwnMaterial, Part, RequestState
from portal.tenancy.models import OrganizationKind, Role
from tests.factories import OrganizationFactory, member

from .chain import build_chain, due

pytestmark = pytest.mark.django_db

#: A quantity only the cathode maker's bill of materials holds (no released figure contains it).
SECRET_QUANTITY = "0.41737"
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _answered_chain():
    """The chain with the cell maker's request answered by the cathode maker through the pages' services."""
    chain = build_chain()
    services.set_component(
        actor=chain.cathode_user, parent=chain.nmc, child=chain.cathode_li_carb, quantity=SECRET_QUANTITY
    )
    request = services.send_request(
        actor=chain.cell_user,
        part=chain.cell_nmc,
        wants_footprint=True,
        wants_materials=True,
        message="For the 2027 passport",
        due_date=due(),
    )
    return chain, request


def _secrets(chain) -> list[str]:
    """What the cell maker must never read: the cathode maker's supplier and its bill of materials."""
    return [
        chain.refiner.legal_name,
        chain.refiner.bpnl,
        chain.cathode_li_carb.local_id,  # "RM-7", the cathode maker's bought part
        chain.cathode_li_carb.name,
        SECRET_QUANTITY,
        str(chain.cathode_li_carb.public_id),
        str(chain.li_carb.public_id),
    ]


def _release(chain, request, **extra) -> Answer:
    """Answer through the page, as the cathode maker's editor would."""
    client = client_for(chain.cathode_user)
    url = reverse("exchange:request_answer", args=[request.public_id])
    data = {
        "supplier_part": str(chain.nmc.public_id),
        "reference_period_start": "2026-01-01",
        "reference_period_end": "2027-01-01",
        "characterization_factors": "AR6",
        "cross_sectoral_standards": ["ISO 14067", "PEF"],
        "exempted_emissions_percent": "0.5",
        "geography_country": "JP",
        "quality_technological": "1.5",
        "comment": "Measured at Himeji",
        **extra,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Answer.objects.get(request=request, status=AnswerStatus.ACTIVE)


def test_the_owner_sees_its_parts_roll_up_sources_and_tree():
    chain, _request = _answered_chain()
    client = client_for(chain.cathode_user)

    listing = client.get(reverse("exchange:parts")).content.decode()
    assert "NMC811" in listing and "RM-7" in listing
    assert chain.refiner.legal_name in listing  # the supplier of its own bought part

    page = client.get(reverse("exchange:part", args=[chain.nmc.public_id]))
    assert page.status_code == 200
    text = page.content.decode()
    # Roll-up: own 2 + 3, purchased 0.41737 kg x 5 kg CO2e = 2.08685, total 7.08685.
    for figure in ("2.08685", "7.08685", SECRET_QUANTITY):
        assert figure in text
    # Sources: its own data, and the line with the supplier and the answer version it uses.
    answer = Answer.objects.get(customer=chain.cathode)
    assert "Own data" in text
    assert f"{chain.refiner.legal_name}, answer version 1" in text
    assert reverse("exchange:answer", args=[answer.public_id]) in text
    # Materials with country shares and recycled shares (lithium 0.41737 x 0.188 kg).
    assert "CL 60 %, AU 40 %" in text and "ID 100 %" in text
    # The tree goes down to the bought part and the company it comes from.
    assert 'class="part-tree"' in text and "from Salar Refining S.A." in text

    bought = client.get(reverse("exchange:part", args=[chain.cathode_li_carb.public_id])).content.decode()
    assert chain.refiner.bpnl in bought and "Version 1" in bought
    for name in ("part_edit", "component_form", "material_form"):
        assert client.get(reverse(f"exchange:{name}", args=[chain.nmc.public_id])).status_code == 200
    for name in ("part_supplier", "request_create", "part_edit"):
        assert (
            client.get(reverse(f"exchange:{name}", args=[chain.cathode_li_carb.public_id])).status_code == 200
        )
    changing = client.get(
        reverse("exchange:material_form", args=[chain.nmc.public_id]) + "?material=nickel"
    ).content.decode()
    assert 'value="ID 100"' in changing
    changing = client.get(
        reverse("exchange:component_form", args=[chain.nmc.public_id])
        + f"?child={chain.cathode_li_carb.public_id}"
    ).content.decode()
    assert f'value="{SECRET_QUANTITY}"' in changing


def test_a_part_without_an_answer_is_shown_as_a_gap():
    chain = build_chain(answer_refiner=False)
    text = (
        client_for(chain.cathode_user)
        .get(reverse("exchange:part", args=[chain.nmc.public_id]))
        .content.decode()
    )
    assert "Missing figures" in text and "no answer yet" in text
    assert "Every component has figures." not in text


def test_request_answer_and_pages_of_both_companies_without_the_suppliers_secrets():
    chain = build_chain()
    services.set_component(
        actor=chain.cathode_user, parent=chain.nmc, child=chain.cathode_li_carb, quantity=SECRET_QUANTITY
    )
    cell, cathode = client_for(chain.cell_user), client_for(chain.cathode_user)

    response = cell.post(
        reverse("exchange:request_create", args=[chain.cell_nmc.public_id]),
        {
            "wants_footprint": "on",
            "wants_materials": "on",
            "message": "Please",
            "due_date": due().isoformat(),
        },
    )
    assert response.status_code == 302
    request = DataRequest.objects.get(customer=chain.cell)
    assert response["Location"] == reverse("exchange:request", args=[request.public_id])

    inbox = cathode.get(reverse("exchange:requests")).content.decode()
    assert request.reference in inbox and chain.cell.legal_name in inbox
    page = cathode.get(reverse("exchange:request", args=[request.public_id])).content.decode()
    assert reverse("exchange:request_answer", args=[request.public_id]) in page
    assert reverse("exchange:request_send_back", args=[request.public_id]) in page

    answer_url = reverse("exchange:request_answer", args=[request.public_id])
    choose = cathode.get(answer_url).content.decode()
    assert "NMC811" in choose and "Show its roll-up" in choose
    preview = cathode.get(answer_url + f"?part={chain.nmc.public_id}").content.decode()
    assert "7.08685" in preview and "Release the answer" in preview
    assert f"{chain.refiner.legal_name}, answer version 1" in preview  # the supplier's own sources, to itself

    answer = _release(chain, request)
    assert answer.pcf_excluding_biogenic == Decimal("7.08685")
    assert answer.cross_sectoral_standards == ["ISO 14067", "PEF"]
    assert answer.quality == {"technological": "1.5"} and answer.geography_country == "JP"

    customer_pages = [
        reverse("exchange:request", args=[request.public_id]),
        reverse("exchange:answer", args=[answer.public_id]),
        reverse("exchange:requests"),
        reverse("exchange:parts"),
        reverse("exchange:part", args=[chain.cell_nmc.public_id]),
        reverse("dashboard"),
    ]
    for url in customer_pages:
        response = cell.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for secret in _secrets(chain):
            assert secret not in text, (url, secret)
    answer_page = cell.get(reverse("exchange:answer", args=[answer.public_id])).content.decode()
    for figure in ("7.08685", "NMC 811 cathode active material", "ISO 14067, PEF", chain.cathode.legal_name):
        assert figure in answer_page
    assert "CL 60 %, AU 40 %" in answer_page  # the aggregate material declaration crosses, by design
    assert "Correct" not in answer_page  # only the supplier corrects
    # The supplier sees its own answer, with a way to correct it.
    own = cathode.get(reverse("exchange:answer", args=[answer.public_id])).content.decode()
    assert reverse("exchange:answer_correct", args=[answer.public_id]) in own


def test_another_company_gets_404_on_every_exchange_url():
    chain, request = _answered_chain()
    answer = _release(
        chain, request, assurance_files=[SimpleUploadedFile("cert.pdf", PDF_BYTES, "application/pdf")]
    )
    stored = answer.files.get()
    outsider = member(Role.ADMIN, OrganizationFactory(legal_name="Outsider AG"))
    authority = member(Role.ADMIN, OrganizationFactory(kind=OrganizationKind.AUTHORITY))
    nmc, bought = chain.nmc.public_id, chain.cathode_li_carb.public_id
    get_urls = [
        reverse("exchange:part", args=[nmc]),
        reverse("exchange:part_edit", args=[nmc]),
        reverse("exchange:component_form", args=[nmc]),
        reverse("exchange:material_form", args=[nmc]),
        reverse("exchange:part", args=[bought]),
        reverse("exchange:part_supplier", args=[bought]),
        reverse("exchange:request_create", args=[bought]),
        reverse("exchange:request", args=[request.public_id]),
        reverse("exchange:request_send_back", args=[request.public_id]),
        reverse("exchange:request_answer", args=[request.public_id]),
        reverse("exchange:answer", args=[answer.public_id]),
        reverse("exchange:answer_correct", args=[answer.public_id]),
        reverse("exchange:answer_file", args=[answer.public_id, stored.public_id]),
    ]
    post_urls = [
        reverse("exchange:part_edit", args=[nmc]),
        reverse("exchange:component_remove", args=[nmc, bought]),
        reverse("exchange:material_remove", args=[nmc, "nickel"]),
        reverse("exchange:request_cancel", args=[request.public_id]),
        reverse("exchange:request_send_back", args=[request.public_id]),
        reverse("exchange:answer_correct", args=[answer.public_id]),
    ]
    for user in (outsider, authority):
        client = client_for(user)
        for url in get_urls:
            response = client.get(url)
            assert response.status_code == 404, (url, response.status_code)
            assert chain.cathode.legal_name not in response.content.decode()
        for url in post_urls:
            assert client.post(url, {"reason": "x", "quantity": "1"}).status_code == 404, url
    # The refiner is the cathode maker's supplier, not the cell maker's: the cell's request and answer
    # do not exist for it, nor do the cathode maker's parts.
    refiner = client_for(chain.refiner_user)
    for url in get_urls:
        assert refiner.get(url).status_code == 404, url
    # Lists answer an authority 404 (it has no part in the exchange); the outsider's lists are empty.
    authority_client = client_for(authority)
    assert authority_client.get(reverse("exchange:parts")).status_code == 404
    assert authority_client.get(reverse("exchange:requests")).status_code == 404
    outsider_lists = client_for(outsider).get(reverse("exchange:requests")).content.decode()
    assert request.reference not in outsider_lists
    assert (
        Component.objects.filter(parent=chain.nmc).exists()
        and OwnMaterial.objects.filter(part=chain.nmc).exists()
    )
    request.refresh_from_db()
    assert request.state == RequestState.FULFILLED


def test_bad_input_is_a_form_error_and_nothing_is_stored():
    chain = build_chain(answer_refiner=False)
    client = client_for(chain.cathode_user)
    parts_before = Part.objects.count()

    response = client.post(
        reverse("exchange:part_create") + "?kind=made",
        {
            "local_id": "NEW",
            "name": "New",
            "unit": "kilogram",
            "own_pre_processing": "-2",
            "mass_per_unit": "-1",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Please correct the following" in text and "Must be at least 0" in text
    response = client.post(
        reverse("exchange:part_create") + "?kind=made",
        {"local_id": "NEW", "name": "New", "unit": "kilogram", "quality_pre_technological": "2"},
    )
    assert response.status_code == 400 and "Rate all three aspects" in response.content.decode()
    response = client.post(
        reverse("exchange:part_create") + "?kind=bought",
        {"local_id": "NEW", "name": "New", "unit": "kilogram", "supplier_identifier": "BPNL000000000XXX"},
    )
    assert response.status_code == 400 and "No other active company" in response.content.decode()
    assert Part.objects.count() == parts_before  # the supplier could not be linked: no part either

    material_url = reverse("exchange:material_form", args=[chain.nmc.public_id])
    base = {
        "material": "cobalt",
        "mass_per_unit": "0.1",
        "extraction_shares": "CD 100",
        "processing_shares": "CN 100",
    }
    cases = [
        ({"extraction_shares": "CL 60, AU 30"}, "not 100 %"),
        ({"extraction_shares": "XX 100"}, "not a known country code"),
        ({"processing_shares": "CN sixty"}, "not a decimal number"),
        ({"processing_shares": "CN"}, "Write each country as a code and a share"),
        ({"mass_per_unit": "-0.1"}, "Must be at least 0"),
        ({"recycled_pre_consumer": "60", "recycled_post_consumer": "50"}, "exceed 100"),
    ]
    for case, message in cases:
        response = client.post(material_url, {**base, **case})
        assert response.status_code == 400, case
        assert message in response.content.decode(), case
    assert not OwnMaterial.objects.filter(material__code="cobalt").exists()

    component_url = reverse("exchange:component_form", args=[chain.nmc.public_id])
    for quantity in ("-1", "0", "many"):
        response = client.post(
            component_url, {"child": str(chain.cathode_li_carb.public_id), "quantity": quantity}
        )
        assert response.status_code == 400
    assert Component.objects.get(parent=chain.nmc).quantity == Decimal("0.4")
    # Another company's part is no choice at all.
    response = client.post(component_url, {"child": str(chain.li_carb.public_id), "quantity": "1"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()

    request_url = reverse("exchange:request_create", args=[chain.cathode_li_carb.public_id])
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(request_url, {"wants_footprint": "on", "due_date": yesterday})
    assert response.status_code == 400 and "cannot be in the past" in response.content.decode()
    response = client.post(request_url, {"due_date": due().isoformat()})
    assert response.status_code == 400 and "Ask for a carbon footprint" in response.content.decode()
    assert not DataRequest.objects.exists()


def test_answer_form_errors_release_nothing():
    chain, request = _answered_chain()
    client = client_for(chain.cathode_user)
    url = reverse("exchange:request_answer", args=[request.public_id])
    bad = {
        "supplier_part": str(chain.nmc.public_id),
        "reference_period_start": "2027-01-01",
        "reference_period_end": "2026-01-01",
        "characterization_factors": "AR6",
        "cross_sectoral_standards": ["ISO 14067"],
        "exempted_emissions_percent": "9",
        "quality_reliability": "4",
        "assurance_files": [SimpleUploadedFile("cert.pdf", b"not a pdf at all", "application/pdf")],
    }
    response = client.post(url, bad)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Only PDF files can be uploaded" in text
    response = client.post(url, {**bad, "assurance_files": []})
    assert response.status_code == 400
    text = response.content.decode()
    for message in ("must end after it starts", "Must be at most 5", "Must be at most 3"):
        assert message in text, message
    assert not Answer.objects.filter(request=request).exists()
    # A part the supplier does not make in the request's unit is not offered: 404.
    other = services.create_part(
        actor=chain.cathode_user, kind="made", data={"local_id": "PAL", "name": "Pallet", "unit": "piece"}
    )
    assert client.get(url + f"?part={other.public_id}").status_code == 404


def test_a_viewer_reads_but_cannot_write():
    chain, request = _answered_chain()
    answer = _release(chain, request)
    viewer = client_for(member(Role.VIEWER, chain.cathode))
    nmc, bought = chain.nmc.public_id, chain.cathode_li_carb.public_id

    page = viewer.get(reverse("exchange:part", args=[nmc]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "7.08685" in text and reverse("exchange:part_edit", args=[nmc]) not in text
    assert reverse("exchange:component_form", args=[nmc]) not in text
    assert viewer.get(reverse("exchange:request", args=[request.public_id])).status_code == 200
    answer_page = viewer.get(reverse("exchange:answer", args=[answer.public_id])).content.decode()
    assert reverse("exchange:answer_correct", args=[answer.public_id]) not in answer_page
    assert "Add a part you make" not in viewer.get(reverse("exchange:parts")).content.decode()

    forbidden_gets = [
        reverse("exchange:part_create") + "?kind=made",
        reverse("exchange:part_edit", args=[nmc]),
        reverse("exchange:component_form", args=[nmc]),
        reverse("exchange:material_form", args=[nmc]),
        reverse("exchange:part_supplier", args=[bought]),
        reverse("exchange:request_create", args=[bought]),
        reverse("exchange:answer_correct", args=[answer.public_id]),
    ]
    for url in forbidden_gets:
        assert viewer.get(url).status_code == 403, url
    assert viewer.post(reverse("exchange:component_remove", args=[nmc, bought])).status_code == 403
    assert viewer.post(reverse("exchange:material_remove", args=[nmc, "nickel"])).status_code == 403
    assert (
        viewer.post(
            reverse("exchange:part_create") + "?kind=made", {"local_id": "V", "name": "V", "unit": "piece"}
        ).status_code
        == 403
    )
    assert not Part.objects.filter(local_id="V").exists()
    assert Component.objects.filter(parent=chain.nmc).exists()

    # On the receiving side too: the cell maker's viewer cannot cancel, the cathode's cannot answer.
    cell_viewer = client_for(member(Role.VIEWER, chain.cell))
    second = services.send_request(
        actor=chain.cell_user,
        part=chain.cell_nmc,
        wants_footprint=True,
        wants_materials=False,
        message="",
        due_date=due(),
    )
    assert cell_viewer.post(reverse("exchange:request_cancel", args=[second.public_id])).status_code == 403
    assert viewer.get(reverse("exchange:request_answer", args=[second.public_id])).status_code == 403
    assert (
        viewer.post(
            reverse("exchange:request_send_back", args=[second.public_id]), {"reason": "no"}
        ).status_code
        == 403
    )
    second.refresh_from_db()
    assert second.state == RequestState.SENT


def test_send_back_cancel_and_the_reason_shown_to_the_customer():
    chain, request = _answered_chain()
    cell, cathode = client_for(chain.cell_user), client_for(chain.cathode_user)
    url = reverse("exchange:request_send_back", args=[request.public_id])
    response = cathode.post(url, {"reason": "  "})
    assert response.status_code == 400 and "Say why you send the request back" in response.content.decode()
    assert cathode.post(url, {"reason": "We sell NMC 622 only"}).status_code == 302
    page = cell.get(reverse("exchange:request", args=[request.public_id])).content.decode()
    assert "Sent back by the supplier" in page and "We sell NMC 622 only" in page
    assert reverse("exchange:request_cancel", args=[request.public_id]) in page
    assert cathode.get(reverse("exchange:request_answer", args=[request.public_id])).status_code == 403
    assert cell.post(reverse("exchange:request_cancel", args=[request.public_id])).status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.CANCELLED
    assert cell.post(reverse("exchange:request_cancel", args=[request.public_id])).status_code == 403


def test_files_go_to_the_two_companies_only_and_a_correction_supersedes():
    chain, request = _answered_chain()
    answer = _release(
        chain,
        request,
        assurance_provider="TÜV Example",
        assurance_date="2026-06-01",
        assurance_files=[SimpleUploadedFile("certificate.pdf", PDF_BYTES, "application/pdf")],
    )
    stored = answer.files.get()
    file_url = reverse("exchange:answer_file", args=[answer.public_id, stored.public_id])
    for user in (chain.cell_user, chain.cathode_user):
        response = client_for(user).get(file_url)
        assert response.status_code == 200 and response.content == PDF_BYTES
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Cache-Control"] == "private, no-store"
    assert (
        file_url
        in client_for(chain.cell_user)
        .get(reverse("exchange:answer", args=[answer.public_id]))
        .content.decode()
    )

    cathode = client_for(chain.cathode_user)
    correct_url = reverse("exchange:answer_correct", args=[answer.public_id])
    form = cathode.get(correct_url).content.decode()
    assert 'value="2026-01-01"' in form and 'value="TÜV Example"' in form and "Measured at Himeji" in form
    services.update_part(
        actor=chain.cathode_user,
        part=chain.nmc,
        data={
            "local_id": "NMC811",
            "name": "NMC 811 cathode active material",
            "unit": "kilogram",
            "own_pre_processing": "1",
            "own_main_production": "3",
            "own_primary_share": "100",
        },
    )
    response = cathode.post(
        correct_url,
        {
            "reference_period_start": "2026-01-01",
            "reference_period_end": "2027-01-01",
            "characterization_factors": "AR6",
            "cross_sectoral_standards": ["ISO 14067"],
            "comment": "Fixed",
        },
    )
    assert response.status_code == 302
    successor = Answer.objects.get(preceding=answer)
    assert successor.version == 2 and successor.pcf_excluding_biogenic == Decimal("6.08685")
    old = (
        client_for(chain.cell_user).get(reverse("exchange:answer", args=[answer.public_id])).content.decode()
    )
    assert (
        "superseded by a correction" in old and reverse("exchange:answer", args=[successor.public_id]) in old
    )
    request_page = (
        client_for(chain.cell_user)
        .get(reverse("exchange:request", args=[request.public_id]))
        .content.decode()
    )
    assert "Superseded" in request_page and "Current" in request_page
    assert cathode.get(correct_url).status_code == 403  # only a current answer is corrected


def test_navigation_and_dashboard_card():
    chain, _request = _answered_chain()
    cathode_dashboard = client_for(chain.cathode_user).get(reverse("dashboard")).content.decode()
    assert "Supply chain" in cathode_dashboard and reverse("exchange:parts") in cathode_dashboard
    assert 'id="exchange-title"' in cathode_dashboard
    # The cathode maker has one request to answer; the cell maker one sent and awaiting an answer.
    assert f'<a href="{reverse("exchange:requests")}">1</a>' in cathode_dashboard
    cell_dashboard = client_for(chain.cell_user).get(reverse("dashboard")).content.decode()
    assert "Sent, awaiting answers" in cell_dashboard
    authority = member(Role.ADMIN, OrganizationFactory(kind=OrganizationKind.AUTHORITY))
    other = client_for(authority).get(reverse("dashboard")).content.decode()
    assert reverse("exchange:parts") not in other


def test_overdue_requests_are_marked():
    chain, request = _answered_chain()
    DataRequest.objects.filter(pk=request.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=2)
    )
    text = client_for(chain.cathode_user).get(reverse("exchange:requests")).content.decode()
    assert "Overdue" in text


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_and_the_part_page_do_not_grow_queries_with_rows():
    chain, _request = _answered_chain()
    client = client_for(chain.cathode_user)
    urls = [
        reverse("exchange:parts"),
        reverse("exchange:requests"),
        reverse("exchange:part", args=[chain.nmc.public_id]),
    ]
    before = {url: _queries(client, url) for url in urls}
    for n in range(4):
        bought = services.create_part(
            actor=chain.cathode_user,
            kind="bought",
            data={"local_id": f"B{n}", "name": "B", "unit": "kilogram"},
        )
        services.link_supplier(actor=chain.cathode_user, part=bought, identifier=chain.refiner.bpnl)
        services.set_component(actor=chain.cathode_user, parent=chain.nmc, child=bought, quantity="1")
        services.send_request(
            actor=chain.cathode_user,
            part=bought,
            wants_footprint=True,
            wants_materials=False,
            message="",
            due_date=due(),
        )
    for url in urls:
        assert _queries(client, url) == before[url], url
