"""Input and output serializers of the passport API: explicit allowlists, never model serializers.

Outputs are built from the view-models of `passports.selectors` (`PassportView`, `BatteryModelView`) and
from the list rows of `passports.list_query`; the only fields read from a row are the public
identity of a passport (its id, unique identifier, model id and name, category). Attribute values arrive
already filtered by the policy, so a serializer cannot add a value the caller may not see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import orjson
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api_fields import NamedChoiceField

from ..catalogue import attribute, validate_value
from ..catalogue.choices import BATTERY_STATUSES
from ..list_query import PassportListQuery
from ..models import Passport, VersionState
from ..outputs import BatteryCategoryField, BatteryModelOutput, SupplyChainRowSerializer
from ..outputs import values_field as _values_field
from ..policies import visible_keys
from ..selectors import BatteryModelView, PassportView
from ..services import DYNAMIC_KEYS


# ---- choice fields with their own schema component ------------------------------------------------------
class BatteryStatusField(NamedChoiceField):
    enum_name, enum_choices = "BatteryStatusEnum", BATTERY_STATUSES


class VersionStateField(NamedChoiceField):
    enum_name, enum_choices = "PassportVersionStateEnum", tuple(VersionState.choices)


# ---- outputs ---------------------------------------------------------------------------------------
class ModelRefOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class StatusEventOutput(serializers.Serializer):
    status = BatteryStatusField()
    occurred_at = serializers.DateTimeField()


class DynamicPointOutput(serializers.Serializer):
    value = serializers.JSONField()
    measured_at = serializers.DateTimeField()


class PassportOutput(serializers.Serializer):
    """A passport as one caller may see it (built from `selectors.passport_view`)."""

    id = serializers.UUIDField()
    unique_identifier = serializers.CharField()
    battery_model = ModelRefOutput()
    status = BatteryStatusField(
        allow_null=True,
        help_text=_("Current battery status; null for callers who may not see it."),
    )
    version = serializers.IntegerField(help_text=_("Number of the version shown."))
    state = VersionStateField()
    published_at = serializers.DateTimeField(allow_null=True)
    values = _values_field()
    dynamic = serializers.DictField(
        child=DynamicPointOutput(many=True),
        help_text=_("Dynamic data per attribute key, newest first (legitimate interest and above)."),
    )
    status_history = StatusEventOutput(many=True)
    supply_chain = SupplyChainRowSerializer(
        many=True,
        required=False,
        help_text=_("Confidential: present only for the owner company and an assigned certifier."),
    )


def passport_payload(passport: Passport, view: PassportView) -> dict[str, Any]:
    """The response document. Identity fields are public attributes; everything else is the view-model."""
    allowed = visible_keys(view.viewer)
    payload: dict[str, Any] = {
        **view.payload(),
        "unique_identifier": passport.unique_identifier,
        "battery_model": {"id": passport.battery_model.public_id, "name": passport.battery_model.name},
        "status": passport.status if "battery_status" in allowed else None,
    }
    return PassportOutput(payload).data


class PassportListRowOutput(serializers.Serializer):
    """A list row: only public identity, status and version facts, read from the row dicts of
    `passports.list_query`. It documents the list; `passport_list_rows` renders it."""

    id = serializers.UUIDField(source="public_id")
    unique_identifier = serializers.CharField()
    battery_model = serializers.SerializerMethodField()
    category = BatteryCategoryField(source="battery_model__category")
    status = BatteryStatusField()
    latest_published_version = serializers.IntegerField(source="latest_published_number", allow_null=True)
    latest_published_at = serializers.DateTimeField(allow_null=True)
    draft_version = serializers.IntegerField(
        source="draft_number",
        allow_null=True,
        help_text=_("Number of the open draft; only for your own organization's passports."),
    )
    is_own = serializers.BooleanField()

    @extend_schema_field(ModelRefOutput)
    def get_battery_model(self, row: dict[str, Any]) -> dict[str, Any]:
        return {"id": row["battery_model__public_id"], "name": row["battery_model__name"]}


def _iso_datetimes() -> Callable[[datetime | None], str | None]:
    """What `serializers.DateTimeField().to_representation` gives (ISO 8601 in the current time zone, "Z"
    for UTC), with the time zone looked up once per page instead of once per row."""
    zone = timezone.get_current_timezone()

    def render(value: datetime | None) -> str | None:
        if value is None:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return render


def passport_list_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """`PassportListRowOutput` for a page of rows, without DRF's per-field machinery (which costs more than
    the page's SQL; tests assert both give the same document). The same keys, from the same row columns."""
    iso = _iso_datetimes()
    return [
        {
            "id": str(row["public_id"]),
            "unique_identifier": row["unique_identifier"],
            "battery_model": {"id": str(row["battery_model__public_id"]), "name": row["battery_model__name"]},
            "category": row["battery_model__category"],
            "status": row["status"],
            "latest_published_version": row["latest_published_number"],
            "latest_published_at": iso(row["latest_published_at"]),
            "draft_version": row["draft_number"],
            "is_own": bool(row["is_own"]),
        }
        for row in rows
    ]


