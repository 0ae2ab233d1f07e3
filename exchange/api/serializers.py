"""Input and output serializers of the exchange API: explicit allowlists over the dicts `payloads` builds
for each audience, never model serializers. Inputs only shape the JSON; the services check the values."""

from __future__ import annotations

from rest_framework import serializers

from portal.api_fields import NamedChoiceField

from ..file_answers import FORMATS
from ..models import AnswerStatus, DeclaredUnit, PartKind, RequestState
from .common import FigureField


class PartKindField(NamedChoiceField):
    enum_name, enum_choices = "ExchangePartKindEnum", tuple(PartKind.choices)


class DeclaredUnitField(NamedChoiceField):
    enum_name, enum_choices = "DeclaredUnitEnum", tuple(DeclaredUnit.choices)


class RequestStateField(NamedChoiceField):
    enum_name, enum_choices = "DataRequestStateEnum", tuple(RequestState.choices)


class AnswerStatusField(NamedChoiceField):
    enum_name, enum_choices = "AnswerStatusEnum", tuple(AnswerStatus.choices)


class ExchangeRoleField(NamedChoiceField):
    enum_name, enum_choices = "ExchangeRoleEnum", (("customer", "customer"), ("supplier", "supplier"))


class FileFormatField(NamedChoiceField):
    enum_name, enum_choices = "AnswerFileFormatEnum", tuple((key, key) for key in FORMATS)


def _text(max_length: int, **kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, **kwargs)


# ---- inputs ---------------------------------------------------------------------------------------------
class StageRatingsInput(serializers.Serializer):
    technological = serializers.IntegerField(required=False, allow_null=True)
    geographical = serializers.IntegerField(required=False, allow_null=True)
    temporal = serializers.IntegerField(required=False, allow_null=True)


class OwnQualityInput(serializers.Serializer):
    pre = StageRatingsInput(required=False)
    main = StageRatingsInput(required=False)


class PartInput(serializers.Serializer):
    """A part's fields; on update, fields left out keep their value."""

    local_id = _text(100)
    name = _text(200)
    unit = _text(16, help_text="A declared unit: " + ", ".join(DeclaredUnit.values))
    mass_per_unit = FigureField(required=False, allow_null=True)
    cn_code = _text(20)
    own_pre_processing = FigureField(required=False, allow_null=True)
    own_main_production = FigureField(required=False, allow_null=True)
    own_biogenic_uptake = FigureField(required=False, allow_null=True)
    own_biogenic_carbon = FigureField(required=False, allow_null=True)
    own_primary_share = FigureField(required=False, allow_null=True)
    own_quality = OwnQualityInput(required=False)
    supplier = _text(40, help_text="Bought parts: the supplier's BPNL, corporate number or LEI.")


class PartCreateInput(PartInput):
    kind = PartKindField()


class ComponentInput(serializers.Serializer):
    child = serializers.UUIDField()
    quantity = FigureField()


class OwnMaterialInput(serializers.Serializer):
    material = serializers.CharField(max_length=40)
    mass_per_unit = FigureField()
    extraction_shares = serializers.DictField(child=FigureField(), help_text="Country code -> per cent.")
    processing_shares = serializers.DictField(child=FigureField(), help_text="Country code -> per cent.")
    recycled_pre_consumer = FigureField(required=False)
    recycled_post_consumer = FigureField(required=False)
    evidence = _text(500)


class RequestCreateInput(serializers.Serializer):
    part = serializers.UUIDField(help_text="One of your bought parts with a supplier.")
    wants_footprint = serializers.BooleanField(default=True)
    wants_materials = serializers.BooleanField(default=True)
    message = _text(2000)
    due_date = serializers.CharField(max_length=10, help_text="YYYY-MM-DD, today or later.")


class SendBackInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class QualityInput(serializers.Serializer):
    coverage_percent = FigureField(required=False, allow_null=True)
    technological = FigureField(required=False, allow_null=True)
    temporal = FigureField(required=False, allow_null=True)
    geographical = FigureField(required=False, allow_null=True)
    completeness = FigureField(required=False, allow_null=True)
    reliability = FigureField(required=False, allow_null=True)


