"""End of life's canary data: company A hands a lot of used batteries to a party outside the portal, in a
non-OECD country, with Annex XIV evidence, and sends black mass to the exchange customer's company.

Who may see what (`endoflife/access.py`): a transfer is its sender's and its recipient's on the portal;
nobody else reads it, operators and authorities included (the oversight shows only protected totals, and
the enforcement list only to holders of the enforcement permission, which no canary audience holds).

* The outside recipient's name and the Annex XIV evidence: company A's members only.
* The black-mass lot's evidence reference (its waste code is not secret; the mass is a unique amount):
  company A's members and the recipient (the exchange customer's company).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from endoflife import services

from ..registry import (
    COMPANY_A,
    COMPANY_A_VIEWER,
    EXCHANGE_CUSTOMER,
    Marker,
    ParamValue,
    World,
    new_marker_value,
    register,
)

A_MEMBERS = frozenset({COMPANY_A, COMPANY_A_VIEWER})
TRANSFER_URLS = frozenset({"endoflife:transfer", "endoflife:transfer_*"})


def endoflife_url_kwargs(world: World) -> dict[str, list[ParamValue]]:
    return {
        "public_id": [
            ParamValue(
                world.objects["eol_used"].public_id, "company A's used-battery lot", url_names=TRANSFER_URLS
            ),
            ParamValue(
                world.objects["eol_black_mass"].public_id, "company A's black mass", url_names=TRANSFER_URLS
            ),
        ]
    }


@register("endoflife", url_kwargs=endoflife_url_kwargs)
def plant_endoflife(world: World) -> list[Marker]:
    admin = world.users[COMPANY_A]
    markers: list[Marker] = []

    def mark(purpose: str, description: str, visible_to, expect=None) -> str:
        value = new_marker_value(f"eol-{purpose}")
        markers.append(Marker(value, f"end of life: {description}", visible_to, expect_seen_by=expect))
        return value

    shipped = timezone.localdate() - datetime.timedelta(days=3)
    used = services.transfer_record(
        actor=admin,
        values={
            "content": "batteries",
            "battery_count": 7,
            "mass_kg": "3141.593",
            "recipient_name": mark("recipient", "A's outside recipient", A_MEMBERS, {COMPANY_A}),
            "destination_country": "IN",
            "condition": "used",
            "treatment": "repurposing",
            "shipped_on": shipped,
            "annex_xiv_evidence": mark("evidence", "A's Annex XIV evidence", A_MEMBERS, {COMPANY_A}),
        },
    )
    customer = world.users[EXCHANGE_CUSTOMER].membership.organization
    black_mass = services.transfer_record(
        actor=admin,
        values={
            "content": "black_mass",
            "mass_kg": "2718.282",
            "recipient": customer,
            "destination_country": "DE",
            "condition": "waste",
            "waste_code": "16 06 05",
            "treatment": "recycling",
            "shipped_on": shipped,
        },
    )
    world.objects.update(eol_used=used, eol_black_mass=black_mass)
    return markers
