"""An answer as the Ouranos Ecosystem's CFP record, and back.

Field names follow the Ouranos Ecosystem reference implementation (ouranos-ecosystem-idi/
data-transaction-system, `domain/model/traceability/ouranos_cfp_model.go`, `PutCfpInput` /
`CfpModel`; operator and parts fields from `ouranos_operator_model.go` / `ouranos_parts_model.go`). A
CFP there is four records sharing `cfpId`, `traceId` and `ghgDeclaredUnit`, in kg CO2e per declared unit:

    cfpType          dqrType         portal field
    preProduction    preProcessing   own_pre_processing
    mainProduction   mainProcessing  own_main_production
    preComponent     preProcessing   purchased_pre_processing
    mainComponent    mainProcessing  purchased_main_production

with `dqrValue` {TeR, GeR, TiR}: the technological, geographical and temporal rating of the stage
(`Answer.stage_quality["pre"|"main"]`), the same on both records of a stage.

The portal's document wraps the four records (`cfp`) with who answers (`operator`: operatorName,
openOperatorId = corporate number, operatorAttribute.globalOperatorId = LEI or BPNL) and what
(`parts`: partsName, supportPartsName = the supplier's product id, amountRequiredUnit). Import also takes
the bare list of four records, as the reference API's PUT body is.

Checks on import, after the reference's own: exactly the four cfpTypes once each, each with its dqrType;
one cfpId (or none), one traceId, one ghgDeclaredUnit, matching the answering part's unit; emissions
JSON numbers from 0 to 99999.99999 (the reference's bound) with at most six decimals (the portal's
precision; the reference allows five, so every Ouranos file passes); ratings whole numbers 1 to 5, all
three or none, equal on both records of a stage, and only on a stage with emissions; no other keys.

An Ouranos CFP states no biogenic figures, primary data share, reference period or standards: the
supplier gives the reference period and standards with the upload (`services.AnswerDetails`). An answer
without the split (imported from io.catenax.pcf) is written as its whole total in preProduction, as
`selectors.answer_figures` counts it.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ..models import Answer, DeclaredUnit, Part
from ..validation import stage_rating
from . import Imported, file_error, number

#: cfpType -> (dqrType, stage, Answer field)
RECORDS: dict[str, tuple[str, str, str]] = {
    "preProduction": ("preProcessing", "pre", "own_pre_processing"),
    "mainProduction": ("mainProcessing", "main", "own_main_production"),
    "preComponent": ("preProcessing", "pre", "purchased_pre_processing"),
    "mainComponent": ("mainProcessing", "main", "purchased_main_production"),
}
#: Ouranos rating key -> the aspect in `Answer.stage_quality`.
RATINGS = {"TeR": "technological", "GeR": "geographical", "TiR": "temporal"}
#: The portal's declared unit -> Ouranos' spelling (`GhgDeclaredUnit`, `amountRequiredUnit`).
UNITS: dict[str, str] = {
    DeclaredUnit.LITER: "liter",
    DeclaredUnit.KILOGRAM: "kilogram",
    DeclaredUnit.CUBIC_METER: "cubic-meter",
    DeclaredUnit.KILOWATT_HOUR: "kilowatt-hour",
    DeclaredUnit.MEGAJOULE: "megajoule",
    DeclaredUnit.TON_KILOMETER: "ton-kilometer",
    DeclaredUnit.SQUARE_METER: "square-meter",
    DeclaredUnit.PIECE: "unit",
}
GHG_UNIT_PREFIX = "kgCO2e/"
MAX_EMISSION = Decimal("99999.99999")
RECORD_KEYS = frozenset(
    {"cfpId", "traceId", "ghgEmission", "ghgDeclaredUnit", "cfpType", "dqrType", "dqrValue"}
)
ENVELOPE_KEYS = frozenset({"operator", "parts", "cfp"})


# ---- export ---------------------------------------------------------------------------------------------


def export(answer: Answer) -> dict[str, Any]:
    """The Ouranos CFP document of an answer with a footprint (the caller checks `has_footprint`)."""
    supplier = answer.supplier
    unit = UNITS[answer.declared_unit]
    split = {
        "own_pre_processing": answer.own_pre_processing,
        "own_main_production": answer.own_main_production,
        "purchased_pre_processing": answer.purchased_pre_processing,
        "purchased_main_production": answer.purchased_main_production,
    }
    if all(value is None for value in split.values()):
        split = dict.fromkeys(split, Decimal(0))
        split["own_pre_processing"] = answer.pcf_excluding_biogenic
    quality = answer.stage_quality or {}
    records = []
    for cfp_type, (dqr_type, stage, field) in RECORDS.items():
        ratings = quality.get(stage) or {}
        records.append(
            {
                "cfpId": str(answer.public_id),
                "traceId": str(answer.supplier_part.public_id),
                "ghgEmission": split[field],
                "ghgDeclaredUnit": GHG_UNIT_PREFIX + unit,
                "cfpType": cfp_type,
                "dqrType": dqr_type,
                "dqrValue": {key: ratings.get(aspect) for key, aspect in RATINGS.items()},
            }
        )
    return {
        "operator": {
            "operatorId": str(supplier.public_id),
            "operatorName": supplier.legal_name,
            "openOperatorId": supplier.corporate_number or "",
            "operatorAttribute": {"globalOperatorId": supplier.lei or supplier.bpnl or None},
        },
        "parts": {
            "traceId": str(answer.supplier_part.public_id),
            "partsName": answer.product_name,
            "supportPartsName": answer.product_id,
            "amountRequiredUnit": unit,
        },
        "cfp": records,
    }


# ---- import ---------------------------------------------------------------------------------------------


def _uuid(value: Any, path: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, AttributeError):
        raise file_error(_("Must be a UUID."), path) from None


def _records(document: Any) -> tuple[list[Any], str]:
    if isinstance(document, list):
        return document, "$"
    if not isinstance(document, dict):
        raise file_error(
            _("An Ouranos CFP file is a list of four CFP records, or an object with them in “cfp”.")
        )
    unknown = sorted(set(document) - ENVELOPE_KEYS)
    if unknown:
        raise file_error(_("Unknown key “%(key)s”.") % {"key": unknown[0][:40]}, "$")
    for key in ("operator", "parts"):
        if key in document and not isinstance(document[key], dict):
            raise file_error(_("Must be an object."), f"$.{key}")
    if not isinstance(document.get("cfp"), list):
        raise file_error(_("The four CFP records belong in a list here."), "$.cfp")
    return document["cfp"], "$.cfp"


def _ratings(value: Any, path: str) -> dict[str, int] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - set(RATINGS):
        raise file_error(_("Give TeR, GeR and TiR."), path)
    given = {key: value.get(key) for key in RATINGS}
    if all(rating is None for rating in given.values()):
        return None
    ratings = {}
    for key, rating in given.items():
        if rating is None or isinstance(rating, bool) or not isinstance(rating, int | Decimal):
            raise file_error(_("Rate all three of TeR, GeR and TiR with numbers, or none."), f"{path}.{key}")
        try:
            ratings[RATINGS[key]] = stage_rating(rating)
        except Exception as error:  # ValidationError: word it with the path
            raise file_error(getattr(error, "messages", [str(error)])[0], f"{path}.{key}") from None
    return ratings


def read(document: Any, *, part: Part, details: Any = None) -> Imported:
    """The Answer fields an Ouranos CFP document states, for `part` (its unit must match). The
    descriptors (reference period, standards...) are `details`, which the caller gives."""
    records, root = _records(document)
    if len(records) != len(RECORDS):
        raise file_error(
            _("An Ouranos CFP has four records (%(types)s); the file has %(count)s.")
            % {"types": ", ".join(RECORDS), "count": len(records)},
            root,
        )
    expected_unit = GHG_UNIT_PREFIX + UNITS[part.unit]
    stated = (document.get("parts") or {}).get("amountRequiredUnit") if isinstance(document, dict) else None
    if stated is not None and stated != UNITS[part.unit]:
        raise file_error(
            _("The file's part is counted in %(unit)s; your part %(part)s in %(expected)s.")
            % {"unit": str(stated)[:40], "part": part.local_id, "expected": UNITS[part.unit]},
            "$.parts.amountRequiredUnit",
        )
    figures: dict[str, Any] = {}
    ratings_by_stage: dict[str, list[tuple[dict[str, int] | None, str]]] = {"pre": [], "main": []}
    common: dict[str, Any] = {}
    for index, record in enumerate(records):
        path = f"{root}[{index}]"
        if not isinstance(record, dict):
            raise file_error(_("Each CFP record is an object."), path)
        unknown = sorted(set(record) - RECORD_KEYS)
        if unknown:
            raise file_error(_("Unknown key “%(key)s”.") % {"key": unknown[0][:40]}, path)
        cfp_type = record.get("cfpType")
        if cfp_type not in RECORDS:
            raise file_error(
                _("Must be one of %(types)s.") % {"types": ", ".join(RECORDS)}, f"{path}.cfpType"
            )
        dqr_type, stage, field = RECORDS[cfp_type]
        if field in figures:
            raise file_error(_("%(type)s appears twice.") % {"type": cfp_type}, f"{path}.cfpType")
        if record.get("dqrType") != dqr_type:
            raise file_error(
                _("A %(type)s record has dqrType %(dqr)s.") % {"type": cfp_type, "dqr": dqr_type},
                f"{path}.dqrType",
            )
        cfp_id = record.get("cfpId")
        values = {
            "cfpId": None if cfp_id is None else _uuid(cfp_id, f"{path}.cfpId"),
            "traceId": _uuid(record.get("traceId"), f"{path}.traceId"),
            "ghgDeclaredUnit": record.get("ghgDeclaredUnit"),
        }
        for key, value in values.items():
            if common.setdefault(key, value) != value:
                raise file_error(
                    _("All four records must have the same %(key)s.") % {"key": key}, f"{path}.{key}"
                )
        if values["ghgDeclaredUnit"] != expected_unit:
            raise file_error(
                _(
                    "The file declares %(unit)s; your part %(part)s is declared per %(part_unit)s "
                    "(%(expected)s)."
                )
                % {
                    "unit": str(values["ghgDeclaredUnit"])[:40],
                    "part": part.local_id,
                    "part_unit": part.get_unit_display(),
                    "expected": expected_unit,
                },
                f"{path}.ghgDeclaredUnit",
            )
        emission = record.get("ghgEmission")
        figures[field] = (
            None if emission is None else number(emission, f"{path}.ghgEmission", maximum=MAX_EMISSION)
        )
        ratings_by_stage[stage].append((_ratings(record.get("dqrValue"), f"{path}.dqrValue"), path))
    given = [value for value in figures.values() if value is not None]
    if not given:
        raise file_error(_("None of the four records states an emission."), root)
    stage_quality: dict[str, dict[str, int]] = {}
    for stage, entries in ratings_by_stage.items():
        rated = [(ratings, path) for ratings, path in entries if ratings is not None]
        if not rated:
            continue
        first, _path = rated[0]
        for ratings, path in entries:
            if ratings != first:
                raise file_error(_("Both records of a stage carry the same dqrValue."), f"{path}.dqrValue")
        stage_total = sum(
            (figures[field] or 0 for _t, (_d, s, field) in RECORDS.items() if s == stage), Decimal(0)
        )
        if not stage_total:
            raise file_error(_("A stage without emissions cannot be rated."), f"{rated[0][1]}.dqrValue")
        stage_quality[stage] = first
    figures.update(
        has_footprint=True,
        has_materials=False,
        mass_per_unit=None,
        pcf_excluding_biogenic=sum(given, Decimal(0)),
        pcf_including_biogenic=None,
        fossil_emissions=None,
        biogenic_uptake=None,
        biogenic_carbon_content=None,
        fossil_carbon_content=None,
        primary_data_share=None,
        stage_quality=stage_quality,
    )
    return Imported(figures=figures, details=details)
