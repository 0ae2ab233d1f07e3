"""Battery models, passports with immutable published versions, and the confidential supply chain.

Catalogue values (see `passports.catalogue`) live in JSON documents keyed by attribute key: model-level
values on `BatteryModel.data`, battery-level values on each `PassportVersion.data`. Publishing freezes a
version with both merged, so a published passport never changes under its readers. The supply chain is
confidential and lives only in `SupplyChainEntry`, never in a JSON document that could be copied out.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from portal.archiving import archived_field
from portal.storage import private_storage
from portal.uploads import CONTENT_TYPES as DOCUMENT_CONTENT_TYPES

from .access import BatteryModelQuerySet, DocumentQuerySet, PassportQuerySet, SupplyChainQuerySet
from .catalogue.choices import BATTERY_CATEGORIES, BATTERY_STATUSES, PROCUREMENT_UNITS, SUPPLY_CHAIN_MATERIALS
from .times import in_given_offset

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
    # Retired instead of deleted (portal.archiving): its passports and certificates keep pointing at it,
    # no new passport is made of it.
    archived_at = archived_field()

    objects = BatteryModelQuerySet.as_manager()

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

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


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

    objects = SupplyChainQuerySet.as_manager()

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
    # No index of its own: the per-company indexes below start with it (one index less to write per passport).
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="passports", db_index=False
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

    objects = PassportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("battery passport")
        verbose_name_plural = _("battery passports")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "unique_identifier"], name="passports_unique_identifier_per_org"
            ),
        ]
        indexes = [
            # The API list's first pages of a company, newest first, without sorting all its passports.
            models.Index(fields=["organization", "-created_at", "-id"], name="passports_org_newest_first"),
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

    # Indexed by the unique (passport, number) constraint, which starts with it.
    passport = models.ForeignKey(Passport, on_delete=models.CASCADE, related_name="versions", db_index=False)
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


class PublishedPassportCount(models.Model):
    """How many of a company's passports have a published version. Kept by PostgreSQL itself, by triggers
    on the version table (passports.published_counts), so that an authority's list can say its exact total
    over ten million passports without counting them. Empty on SQLite, where nothing reads it."""

    organization = models.OneToOneField(
        "tenancy.Organization", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    passports = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("published passport count")
        verbose_name_plural = _("published passport counts")

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.passports}"


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

    # Indexed by (passport, key, -measured_at) below, which starts with it: an import writes 18 points per
    # passport, and a second index on the same column cost a fifth of their insert time.
    passport = models.ForeignKey(
        Passport, on_delete=models.CASCADE, related_name="dynamic_data", db_index=False
    )
    key = models.CharField(_("attribute"), max_length=100)
    value = models.JSONField(encoder=DjangoJSONEncoder)
    measured_at = models.DateTimeField(_("measured"))
    # The UTC offset the time was given with, in minutes: exports show it as given (+01:00 stays +01:00).
    utc_offset = models.SmallIntegerField(null=True, blank=True, editable=False)
    # Who entered the value: provenance, kept without a database constraint. An import writes 18 points per
    # passport, and PostgreSQL checks a foreign key row by row at commit (a sixth of the database's share
    # of an import). Users are deactivated, not deleted (the append-only audit trail names them); one
    # deleted through Django all the same leaves its points without a name (Django runs the SET_NULL).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", db_constraint=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["passport", "key", "-measured_at"]
        verbose_name = _("dynamic data point")
        verbose_name_plural = _("dynamic data points")
        indexes = [models.Index(fields=["passport", "key", "-measured_at"])]

    def __str__(self) -> str:
        return f"{self.passport} {self.key} @ {self.measured_at:%Y-%m-%d %H:%M}"

    @property
    def measured_at_as_given(self) -> datetime:
        """The measuring time in the offset it was given with (UTC when none was recorded)."""
        return in_given_offset(self.measured_at, self.utc_offset)


# Direct-FK object permission tables (guardian): grants are explicit cross-tenant exceptions.
class PassportUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Passport, on_delete=models.CASCADE)


class PassportGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Passport, on_delete=models.CASCADE)


class BatteryModelUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(BatteryModel, on_delete=models.CASCADE)


class BatteryModelGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(BatteryModel, on_delete=models.CASCADE)


def _document_path(instance: PassportDocument, filename: str) -> str:
    # Stored under its id, never its original name (names can carry restricted facts; the name is a column).
    extension = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}
    folder = instance.public_id.hex[:2]
    return f"passport-documents/{folder}/{instance.public_id}{extension[instance.content_type]}"


class PassportDocument(models.Model):
    """An uploaded file (PDF or image) for a DOCUMENT attribute of the field catalogue: of a battery model
    (every battery of the model) or, for battery-level attributes, of one passport.

    The attribute decides the audience (EU declaration of conformity: public; test reports: authority only;
    dismantling and safety information: legitimate interest), so who may download it is the catalogue's
    decision, taken in `policies.can_see_document`. The bytes live in private storage and are served only
    through the permission-checked download views. `__str__` never shows the title, which can be restricted.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    battery_model = models.ForeignKey(BatteryModel, on_delete=models.CASCADE, related_name="documents")
    passport = models.ForeignKey(
        Passport, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    attribute_key = models.CharField(_("document kind"), max_length=100)
    title = models.CharField(_("title"), max_length=100)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(storage=private_storage, upload_to=_document_path, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["attribute_key", "uploaded_at", "id"]
        verbose_name = _("passport document")
        verbose_name_plural = _("passport documents")
        indexes = [models.Index(fields=["battery_model", "passport", "attribute_key"])]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="passports_document_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=sorted(DOCUMENT_CONTENT_TYPES)),
                name="passports_document_pdf_or_image",
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="passports_document_sha256"
            ),
        ]

    def __str__(self) -> str:
        return f"Document {self.public_id}"

    __repr__ = __str__


@receiver(post_delete, sender=PassportDocument)
def _delete_document_file(sender, instance: PassportDocument, **kwargs) -> None:
    """Remove the bytes once the deletion is committed (also when a passport or model cascades), and only
    then: a rolled-back deletion keeps its file."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name), robust=True)
