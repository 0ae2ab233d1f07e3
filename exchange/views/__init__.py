"""The exchange's browser pages, for the members of companies (every other organization kind: 404)."""

from .answers import answer_correct, answer_detail, answer_file
from .battery_models import battery_model_values
from .parts import (
    component_form,
    component_remove,
    material_form,
    material_remove,
    part_create,
    part_detail,
    part_edit,
    part_list,
    part_supplier,
)
from .requests import (
    request_answer,
    request_cancel,
    request_create,
    request_detail,
    request_list,
    request_send_back,
)

__all__ = [
    "answer_correct",
    "answer_detail",
    "answer_file",
    "battery_model_values",
    "component_form",
    "component_remove",
    "material_form",
    "material_remove",
    "part_create",
    "part_detail",
    "part_edit",
    "part_list",
    "part_supplier",
    "request_answer",
    "request_cancel",
    "request_create",
    "request_detail",
    "request_list",
    "request_send_back",
]
