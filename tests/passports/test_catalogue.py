"""The field catalogue against the law (Annex XIII), the Catena-X BatteryPass 6.1.0 model and itself."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from passports.catalogue import (
    ANNEX_XIII_POINTS,
    ATTRIBUTES,
    AUDIENCE_CAN_SEE,
    CATENAX_CATEGORY,
    RECYCLED_CONTENT_TARGETS,
    RECYCLED_SHARE_ATTRIBUTES,
    Audience,
    Category,
    Cluster,
    Condition,
    FieldType,
    Level,
    TextFormat,
    Viewer,
    attribute,
    attributes_for,
    by_catenax_path,
    category_from_catenax,
    check_value,
    children,
    load_requirements,
    mandatory_attributes,
    passport_required,
    pending_attributes,
    recycled_content_targets,
    requirement,
    requirements,
    validate_cas_number,
    validate_ec_number,
    validate_record,
    validate_value,
    visible_audiences,
)
from passports.catenax_data import CATENAX_DATA_DIR

CATENAX_DATA = CATENAX_DATA_DIR
PASSPORT_DAY = date(2027, 2, 18)
NUMERIC = {FieldType.DECIMAL, FieldType.INTEGER, FieldType.PERCENT}
TEXTUAL = {FieldType.TEXT, FieldType.LONG_TEXT, FieldType.IDENTIFIER, FieldType.URL, FieldType.CHOICE}


# ---- a tiny schema walker ------------------------------------------------------------------------


def _schema_leaves(schema: dict) -> dict[str, dict]:
    """Every leaf of a JSON schema as "a.b[].c" -> the leaf's (resolved) schema.

    Resolves "$ref" into components/schemas, merges "allOf", writes arrays as "[]"."""
    components = schema["components"]["schemas"]

    def resolve(node: dict) -> dict:
        while "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        if "allOf" in node:
            merged: dict = {"type": "object", "properties": {}}
            for part in node["allOf"]:
                merged["properties"].update(resolve(part).get("properties", {}))
            node = merged
        return node

    leaves: dict[str, dict] = {}

    def walk(node: dict, path: str) -> None:
        node = resolve(node)
        if node.get("type") == "object" and "properties" in node:
            for name, child in node["properties"].items():
                walk(child, f"{path}.{name}" if path else name)
        elif node.get("type") == "array":
            walk(node["items"], f"{path}[]")
        else:
            leaves[path] = node

    walk(schema, "")
    return leaves


def _example_values(document, path: str = ""):
    """(leaf path, value) pairs of a JSON document, arrays written as "[]"."""
    if isinstance(document, dict):
        for name, value in document.items():
            yield from _example_values(value, f"{path}.{name}" if path else name)
    elif isinstance(document, list):
        for item in document:
            yield from _example_values(item, f"{path}[]")
    else:
        yield path, document


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads((CATENAX_DATA / "BatteryPass-schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def leaves(schema) -> dict[str, dict]:
    return _schema_leaves(schema)


# ---- coverage of the Catena-X 6.1.0 model --------------------------------------------------------


def test_the_walker_finds_all_288_leaves(leaves):
    assert len(leaves) == 288


def test_every_leaf_is_mapped_by_exactly_one_attribute(leaves):
    mapped: dict[str, list[str]] = defaultdict(list)
    for a in ATTRIBUTES:
        for path in a.catenax_paths:
            mapped[path].append(a.key)
    missing = sorted(set(leaves) - set(mapped))
    duplicated = {path: keys for path, keys in mapped.items() if len(keys) > 1}
    unknown = sorted(set(mapped) - set(leaves))
    assert not missing, "6.1.0 leaves without an attribute:\n" + "\n".join(missing)
    assert not duplicated, "leaves mapped more than once:\n" + "\n".join(
        f"{p}: {k}" for p, k in duplicated.items()
    )
    assert not unknown, "paths that are not 6.1.0 leaves:\n" + "\n".join(unknown)
    assert len(by_catenax_path()) == len(leaves)


def test_leaf_types_match_attribute_types(leaves):
    problems = []
    for path, leaf in leaves.items():
        a = by_catenax_path()[path]
        kind, pattern = leaf.get("type"), leaf.get("pattern", "")
        if a.type is FieldType.DOCUMENT or (a.timestamped and path.endswith(".time")):
            ok = kind == "string"
        elif a.timestamped:
            ok = path.endswith(".value") and kind == "number" and a.type in NUMERIC
        elif kind == "number":
            ok = a.type in NUMERIC
        elif kind == "boolean":
            ok = a.type is FieldType.BOOLEAN
        elif "enum" in leaf:
            ok = a.type is FieldType.CHOICE
        elif pattern == r"^\d{4}-\d{2}-\d{2}$":
            ok = a.type is FieldType.DATE
        elif pattern.startswith("^BPNL"):
            ok = a.text_format is TextFormat.BPNL
        elif pattern.startswith("^BPNA"):
            ok = a.text_format is TextFormat.BPNA
        else:
            ok = kind == "string" and a.type in TEXTUAL
        if not ok:
            problems.append(f"{path} ({kind} {pattern[:20]}) -> {a.key} ({a.type})")
    assert not problems, "\n".join(problems)


def test_choices_use_the_schema_enumerations(leaves):
    for path, leaf in leaves.items():
        a = by_catenax_path()[path]
        if "enum" not in leaf:
            continue
        if a.key == "battery_category":  # portal categories, translated for Catena-X
            assert set(CATENAX_CATEGORY.values()) <= set(leaf["enum"])
            assert set(CATENAX_CATEGORY) == set(Category)
            continue
        assert a.choice_values == set(leaf["enum"]), path


def test_schema_bounds_are_kept(leaves):
    for path, leaf in leaves.items():
        a = by_catenax_path()[path]
        if "minimum" in leaf and not (a.timestamped and path.endswith(".time")):
            assert a.type is FieldType.PERCENT or (
                a.min_value is not None and a.min_value >= leaf["minimum"]
            ), path
        if leaf.get("maximum") == 100.0:
            assert a.type is FieldType.PERCENT, path


def test_document_and_measurement_paths_follow_the_conventions():
    for a in ATTRIBUTES:
        if a.type is FieldType.DOCUMENT and a.catenax_paths:
            assert len(a.catenax_paths) % 3 == 0, a.key
            for i in range(0, len(a.catenax_paths), 3):
                base = a.catenax_paths[i].removesuffix("[].content")
                assert a.catenax_paths[i : i + 3] == (
                    f"{base}[].content",
                    f"{base}[].contentType",
                    f"{base}[].header",
                ), a.key
        if a.timestamped:
            assert a.level is Level.BATTERY and a.audience is Audience.LEGITIMATE_INTEREST, a.key
            if a.catenax_paths:
                assert len(a.catenax_paths) == 2, a.key
                assert a.catenax_paths[0].endswith(".value") and a.catenax_paths[1].endswith(".time"), a.key
        if a.many:
            assert all(path.endswith("[]") or "[]." in path for path in a.catenax_paths), a.key


def test_official_example_values_pass_validation_except_the_impossible_date():
    example = json.loads((CATENAX_DATA / "BatteryPass.json").read_text(encoding="utf-8"))
    failures = set()
    for path, value in _example_values(example):
        a = by_catenax_path()[path]
        if a.type is FieldType.DOCUMENT:
            continue  # documents are validated as whole {header, content_type, content} objects
        if a.timestamped and path.endswith(".time"):
            a = attribute("negative_events.occurred_at")  # measurement times are date-times with a zone
        if a.key == "battery_category":
            value = category_from_catenax(value).value
        try:
            validate_value(a, value)
        except ValidationError:
            failures.add(path)
    assert failures == {"operation.intoServiceDate"}


# ---- the catalogue itself ------------------------------------------------------------------------


def test_keys_are_unique_and_well_formed():
    keys = [a.key for a in ATTRIBUTES]
    assert len(keys) == len(set(keys))
    for key in keys:
        assert re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*", key), key


def test_rows_belong_to_a_group_and_share_its_level_and_visibility():
    for a in ATTRIBUTES:
        if a.group is None:
            assert "." not in a.key, a.key
            continue
        parent = attribute(a.group)
        assert parent.type is FieldType.GROUP, a.key
        assert a.key == f"{a.group}.{a.name}"
        assert a.level is parent.level, a.key
        assert a.cluster is parent.cluster, a.key
        for viewer in Viewer:  # whoever sees a row field sees its group
            assert not a.visible_to(viewer) or parent.visible_to(viewer), a.key
        assert ATTRIBUTES.index(parent) < ATTRIBUTES.index(a), "groups come before their rows"
    for a in ATTRIBUTES:
        if a.type is FieldType.GROUP:
            assert children(a.key), f"group {a.key} has no rows"


def test_declarations_are_consistent():
    for a in ATTRIBUTES:
        assert str(a.label), a.key
        assert bool(a.choices) == (a.type is FieldType.CHOICE), a.key
        assert len(a.choice_values) == len(a.choices), a.key
        assert not (a.many and a.type in (FieldType.GROUP, FieldType.DOCUMENT)), a.key
        if a.unit_key:
            unit = attribute(a.unit_key)
            assert unit.type is FieldType.CHOICE and unit.group == a.group, a.key
        if a.text_format:
            assert a.type in (FieldType.TEXT, FieldType.IDENTIFIER), a.key
        if a.system:
            assert a.catenax_paths and a.level is Level.BATTERY, a.key


def test_display_order_follows_the_clusters():
    order = [a.cluster for a in ATTRIBUTES]
    positions = [list(Cluster).index(cluster) for cluster in order]
    assert positions == sorted(positions)
    assert {a.cluster for a in ATTRIBUTES} == set(Cluster)


# ---- Annex XIII ----------------------------------------------------------------------------------

DOMAIN_POINTS = (
    ["1(a)", "1(b)", "1(c)", "1(d)", "1(e)", "1(f)"]
    + [f"1({letter})" for letter in "ghijklmnop"]
    + ["1(q)", "1(r)", "1(s)", "2(a)", "2(b)", "2(c)", "2(d)", "3", "4(a)", "4(b)", "4(c)", "4(d)"]
)


@pytest.mark.parametrize("point", DOMAIN_POINTS)
def test_every_annex_xiii_point_is_mapped(point):
    assert [a.key for a in ATTRIBUTES if point in a.annex_xiii], f"nothing maps Annex XIII {point}"


def test_annex_point_1_q_to_t_is_mapped_as_a_whole():
    q_to_t = {"1(q)", "1(r)", "1(s)", "1(t)", "1(q)-(t)"}
    assert any(q_to_t & set(a.annex_xiii) for a in ATTRIBUTES)


def test_annex_codes_are_known_and_give_the_audience():
    for a in ATTRIBUTES:
        for code in a.annex_xiii:
            assert code in ANNEX_XIII_POINTS, f"{a.key}: unknown Annex XIII code {code}"
            assert ANNEX_XIII_POINTS[code][0] is a.audience, (
                f"{a.key}: {code} is {ANNEX_XIII_POINTS[code][0]}"
            )


@pytest.mark.parametrize(
    ("key", "audience"),
    [
        ("eu_declaration_of_conformity", Audience.PUBLIC),
        ("test_reports", Audience.AUTHORITY),
        ("rated_test_reports", Audience.AUTHORITY),
        ("lifetime_test_reports", Audience.AUTHORITY),
        ("dismantling_information", Audience.LEGITIMATE_INTEREST),
        ("safety_measures", Audience.LEGITIMATE_INTEREST),
        ("separate_collection_information", Audience.PUBLIC),
        ("waste_prevention_information", Audience.PUBLIC),
        ("extinguishing_agents", Audience.PUBLIC),
        ("due_diligence_report", Audience.PUBLIC),
        ("cathode_composition", Audience.LEGITIMATE_INTEREST),
        ("anode_composition", Audience.LEGITIMATE_INTEREST),
        ("electrolyte_composition", Audience.LEGITIMATE_INTEREST),
        ("material_composition", Audience.LEGITIMATE_INTEREST),
        ("spare_parts", Audience.LEGITIMATE_INTEREST),
        ("hazardous_substances", Audience.PUBLIC),
        ("critical_raw_materials", Audience.PUBLIC),
        ("carbon_footprint", Audience.PUBLIC),
        ("carbon_footprint.performance_class", Audience.PUBLIC),
        ("renewable_content_share", Audience.PUBLIC),
        ("rated_capacity", Audience.PUBLIC),
        ("battery_status", Audience.LEGITIMATE_INTEREST),
        ("state_of_certified_energy", Audience.LEGITIMATE_INTEREST),
    ],
)
def test_audiences_follow_annex_xiii(key, audience):
    assert attribute(key).audience is audience


def test_dynamic_data_is_legitimate_interest_at_battery_level():
    keys = [
        "state_of_health", "state_of_certified_energy", "remaining_capacity", "capacity_fade", "power_fade",
        "full_cycles", "energy_throughput", "negative_events", "temperature_maximum_recorded",
        "temperature_minimum_recorded", "battery_status",
    ]  # fmt: skip
    for key in keys:
        a = attribute(key)
        assert (a.level, a.audience) == (Level.BATTERY, Audience.LEGITIMATE_INTEREST), key
    assert attribute("battery_status").choice_values == {
        "original",
        "repurposed",
        "re-used",
        "remanufactured",
        "waste",
    }


def test_attributes_the_regulation_needs_beyond_the_catenax_model():
    stages = attribute("carbon_footprint.lifecycle_stage").choice_values
    assert {
        "raw material acquisition and pre-processing",
        "main product production",
        "distribution",
        "end of life and recycling",
    } <= stages
    for metal in ("cobalt", "lithium", "nickel", "lead"):
        for suffix in ("recycled_share", "recycled_pre_consumer", "recycled_post_consumer"):
            a = attribute(f"{metal}_{suffix}")
            assert a.type is FieldType.PERCENT and a.audience is Audience.PUBLIC
        assert RECYCLED_SHARE_ATTRIBUTES[metal] == f"{metal}_recycled_share"
    rows = {a.name: a for a in children("hazardous_substances")}
    assert {"identifiers", "concentration", "location", "hazard_class"} <= set(rows)
    identifier_rows = {a.name for a in children("hazardous_substances.identifiers")}
    assert identifier_rows == {"scheme", "identifier", "name"}
    assert attribute("critical_raw_materials.cas_number").type is FieldType.CAS_NUMBER
    assert attribute("carbon_footprint.study_url").type is FieldType.URL
    assert not attribute("renewable_content_share").catenax_paths


# ---- supply chain (confidential) ------------------------------------------------------------------

SUPPLY_CHAIN_ROWS = {
    "material": FieldType.CHOICE,
    "country_of_origin": FieldType.COUNTRY,
    "mine_or_extraction_site": FieldType.TEXT,
    "refiner_processor": FieldType.TEXT,
    "refiner_country": FieldType.COUNTRY,
    "supplier_name": FieldType.TEXT,
    "supplier_identifier": FieldType.IDENTIFIER,
    "procurement_amount": FieldType.DECIMAL,
    "procurement_unit": FieldType.CHOICE,
    "procurement_period_start": FieldType.DATE,
    "procurement_period_end": FieldType.DATE,
    "recycled_share": FieldType.PERCENT,
    "assurance_scheme": FieldType.TEXT,
}


def test_supply_chain_rows_are_all_confidential_and_never_exported():
    group = attribute("supply_chain")
    assert group.type is FieldType.GROUP and group.audience is Audience.CONFIDENTIAL
    rows = children("supply_chain")
    assert {a.name: a.type for a in rows} == SUPPLY_CHAIN_ROWS
    for a in (group, *rows):
        assert a.audience is Audience.CONFIDENTIAL, a.key
        assert a.catenax_paths == (), a.key
    assert attribute("supply_chain.material").choice_values == {
        "lithium",
        "cobalt",
        "nickel",
        "natural_graphite",
        "manganese",
        "other",
    }
    assert attribute("supply_chain.procurement_unit").choice_values == {"t", "kg"}


def test_no_confidential_attribute_outside_the_supply_chain():
    confidential = {a.key for a in ATTRIBUTES if a.audience is Audience.CONFIDENTIAL}
    assert confidential == {"supply_chain", *(f"supply_chain.{name}" for name in SUPPLY_CHAIN_ROWS)}
    assert all(a.audience is not Audience.CONFIDENTIAL for a in by_catenax_path().values())


# ---- audiences -----------------------------------------------------------------------------------

ALL = set(Audience)


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        ("public", {Audience.PUBLIC}),
        ("partner", {Audience.PUBLIC, Audience.LEGITIMATE_INTEREST}),
        ("authority", {Audience.PUBLIC, Audience.LEGITIMATE_INTEREST, Audience.AUTHORITY}),
        ("certifier", ALL),
        ("owner", ALL),
    ],
)
def test_audience_visibility_matrix(viewer, sees):
    assert visible_audiences(viewer) == sees
    assert AUDIENCE_CAN_SEE[viewer] == sees
    shown = attributes_for(audience_visible_to=viewer)
    assert {a.audience for a in shown} == sees
    assert [a for a in ATTRIBUTES if a.audience in sees] == shown


def test_unknown_viewer_kind_is_refused():
    with pytest.raises(ValueError):
        visible_audiences("supplier")


def test_attributes_for_filters_and_keeps_display_order():
    rows = attributes_for(Cluster.PERFORMANCE, Level.BATTERY, "partner")
    assert rows and all(a.cluster is Cluster.PERFORMANCE and a.level is Level.BATTERY for a in rows)
    assert [a.key for a in rows] == [a.key for a in ATTRIBUTES if a in rows]
    top = attributes_for("materials", include_rows=False, include_system=False)
    assert all(a.group is None and not a.system for a in top)
    assert attribute("hazardous_substances") in top
    assert attribute("hazardous_substances.location") not in top
    assert not attributes_for(audience_visible_to="public", include_system=False)[0].system


def test_lookup_helpers():
    assert by_catenax_path()["performance.rated.capacity.value"].key == "rated_capacity"
    assert by_catenax_path()["materials.hazardous.lead.recycled"].key == "lead_recycled_share"
    assert by_catenax_path()["materials.active.lead.recycled"].key == "lead_recycled_share"
    with pytest.raises(LookupError):
        attribute("no_such_attribute")


# ---- requirements.json ---------------------------------------------------------------------------


def test_requirements_file_loads_and_names_only_known_attributes():
    reqs = requirements()
    assert reqs
    for key in reqs:
        attribute(key)
        assert requirement(key) is reqs[key]


def test_every_annex_xiii_top_level_attribute_has_a_requirement():
    missing = [
        a.key
        for a in ATTRIBUTES
        if a.annex_xiii and a.group is None and not a.system and a.key not in requirements()
    ]
    assert not missing


def test_ev_mandatory_list_starts_on_18_february_2027():
    mandatory = mandatory_attributes(Category.EV, PASSPORT_DAY)
    assert mandatory
    assert {"battery_category", "rated_capacity", "capacity_threshold_exhaustion", "test_reports"} <= {
        a.key for a in mandatory
    }
    for category in Category:
        assert mandatory_attributes(category, date(2027, 2, 17)) == []


def test_categories_without_passport_have_no_requirements():
    for category in (Category.SLI, Category.PORTABLE):
        assert mandatory_attributes(category, date(2040, 1, 1)) == []
        assert pending_attributes(category) == []


def test_category_specific_requirements():
    for category in (Category.LMT, Category.INDUSTRIAL, Category.STATIONARY):
        keys = {a.key for a in mandatory_attributes(category, PASSPORT_DAY)}
        assert "capacity_threshold_exhaustion" not in keys  # Annex XIII 1(k): EV only
        assert "state_of_certified_energy" not in keys
    assert requirement("state_of_certified_energy").condition is Condition.IN_SERVICE


def test_pending_attributes_name_the_missing_acts():
    pending = {a.key for a in pending_attributes(Category.EV)}
    assert "carbon_footprint.performance_class" in pending
    assert {"carbon_footprint.value", "due_diligence_report", "cobalt_recycled_share"} <= pending
    for key in pending:
        assert requirement(key).note
        assert requirement(key).from_date is None
    assert not pending & {a.key for a in mandatory_attributes(Category.EV, date(2040, 1, 1))}


def _write(tmp_path: Path, attributes: dict, **top) -> Path:
    path = tmp_path / "requirements.json"
    path.write_text(json.dumps({"version": 1, "attributes": attributes, **top}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("entries", "problem"),
    [
        ({"no_such_attribute": {"categories": ["ev"], "from": "2027-02-18"}}, "no passport attribute"),
        (
            {"rated_capacity": {"categories": ["ev"], "from": "2027-02-18", "mandatory": True}},
            "unknown fields",
        ),
        ({"rated_capacity": {"categories": ["sli"], "from": "2027-02-18"}}, "never need"),
        ({"rated_capacity": {"categories": ["bus"], "from": "2027-02-18"}}, "unknown category"),
        ({"rated_capacity": {"categories": [], "from": "2027-02-18"}}, "non-empty"),
        ({"rated_capacity": {"categories": ["ev"], "from": "2027-02-30"}}, "real calendar date"),
        ({"rated_capacity": {"categories": ["ev"]}}, "'from' must be"),
        ({"rated_capacity": {"categories": ["ev"], "status": "pending"}}, "needs a 'note'"),
        (
            {
                "rated_capacity": {
                    "categories": ["ev"],
                    "status": "pending",
                    "note": "x",
                    "from": "2030-01-01",
                }
            },
            "no 'from'",
        ),
        ({"rated_capacity": {"categories": ["ev"], "status": "maybe", "note": "x"}}, "'status'"),
        (
            {"rated_capacity": {"categories": ["ev"], "from": "2027-02-18", "condition": "sometimes"}},
            "'condition'",
        ),
        ({"passport_id": {"categories": ["ev"], "from": "2027-02-18"}}, "system"),
    ],
)
def test_requirements_are_validated_when_loaded(tmp_path, entries, problem):
    with pytest.raises(ImproperlyConfigured, match=re.escape(problem)):
        load_requirements(_write(tmp_path, entries))


def test_requirements_file_structure_is_validated(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="unknown top-level"):
        load_requirements(_write(tmp_path, {}, extra=1))
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="JSON"):
        load_requirements(path)
    loaded = load_requirements(
        _write(tmp_path, {"rated_capacity": {"categories": ["ev", "lmt"], "from": "2030-01-01"}})
    )
    assert loaded["rated_capacity"].mandatory_on("ev", date(2030, 1, 1))
    assert not loaded["rated_capacity"].mandatory_on("ev", date(2029, 12, 31))
    assert not loaded["rated_capacity"].mandatory_on("industrial", date(2030, 1, 1))


def test_recycled_content_targets():
    article_8 = {
        date(2031, 8, 18): {"cobalt": 16, "lithium": 6, "nickel": 6, "lead": 85},
        date(2036, 8, 18): {"cobalt": 26, "lithium": 12, "nickel": 15, "lead": 85},
    }
    assert article_8 == RECYCLED_CONTENT_TARGETS
    assert recycled_content_targets(date(2031, 8, 17)) == {}
    assert recycled_content_targets(date(2031, 8, 18))["cobalt"] == 16
    assert recycled_content_targets(date(2040, 1, 1))["nickel"] == 15


# ---- passport required? ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "capacity", "required"),
    [
        ("ev", None, True),
        ("ev", Decimal("0.5"), True),
        ("lmt", Decimal("0.4"), True),
        ("industrial", Decimal("2"), False),
        ("industrial", Decimal("2.01"), True),
        ("stationary", 1.5, False),
        ("stationary", 10, True),
        ("sli", Decimal("5"), False),
        ("portable", None, False),
    ],
)
def test_passport_required(category, capacity, required):
    assert passport_required(category, capacity) is required


def test_passport_required_needs_the_energy_of_an_industrial_battery():
    with pytest.raises(ValueError):
        passport_required(Category.INDUSTRIAL, None)


def test_catenax_categories():
    assert category_from_catenax("EV") is Category.EV
    assert category_from_catenax("industrial") is Category.INDUSTRIAL
    assert CATENAX_CATEGORY[Category.STATIONARY] == "industrial"
    with pytest.raises(ValidationError):
        category_from_catenax("incorporated")


# ---- identifiers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["7732-18-5", "7440-48-4", "7439-93-2", "7440-02-0", "７４４０－４８－４"])
def test_valid_cas_numbers(number):
    assert re.fullmatch(r"\d{2,7}-\d{2}-\d", validate_cas_number(number))


@pytest.mark.parametrize(
    "number", ["7732-18-4", "7440-48-5", "201-004-7", "1-11-1", "12345678-12-1", "", 7440484]
)
def test_invalid_cas_numbers(number):
    with pytest.raises(ValidationError):
        validate_cas_number(number)


def test_ec_numbers():
    assert validate_ec_number("201-004-7") == "201-004-7"  # phenolphthalein, in the official example
    assert validate_ec_number("231-158-0") == "231-158-0"  # cobalt
    with pytest.raises(ValidationError):
        validate_ec_number("201-004-8")


def test_substance_identifier_is_checked_against_its_scheme():
    substances = attribute("hazardous_substances")
    row = {"identifiers": [{"scheme": "CAS", "identifier": "201-004-7", "name": "phenolphthalein"}]}
    with pytest.raises(ValidationError) as caught:
        validate_value(substances, [row])
    assert "hazardous_substances[0].identifiers[0]" in caught.value.message_dict
    assert "EC" in caught.value.message_dict["hazardous_substances[0].identifiers[0]"][0]
    row["identifiers"][0]["scheme"] = "EC"
    assert validate_value(substances, [row])[0]["identifiers"][0]["identifier"] == "201-004-7"


def test_bpn_formats_normalise_and_warn():
    checked = check_value(attribute("manufacturer_bpnl"), "bpnl00000000emt8")
    assert checked.value == "BPNL00000000EMT8" and checked.warnings == ()
    assert check_value(attribute("manufacturer_bpnl"), "BPNL0123456789ZZ").warnings  # checksum: warning only
    with pytest.raises(ValidationError):
        validate_value(attribute("manufacturing_facilities"), ["BPNL0123456789ZZ"])  # a BPNA is expected
    assert validate_value(attribute("supply_chain.supplier_identifier"), "1180301018771") == "1180301018771"


# ---- validate_value ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("cobalt_recycled_share", 101, "between 0 and 100"),
        ("cobalt_recycled_share", -0.1, "between 0 and 100"),
        ("weight", -1, "negative"),
        ("supply_chain.procurement_amount", "-1", "negative"),
        ("manufacturing_date", "7172-75-08", "not a real calendar date"),
        ("put_into_service_date", "2027-02-30", "not a real calendar date"),
        ("manufacturing_date", "0001-01-01", "not a plausible date"),  # issue 15: year 1
        ("placed_on_market_date", "7172-01-08", "not a plausible date"),  # issue 16: year 7172
        ("put_into_service_date", "1989-12-31", "not a plausible date"),
        ("manufacturing_date", "18.02.2027", "YYYY-MM-DD"),
        ("battery_status", "broken", "not one of the allowed values"),
        ("supply_chain.material", "gold", "not one of the allowed values"),
        ("weight_unit", "kg", "not one of the allowed values"),
        ("rated_capacity", "lots", "enter a number"),
        ("rated_capacity", float("inf"), "finite"),
        ("rated_capacity", True, "enter a number"),
        ("expected_lifetime_cycles", "1500.5", "whole number"),
        ("manufacturer_name", "Elektra\x00GmbH", "control characters"),
        ("manufacturer_name", "x" * 256, "at most 255"),
        ("negative_events.occurred_at", "2027-03-01T10:00:00", "time zone"),
        ("manufacturing_country", "XX", "country code"),
        ("manufacturer_website", "javascript:alert(1)", "web address"),
        ("manufacturer_email", "not-an-email", "e-mail"),
        ("passport_id", "550e8400", "UUID"),
        ("critical_raw_materials.cas_number", "7732-18-4", "check digit"),
        ("spare_parts_applicable", "maybe", "yes or no"),
        ("serial_identifiers.key", "serialNumber", "expected form"),
    ],
)
def test_validate_value_refuses_bad_input_with_a_clear_message(key, value, needle):
    a = attribute(key)
    with pytest.raises(ValidationError) as caught:
        validate_value(a, value)
    message = " ".join(caught.value.messages)
    assert needle.lower() in message.lower(), message
    assert str(a.label) in message


@pytest.mark.parametrize(
    ("key", "value", "cleaned"),
    [
        ("cobalt_recycled_share", "12.5", Decimal("12.5")),
        ("cobalt_recycled_share", 100, Decimal(100)),
        ("weight", 0, Decimal(0)),
        ("manufacturing_date", "2000-01-31", date(2000, 1, 31)),
        ("manufacturing_date", date(2027, 2, 18), date(2027, 2, 18)),
        ("expected_lifetime_cycles", 1500.0, 1500),
        ("idle_temperature_lower", -18, Decimal(-18)),
        ("manufacturing_country", "de", "DE"),
        ("battery_status", "re-used", "re-used"),
        ("spare_parts_applicable", "true", True),
        ("manufacturer_name", "  Sakura Denchi K.K. ", "Sakura Denchi K.K."),
        ("manufacturer_name", None, None),
        ("manufacturer_name", "", None),
        ("intended_purposes", "automotive", ["automotive"]),
        ("critical_raw_materials.cas_number", "7439-93-2", "7439-93-2"),
        (
            "passport_id",
            "urn:uuid:550E8400-E29B-41D4-A716-446655440000",
            "urn:uuid:550e8400-e29b-41d4-a716-446655440000",
        ),
    ],
)
def test_validate_value_cleans_good_input(key, value, cleaned):
    assert validate_value(attribute(key), value) == cleaned


def test_documents():
    doc = attribute("eu_declaration_of_conformity")
    assert validate_value(doc, {"header": "DoC", "content": "https://example.com/doc.pdf"}) == [
        {"header": "DoC", "content_type": "URL", "content": "https://example.com/doc.pdf"}
    ]
    for bad in (
        [{"header": "DoC"}],
        [{"header": "x" * 101, "content": "https://example.com"}],
        [{"header": "DoC", "content": "files/doc.pdf"}],
        [{"header": "DoC", "content": "https://example.com", "secret": "x"}],
        "https://example.com",
    ):
        with pytest.raises(ValidationError):
            validate_value(doc, bad)
    stored = {"header": "DoC", "content_type": "application/pdf", "content": "passport-files/42"}
    assert validate_value(doc, [stored]) == [stored]


def test_group_rows_are_validated_field_by_field():
    supply_chain = attribute("supply_chain")
    rows = validate_value(
        supply_chain,
        [
            {
                "material": "cobalt",
                "country_of_origin": "cd",
                "procurement_amount": "12.5",
                "procurement_unit": "t",
            }
        ],
    )
    assert rows == [
        {
            "material": "cobalt",
            "country_of_origin": "CD",
            "procurement_amount": Decimal("12.5"),
            "procurement_unit": "t",
        }
    ]
    with pytest.raises(ValidationError) as caught:
        validate_value(supply_chain, [{"material": "cobalt", "procurement_amount": -3}, {"unknown": 1}])
    assert set(caught.value.message_dict) == {"supply_chain[0].procurement_amount", "supply_chain[1]"}
    with pytest.raises(ValidationError):
        validate_value(
            supply_chain,
            [{"procurement_period_start": "2026-06-01", "procurement_period_end": "2026-01-01"}],
        )
    with pytest.raises(ValidationError):
        validate_value(
            attribute("hazardous_substances"),
            [{"concentration": 101, "concentration_unit": "unit:percent"}],
        )


def test_validate_record_checks_rules_between_attributes():
    assert validate_record(
        {"voltage_minimum": "2.5", "voltage_nominal": "3.7", "voltage_maximum": "4.2"}
    ) == {
        "voltage_minimum": Decimal("2.5"),
        "voltage_nominal": Decimal("3.7"),
        "voltage_maximum": Decimal("4.2"),
    }
    with pytest.raises(ValidationError) as caught:
        validate_record(
            {
                "voltage_minimum": 4,
                "voltage_nominal": 3.7,
                "idle_temperature_lower": 60,
                "idle_temperature_upper": -18,
                "cobalt_recycled_pre_consumer": 60,
                "cobalt_recycled_post_consumer": 50,
                "nickel_recycled_share": 20,
                "nickel_recycled_pre_consumer": 5,
                "nickel_recycled_post_consumer": 5,
                "lead_concentration": 120,
                "lead_concentration_unit": "unit:percent",
                "weight": -2,
                "hazardous_substances.location": "x",
                "bogus": 1,
            }
        )
    assert set(caught.value.message_dict) == {
        "voltage_minimum",
        "idle_temperature_upper",
        "cobalt_recycled_post_consumer",
        "nickel_recycled_share",
        "lead_concentration",
        "weight",
        "hazardous_substances.location",
        "bogus",
    }
