"""The Catena-X `io.catenax.pcf` 9.0.0 aspect: its schema, validator and the identifiers both its writers use.

Two features write and read this model: a battery model's carbon footprint (`passports.model_pcf`) and a
supplier's answer (`exchange.formats.catenax_pcf`). What they share lives here, below both apps: the
schema and the official example (shipped in `catenax_data/pcf/`), the compiled validator, how a company
and a product are named, and timestamps as the schema writes them.
"""

from __future__ import annotations

import datetime
import json
from functools import cache
from typing import Any

import fastjsonschema

from .catenax_data import CATENAX_DATA_DIR

SCHEMA_PATH = CATENAX_DATA_DIR / "pcf" / "Pcf-schema.json"
EXAMPLE_PATH = CATENAX_DATA_DIR / "pcf" / "Pcf.json"
SPEC_VERSION = "urn:io.catenax.pcf:datamodel:version:9.0.0"
#: A product as its company names it (PACT's custom code), followed by the URL-quoted identifier.
PRODUCT_URN = "urn:pathfinder:product:customcode:vendor-assigned:"


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator():
    # Compiled once per process; the schema declares draft-04, whose boolean exclusiveMinimum it keeps.
    return fastjsonschema.compile(schema())


def schema_problem(document: Any) -> tuple[str, str] | None:
    """(JSON path, message) of the schema's first objection to `document`, or None when it is valid."""
    try:
        _validator()(document)
    except fastjsonschema.JsonSchemaValueException as error:
        path = "$" + error.name.removeprefix("data")
        return path, error.message.removeprefix(error.name + " ")[:300]
    return None


def timestamp(value: datetime.datetime | datetime.date) -> str:
    """A date or moment as the schema's `Timestamp` (UTC, whole seconds, `Z`)."""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time(), datetime.UTC)
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def company_ids(organization) -> list[str]:
    """The company's identifiers as `companyIds` URIs: `urn:<BPNL>` (as the schema describes), the LEI and
    the Japanese corporate number; its portal id when it has none of them."""
    ids = []
    if organization.bpnl:
        ids.append(f"urn:{organization.bpnl}")
    if organization.lei:
        ids.append(f"urn:lei:{organization.lei}")
    if organization.corporate_number:
        ids.append(f"urn:houjin-bangou:{organization.corporate_number}")
    return ids or [f"urn:uuid:{organization.public_id}"]
