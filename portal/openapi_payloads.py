"""Official payload schemas (Catena-X aspect models) as components of the API's OpenAPI document.

The Catena-X schemas are generated as OpenAPI components already (`#/components/schemas/...` references),
so they can join the API's own components once their names cannot collide with ours: each is added under a
prefix, its references rewritten, and its root becomes the component `name`. Endpoints then answer with
`payload_ref(name)` instead of a bare object, and clients generate real types from the document."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_REF_PREFIX = "#/components/schemas/"


def payload_ref(name: str) -> dict[str, str]:
    """A raw schema pointing at the component `name` (drf-spectacular takes a dict as a schema)."""
    return {"$ref": _REF_PREFIX + name}


def _renamed(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                _REF_PREFIX + prefix + value.removeprefix(_REF_PREFIX)
                if key == "$ref" and isinstance(value, str) and value.startswith(_REF_PREFIX)
                else _renamed(value, prefix)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_renamed(item, prefix) for item in node]
    return node


@cache
def payload_components(path: Path, name: str, prefix: str) -> dict[str, Any]:
    """The components one schema file contributes: `name` (its root) and its own definitions, prefixed."""
    document = json.loads(path.read_text(encoding="utf-8"))
    definitions = document.pop("components", {}).get("schemas", {})
    document.pop("$schema", None)  # a JSON Schema dialect marker, not an OpenAPI schema keyword
    components = {prefix + key: _renamed(value, prefix) for key, value in definitions.items()}
    components[name] = _renamed(document, prefix)
    return components


def add_components(result: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    clashes = sorted(set(schemas) & set(components))
    if clashes:  # a programming error: two schemas would silently replace each other
        raise ValueError(f"OpenAPI component names used twice: {clashes}")
    schemas.update(components)
    return result
