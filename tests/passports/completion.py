"""Passports that pass the publication gate, for tests whose subject is publishing through a page or the
API: the demo EV pack and battery values (built to be complete) fill what a test did not plant."""

from __future__ import annotations

from datetime import date

from passports import services
from passports.models import Passport


def fill_missing(actor, passport: Passport) -> Passport:
    """Give `passport` and its battery model every value they lack from the demo EV pack and battery, which
    are built to be complete, keeping every value they have: the passport then passes the publication
    gate (on the day passports become mandatory) while keeping the values a test planted."""
    from passports.demo import EU_PLANT, _battery, _eu_nmc_pack

    model = passport.battery_model
    missing_model = {k: v for k, v in _eu_nmc_pack(passport.organization.bpnl).items() if k not in model.data}
    for identity in ("model_name", "manufacturer_part_id", "battery_category"):
        missing_model.pop(identity, None)
    services.battery_model_update(actor=actor, battery_model=model, values=missing_model)
    draft = passport.versions.filter(state="draft").get()
    battery = _battery("T-FILL", 1, EU_PLANT, "Salzgitter", "DE", date(2026, 1, 12), None)
    battery.pop("unique_identifier")
    if draft.data.get("manufacturing_date"):  # placed on the market the day it is made, never before
        battery["placed_on_market_date"] = draft.data["manufacturing_date"]
    services.passport_update(
        actor=actor, passport=passport, values={k: v for k, v in battery.items() if k not in draft.data}
    )
    passport.refresh_from_db()
    return passport


def complete_passport(actor, organization, identifier: str = "T-EP75-00001") -> Passport:
    """A new passport of a new demo EV pack model, complete on the day passports become mandatory."""
    from passports.demo import _eu_nmc_pack

    model = services.battery_model_create(
        actor=actor, organization=organization, values=_eu_nmc_pack(organization.bpnl)
    )
    passport = services.passport_create(
        actor=actor, battery_model=model, values={"unique_identifier": identifier}
    )
    return fill_missing(actor, passport)
