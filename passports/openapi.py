"""The official Catena-X schemas the passport endpoints refer to, in the API's OpenAPI document
(drf-spectacular post-processing hooks): BatteryPass 6.1.0 and the PCF 9.0.0 of a model's footprint."""

from __future__ import annotations

from typing import Any

from portal.openapi_payloads import add_components, payload_components, payload_ref

from . import pcf_schema
from .catenax import SCHEMA_PATH

BATTERY_PASS = "BatteryPass"
BATTERY_PASS_REF = payload_ref(BATTERY_PASS)
#: The import takes one document or a list of them.
BATTERY_PASS_IMPORT = {"oneOf": [BATTERY_PASS_REF, {"type": "array", "items": BATTERY_PASS_REF}]}
PCF = "Pcf"
PCF_REF = payload_ref(PCF)


def add_battery_pass(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    return add_components(result, payload_components(SCHEMA_PATH, BATTERY_PASS, "BatteryPass_"))


def add_pcf(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    return add_components(result, payload_components(pcf_schema.SCHEMA_PATH, PCF, "Pcf_"))
