"""Displaying passport values: view-models (dicts) for the templates, built from the values the viewer may
see: one value (`display`, for `passports/includes/value.html`), the values grouped by cluster, the supply
chain, and the values of one version. Public to the other apps (certification's review workspace shows a
passport's values with them); the HTML views of passports add the completeness panel
(`passports.views.display`).
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from . import services
from .catalogue import ATTRIBUTES, Attribute, Audience, Cluster, FieldType, attribute, children
from .catalogue.choices import BATTERY_STATUSES
from .models import Passport, PassportVersion, VersionState

AUDIENCE_LABELS: dict[str, Promise] = {
    Audience.PUBLIC: gettext_lazy("Public"),
    Audience.LEGITIMATE_INTEREST: gettext_lazy("Legitimate interest"),
    Audience.AUTHORITY: gettext_lazy("Authorities"),
    Audience.CONFIDENTIAL: gettext_lazy("Confidential"),
}
STATUS_LABELS = dict(BATTERY_STATUSES)
#: The Catena-X record state (metadata.status: draft, approved ...) is a workflow word of the data exchange,
#: not a property of the battery: pages show the battery's own status (Annex XIII 4(c)) instead; exports
#: and the JSON record keep it.
NOT_ON_PAGES = frozenset({"passport_status"})
TOP_LEVEL = tuple(a for a in ATTRIBUTES if a.group is None and a.key not in NOT_ON_PAGES)


# ---- displaying values ----------------------------------------------------------------------------
def _choice_label(target: Attribute, value: Any) -> Any:
    return dict(target.choices).get(value, value)


def _href(content: Any) -> str | None:
    text = str(content or "")
    return text if text.lower().startswith(("https://", "http://")) else None


def display(target: Attribute, value: Any) -> dict[str, Any]:
    """A value as a small view-model for `passports/includes/value.html` (rows and documents nested)."""
    if value is None or value == "" or value == []:
        return {"kind": "empty"}
    if target.type is FieldType.GROUP:
        members = children(target.key)
        rows = [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []
        return {
            "kind": "rows",
            "columns": [{"label": m.label, "unit": m.unit} for m in members],
            "rows": [[display(m, row.get(m.name)) for m in members] for row in rows],
        }
    if target.type is FieldType.DOCUMENT:
        items = value if isinstance(value, list) else [value]
        return {
            "kind": "documents",
            "items": [
                {
                    "header": item.get("header", ""),
                    "content_type": item.get("content_type", ""),
                    "content": item.get("content", ""),
                    "href": _href(item.get("content")),
                }
                for item in items
                if isinstance(item, dict)
            ],
        }
    if target.many:
        items = value if isinstance(value, list) else [value]
        return {"kind": "list", "items": [_scalar_text(target, item) for item in items]}
    if target.type is FieldType.URL:
        return {"kind": "link", "text": str(value), "href": _href(value)}
    return {
        "kind": "text",
        "text": _scalar_text(target, value),
        "unit": target.unit,
        "multiline": target.type is FieldType.LONG_TEXT,  # addresses, compositions: keep their lines
    }


def _scalar_text(target: Attribute, value: Any) -> Any:
    if target.type is FieldType.BOOLEAN:
        return _("Yes") if value is True else _("No")
    if target.type is FieldType.CHOICE:
        return _choice_label(target, value)
    if target.type is FieldType.COUNTRY:
        return countries.name(str(value)) or value
    return value


def grouped_values(values: dict[str, Any], *, audiences: bool = False) -> list[dict[str, Any]]:
    """Top-level values in catalogue order, grouped by cluster (only keys present in `values`, which the
    caller has already reduced to what the viewer may see)."""
    groups: dict[Cluster, list[dict[str, Any]]] = {}
    for target in TOP_LEVEL:
        value = values.get(target.key)
        if target.key not in values or value in (None, "", []):
            continue
        groups.setdefault(target.cluster, []).append(
            {
                "key": target.key,
                "label": target.label,
                "audience": target.audience.value if audiences else None,
                "audience_label": AUDIENCE_LABELS[target.audience] if audiences else None,
                "display": display(target, value),
            }
        )
    return [
        {"slug": cluster.value, "label": cluster.label, "entries": groups[cluster]}
        for cluster in Cluster
        if cluster in groups
    ]


def supply_chain_display(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return display(attribute(services.SUPPLY_CHAIN), rows)


def version_values(passport: Passport, version: PassportVersion) -> dict[str, Any]:
    """All values of one version: a draft holds the battery values only, so the model's current values
    and the status are merged in (as `selectors.passport_view` does); a published version is complete."""
    if version.state == VersionState.DRAFT:
        return {**passport.battery_model.data, **version.data, services.STATUS_KEY: passport.status}
    return dict(version.data)
