"""The AAS shell descriptor (AAS Part 2 / Catena-X DTR) of an exported passport.

Catena-X finds a battery's twin by its specific asset ids (CX-0002 digital twins, CX-0126 part type /
instance conventions): `manufacturerId` (the BPNL of the manufacturer), `manufacturerPartId` (the
battery model), `partInstanceId` (the battery's serial), `digitalTwinType` "PartInstance" (one twin per
physical battery, as the passport is per battery). The shell id and the global asset id are the passport
identifier (urn:uuid), which is what the QR code resolves."""

from __future__ import annotations

from typing import Any

from . import schemas


def _asset_id(name: str, value: Any) -> dict[str, Any]:
    return {"name": name, "value": str(value)}


def shell_descriptor(
    document: dict[str, Any], values: dict[str, Any], *, present: list[str]
) -> dict[str, Any]:
    """The descriptor for a 6.1.0 `document` and the visible `values`, with one submodel descriptor per
    exported submodel (`present`); the ids are only those the caller may see."""
    metadata = document["metadata"]
    identification = document["identification"]["identification"]
    passport_id = metadata["passportIdentifier"]
    asset_ids = [_asset_id("manufacturerId", document["operation"]["manufacturer"]["manufacturer"])]
    part_id = identification["type"].get("manufacturerPartId")
    if part_id:
        asset_ids.append(_asset_id("manufacturerPartId", part_id))
    serials = [row for row in identification.get("serial") or [] if row.get("key") == "partInstanceId"]
    instance = serials[0]["value"] if serials else values.get("unique_identifier")
    if instance:
        asset_ids.append(_asset_id("partInstanceId", instance))
    for row in identification.get("batch") or []:
        if row.get("key") == "batchId":
            asset_ids.append(_asset_id("batchId", row["value"]))
    asset_ids.append(_asset_id("digitalTwinType", "PartInstance"))
    return {
        "idShort": f"BatteryPassport_{passport_id.removeprefix('urn:uuid:')}",
        "id": passport_id,
        **(
            {"displayName": [{"language": "en", "text": values["model_name"]}]}
            if values.get("model_name")
            else {}
        ),
        "globalAssetId": passport_id,
        "specificAssetIds": asset_ids,
        "submodelDescriptors": [
            {
                "idShort": key,
                "id": f"{passport_id}:{key}",
                "semanticId": {
                    "type": "ExternalReference",
                    "keys": [{"type": "GlobalReference", "value": schemas.semantic_id(key)}],
                },
            }
            for key in present
        ],
    }
