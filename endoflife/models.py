"""End of life: where batteries, lots of batteries and black mass go, and what recyclers recover.

A `Transfer` is recorded by the company that hands something over (a battery's owner, or a recycler or
collector passing on what it received): to whom (a company on the portal or a named party outside it),
to which country, used or waste, its List-of-Waste code and treatment. A `RecoveredOutput` is a
recycler's declaration of the material it recovered from one lot in one quarter.

Both are confidential company data: the sender and the recipient see a transfer, the recycler its own
output. Authorities never read these rows; the oversight cube aggregates them under disclosure control,
and only flagged transfers are copied, field by field, for an enforcement permission.
The access rules live in `access.py`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from portal.tenancy.models import Organization

from .access import RecoveredOutputQuerySet, TransferQuerySet

MASS = {"max_digits": 14, "decimal_places": 3}


class Content(models.TextChoices):
    BATTERY = "battery", _("One battery (with its passport)")
    BATTERIES = "batteries", _("A lot of batteries")
    BLACK_MASS = "black_mass", _("Black mass")


class Condition(models.TextChoices):
    USED = "used", _("Used (not waste)")
    WASTE = "waste", pgettext_lazy("battery condition", "Waste")


class Treatment(models.TextChoices):
    REUSE = "reuse", _("Re-use")
    REPURPOSING = "repurposing", _("Repurposing")
    RECYCLING = "recycling", _("Recycling")
    DISPOSAL = "disposal", _("Disposal")


class Transfer(models.Model):
    """One hand-over of a battery, a lot of batteries or black mass to a next holder."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="transfers_sent", verbose_name=_("sender")
    )
    content = models.CharField(_("what is handed over"), max_length=12, choices=Content.choices)
    passport = models.ForeignKey(
        "passports.Passport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name=_("battery passport"),
    )
    battery_count = models.PositiveIntegerField(_("number of batteries"), null=True, blank=True)
    mass_kg = models.DecimalField(_("mass (kg)"), **MASS)
    lithium_based = models.BooleanField(
        _("lithium-based"),
        default=True,
        help_text=_("Lithium-based batteries and their black mass are hazardous waste from 9 November 2026."),
    )
    recipient = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_received",
        verbose_name=_("recipient on the portal"),
    )
    recipient_name = models.CharField(_("recipient outside the portal"), max_length=200, blank=True)
    origin_country = CountryField(_("country of dispatch"))
    destination_country = CountryField(_("destination country"))
    condition = models.CharField(_("used or waste"), max_length=8, choices=Condition.choices)
    waste_code = models.CharField(_("List-of-Waste code"), max_length=9, blank=True)
    treatment = models.CharField(_("treatment"), max_length=12, choices=Treatment.choices)
    annex_xiv_evidence = models.TextField(
        _("evidence that the battery is not waste (Annex XIV)"), max_length=2000, blank=True
    )
    shipped_on = models.DateField(_("shipped on"))
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-shipped_on", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(condition=Q(mass_kg__gt=0), name="endoflife_transfer_mass_positive"),
            models.CheckConstraint(
                condition=Q(content="battery", passport__isnull=False)
                | (~Q(content="battery") & Q(passport__isnull=True)),
                name="endoflife_transfer_passport_iff_battery",
            ),
            models.CheckConstraint(
                condition=~Q(content="batteries") | Q(battery_count__gte=1),
                name="endoflife_transfer_lot_counts_batteries",
            ),
            models.CheckConstraint(
                condition=(Q(recipient__isnull=False) & Q(recipient_name=""))
                | (Q(recipient__isnull=True) & ~Q(recipient_name="")),
                name="endoflife_transfer_one_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(condition="waste") | ~Q(waste_code=""), name="endoflife_transfer_waste_coded"
            ),
        ]
        indexes = [models.Index(fields=["shipped_on"], name="endoflife_transfer_shipped")]

    def __str__(self) -> str:
        # Never names the parties: admin logs, messages and audit labels carry this string.
        return f"Transfer {self.public_id}"

    @property
    def batteries(self) -> int:
        if self.content == Content.BATTERY:
            return 1
        return self.battery_count or 0


class RecoveredMaterial(models.TextChoices):
    """The materials with recovery targets in the Batteries Regulation (Art. 71, Annex XII part C)."""

    COBALT = "cobalt", _("Cobalt")
    COPPER = "copper", _("Copper")
    LITHIUM = "lithium", _("Lithium")
    NICKEL = "nickel", _("Nickel")
    LEAD = "lead", _("Lead")


class RecoveredOutput(models.Model):
    """Material a recycler recovered from one lot in one quarter, by mass."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="recovered_outputs")
    lot_reference = models.CharField(_("lot reference"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(q, f"Q{q}") for q in range(1, 5)])
    material = models.CharField(_("material"), max_length=12, choices=RecoveredMaterial.choices)
    mass_kg = models.DecimalField(_("recovered mass (kg)"), **MASS)
    facility_country = CountryField(_("country of the recycling facility"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecoveredOutputQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter", "lot_reference", "material"]
        verbose_name = _("recovered material output")
        verbose_name_plural = _("recovered material outputs")
        constraints = [
            models.CheckConstraint(condition=Q(mass_kg__gt=0), name="endoflife_output_mass_positive"),
            models.UniqueConstraint(
                fields=["organization", "lot_reference", "year", "quarter", "material"],
                name="endoflife_output_once_per_lot_period_material",
            ),
        ]

    def __str__(self) -> str:
        return f"Recovered output {self.public_id}"
