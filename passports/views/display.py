"""The completeness panel of the passport pages, with links to the steps that fill what is missing (the
values themselves are displayed by `passports.display`).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from .. import services
from ..catalogue import PASSPORT_OBLIGATION_DATE, Attribute, Category, Level, passport_required, requirement
from ..completeness import completeness
from ..models import BatteryModel, Passport


# ---- completeness panel ----------------------------------------------------------------------------
def completeness_panel(
    passport: Passport | None, model: BatteryModel, values: dict[str, Any], *, can_edit: bool
) -> dict[str, Any]:
    category = model.category
    try:
        required = passport_required(category, model.data.get("rated_energy"))
    except ValueError:
        required = None  # an industrial battery without its rated energy: the answer is not known yet
    report = completeness(category, values)

    def link(target: Attribute) -> str | None:
        if not can_edit:
            return None
        if target.level is Level.MODEL and target.key in services.MODEL_KEYS:
            return reverse("passports:model_edit", args=[model.public_id, target.cluster.value])
        if passport is not None and target.key in services.BATTERY_KEYS and target.key != "unique_identifier":
            return reverse("passports:edit", args=[passport.public_id, target.cluster.value])
        return None

    def entries(targets) -> list[dict[str, Any]]:
        return [
            {"label": t.label, "cluster": t.cluster.label, "url": link(t), "note": requirement(t.key).note}
            for t in targets
        ]

    return {
        "category_label": Category(category).label,
        "required": required,
        "obligation_date": PASSPORT_OBLIGATION_DATE,
        "checked_on": report.checked_on,
        "complete": report.complete,
        "missing": entries(report.missing),
        "conditional": entries(report.conditional),
        "pending": entries(report.pending),
    }
