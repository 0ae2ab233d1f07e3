"""The completeness panel of the passport pages, with links to the steps that fill what is missing (the
values themselves are displayed by `passports.display`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise

from .. import services
from ..catalogue import (
    PASSPORT_OBLIGATION_DATE,
    Attribute,
    Category,
    Level,
    Requirement,
    passport_required,
    requirement,
)
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

    def entries(targets, note: Callable[[Requirement], Promise | str]) -> list[dict[str, Any]]:
        return [
            {"label": t.label, "cluster": t.cluster.label, "url": link(t), "note": note(requirement(t.key))}
            for t in targets
        ]

    return {
        "category_label": Category(category).label,
        "required": required,
        "obligation_date": PASSPORT_OBLIGATION_DATE,
        "checked_on": report.checked_on,
        "complete": report.complete,
        # Notes are the catalogue's translated texts (passports.catalogue.notes), never the data file's prose.
        "missing": entries(report.missing, lambda r: ""),
        "conditional": entries(report.conditional, lambda r: r.condition_note),
        "pending": entries(report.pending, lambda r: r.note),
    }
