"""The authorities' protected view: a cube of published cells per build, and the alerts raised from it.

Only what may be shown is stored: cell values already rounded, suppressed cells without a value,
contributor counts as bands. The raw facts the worker aggregates (passports, supply chains, transfers)
never land here, so no oversight page, answer or export can reach them. The one exception is the
enforcement list: flagged transfers, copied field by field (passport, operator, destination, date, waste
code), for authority members holding the enforcement permission.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .access import AlertQuerySet, CubeBuildQuerySet, CubeCellQuerySet, FlaggedTransferQuerySet


class BuildState(models.TextChoices):
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class CubeBuild(models.Model):
    """One computation of one year's cube (its quarters and the year), from the data of its moment."""

    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(
        _("state"), max_length=10, choices=BuildState.choices, default=BuildState.BUILDING
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    reference_edition = models.CharField(_("reference data"), max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)

    objects = CubeBuildQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("cube build")
        verbose_name_plural = _("cube builds")
        constraints = [
            # At most one build of a year runs at a time: a second request waits for it.
            models.UniqueConstraint(
                fields=["year"], condition=Q(state="building"), name="oversight_one_build"
            ),
        ]

    def __str__(self) -> str:
        return f"Cube {self.year} v{self.pk}"

    @property
    def version(self) -> int:
        return self.pk


class CubeCell(models.Model):
    """One published cell: a table, its coordinates, and either a rounded value or the mark that it is
    confidential. `category` is a country, a country group, TOTAL, a destination class or a status."""

    build = models.ForeignKey(CubeBuild, on_delete=models.CASCADE, related_name="cells")
    table = models.CharField(max_length=16)
    material = models.CharField(max_length=24, blank=True)
    stage = models.CharField(max_length=12, blank=True)
    market = models.CharField(max_length=8)
    period = models.CharField(max_length=6)
    category = models.CharField(max_length=24)
    value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    share = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=8, blank=True)
    suppressed = models.BooleanField(default=False)

    objects = CubeCellQuerySet.as_manager()

    class Meta:
        verbose_name = _("cube cell")
        verbose_name_plural = _("cube cells")
        indexes = [
            models.Index(
                fields=["build", "table", "material", "market", "period"], name="oversight_cell_slice"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(suppressed=False) | (Q(value__isnull=True) & Q(share__isnull=True)),
                name="oversight_suppressed_has_no_value",
            )
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.material} {self.stage} {self.market} {self.period} {self.category}"


class AlertKind(models.TextChoices):
    WASTE_TO_NON_OECD = "waste_non_oecd", _("Waste battery or black mass shipped to a non-OECD country")
    USED_WITHOUT_EVIDENCE = (
        "used_no_evidence",
        _("Used battery to a non-OECD country without Annex XIV evidence"),
    )
    CONCENTRATION_BREACH = "concentration_breach", _("One third country above 65 % at a stage")
    CONCENTRATION_WATCH = "concentration_watch", _("One third country above 50 % at a stage")
    RECYCLED_BELOW = "recycled_below", _("Recycled content below the coming minimum")


class Severity(models.TextChoices):
    HIGH = "high", _("High")
    BREACH = "breach", _("Breach")
    MEDIUM = "medium", pgettext_lazy("alert severity", "Medium")
    WATCH = "watch", _("Watch")


class Alert(models.Model):
    """An alert for authorities. Cube alerts name a country only when its cell is safe; transfer alerts
    name nothing but the kind, the destination class and the date (the transfer itself is on the
    enforcement list)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    build = models.ForeignKey(CubeBuild, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=24, choices=AlertKind.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    material = models.CharField(_("material"), max_length=24, blank=True)
    stage = models.CharField(_("stage"), max_length=12, blank=True)
    market = models.CharField(_("market"), max_length=8, blank=True)
    period = models.CharField(_("period"), max_length=6, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    share = models.PositiveSmallIntegerField(_("share (%)"), null=True, blank=True)
    key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        permissions = [("enforce", "Can see the individual flagged transfers (enforcement)")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"


class FlaggedTransfer(models.Model):
    """A copy of the enforcement facts of one flagged transfer: never parties' suppliers or amounts."""

    alert = models.OneToOneField(Alert, on_delete=models.CASCADE, related_name="transfer")
    transfer_id = models.UUIDField(unique=True)
    passport_identifier = models.CharField(_("passport"), max_length=200, blank=True)
    operator_name = models.CharField(_("operator"), max_length=200)
    destination_country = models.CharField(_("destination"), max_length=2)
    shipped_on = models.DateField(_("shipped on"))
    waste_code = models.CharField(_("List-of-Waste code"), max_length=9, blank=True)
    content = models.CharField(_("content"), max_length=12)
    condition = models.CharField(_("used or waste"), max_length=8)

    objects = FlaggedTransferQuerySet.as_manager()

    class Meta:
        ordering = ["-shipped_on", "-id"]
        verbose_name = _("flagged transfer")
        verbose_name_plural = _("flagged transfers")

    def __str__(self) -> str:
        return f"Flagged transfer {self.transfer_id}"
