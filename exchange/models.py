"""Supplier data exchange: parts, the bill of materials, data requests and the answers released on them.

Confidential to their owner: a company's parts, its bill of materials (`Component`: which parts go into
which and how much), its own material and emission data, and which company it buys a part from. What
crosses to a customer is an `Answer`: the aggregate of one part, carrying only the answering company's
identity (one-up/one-down, as in Catena-X and Ouranos). The access rules live in `access.py`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.storage import private_storage
from portal.tenancy.models import Organization

from .access import (
    AnswerQuerySet,
    ComponentQuerySet,
    DataRequestQuerySet,
    OwnMaterialQuerySet,
    PartQuerySet,
)

DECIMAL = {"max_digits": 20, "decimal_places": 6}
SHARE = {"max_digits": 7, "decimal_places": 3}


class Material(models.Model):
    """Reference data (loaded from `exchange/reference/materials.json`): a raw material a declaration may
    name, with the lists it is on and since when. Names in the portal's languages."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    names = models.JSONField(default=dict, blank=True)
    cas_number = models.CharField(_("CAS number"), max_length=20, blank=True)
    is_critical = models.BooleanField(_("critical raw material (EU)"), default=False)
    is_strategic = models.BooleanField(_("strategic raw material (EU)"), default=False)
    is_japan_specified = models.BooleanField(_("specified critical material (Japan)"), default=False)
    listed_from = models.DateField(_("listed from"), null=True, blank=True)
    listed_until = models.DateField(_("listed until"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.names.get((get_language() or "en")[:2]) or self.name


class DeclaredUnit(models.TextChoices):
    """PACT v3 / io.catenax.pcf declared units of measurement (the value is the standards' own string)."""

    KILOGRAM = "kilogram", _("kilogram")
    PIECE = "piece", _("piece")
    KILOWATT_HOUR = "kilowatt hour", _("kilowatt hour")
    LITER = "liter", _("liter")
    CUBIC_METER = "cubic meter", _("cubic meter")
    SQUARE_METER = "square meter", _("square meter")
    MEGAJOULE = "megajoule", _("megajoule")
    TON_KILOMETER = "ton kilometer", _("ton kilometer")


class PartKind(models.TextChoices):
    MADE = "made", pgettext_lazy("part kind", "Made")
    BOUGHT = "bought", pgettext_lazy("part kind", "Bought")


class Part(models.Model):
    """A part a company makes or buys, under its own local id. A bought part names the company it buys
    from (`supplier`), which only its owner sees. A made part carries the company's own data: emissions
    of its own processes per declared unit, the share of primary data in them and their quality."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="parts")
    kind = models.CharField(_("made or bought"), max_length=8, choices=PartKind.choices)
    local_id = models.CharField(_("part id"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("declared unit"), max_length=16, choices=DeclaredUnit.choices)
    mass_per_unit = models.DecimalField(
        _("mass per declared unit (kg)"), null=True, blank=True, max_digits=20, decimal_places=6
    )
    cn_code = models.CharField(_("CN/HS code"), max_length=10, blank=True)
    supplier = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplier"),
    )
    battery_model = models.ForeignKey(
        "passports.BatteryModel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name=_("battery model"),
    )
    own_pre_processing = models.DecimalField(
        _("own emissions, pre-processing (kg CO2e per unit)"), null=True, blank=True, **DECIMAL
    )
    own_main_production = models.DecimalField(
        _("own emissions, main production (kg CO2e per unit)"), null=True, blank=True, **DECIMAL
    )
    own_biogenic_uptake = models.DecimalField(
        _("own biogenic CO2 uptake (kg CO2 per unit, zero or negative)"), null=True, blank=True, **DECIMAL
    )
    own_biogenic_carbon = models.DecimalField(
        _("own biogenic carbon content (kg C per unit)"), null=True, blank=True, **DECIMAL
    )
    own_primary_share = models.DecimalField(
        _("primary data in own emissions (%)"), null=True, blank=True, **SHARE
    )
    own_quality = models.JSONField(_("data quality of own emissions"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartQuerySet.as_manager()

    class Meta:
        ordering = ["local_id"]
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "local_id"], name="exchange_part_local_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind="bought") | Q(supplier__isnull=True),
                name="exchange_part_only_bought_has_supplier",
            ),
            models.CheckConstraint(
                condition=Q(mass_per_unit__isnull=True) | Q(mass_per_unit__gte=0),
                name="exchange_part_mass_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(own_primary_share__isnull=True)
                | Q(own_primary_share__gte=0, own_primary_share__lte=100),
                name="exchange_part_primary_share_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.local_id} {self.name}"


class Component(models.Model):
    """Confidential bill of materials: `quantity` of `child` (in the child's unit) goes into one declared
    unit of `parent`. Only the owner ever sees it; answers carry the rolled-up result, never the lines."""

    parent = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="components")
    child = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="used_in")
    quantity = models.DecimalField(_("quantity per declared unit"), **DECIMAL)

    objects = ComponentQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("component")
        verbose_name_plural = _("components")
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="exchange_component_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="exchange_component_quantity_positive"),
            models.CheckConstraint(condition=~Q(parent=F("child")), name="exchange_component_not_itself"),
        ]

    def __str__(self) -> str:
        return f"Component {self.pk}"


class OwnMaterial(models.Model):
    """Material the company adds itself to one declared unit of a made part (mined, refined or bought
    outside the portal), with where it was extracted and processed and how much of it is recycled.
    Shares are maps of ISO 3166 alpha-2 country code to per cent (decimal strings), summing to 100."""

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="own_materials")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    mass_per_unit = models.DecimalField(_("mass per declared unit (kg)"), **DECIMAL)
    extraction_shares = models.JSONField(
        _("country of extraction (%)"), default=dict, encoder=DjangoJSONEncoder
    )
    processing_shares = models.JSONField(
        _("country of processing (%)"), default=dict, encoder=DjangoJSONEncoder
    )
    recycled_pre_consumer = models.DecimalField(_("recycled, pre-consumer (%)"), default=0, **SHARE)
    recycled_post_consumer = models.DecimalField(_("recycled, post-consumer (%)"), default=0, **SHARE)
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)

    objects = OwnMaterialQuerySet.as_manager()

    class Meta:
        ordering = ["material__position", "id"]
        verbose_name = _("own material")
        verbose_name_plural = _("own materials")
        constraints = [
            models.UniqueConstraint(fields=["part", "material"], name="exchange_own_material_once"),
            models.CheckConstraint(condition=Q(mass_per_unit__gte=0), name="exchange_own_material_mass"),
        ]

    def __str__(self) -> str:
        return f"Own material {self.pk}"


class RequestState(models.TextChoices):
    SENT = "sent", pgettext_lazy("data request state", "Sent")
    CANCELLED = "cancelled", pgettext_lazy("data request state", "Cancelled")
    SENT_BACK = "sent_back", pgettext_lazy("data request state", "Sent back")
    FULFILLED = "fulfilled", pgettext_lazy("data request state", "Answered")


class DataRequest(models.Model):
    """A customer asks the direct supplier of one of its bought parts for a footprint, a material
    declaration or both. The supplier links it to one of its own parts when it answers."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="data_requests_sent")
    customer_part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="requests")
    supplier = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="data_requests_received"
    )
    supplier_part = models.ForeignKey(
        Part, on_delete=models.PROTECT, null=True, blank=True, related_name="requests_answered"
    )
    wants_footprint = models.BooleanField(_("carbon footprint"), default=True)
    wants_materials = models.BooleanField(_("material declaration"), default=True)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    due_date = models.DateField(_("due date"))
    state = models.CharField(
        _("state"), max_length=16, choices=RequestState.choices, default=RequestState.SENT
    )
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DataRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(wants_footprint=True) | Q(wants_materials=True),
                name="exchange_request_asks_something",
            ),
            models.CheckConstraint(
                condition=~Q(customer=F("supplier")), name="exchange_request_not_to_itself"
            ),
        ]
        indexes = [
            models.Index(fields=["supplier", "state"], name="exchange_request_inbox"),
            models.Index(fields=["customer", "state"], name="exchange_request_outbox"),
        ]

    def __str__(self) -> str:
        return f"Data request {str(self.public_id)[:8]}"

    @property
    def reference(self) -> str:
        return str(self.public_id)[:8]

    @property
    def kinds_label(self) -> str:
        kinds = []
        if self.wants_footprint:
            kinds.append(str(_("carbon footprint")))
        if self.wants_materials:
            kinds.append(str(_("material declaration")))
        return ", ".join(kinds)


class AnswerStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("answer status", "Current")
    SUPERSEDED = "superseded", pgettext_lazy("answer status", "Superseded")


class Answer(models.Model):
    """What a supplier released to one customer on one request: aggregates only, in the PACT v3 data
    model (per declared unit) with the Ouranos four-part split, and a material declaration. The `public_id`
    is the PACT footprint id. A correction is a new answer whose `preceding` is the old one; the old one
    stays readable, marked superseded."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(DataRequest, on_delete=models.PROTECT, related_name="answers")
    supplier = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="answers_given")
    customer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="answers_received")
    supplier_part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="answers")
    preceding = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="successor"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AnswerStatus.choices, default=AnswerStatus.ACTIVE
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    # The product, as the supplier names it (PACT productIds, productNameCompany, declared unit).
    product_name = models.CharField(_("product"), max_length=200)
    product_id = models.CharField(_("product id"), max_length=100)
    cn_code = models.CharField(_("CN/HS code"), max_length=10, blank=True)
    declared_unit = models.CharField(_("declared unit"), max_length=16, choices=DeclaredUnit.choices)
    mass_per_unit = models.DecimalField(_("mass per declared unit (kg)"), null=True, blank=True, **DECIMAL)
    # The footprint (None when only a material declaration was asked for).
    has_footprint = models.BooleanField(default=False)
    pcf_excluding_biogenic = models.DecimalField(
        _("PCF excluding biogenic uptake (kg CO2e per unit)"), null=True, blank=True, **DECIMAL
    )
    pcf_including_biogenic = models.DecimalField(
        _("PCF including biogenic uptake (kg CO2e per unit)"), null=True, blank=True, **DECIMAL
    )
    fossil_emissions = models.DecimalField(_("fossil GHG emissions"), null=True, blank=True, **DECIMAL)
    biogenic_uptake = models.DecimalField(_("biogenic CO2 uptake"), null=True, blank=True, **DECIMAL)
    biogenic_carbon_content = models.DecimalField(
        _("biogenic carbon content"), null=True, blank=True, **DECIMAL
    )
    own_pre_processing = models.DecimalField(_("own, pre-processing"), null=True, blank=True, **DECIMAL)
    own_main_production = models.DecimalField(_("own, main production"), null=True, blank=True, **DECIMAL)
    purchased_pre_processing = models.DecimalField(
        _("purchased, pre-processing"), null=True, blank=True, **DECIMAL
    )
    purchased_main_production = models.DecimalField(
        _("purchased, main production"), null=True, blank=True, **DECIMAL
    )
    #: Ouranos data-quality ratings per stage: {"pre": {"technological": 1-5, ...}, "main": {...}}.
    stage_quality = models.JSONField(default=dict, blank=True)
    #: PACT data-quality indicators: coverage_percent, technological/temporal/geographical/completeness/
    #: reliability DQR (decimal strings, 1 to 3 as the PACT and Catena-X models bound them).
    quality = models.JSONField(default=dict, blank=True)
    primary_data_share = models.DecimalField(_("primary data share (%)"), null=True, blank=True, **SHARE)
    reference_period_start = models.DateTimeField(_("reference period from"), null=True, blank=True)
    reference_period_end = models.DateTimeField(_("reference period until"), null=True, blank=True)
    geography_country = models.CharField(_("country of production"), max_length=2, blank=True)
    characterization_factors = models.CharField(_("IPCC characterisation factors"), max_length=12, blank=True)
    cross_sectoral_standards = models.JSONField(_("cross-sectoral standards"), default=list, blank=True)
    product_rules = models.CharField(_("product or sector specific rules"), max_length=200, blank=True)
    boundary_processes = models.TextField(_("boundary processes"), max_length=2000, blank=True)
    exempted_emissions_percent = models.DecimalField(_("exempted emissions (%)"), default=0, **SHARE)
    fossil_carbon_content = models.DecimalField(_("fossil carbon content"), null=True, blank=True, **DECIMAL)
    assurance_provider = models.CharField(_("assurance provider"), max_length=200, blank=True)
    assurance_standard = models.CharField(_("assurance standard"), max_length=200, blank=True)
    assurance_date = models.DateField(_("assurance date"), null=True, blank=True)
    has_materials = models.BooleanField(default=False)
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(_("released"), auto_now_add=True)
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["-released_at", "-id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(customer=F("supplier")), name="exchange_answer_not_to_itself"
            ),
            models.CheckConstraint(
                condition=Q(has_footprint=False) | Q(pcf_excluding_biogenic__gte=0),
                name="exchange_answer_footprint_present",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "status", "released_at"], name="exchange_answer_received"),
            # PACT's footprint list: a customer's footprints, newest first (benchmarks/pact.py).
            models.Index(
                fields=["customer", "-released_at", "-id"],
                condition=Q(has_footprint=True),
                name="exchange_answer_footprints",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer {str(self.public_id)[:8]}"


class AnswerMaterial(models.Model):
    """One material of an answer's declaration: mass per declared unit, where it was extracted and
    processed (country code -> per cent) and its recycled shares. Aggregates only."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    mass_per_unit = models.DecimalField(_("mass per declared unit (kg)"), **DECIMAL)
    extraction_shares = models.JSONField(
        _("country of extraction (%)"), default=dict, encoder=DjangoJSONEncoder
    )
    processing_shares = models.JSONField(
        _("country of processing (%)"), default=dict, encoder=DjangoJSONEncoder
    )
    recycled_pre_consumer = models.DecimalField(_("recycled, pre-consumer (%)"), **SHARE)
    recycled_post_consumer = models.DecimalField(_("recycled, post-consumer (%)"), **SHARE)

    class Meta:
        ordering = ["material__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "material"], name="exchange_answer_material_once")
        ]

    def __str__(self) -> str:
        return f"Answer material {self.pk}"

    @property
    def recycled_share(self):
        return self.recycled_pre_consumer + self.recycled_post_consumer


def _answer_file_path(instance: AnswerFile, filename: str) -> str:
    return f"exchange/{instance.answer.supplier.public_id}/{uuid.uuid4().hex}"


class AnswerFile(models.Model):
    """A certificate (assurance) or evidence file released with an answer, seen by both sides only."""

    class Kind(models.TextChoices):
        ASSURANCE = "assurance", _("Assurance certificate")
        EVIDENCE = "evidence", _("Evidence")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(storage=private_storage, upload_to=_answer_file_path, max_length=200)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
