"""Independent checks of the PACT v3.0 ProductFootprint data model (written from the specification's
text, not copied from its schema): required properties, their types and formats."""

from __future__ import annotations

import re
import uuid

DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
DATETIME_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
URN = re.compile(r"^urn:[a-z0-9][a-z0-9-]{0,31}:[^\s]+$", re.IGNORECASE)
UNITS = {
    "liter",
    "kilogram",
    "cubic meter",
    "kilowatt hour",
    "megajoule",
    "ton kilometer",
    "square meter",
    "piece",
    "hour",
    "megabit second",
}


def check_footprint(pf: dict) -> None:
    for key in (
        "id",
        "specVersion",
        "created",
        "status",
        "companyName",
        "companyIds",
        "productDescription",
        "productIds",
        "productNameCompany",
        "pcf",
    ):
        assert key in pf and pf[key] not in (None, ""), key
    uuid.UUID(pf["id"])
    assert re.match(r"^3\.0\.\d+$", pf["specVersion"])
    assert DATETIME_Z.match(pf["created"])
    assert pf["status"] in ("Active", "Deprecated")
    for key in ("companyIds", "productIds", "productClassifications"):
        if key in pf:
            assert pf[key] and len(set(pf[key])) == len(pf[key]) and all(URN.match(v) for v in pf[key]), key
    for value in pf.get("precedingPfIds", ["00000000-0000-0000-0000-000000000000"]):
        uuid.UUID(value)
    pcf = pf["pcf"]
    for key in (
        "declaredUnitOfMeasurement",
        "declaredUnitAmount",
        "productMassPerDeclaredUnit",
        "referencePeriodStart",
        "referencePeriodEnd",
        "pcfExcludingBiogenicUptake",
        "pcfIncludingBiogenicUptake",
        "fossilGhgEmissions",
        "fossilCarbonContent",
        "ipccCharacterizationFactors",
        "crossSectoralStandards",
        "exemptedEmissionsPercent",
    ):
        assert key in pcf and pcf[key] is not None, key
    assert pcf["declaredUnitOfMeasurement"] in UNITS
    for key in (
        "declaredUnitAmount",
        "productMassPerDeclaredUnit",
        "pcfExcludingBiogenicUptake",
        "pcfIncludingBiogenicUptake",
        "fossilGhgEmissions",
        "fossilCarbonContent",
        "exemptedEmissionsPercent",
        "primaryDataShare",
        "biogenicCarbonContent",
        "biogenicCO2Uptake",
    ):
        if key in pcf:
            assert isinstance(pcf[key], str) and DECIMAL.match(pcf[key]), (key, pcf[key])
    assert float(pcf["declaredUnitAmount"]) > 0
    for key in ("fossilGhgEmissions", "fossilCarbonContent", "biogenicCarbonContent"):
        if key in pcf:
            assert float(pcf[key]) >= 0
    if "biogenicCO2Uptake" in pcf:
        assert float(pcf["biogenicCO2Uptake"]) <= 0
    for key in ("referencePeriodStart", "referencePeriodEnd"):
        assert DATETIME_Z.match(pcf[key])
    assert pcf["ipccCharacterizationFactors"] and all(
        re.match(r"^AR\d+$", v) for v in pcf["ipccCharacterizationFactors"]
    )
    assert pcf["crossSectoralStandards"] and all(isinstance(v, str) for v in pcf["crossSectoralStandards"])
    if "geographyCountry" in pcf:
        assert re.match(r"^[A-Z]{2}$", pcf["geographyCountry"])
    if "dqi" in pcf:
        for key in ("technologicalDQR", "geographicalDQR", "temporalDQR"):
            assert DECIMAL.match(pcf["dqi"][key]) and 1 <= float(pcf["dqi"][key]) <= 5
