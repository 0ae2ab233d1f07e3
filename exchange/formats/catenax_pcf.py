"""An answer as the Catena-X `io.catenax.pcf` 9.0.0 aspect, and back.

The model's field names are PACT v3's; its JSON nests every group as an array of objects and writes
figures as numbers (the schema and the official example ship in `passports/catenax_data/pcf/`; the
validator and identifiers are shared with the battery model's footprint in `passports.pcf_schema`). What
the portal writes, per declared unit and cradle-to-gate:

- `companyAndProductInformation`: the answering company only (`urn:<BPNL>` as the schema describes,
  `urn:lei:<LEI>`, `urn:houjin-bangou:<corporate number>`), the product as the supplier names it
  (`urn:pathfinder:product:customcode:vendor-assigned:<its id>`), the declared unit and mass (0 when the
  mass is not known: the schema requires a value; read back as "not stated").
- `productLifeCycleStagesAndEmissions`: the production stage's totals; packaging and distribution are
  empty collections (the answer states nothing about them).
- `pcfAssessmentAndMethodology`: primary data share, the three DQRs the model has (technological,
  temporal, geographical; PACT's completeness and reliability and the coverage have no place here), the
  standards, characterisation factors, reference period, exemptions, country and boundary description.
  Collections the answer has nothing for (mass balancing, allocation) are written empty rather than
  with invented values. `geographyRegionOrSubregion` is required by the schema; the portal records a
  country only, so it writes "Global" and ignores the region on import. `validityPeriodEnd` (required)
  is the reference period's end plus three years, PACT's default validity.
- `attestationOfConformance`: the assurance provider, standard and date, when the answer has one.

No Ouranos split and no material declaration exist in this model: an imported answer has neither.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import quote

from django.utils.translation import gettext as _

# The model's schema, validator and identifiers are shared with the battery model's footprint.
from passports.pcf_schema import PRODUCT_URN, SPEC_VERSION, company_ids, schema_problem
from passports.pcf_schema import timestamp as _timestamp

from ..models import Answer, AnswerStatus, Part
from . import SHARE_PLACES, Imported, file_error, number

CN_URN = "urn:cn:"
VALIDITY_YEARS = 3
REGION = "Global"
#: PACT/Catena-X DQR key -> the key in `Answer.quality`.
DQRS = {"technologicalDQR": "technological", "temporalDQR": "temporal", "geographicalDQR": "geographical"}


# ---- export ---------------------------------------------------------------------------------------------


def _decimal(value: Any):
    from decimal import Decimal

    return value if isinstance(value, Decimal) else Decimal(str(value))


def export(answer: Answer) -> dict[str, Any]:
    """The io.catenax.pcf document of an answer with a footprint (the caller checks `has_footprint`)."""
    supplier = answer.supplier
    product: dict[str, Any] = {
        "productNameCompany": answer.product_name,
        "productIds": [PRODUCT_URN + quote(answer.product_id, safe="")],
        "declaredUnitOfMeasurement": answer.declared_unit,
        "declaredUnitAmount": 1,
        "productMassPerDeclaredUnit": answer.mass_per_unit if answer.mass_per_unit is not None else 0,
    }
    if answer.cn_code:
        product["productClassifications"] = [CN_URN + answer.cn_code]
    stage: dict[str, Any] = {
        "pcfExcludingBiogenicUptake": answer.pcf_excluding_biogenic,
        # An answer without a biogenic figure (an Ouranos file states none) counts no uptake.
        "pcfIncludingBiogenicUptake": answer.pcf_including_biogenic
        if answer.pcf_including_biogenic is not None
        else answer.pcf_excluding_biogenic,
    }
    if answer.fossil_emissions is not None:
        stage["fossilGhgEmissions"] = answer.fossil_emissions
    if answer.biogenic_uptake is not None:
        stage["biogenicCO2Uptake"] = answer.biogenic_uptake
    carbon = {
        key: value
        for key, value in (
            ("biogenicCarbonContent", answer.biogenic_carbon_content),
            ("fossilCarbonContent", answer.fossil_carbon_content),
        )
        if value is not None
    }
    quality: dict[str, Any] = {}
    if answer.primary_data_share is not None:
        quality["primaryDataShare"] = answer.primary_data_share
    for key, name in DQRS.items():
        if (answer.quality or {}).get(name) not in (None, ""):
            quality[key] = _decimal(answer.quality[name])
    id_and_version: dict[str, Any] = {
        "id": str(answer.public_id),
        "version": answer.version,
        "status": "Active" if answer.status == AnswerStatus.ACTIVE else "Deprecated",
        "retroOrProspectivePcfType": "Retrospective PCF",
    }
    if answer.preceding_id:
        # The 9.0.0 schema's PrecedingPfId object lost its property; PACT names it `id`.
        id_and_version["precedingPfIds"] = [{"id": str(answer.preceding.public_id)}]
    assessment: dict[str, Any] = {
        "technology": [
            {
                "ccsTechnologicalCO2CaptureIncluded": False,
                "boundaryProcessesDescription": answer.boundary_processes,
            }
        ]
        if answer.boundary_processes
        else [],
        "idAndVersion": [id_and_version],
        "boundarySpecifications": [{"exemptedEmissionsPercent": answer.exempted_emissions_percent}],
        "geography": [{"geographyRegionOrSubregion": REGION, "geographyCountry": answer.geography_country}]
        if answer.geography_country
        else [],
        "time": [],
    }
    if answer.reference_period_start and answer.reference_period_end:
        end = answer.reference_period_end
        assessment["time"] = [
            {
                "referencePeriodStart": _timestamp(answer.reference_period_start),
                "referencePeriodEnd": _timestamp(end),
                "created": _timestamp(answer.released_at),
                "validityPeriodEnd": _timestamp(end.replace(year=end.year + VALIDITY_YEARS)),
            }
        ]
    document: dict[str, Any] = {
        "scopeOfPcfForm": [{"specVersion": SPEC_VERSION, "partialFullPcf": "Cradle-to-gate"}],
        "companyAndProductInformation": [
            {
                "companyInformation": [
                    {"companyName": supplier.legal_name, "companyIds": company_ids(supplier)}
                ],
                "productInformation": [product],
            }
        ],
        "pcfAssessmentAndMethodology": [
            {
                "dataSourcesAndQuality": [quality],
                "pcfMethodology": [
                    {
                        "standards": [
                            {
                                "crossSectoralStandards": list(answer.cross_sectoral_standards or []),
                                "productOrSectorSpecificRules": [answer.product_rules]
                                if answer.product_rules
                                else [],
                            }
                        ],
                        "gwpCharacterizationFactorDetails": [
                            {"ipccCharacterizationFactors": answer.characterization_factors or "unspecified"}
                        ],
                        "massBalancingInformation": [],
                        "allocationInForeground": [],
                    }
                ],
                "pcfAssessmentInformation": [assessment],
            }
        ],
        "general": [{"comment": answer.comment}] if answer.comment else [],
        "carbonContent": [carbon] if carbon else [],
        "productLifeCycleStagesAndEmissions": [
            {"productionStage": [stage], "distributionStage": [], "packagingStage": []}
        ],
    }
    if answer.assurance_provider:
        attestation: dict[str, Any] = {
            "attestationType": "PCF Product Verification",
            "standardName": answer.assurance_standard,
            "attestationStandard": answer.assurance_standard,
            "attestationOfConformanceId": str(answer.public_id),
            "providerName": answer.assurance_provider,
        }
        if answer.assurance_date:
            attestation["completedAt"] = _timestamp(answer.assurance_date)
        document["attestationOfConformance"] = [attestation]
    return document


# ---- import ---------------------------------------------------------------------------------------------


def _one(container: dict[str, Any] | None, key: str, path: str, *, required: bool = False):
    """The single entry of the collection `key` and its path; the portal takes one entry per group."""
    path = f"{path}.{key}"
    entries = (container or {}).get(key) or []
    if len(entries) > 1:
        raise file_error(
            _("The portal takes one entry here; the file has %(count)s.") % {"count": len(entries)}, path
        )
    if not entries:
        if required:
            raise file_error(_("An entry is required here."), path)
        return None, f"{path}[0]"
    return entries[0], f"{path}[0]"


def _date(value: Any, path: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise file_error(_("Not a date and time the portal can read."), path) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    return moment.date()


def _optional(entry: dict[str, Any] | None, key: str, path: str, **limits):
    value = (entry or {}).get(key)
    return None if value is None else number(value, f"{path}.{key}", **limits)


def read(document: Any, *, part: Part, details: Any = None) -> Imported:
    """The Answer fields an io.catenax.pcf document states, for `part` (its unit must match). The
    descriptors come from the file; `details` is not used (the file has its own)."""
    from decimal import Decimal

    from ..services import AnswerDetails

    problem = schema_problem(document)
    if problem is not None:
        path, message = problem
        raise file_error(
            _("Does not match the io.catenax.pcf 9.0.0 schema: %(problem)s") % {"problem": message}, path
        )
    root = "$"
    company_product, path = _one(document, "companyAndProductInformation", root, required=True)
    product, product_path = _one(company_product, "productInformation", path, required=True)
    unit = product["declaredUnitOfMeasurement"]
    if unit != part.unit:
        raise file_error(
            _(
                "The file declares its footprint per %(unit)s; your part %(part)s is declared per "
                "%(part_unit)s."
            )
            % {"unit": unit, "part": part.local_id, "part_unit": part.get_unit_display()},
            f"{product_path}.declaredUnitOfMeasurement",
        )
    mass = number(product["productMassPerDeclaredUnit"], f"{product_path}.productMassPerDeclaredUnit")
    stages, path = _one(document, "productLifeCycleStagesAndEmissions", root, required=True)
    stage, stage_path = _one(stages, "productionStage", path, required=True)
    carbon, carbon_path = _one(document, "carbonContent", root)
    figures: dict[str, Any] = {
        "mass_per_unit": mass or None,  # 0: the schema's required placeholder, "not stated"
        "has_footprint": True,
        "has_materials": False,
        "pcf_excluding_biogenic": number(
            stage["pcfExcludingBiogenicUptake"], f"{stage_path}.pcfExcludingBiogenicUptake"
        ),
        "pcf_including_biogenic": number(
            stage["pcfIncludingBiogenicUptake"], f"{stage_path}.pcfIncludingBiogenicUptake", minimum=None
        ),
        "fossil_emissions": _optional(stage, "fossilGhgEmissions", stage_path),
        "biogenic_uptake": _optional(
            stage, "biogenicCO2Uptake", stage_path, minimum=None, maximum=Decimal(0)
        ),
        "biogenic_carbon_content": _optional(carbon, "biogenicCarbonContent", carbon_path),
        "fossil_carbon_content": _optional(carbon, "fossilCarbonContent", carbon_path),
        "own_pre_processing": None,
        "own_main_production": None,
        "purchased_pre_processing": None,
        "purchased_main_production": None,
        "stage_quality": {},
    }
    methodology_root, path = _one(document, "pcfAssessmentAndMethodology", root, required=True)
    sources, sources_path = _one(methodology_root, "dataSourcesAndQuality", path)
    figures["primary_data_share"] = _optional(
        sources, "primaryDataShare", sources_path, places=SHARE_PLACES, maximum=Decimal(100)
    )
    quality = {}
    paths: dict[str, str] = {}
    for key, name in DQRS.items():
        paths[f"quality_{name}"] = f"{sources_path}.{key}"
        if (sources or {}).get(key) is not None:
            quality[name] = number(sources[key], f"{sources_path}.{key}")
    methodology, methodology_path = _one(methodology_root, "pcfMethodology", path)
    standards, standards_path = _one(methodology, "standards", methodology_path)
    factors, factors_path = _one(methodology, "gwpCharacterizationFactorDetails", methodology_path)
    information, information_path = _one(methodology_root, "pcfAssessmentInformation", path)
    technology, _technology_path = _one(information, "technology", information_path)
    boundary, boundary_path = _one(information, "boundarySpecifications", information_path)
    geography, geography_path = _one(information, "geography", information_path)
    time, time_path = _one(information, "time", information_path)
    general, _general_path = _one(document, "general", root)
    attestation, attestation_path = _one(document, "attestationOfConformance", root)
    rules = [rule for rule in (standards or {}).get("productOrSectorSpecificRules", []) if rule]
    exempted = (boundary or {}).get("exemptedEmissionsPercent")
    imported_details = AnswerDetails(
        reference_period_start=_date(
            (time or {}).get("referencePeriodStart"), f"{time_path}.referencePeriodStart"
        ),
        reference_period_end=_date((time or {}).get("referencePeriodEnd"), f"{time_path}.referencePeriodEnd"),
        characterization_factors=(factors or {}).get("ipccCharacterizationFactors", ""),
        cross_sectoral_standards=list((standards or {}).get("crossSectoralStandards", [])),
        product_rules="; ".join(rules),
        boundary_processes=(technology or {}).get("boundaryProcessesDescription", ""),
        exempted_emissions_percent=number(
            exempted, f"{boundary_path}.exemptedEmissionsPercent", places=SHARE_PLACES
        )
        if exempted is not None
        else "0",
        geography_country=(geography or {}).get("geographyCountry", ""),
        quality={name: str(value) for name, value in quality.items()},
        assurance_provider=(attestation or {}).get("providerName", ""),
        assurance_standard=(attestation or {}).get("attestationStandard", ""),
        assurance_date=_date((attestation or {}).get("completedAt"), f"{attestation_path}.completedAt"),
        comment=(general or {}).get("comment", ""),
    )
    paths.update(
        reference_period_start=f"{time_path}.referencePeriodStart",
        reference_period_end=f"{time_path}.referencePeriodEnd",
        characterization_factors=f"{factors_path}.ipccCharacterizationFactors",
        cross_sectoral_standards=f"{standards_path}.crossSectoralStandards",
        exempted_emissions_percent=f"{boundary_path}.exemptedEmissionsPercent",
        geography_country=f"{geography_path}.geographyCountry",
        assurance_date=f"{attestation_path}.completedAt",
    )
    return Imported(figures=figures, details=imported_details, paths=paths)
