"""The supplier data exchange's canary data: company A in the middle of a three-level chain.

The `exchange_supplier` audience's company makes a part and answers company A's request for it; company A
buys that part (and a second one from a quiet supplier it never asked), puts it into a part of its own with
its own material, and answers the `exchange_customer` audience's request for that part. Company A also
makes a part it never answered for. Everything goes through `exchange.services`.

Who may see what (one-up/one-down, `exchange/access.py`):

* Company A's sub-supplier identity (the legal name and BPNL of the company it buys from, and of the quiet
  supplier): company A's members; the supplier itself and the operator know the supplier's identity
  anyway (its own organization), never A's customer.
* Company A's bought parts (id and name): company A's members; the supplier A asked about one of them
  (the request names the customer's part) and the operator, who reads part labels in A's audit log and
  the request's title in notifications, as for every audited object. Never A's customer. The quiet
  supplier's part was never asked about: the supplier does not see it either.
* Company A's bill-of-materials quantities, own material evidence, and the own data and name of a part it
  never released: company A's members only (not even the operator: nobody else reads exchange rows).
* The answer company A received (comment, evidence, the supplier's product name) and A's request message:
  company A's members and the answering supplier, never A's customer (a customer's customer must not
  see what its supplier received upstream).
* The answer company A released (comment, its product's id and name): company A's members and the
  customer it was released to, never A's supplier.
* Company A's identity (legal name, BPNL, LEI) now reaches its supplier (the request names its customer)
  and its customer (an answer names the answering company): both audiences are added to those markers.

Positive controls: company A sees its parts, quantities and received answer on the exchange pages; the
supplier sees A's request; the customer sees A's answer.
"""

from __future__ import annotations

import dataclasses
import datetime
import secrets

from django.utils import timezone

from exchange import services
from portal.tenancy.models import OrganizationKind
from tests.factories import OrganizationFactory, make_bpn

from ..registry import (
    COMPANY_A,
    COMPANY_A_VIEWER,
    EXCHANGE_CUSTOMER,
    EXCHANGE_SUPPLIER,
    OPERATOR,
    Marker,
    ParamValue,
    World,
    new_marker_value,
    register,
)

A_MEMBERS = frozenset({COMPANY_A, COMPANY_A_VIEWER})
#: What company A and the supplier it asked share: A's request and the answer it received.
UPSTREAM = A_MEMBERS | {EXCHANGE_SUPPLIER}
#: What company A and the customer it answered share: the answer A released.
DOWNSTREAM = A_MEMBERS | {EXCHANGE_CUSTOMER}
#: Company A's identity as the foundation plants it: the exchange partners learn who A is.
A_IDENTITY = ("company A's legal name", "company A's BPNL", "company A's LEI")

PART_URLS = frozenset(
    {
        "exchange:part",
        "exchange:part_*",
        "exchange:component_*",
        "exchange:material_*",
        "exchange:request_create",
        "api:exchange-api-part-*",
    }
)
REQUEST_URLS = frozenset(
    {
        "exchange:request",
        "exchange:request_cancel",
        "exchange:request_send_back",
        "exchange:request_answer",
        "api:exchange-api-request-*",
    }
)
ANSWER_URLS = frozenset({"exchange:answer", "exchange:answer_*", "api:exchange-api-answer-*"})
COMPONENT_URLS = frozenset({"exchange:component_remove", "api:exchange-api-part-component"})
MATERIAL_URLS = frozenset({"exchange:material_remove", "api:exchange-api-part-material"})


def _due() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=30)


def _details(**values) -> services.AnswerDetails:
    return services.AnswerDetails(
        reference_period_start="2025-01-01", reference_period_end="2026-01-01", **values
    )


