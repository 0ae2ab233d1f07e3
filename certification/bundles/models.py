"""A request for a ZIP of certificate PDFs: who asked, which certificates, how far the worker got, and the
private file once it is ready (served to the requester only, deleted when it expires)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.restrict import NOTHING, RestrictedQuerySet
from portal.storage import private_storage


class BundleStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


OPEN_STATUSES = (BundleStatus.QUEUED, BundleStatus.RUNNING)


class CertificateBundleQuerySet(RestrictedQuerySet):
    """A bundle is its requester's alone ("view": read it, follow it, download it); anyone else, the
    requester's colleagues included, does not know it exists."""

    def rule(self, actor, action: str) -> Q | None:
        if actor is None or not actor.is_authenticated or not actor.is_active:
            return NOTHING
        return Q(requested_by_id=actor.pk)


class CertificateBundle(models.Model):
    """Certificates are named by primary key (resolved through the requester's scope when the request is
    made, and again by the worker); `included` and `missing` record what the ZIP actually holds."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # A bundle is of use to its requester only: it goes with the account.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by")
    )
    organization = models.ForeignKey(
        "tenancy.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
        help_text=_("The requester's organization at the time (none for operators)."),
    )
    certificate_ids = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=BundleStatus.choices, default=BundleStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("certificates"))
    done = models.PositiveIntegerField(_("done"), default=0)
    #: Ids of the certificates whose PDF is in the ZIP (the access log is written for these).
    included = models.JSONField(default=list, blank=True)
    #: Numbers of the certificates left out (no ready document), also listed in the ZIP's README.
    missing = models.JSONField(default=list, blank=True)
    file = models.FileField(storage=private_storage, upload_to="bundles/", max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)
    #: Identifies the worker run that owns the bundle: a stale run (redelivered task) cannot overwrite it.
    run_token = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))

    objects = CertificateBundleQuerySet.as_manager()

    class Meta:
        app_label = "certification"
        ordering = ["-created_at", "-id"]
        verbose_name = _("certificate ZIP")
        verbose_name_plural = _("certificate ZIPs")
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="certification_bundle_done"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & Q(size__isnull=False)),
                name="certification_bundle_ready_has_file",
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "status"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self) -> str:
        return f"ZIP {str(self.public_id)[:8]}: {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 100
