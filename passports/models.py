"""Battery models, passports with immutable published versions, and the confidential supply chain.

Catalogue values (see `passports.catalogue`) live in JSON documents keyed by attribute key: model-level
values on `BatteryModel.data`, battery-level values on each `PassportVersion.data`. Publishing freezes a
version with both merged, so a published passport never changes under its readers. The supply chain is
confidential and lives only in `SupplyChainEntry`, never in a JSON document that could be copied out.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .catalogue.choices import BATTERY_CATEGORIES, BATTERY_STATUSES, PROCUREMENT_UNITS, SUPPLY_CHAIN_MATERIALS

# Object permissions the owner grants to other organizations (django-guardian, group grants).
VIEW_LEGITIMATE_INTEREST = "view_legitimate_interest"
VIEW_CONFIDENTIAL = "view_confidential"


class BatteryModel(models.Model):
    """A battery model (type): the values shared by every battery of the model."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="battery_models"
    )
    name = models.CharField(_("model name"), max_length=200)
    manufacturer_part_id = models.CharField(_("model identifier"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=BATTERY_CATEGORIES)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("battery model")
        verbose_name_plural = _("battery models")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "manufacturer_part_id"], name="passports_model_part_id_per_org"
            )
        ]
        permissions = [
            (
                "view_legitimate_interest_batterymodel",
                "Can see legitimate-interest data of the battery model",
            ),
            ("view_confidential_batterymodel", "Can see confidential data of the battery model"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.manufacturer_part_id})"


class SupplyChainEntry(models.Model):
    """Confidential: where a critical material comes from, who supplies it and how much is bought.

    Seen only by the owning company and a certifier while assigned to review it. `__str__` never names
    the supplier, so admin logs, messages and audit labels cannot carry it."""

    battery_model = models.ForeignKey(BatteryModel, on_delete=models.CASCADE, related_name="supply_chain")
    material = models.CharField(_("material"), max_length=32, choices=SUPPLY_CHAIN_MATERIALS)
    country_of_origin = CountryField(_("country of origin"))
    mine_or_extraction_site = models.CharField(_("mine or extraction site"), max_length=200, blank=True)
    refiner_processor = models.CharField(_("refiner or processor"), max_length=200, blank=True)
    refiner_country = CountryField(_("country of refining"), blank=True)
    supplier_name = models.CharField(_("supplier"), max_length=200)
    supplier_identifier = models.CharField(_("supplier identifier"), max_length=24, blank=True)
    procurement_amount = models.DecimalField(_("procurement amount"), max_digits=14, decimal_places=3)
    procurement_unit = models.CharField(_("unit"), max_length=4, choices=PROCUREMENT_UNITS)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    recycled_share = models.DecimalField(
        _("recycled share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    assurance_scheme = models.CharField(_("assurance scheme"), max_length=200, blank=True)

    class Meta:
        ordering = ["material", "id"]
        verbose_name = _("supply chain entry")
        verbose_name_plural = _("supply chain entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(procurement_amount__gte=0), name="passports_sc_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(recycled_share__isnull=True) | Q(recycled_share__gte=0, recycled_share__lte=100),
                name="passports_sc_recycled_share_0_100",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="passports_sc_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"Supply chain entry {self.pk}"

    __repr__ = __str__


class Passport(models.Model):
    """The passport of one physical battery. `public_id` is the passport identifier (UUIDv4)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="passports"
    )
    battery_model = models.ForeignKey(BatteryModel, on_delete=models.PROTECT, related_name="passports")
    unique_identifier = models.CharField(_("unique product identifier"), max_length=200)
    status = models.CharField(
        _("battery status"), max_length=16, choices=BATTERY_STATUSES, default="original"
    )
    predecessor = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="successor"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("battery passport")
        verbose_name_plural = _("battery passports")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "unique_identifier"], name="passports_unique_identifier_per_org"
            ),
        ]
        permissions = [
            ("view_legitimate_interest_passport", "Can see legitimate-interest data of the passport"),
            ("view_confidential_passport", "Can see confidential data of the passport"),
        ]

    def __str__(self) -> str:
        return self.unique_identifier


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PassportVersion(models.Model):
    """One version of a passport's values. Published versions are immutable; at most one draft exists."""

    passport = models.ForeignKey(Passport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(
        _("state"), max_length=16, choices=VersionState.choices, default=VersionState.DRAFT
    )
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["passport", "-number"]
        verbose_name = _("passport version")
        verbose_name_plural = _("passport versions")
        constraints = [
            models.UniqueConstraint(fields=["passport", "number"], name="passports_version_number_unique"),
            models.UniqueConstraint(
                fields=["passport"], condition=Q(state="draft"), name="passports_one_draft_per_passport"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(published_at__isnull=False),
                name="passports_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.passport} v{self.number}"


class StatusEvent(models.Model):
    """A change of battery status (original, repurposed, re-used, remanufactured, waste)."""

    passport = models.ForeignKey(Passport, on_delete=models.CASCADE, related_name="status_events")
    status = models.CharField(_("battery status"), max_length=16, choices=BATTERY_STATUSES)
    note = models.CharField(_("note"), max_length=500, blank=True)
    occurred_at = models.DateTimeField(_("when"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["passport", "occurred_at", "id"]
        verbose_name = _("status event")
        verbose_name_plural = _("status events")

    def __str__(self) -> str:
        return f"{self.passport} → {self.status}"


class DynamicDataPoint(models.Model):
    """A value of dynamic battery data (state of health, cycles...), appended with its measuring time."""

    passport = models.ForeignKey(Passport, on_delete=models.CASCADE, related_name="dynamic_data")
    key = models.CharField(_("attribute"), max_length=100)
    value = models.JSONField(encoder=DjangoJSONEncoder)
    measured_at = models.DateTimeField(_("measured"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["passport", "key", "-measured_at"]
        verbose_name = _("dynamic data point")
        verbose_name_plural = _("dynamic data points")
        indexes = [models.Index(fields=["passport", "key", "-measured_at"])]

    def __str__(self) -> str:
        return f"{self.passport} {self.key} @ {self.measured_at:%Y-%m-%d %H:%M}"


# Direct-FK object permission tables (guardian): grants are explicit cross-tenant exceptions.
class PassportUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Passport, on_delete=models.CASCADE)


class PassportGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Passport, on_delete=models.CASCADE)


class BatteryModelUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(BatteryModel, on_delete=models.CASCADE)


class BatteryModelGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(BatteryModel, on_delete=models.CASCADE)
