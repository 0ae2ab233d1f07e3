"""The field catalogue: one declaration of every battery passport attribute.

Forms, API serializers, HTML pages, exports, the Catena-X import and the completeness check are all
driven by it. Each `Attribute` says its cluster, level (battery model or individual battery), type,
unit, validation, audience (who may read it) and its leaves in the Catena-X BatteryPass 6.1.0 JSON;
which attributes are mandatory for which category and from when is configuration data in
`passports/requirements.json`.
"""

from .attributes import ATTRIBUTES, RECYCLED_SHARE_ATTRIBUTES
from .core import (
    ANNEX_XIII_POINTS,
    AUDIENCE_CAN_SEE,
    CATENAX_CATEGORY,
    PASSPORT_CATEGORIES,
    PASSPORT_OBLIGATION_DATE,
    RECYCLED_CONTENT_TARGETS,
    Attribute,
    Audience,
    Category,
    Cluster,
    FieldType,
    Level,
    TextFormat,
    Viewer,
    category_from_catenax,
    passport_required,
    recycled_content_targets,
    visible_audiences,
)
from .obligations import (
    Condition,
    Requirement,
    RequirementStatus,
    load_requirements,
    mandatory_attributes,
    pending_attributes,
    requirement,
    requirements,
)
from .registry import attribute, attributes_for, by_catenax_path, children
from .validation import (
    Checked,
    check_value,
    validate_cas_number,
    validate_ec_number,
    validate_record,
    validate_row,
    validate_value,
)

__all__ = [
    "ANNEX_XIII_POINTS",
    "ATTRIBUTES",
    "AUDIENCE_CAN_SEE",
    "CATENAX_CATEGORY",
    "PASSPORT_CATEGORIES",
    "PASSPORT_OBLIGATION_DATE",
    "RECYCLED_CONTENT_TARGETS",
    "RECYCLED_SHARE_ATTRIBUTES",
    "Attribute",
    "Audience",
    "Category",
    "Checked",
    "Cluster",
    "Condition",
    "FieldType",
    "Level",
    "Requirement",
    "RequirementStatus",
    "TextFormat",
    "Viewer",
    "attribute",
    "attributes_for",
    "by_catenax_path",
    "category_from_catenax",
    "check_value",
    "children",
    "load_requirements",
    "mandatory_attributes",
    "passport_required",
    "pending_attributes",
    "recycled_content_targets",
    "requirement",
    "requirements",
    "validate_cas_number",
    "validate_ec_number",
    "validate_record",
    "validate_row",
    "validate_value",
    "visible_audiences",
]
