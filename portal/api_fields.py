"""DRF fields shared by the apps' APIs.

`NamedChoiceField`: a choice field whose enum gets a schema component named after its vocabulary
(`BatteryStatusEnum`, `ApplicationStateEnum`), registered with drf-spectacular by the extension below.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as a named enum component of its own.

    drf-spectacular names enums after the field ("status"), which collides with other apps' fields of the
    same name and different values; a component named after the vocabulary avoids that."""

    enum_name = ""
    enum_choices: tuple = ()

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=self.enum_choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def get_name(self) -> str:
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction) -> dict[str, Any]:
        choices = self.target.enum_choices
        return {
            "type": "string",
            "enum": [value for value, _label in choices],
            "description": "\n".join(f"* `{value}` - {label}" for value, label in choices),
        }