def exchange_url_kwargs(world: World) -> dict[str, list[ParamValue]]:
    objects = world.objects
    parts = [
        ("xc_bought", "company A's bought part (asked)"),
        ("xc_quiet", "company A's bought part (never asked)"),
        ("xc_product", "company A's answered part"),
        ("xc_secret", "company A's part never released"),
        ("xc_upstream_part", "the exchange supplier's part"),
    ]
    return {
        "public_id": [
            *(ParamValue(objects[key].public_id, note, url_names=PART_URLS) for key, note in parts),
            ParamValue(
                objects["xc_request_up"].public_id,
                "company A's request to its supplier",
                url_names=REQUEST_URLS,
            ),
            ParamValue(
                objects["xc_request_down"].public_id,
                "the customer's request to company A",
                url_names=REQUEST_URLS,
            ),
            ParamValue(
                objects["xc_answer_up"].public_id, "the answer company A received", url_names=ANSWER_URLS
            ),
            ParamValue(
                objects["xc_answer_down"].public_id, "the answer company A released", url_names=ANSWER_URLS
            ),
        ],
        "child_id": [
            ParamValue(
                objects["xc_bought"].public_id, "company A's component (asked)", url_names=COMPONENT_URLS
            ),
            ParamValue(
                objects["xc_quiet"].public_id, "company A's component (quiet)", url_names=COMPONENT_URLS
            ),
        ],
        "code": [ParamValue("nickel", "company A's own material", url_names=MATERIAL_URLS)],
    }


def _widen_a_identity(world: World) -> None:
    for index, marker in enumerate(world.markers):
        if marker.description in A_IDENTITY:
            world.markers[index] = dataclasses.replace(
                marker, visible_to=marker.visible_to | {EXCHANGE_SUPPLIER, EXCHANGE_CUSTOMER}
            )


