"""The eight IDTA Digital Battery Passport submodels (CX-0160): schemas, semantic ids, quirk repair.

The schemas are the verbatim copies in `passports/catenax_data/idta-dbp/` (provenance and SHA-256 in
`passports/catenax_data/SOURCE.txt`), shared with the Catena-X files rather than copied a second time.
The semantic id of each submodel is the `x-samm-aspect-model-urn` its schema declares, so it cannot
drift from the schema it names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft4Validator, FormatChecker

from ..catenax_data import CATENAX_DATA_DIR

IDTA_DIR = CATENAX_DATA_DIR / "idta-dbp"


@dataclass(frozen=True)
class Submodel:
    key: str  # the key of the submodel in the exported object (and the id-short of the AAS submodel)
    file: str  # "<file>-schema.json" and "<file>.json" (the official example) in IDTA_DIR

    @property
    def schema_path(self):
        return IDTA_DIR / f"{self.file}-schema.json"

    @property
    def example_path(self):
        return IDTA_DIR / f"{self.file}.json"


SUBMODELS: tuple[Submodel, ...] = (
    Submodel("Nameplate", "NameplateBattery"),
    Submodel("TechnicalData", "TechnicalDataBattery"),
    Submodel("ProductCondition", "ProductConditionBattery"),
    Submodel("CarbonFootprint", "CarbonFootprintBattery"),
    Submodel("MaterialComposition", "MaterialCompositionBattery"),
    Submodel("Circularity", "CircularityBattery"),
    Submodel("HandoverDocumentation", "HandoverDocumentationBattery"),
    Submodel("DppMetadata", "DppMetadata"),
)
BY_KEY = {submodel.key: submodel for submodel in SUBMODELS}


@cache
def schema(key: str) -> dict[str, Any]:
    return json.loads(BY_KEY[key].schema_path.read_text(encoding="utf-8"))


def semantic_id(key: str) -> str:
    return schema(key)["x-samm-aspect-model-urn"]


def example(key: str) -> dict[str, Any]:
    """The official example payload, as shipped (quirks included)."""
    return json.loads(BY_KEY[key].example_path.read_text(encoding="utf-8"))


@cache
def _validator(key: str) -> Draft4Validator:
    # Draft-04, as every schema declares; with format checks (uri, date) so an export cannot carry a
    # malformed date that the bare schema would let through.
    return Draft4Validator(schema(key), format_checker=FormatChecker())


def schema_errors(key: str, payload: Any) -> list[dict[str, str]]:
    """[{"submodel", "path", "message"}] of `payload` against the submodel's schema ([] when valid)."""
    errors = sorted(_validator(key).iter_errors(payload), key=lambda e: [str(p) for p in e.absolute_path])
    return [
        {"submodel": key, "path": dotted(error.absolute_path) or "$", "message": error.message[:300]}
        for error in errors
    ]


def dotted(parts) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


# ---- the shipped examples' quirks -----------------------------------------------------------------------


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """`node` with `$ref` followed and `allOf` parts merged (what the generated schemas use)."""
    node = dict(node)
    while "$ref" in node or "allOf" in node:
        if "$ref" in node:
            target = root["components"]["schemas"][node.pop("$ref").rsplit("/", 1)[-1]]
            node = {**target, **node}
            continue
        for part in node.pop("allOf"):
            part = _resolve(part, root)
            for name, value in part.items():
                if name == "properties":
                    node["properties"] = {**node.get("properties", {}), **value}
                elif name == "required":
                    node["required"] = [*node.get("required", []), *value]
                else:
                    node.setdefault(name, value)
    return node


def normalise(key: str, payload: Any) -> tuple[Any, list[str]]:
    """(payload with the shipped examples' quirks repaired, one note per repair).

    The official examples write a multi-language text or a set with one member as that member (an object
    or a string) where the schema expects an array: such a value is wrapped in a one-item array. Nothing
    else is changed: anything still wrong is for the schema to report."""
    root = schema(key)
    notes: list[str] = []

    def walk(value: Any, node: dict[str, Any], path: str) -> Any:
        node = _resolve(node, root)
        if node.get("type") == "array":
            if not isinstance(value, list) and isinstance(value, dict | str | int | float | bool):
                item = _resolve(node.get("items", {}), root)
                if _fits(value, item.get("type")):
                    notes.append(f"{key}.{path or '$'}")
                    value = [value]
            if isinstance(value, list):
                items = node.get("items", {})
                return [walk(item, items, f"{path}[{index}]") for index, item in enumerate(value)]
            return value
        if isinstance(value, dict) and "properties" in node:
            properties = node["properties"]
            return {
                name: walk(child, properties[name], f"{path}.{name}" if path else name)
                if name in properties
                else child
                for name, child in value.items()
            }
        return value

    return walk(payload, root, ""), notes


def _fits(value: Any, item_type: str | None) -> bool:
    if item_type == "object":
        return isinstance(value, dict)
    if item_type == "string":
        return isinstance(value, str)
    if item_type in ("number", "integer"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return item_type is None