class RenderedPassportList:
    """The passport list's pages as the API renders them, for `ListQueryPaginator`: PostgreSQL encodes the
    rows itself when it can (`PassportListQuery.fetch_json`, as `orjson.Fragment`s that
    `portal.api.EncodedRowsJSONRenderer` copies into the page), else `passport_list_rows` renders the
    fetched rows. Tests assert both give the document of `PassportListRowOutput`."""

    def __init__(self, query: PassportListQuery) -> None:
        self.query = query

    def fetch(self, offset: int, limit: int) -> tuple[list[Any], int | None]:
        if self.query.encodes_json():
            texts, total = self.query.fetch_json(offset, limit)
            return [orjson.Fragment(text) for text in texts], total
        rows, total = self.query.fetch(offset, limit)
        return passport_list_rows(rows), total

    def count(self) -> int:
        return self.query.count()


class VersionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    state = VersionStateField()
    published_at = serializers.DateTimeField(allow_null=True)


class AttributeRefOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class CompletenessOutput(serializers.Serializer):
    category = BatteryCategoryField()
    checked_on = serializers.DateField()
    complete = serializers.BooleanField()
    missing = AttributeRefOutput(many=True, help_text=_("Mandatory on `checked_on` and without a value."))
    conditional = AttributeRefOutput(
        many=True, help_text=_("Required where applicable or once in service; without a value.")
    )
    pending = AttributeRefOutput(many=True, help_text=_("Required once the pending EU act is adopted."))


def completeness_payload(report) -> dict[str, Any]:
    def refs(attributes) -> list[dict[str, str]]:
        return [{"key": a.key, "label": str(a.label)} for a in attributes]

    return CompletenessOutput(
        {
            "category": report.category,
            "checked_on": report.checked_on,
            "complete": report.complete,
            "missing": refs(report.missing),
            "conditional": refs(report.conditional),
            "pending": refs(report.pending),
        }
    ).data


class DynamicDataOutput(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.JSONField()
    measured_at = serializers.DateTimeField()


class GranteeOutput(serializers.Serializer):
    """Public facts of an organization holding a legitimate-interest grant."""

    id = serializers.UUIDField(source="public_id")
    legal_name = serializers.CharField()
    country = serializers.CharField(source="country.code")
    bpnl = serializers.CharField(allow_null=True)
    corporate_number = serializers.CharField(allow_null=True)
    lei = serializers.CharField(allow_null=True)


def battery_model_payload(view: BatteryModelView) -> dict[str, Any]:
    return BatteryModelOutput(view.payload()).data


class BatteryModelListRowOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    manufacturer_part_id = serializers.CharField()
    category = BatteryCategoryField()
    is_own = serializers.SerializerMethodField()
    archived_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When the model was archived; null while it is in use.")
    )

    def get_is_own(self, battery_model) -> bool:
        return battery_model.organization_id == self.context.get("organization_id")


class SupplyChainOutput(serializers.Serializer):
    rows = SupplyChainRowSerializer(many=True)


# ---- inputs ----------------------------------------------------------------------------------------
class PassportCreateInput(serializers.Serializer):
    battery_model = serializers.UUIDField(help_text=_("Id of one of your organization's battery models."))
    values = _values_field(required=False, default=dict)


class ValuesInput(serializers.Serializer):
    values = _values_field()


class StatusChangeInput(serializers.Serializer):
    status = BatteryStatusField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField(required=False)
    new_unique_identifier = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=_("Required for repurposed and remanufactured: the identifier of the successor passport."),
    )
    recycled = serializers.BooleanField(
        required=False, default=False, help_text=_("With status waste: the battery is recycled.")
    )


class DynamicDataInput(serializers.Serializer):
    key = serializers.ChoiceField(choices=sorted(DYNAMIC_KEYS))
    value = serializers.JSONField(help_text=_('A value of the attribute\'s type, e.g. "95.5" for a share.'))
    measured_at = serializers.DateTimeField()

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        # The catalogue validates the value (the service does too); checking here names the field.
        try:
            validate_value(attribute(data["key"]), data["value"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"value": exc.messages}) from exc
        return data


class GrantInput(serializers.Serializer):
    organization = serializers.UUIDField(help_text=_("Id of the organization to grant or revoke."))


class SupplyChainInput(serializers.Serializer):
    rows = serializers.ListField(
        child=serializers.DictField(child=serializers.JSONField()),
        allow_empty=True,
        help_text=_("The complete supply chain; it replaces the current rows."),
    )