@register("exchange", url_kwargs=exchange_url_kwargs)
def plant_exchange(world: World) -> list[Marker]:
    admin = world.users[COMPANY_A]
    supplier_admin, customer_admin = world.users[EXCHANGE_SUPPLIER], world.users[EXCHANGE_CUSTOMER]
    _widen_a_identity(world)
    markers: list[Marker] = []

    def mark(purpose: str, description: str, visible_to, expect=None) -> str:
        value = new_marker_value(f"xc-{purpose}")
        markers.append(Marker(value, f"exchange: {description}", visible_to, expect_seen_by=expect))
        return value

    # The supplier company: its identity is company A's sub-supplier identity.
    upstream = supplier_admin.membership.organization
    upstream.legal_name = mark(
        "supplier-name", "A's supplier's legal name", UPSTREAM | {OPERATOR}, {COMPANY_A, OPERATOR}
    )
    upstream.bpnl = make_bpn("L", n=secrets.randbelow(36**9) + 36**8)
    upstream.full_clean()
    upstream.save()
    markers.append(
        Marker(
            upstream.bpnl, "exchange: A's supplier's BPNL", UPSTREAM | {OPERATOR}, expect_seen_by={OPERATOR}
        )
    )
    quiet = OrganizationFactory(
        kind=OrganizationKind.SUPPLIER,
        legal_name=mark(
            "quiet-supplier", "A's unasked supplier's legal name", A_MEMBERS | {OPERATOR}, {OPERATOR}
        ),
    )

    upstream_part = services.create_part(
        actor=supplier_admin,
        kind="made",
        data={
            "local_id": "UP-LIOH",
            "name": mark(
                "upstream-product",
                "the supplier's product named in A's received answer",
                UPSTREAM | {OPERATOR},
                {EXCHANGE_SUPPLIER},
            ),
            "unit": "kilogram",
            "mass_per_unit": "1",
            "own_pre_processing": "5.3",
        },
    )
    services.set_own_material(
        actor=supplier_admin,
        part=upstream_part,
        data={"material": "lithium", "mass_per_unit": "0.188", "extraction_shares": {"CL": "100"},
              "processing_shares": {"CN": "100"}},
    )  # fmt: skip

    # Company A's parts and bill of materials.
    asked = UPSTREAM | {OPERATOR}  # the operator reads part labels in A's audit log
    bought = services.create_part(
        actor=admin,
        kind="bought",
        data={
            "local_id": mark(
                "bought-id", "A's bought part id (asked)", asked, {COMPANY_A, EXCHANGE_SUPPLIER}
            ),
            "name": mark(
                "bought-name", "A's bought part name (asked)", asked, {COMPANY_A, EXCHANGE_SUPPLIER}
            ),
            "unit": "kilogram",
        },
    )
    services.link_supplier(actor=admin, part=bought, identifier=upstream.bpnl)
    unasked = A_MEMBERS | {OPERATOR}
    quiet_part = services.create_part(
        actor=admin,
        kind="bought",
        data={
            "local_id": mark("quiet-id", "A's bought part id (never asked)", unasked, {COMPANY_A}),
            "name": mark("quiet-name", "A's bought part name (never asked)", unasked, {COMPANY_A}),
            "unit": "kilogram",
        },
    )
    services.link_supplier(actor=admin, part=quiet_part, identifier=quiet.bpnl)
    product = services.create_part(
        actor=admin,
        kind="made",
        data={
            "local_id": mark(
                "product-id",
                "A's answered product id",
                DOWNSTREAM | {OPERATOR},
                {COMPANY_A, EXCHANGE_CUSTOMER},
            ),
            "name": mark(
                "product-name",
                "A's answered product name",
                DOWNSTREAM | {OPERATOR},
                {COMPANY_A, EXCHANGE_CUSTOMER},
            ),
            "unit": "kilogram",
            "mass_per_unit": "1",
            "own_main_production": "2.7",
        },
    )
    # Quantities with six decimals, as stored: no aggregate of this chain reproduces them.
    for child, quantity, note in ((bought, "0.437219", "asked"), (quiet_part, "0.052731", "quiet")):
        services.set_component(actor=admin, parent=product, child=child, quantity=quantity)
        markers.append(
            Marker(
                quantity,
                f"exchange: A's bill-of-materials quantity ({note})",
                A_MEMBERS,
                expect_seen_by={COMPANY_A},
            )
        )
    services.set_own_material(
        actor=admin,
        part=product,
        data={"material": "nickel", "mass_per_unit": "0.2", "extraction_shares": {"ID": "100"},
              "processing_shares": {"JP": "100"},
              "evidence": mark("own-evidence", "A's own material evidence", A_MEMBERS, {COMPANY_A})},
    )  # fmt: skip
    secret = services.create_part(
        actor=admin,
        kind="made",
        data={
            "local_id": "A-PILOT-1",
            "name": mark(
                "secret-name", "name of A's part never released", A_MEMBERS | {OPERATOR}, {COMPANY_A}
            ),
            "unit": "kilogram",
            "own_main_production": "73.918264",
        },
    )
    markers.append(
        Marker(
            "73.918264",
            "exchange: A's own emissions of a part never released",
            A_MEMBERS,
            expect_seen_by={COMPANY_A},
        )
    )

    # Upstream: A asks, the supplier answers.
    request_up = services.send_request(
        actor=admin,
        part=bought,
        wants_footprint=True,
        wants_materials=True,
        message=mark("request-message", "A's request message to its supplier", UPSTREAM, {EXCHANGE_SUPPLIER}),
        due_date=_due(),
    )
    answer_up = services.answer_request(
        actor=supplier_admin,
        request=request_up,
        supplier_part=upstream_part,
        details=_details(
            comment=mark(
                "received-comment",
                "comment of the answer A received",
                UPSTREAM,
                {COMPANY_A, EXCHANGE_SUPPLIER},
            ),
            evidence=mark("received-evidence", "evidence of the answer A received", UPSTREAM, {COMPANY_A}),
            boundary_processes=mark("received-boundary", "boundary of the answer A received", UPSTREAM),
        ),
    )

    # Downstream: the customer buys A's product and asks; A answers from its roll-up.
    customer_part = services.create_part(
        actor=customer_admin,
        kind="bought",
        data={"local_id": "DS-CAM", "name": "Cathode material", "unit": "kilogram"},
    )
    world.company_a.refresh_from_db()
    services.link_supplier(actor=customer_admin, part=customer_part, identifier=world.company_a.bpnl)
    request_down = services.send_request(
        actor=customer_admin,
        part=customer_part,
        wants_footprint=True,
        wants_materials=True,
        message="",
        due_date=_due(),
    )
    answer_down = services.answer_request(
        actor=admin,
        request=request_down,
        supplier_part=product,
        details=_details(
            comment=mark(
                "released-comment",
                "comment of the answer A released",
                DOWNSTREAM,
                {COMPANY_A, EXCHANGE_CUSTOMER},
            ),
        ),
    )

    world.objects.update(
        xc_bought=bought,
        xc_quiet=quiet_part,
        xc_product=product,
        xc_secret=secret,
        xc_upstream_part=upstream_part,
        xc_request_up=request_up,
        xc_request_down=request_down,
        xc_answer_up=answer_up,
        xc_answer_down=answer_down,
    )
    return markers
