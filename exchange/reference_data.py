"""Reference data kept as data: the material list in `reference/materials.json`."""

from __future__ import annotations

import json
from pathlib import Path

MATERIALS_FILE = Path(__file__).parent / "reference" / "materials.json"


def load_materials(material_model) -> int:
    """Create or update every material of the list (`material_model` lets migrations pass their own)."""
    document = json.loads(MATERIALS_FILE.read_text(encoding="utf-8"))
    for position, row in enumerate(document["materials"]):
        values = {key: value for key, value in row.items() if key != "code"}
        values["listed_from"] = values.get("listed_from") or None
        values["position"] = position
        material_model.objects.update_or_create(code=row["code"], defaults=values)
    return len(document["materials"])