class DetailsInput(serializers.Serializer):
    """The PACT descriptors of an answer (`services.AnswerDetails`)."""

    reference_period_start = _text(10, help_text="YYYY-MM-DD")
    reference_period_end = _text(10, help_text="YYYY-MM-DD")
    characterization_factors = serializers.CharField(max_length=12, default="AR6")
    cross_sectoral_standards = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=10, default=lambda: ["ISO 14067"]
    )
    product_rules = _text(200)
    boundary_processes = _text(2000)
    exempted_emissions_percent = FigureField(required=False)
    geography_country = _text(10)
    quality = QualityInput(required=False)
    assurance_provider = _text(200)
    assurance_standard = _text(200)
    assurance_date = _text(10, help_text="YYYY-MM-DD")
    comment = _text(2000)
    evidence = _text(500)


class ExchangeAnswerInput(DetailsInput):
    supplier_part = serializers.UUIDField(
        required=False, allow_null=True, help_text="One of your made parts (default: the request's)."
    )


class FileAnswerInput(DetailsInput):
    """A file from the supplier's own system; an Ouranos CFP states no reference period or standards,
    which come from the fields (an io.catenax.pcf file's own are used)."""

    file = serializers.FileField()
    format = FileFormatField()
    supplier_part = serializers.UUIDField(required=False, allow_null=True)
    cross_sectoral_standards = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=10, required=False
    )


# ---- outputs --------------------------------------------------------------------------------------------
class ExchangeCompanyOutput(serializers.Serializer):
    name = serializers.CharField()
    bpnl = serializers.CharField(allow_null=True)
    corporate_number = serializers.CharField(allow_null=True)
    lei = serializers.CharField(allow_null=True)


class StageRatingsOutput(serializers.Serializer):
    technological = serializers.IntegerField()
    geographical = serializers.IntegerField()
    temporal = serializers.IntegerField()


class StageQualityOutput(serializers.Serializer):
    pre = StageRatingsOutput(required=False)
    main = StageRatingsOutput(required=False)


class PartOutput(serializers.Serializer):
    id = serializers.UUIDField()
    kind = PartKindField()
    local_id = serializers.CharField()
    name = serializers.CharField()
    unit = DeclaredUnitField()
    mass_per_unit = FigureField(allow_null=True)
    cn_code = serializers.CharField()
    supplier = ExchangeCompanyOutput(allow_null=True)
    own_pre_processing = FigureField(allow_null=True)
    own_main_production = FigureField(allow_null=True)
    own_biogenic_uptake = FigureField(allow_null=True)
    own_biogenic_carbon = FigureField(allow_null=True)
    own_primary_share = FigureField(allow_null=True)
    own_quality = StageQualityOutput()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PartRefOutput(serializers.Serializer):
    id = serializers.UUIDField()
    kind = PartKindField()
    local_id = serializers.CharField()
    name = serializers.CharField()
    unit = DeclaredUnitField()


class ComponentOutput(serializers.Serializer):
    child = PartRefOutput()
    quantity = FigureField()


class OwnMaterialOutput(serializers.Serializer):
    material = serializers.CharField()
    material_name = serializers.CharField()
    mass_per_unit = FigureField()
    extraction_shares = serializers.DictField(child=serializers.CharField())
    processing_shares = serializers.DictField(child=serializers.CharField())
    recycled_pre_consumer = FigureField()
    recycled_post_consumer = FigureField()
    evidence = serializers.CharField()


class MaterialFigureOutput(serializers.Serializer):
    material = serializers.CharField()
    mass_per_unit = FigureField()
    extraction_shares = serializers.DictField(child=serializers.CharField())
    processing_shares = serializers.DictField(child=serializers.CharField())
    recycled_pre_consumer = FigureField()
    recycled_post_consumer = FigureField()


class RollupFiguresOutput(serializers.Serializer):
    has_emissions = serializers.BooleanField()
    own_pre_processing = FigureField()
    own_main_production = FigureField()
    purchased_pre_processing = FigureField()
    purchased_main_production = FigureField()
    total = FigureField()
    including_biogenic = FigureField()
    biogenic_uptake = FigureField()
    biogenic_carbon = FigureField()
    primary_data_share = FigureField(allow_null=True)
    mass_per_unit = FigureField(allow_null=True)
    stage_quality = StageQualityOutput()
    materials = MaterialFigureOutput(many=True)


