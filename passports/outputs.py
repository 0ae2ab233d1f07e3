"""Output serializers of a battery model, public to the other apps: the passport API answers with them and
certification embeds them in its review scope. They render `passports.selectors` view-models, whose values
the policy has already reduced to what the caller may see."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.api_fields import NamedChoiceField

from .catalogue.choices import BATTERY_CATEGORIES

VALUES_HELP = _(
    "Attribute values keyed by field catalogue key (e.g. manufacturing_date, put_into_service_date). "
    "Scalars, lists, documents ({header, content_type, content}) and rows (lists of objects) as the "
    "catalogue declares. In responses only the keys the caller may see are present; in requests null "
    "or an empty string removes a value."
)


def values_field(**kwargs) -> serializers.DictField:
    return serializers.DictField(
        child=serializers.JSONField(allow_null=True), help_text=VALUES_HELP, **kwargs
    )


class BatteryCategoryField(NamedChoiceField):
    enum_name, enum_choices = "BatteryCategoryEnum", BATTERY_CATEGORIES


class SupplyChainRowSerializer(serializers.Serializer):
    """One confidential supply-chain row (owner and assigned certifier only)."""

    material = serializers.CharField()
    country_of_origin = serializers.CharField()
    mine_or_extraction_site = serializers.CharField(required=False, allow_blank=True)
    refiner_processor = serializers.CharField(required=False, allow_blank=True)
    refiner_country = serializers.CharField(required=False, allow_blank=True)
    supplier_name = serializers.CharField()
    supplier_identifier = serializers.CharField(required=False, allow_blank=True)
    procurement_amount = serializers.CharField()
    procurement_unit = serializers.CharField()
    procurement_period_start = serializers.CharField()
    procurement_period_end = serializers.CharField()
    recycled_share = serializers.CharField(required=False, allow_null=True)
    assurance_scheme = serializers.CharField(required=False, allow_blank=True)


class BatteryModelOutput(serializers.Serializer):
    """A battery model as one caller may see it (built from `selectors.battery_model_view`)."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    manufacturer_part_id = serializers.CharField()
    category = BatteryCategoryField()
    values = values_field()
    archived_at = serializers.DateTimeField(
        allow_null=True,
        help_text=_("When the owner archived the model (no new passports of it); null while it is in use."),
    )
    supply_chain = SupplyChainRowSerializer(
        many=True,
        required=False,
        help_text=_("Confidential: present only for the owner company and an assigned certifier."),
    )
