"""Alerts, raised by the worker: from a finished cube (concentration, recycled content) and from each
transfer (waste or black mass to a non-OECD country; a used battery there without Annex XIV evidence).

Cube alerts name a country, and give a share, only where that cell was published; the comparison itself
runs on the exact figures, which stay here. Transfer alerts copy only the enforcement facts.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from endoflife.models import Condition, Content, Transfer
from oversight import reference
from oversight.models import Alert, AlertKind, CubeBuild, FlaggedTransfer, Severity

from .tables import ALL, TOTAL, PublishedCell

#: From this day black mass and lithium-based waste batteries are hazardous waste in the EU List of Waste.
HAZARDOUS_FROM = datetime.date(2026, 11, 9)


def _raise(key: str, **fields) -> Alert:
    alert, _created = Alert.objects.update_or_create(key=key, defaults=fields)
    return alert


def raise_cube_alerts(build: CubeBuild, published: dict[tuple[str, str, str], list[PublishedCell]]) -> None:
    levels = reference.targets()
    on = datetime.date(build.year, 12, 31)
    for (table, material, stage), cells in published.items():
        if table == "origins":
            _concentration(build, material, stage, cells, on, levels)
        elif table == "content" and reference.coming_minimum(material, build.year):
            _recycled(build, material, cells)


def _concentration(build, material, stage, cells, on, levels) -> None:
    totals = {(c.key[1], c.key[2]): c for c in cells if c.key[0] == TOTAL}
    best: dict[tuple[str, str], PublishedCell] = {}
    for cell in cells:
        country, period, market = cell.key
        if len(country) != 2 or not reference.third_country(country, market, on):
            continue
        if (period, market) not in best or cell.exact > best[(period, market)].exact:
            best[(period, market)] = cell
    for (period, market), cell in best.items():
        if period != str(build.year):
            continue  # one alert per year and market: the quarters are on the material's page
        total = totals.get((period, market))
        if total is None or total.exact <= 0:
            continue
        share = cell.exact * 100 / total.exact
        if share > levels["crma_single_country_limit"]:
            kind, severity = AlertKind.CONCENTRATION_BREACH, Severity.BREACH
        elif share > levels["crma_watch_level"]:
            kind, severity = AlertKind.CONCENTRATION_WATCH, Severity.WATCH
        else:
            continue
        _raise(
            f"concentration:{material}:{stage}:{market}:{period}",
            build=build,
            kind=kind,
            severity=severity,
            material=material,
            stage=stage,
            market=market,
            period=period,
            country="" if cell.suppressed else cell.key[0],
            share=None if cell.suppressed else cell.share,
        )


def _recycled(build, material, cells) -> None:
    year_cells = {(c.key[0], c.key[2]): c for c in cells if c.key[1] == str(build.year)}
    minimum = reference.coming_minimum(material, build.year)
    for market in ("EU", "JP", ALL):
        total = year_cells.get((TOTAL, market))
        virgin = year_cells.get(("virgin", market))
        if total is None or virgin is None or total.exact <= 0:
            continue
        share = (total.exact - virgin.exact) * 100 / total.exact
        if share < Decimal(minimum[1]):
            published = None if total.suppressed or virgin.suppressed else 100 - (virgin.share or 0)
            _raise(
                f"recycled:{material}:{market}:{build.year}",
                build=build,
                kind=AlertKind.RECYCLED_BELOW,
                severity=Severity.WATCH,
                material=material,
                market=market,
                period=str(build.year),
                share=published,
            )


def _flag(transfer: Transfer) -> tuple[str, str] | None:
    """The alert a transfer raises, if any: (kind, severity)."""
    origin, destination = transfer.origin_country.code, transfer.destination_country.code
    if reference.destination_class(origin, destination, transfer.shipped_on) != "non_oecd":
        return None  # an EU member state outside the OECD (e.g. Bulgaria) is an intra-EU shipment
    hazardous = transfer.content == Content.BLACK_MASS or transfer.lithium_based
    if transfer.condition == Condition.WASTE and (
        (hazardous and transfer.shipped_on >= HAZARDOUS_FROM) or transfer.waste_code.endswith("*")
    ):
        return AlertKind.WASTE_TO_NON_OECD, Severity.HIGH
    if transfer.condition == Condition.USED and not transfer.annex_xiv_evidence:
        return AlertKind.USED_WITHOUT_EVIDENCE, Severity.MEDIUM
    return None


def flag_transfer(transfer: Transfer) -> Alert | None:
    """Raise the transfer's alert and copy its enforcement facts (once; a repeat does nothing)."""
    flag = _flag(transfer)
    if flag is None:
        return None
    kind, severity = flag
    quarter = (transfer.shipped_on.month - 1) // 3 + 1
    origin = transfer.origin_country.code
    market = (
        "EU" if "eu" in reference.groups_of(origin, transfer.shipped_on) else "JP" if origin == "JP" else ""
    )
    alert = _raise(
        f"transfer:{transfer.public_id}",
        kind=kind,
        severity=severity,
        market=market,
        period=f"{transfer.shipped_on.year}Q{quarter}",
    )
    FlaggedTransfer.objects.update_or_create(
        transfer_id=transfer.public_id,
        defaults={
            "alert": alert,
            "passport_identifier": str(transfer.passport.public_id) if transfer.passport_id else "",
            "operator_name": transfer.organization.legal_name,
            "destination_country": transfer.destination_country.code,
            "shipped_on": transfer.shipped_on,
            "waste_code": transfer.waste_code,
            "content": transfer.content,
            "condition": transfer.condition,
        },
    )
    return alert


def flag_transfers(*, year: int | None = None) -> int:
    """Re-check transfers (all, or one year's) so that a flag lost with a failed enqueue still appears."""
    transfers = Transfer.objects.select_related("organization", "passport")
    if year is not None:
        transfers = transfers.filter(shipped_on__year=year)
    return sum(1 for transfer in transfers.iterator() if flag_transfer(transfer) is not None)


def unflag_transfer(public_id) -> None:
    """A withdrawn transfer's alert goes with it."""
    Alert.objects.filter(key=f"transfer:{public_id}").delete()