class RollupSourceOutput(serializers.Serializer):
    part = PartRefOutput(allow_null=True, help_text="null: the part's own data.")
    quantity = FigureField(allow_null=True)
    emissions = FigureField()
    materials = serializers.DictField(child=serializers.CharField())
    answer = serializers.UUIDField(allow_null=True)
    missing = serializers.CharField()


class RollupGapOutput(serializers.Serializer):
    part = PartRefOutput()
    reason = serializers.CharField()


class RollupOutput(serializers.Serializer):
    part = PartRefOutput()
    figures = RollupFiguresOutput()
    sources = RollupSourceOutput(many=True)
    gaps = RollupGapOutput(many=True)


class RequestPartOutput(serializers.Serializer):
    id = serializers.UUIDField(required=False, help_text="Only for the part's owner.")
    local_id = serializers.CharField()
    name = serializers.CharField()
    unit = DeclaredUnitField()


class DataRequestOutput(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    role = ExchangeRoleField(help_text="Your side of the request.")
    state = RequestStateField()
    customer = ExchangeCompanyOutput()
    supplier = ExchangeCompanyOutput()
    customer_part = RequestPartOutput()
    supplier_part = RequestPartOutput(allow_null=True, required=False, help_text="Only for the supplier.")
    wants_footprint = serializers.BooleanField()
    wants_materials = serializers.BooleanField()
    message = serializers.CharField()
    due_date = serializers.DateField()
    reason = serializers.CharField()
    answers = serializers.ListField(child=serializers.UUIDField())
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class FootprintOutput(serializers.Serializer):
    pcf_excluding_biogenic = FigureField()
    pcf_including_biogenic = FigureField(allow_null=True)
    fossil_emissions = FigureField(allow_null=True)
    biogenic_uptake = FigureField(allow_null=True)
    biogenic_carbon_content = FigureField(allow_null=True)
    fossil_carbon_content = FigureField(allow_null=True)
    own_pre_processing = FigureField(allow_null=True)
    own_main_production = FigureField(allow_null=True)
    purchased_pre_processing = FigureField(allow_null=True)
    purchased_main_production = FigureField(allow_null=True)
    stage_quality = StageQualityOutput()
    quality = serializers.DictField(child=serializers.CharField())
    primary_data_share = FigureField(allow_null=True)
    reference_period_start = serializers.DateTimeField(allow_null=True)
    reference_period_end = serializers.DateTimeField(allow_null=True)
    geography_country = serializers.CharField()
    characterization_factors = serializers.CharField()
    cross_sectoral_standards = serializers.ListField(child=serializers.CharField())
    product_rules = serializers.CharField()
    boundary_processes = serializers.CharField()
    exempted_emissions_percent = FigureField()
    assurance_provider = serializers.CharField()
    assurance_standard = serializers.CharField()
    assurance_date = serializers.DateField(allow_null=True)


class AnswerFileOutput(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class AnswerProductOutput(serializers.Serializer):
    name = serializers.CharField()
    product_id = serializers.CharField()
    cn_code = serializers.CharField()
    declared_unit = DeclaredUnitField()
    mass_per_unit = FigureField(allow_null=True)


class ExchangeAnswerOutput(serializers.Serializer):
    id = serializers.UUIDField()
    request = serializers.UUIDField()
    role = ExchangeRoleField(help_text="Your side of the answer.")
    version = serializers.IntegerField()
    status = AnswerStatusField()
    preceding = serializers.UUIDField(allow_null=True)
    successor = serializers.UUIDField(allow_null=True)
    supplier = ExchangeCompanyOutput()
    customer = ExchangeCompanyOutput()
    supplier_part = serializers.UUIDField(required=False, help_text="Only for the supplier.")
    product = AnswerProductOutput()
    has_footprint = serializers.BooleanField()
    footprint = FootprintOutput(allow_null=True)
    has_materials = serializers.BooleanField()
    materials = MaterialFigureOutput(many=True)
    files = AnswerFileOutput(many=True)
    comment = serializers.CharField()
    evidence = serializers.CharField()
    released_at = serializers.DateTimeField()
    superseded_at = serializers.DateTimeField(allow_null=True)
