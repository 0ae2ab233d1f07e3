"""The oversight's canary data: a cube built over the whole canary world (named so that it plants last,
after every company's passports, supply chains and transfers exist), and a unique amount planted in a
transfer of company A.

Who may see what: the cube holds only protected aggregates, so no marker of any capability may appear on
an oversight page, API answer, chart, export or report, as any audience; the authority (without the
enforcement permission) reads the cube, everyone else gets 404. The unique amount is company A's.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from endoflife import services
from oversight.worker import alerts, cube

from ..registry import COMPANY_A, COMPANY_A_VIEWER, Marker, ParamValue, World, register

A_MEMBERS = frozenset({COMPANY_A, COMPANY_A_VIEWER})
AMOUNT = "7777777.123"


def oversight_url_kwargs(world: World) -> dict[str, list[ParamValue]]:
    return {
        "code": [
            ParamValue("lithium", "a material of the cube", url_names=frozenset({"oversight:material"}))
        ],
        "table": [
            ParamValue(
                "origins", "the origins table", url_names=frozenset({"oversight:export*", "api:oversight-*"})
            ),
            ParamValue(
                "eol", "the end-of-life table", url_names=frozenset({"oversight:export*", "api:oversight-*"})
            ),
        ],
    }


@register("statistics_cube", url_kwargs=oversight_url_kwargs)
def plant_statistics_cube(world: World) -> list[Marker]:
    services.transfer_record(
        actor=world.users[COMPANY_A],
        values={
            "content": "batteries",
            "battery_count": 900,
            "mass_kg": AMOUNT,
            "recipient_name": "Outside party",
            "destination_country": "FR",
            "condition": "waste",
            "waste_code": "16 06 05",
            "treatment": "recycling",
            "shipped_on": timezone.localdate() - datetime.timedelta(days=2),
        },
    )
    year = timezone.localdate().year
    for built in (year - 1, year):
        cube.build_cube(cube.request_build(built).pk)
    alerts.flag_transfers()
    return [Marker(AMOUNT, "oversight: a unique amount in company A's transfer", A_MEMBERS)]
