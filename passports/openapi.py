"""The BatteryPass 6.1.0 schema in the API's OpenAPI document (drf-spectacular post-processing hook)."""

from __future__ import annotations

from typing import Any

from portal.openapi_payloads import add_components, payload_components, payload_ref

from .catenax import SCHEMA_PATH

BATTERY_PASS = "BatteryPass"
BATTERY_PASS_REF = payload_ref(BATTERY_PASS)
#: The import takes one document or a list of them.
BATTERY_PASS_IMPORT = {"oneOf": [BATTERY_PASS_REF, {"type": "array", "items": BATTERY_PASS_REF}]}


def add_battery_pass(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    return add_components(result, payload_components(SCHEMA_PATH, BATTERY_PASS, "BatteryPass_"))
