"""One signed document per certificate (the one-to-one and the database guarantee it)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.storage import private_storage


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def document_path(instance: CertificateDocument, filename: str) -> str:
    return f"certificates/{instance.certificate.issued_at:%Y}/{filename}"


class CertificateDocument(models.Model):
    """The signed PDF of a certificate. `status` and `attempts` let the sweep re-render what a dying
    worker left undone; the file, its SHA-256 and size are set together when it is ready."""

    # Certificates are not deleted in the portal; if an operator ever does, the document is nothing alone.
    certificate = models.OneToOneField(
        "certification.Certificate", on_delete=models.CASCADE, related_name="document"
    )
    file = models.FileField(storage=private_storage, upload_to=document_path, max_length=300, blank=True)
    #: Indexed: an uploaded PDF is recognised by this hash on the public verification page.
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    #: SHA-256 of the machine-readable JSON embedded in the PDF (and printed on it).
    data_sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "certification"
        verbose_name = _("certificate document")
        verbose_name_plural = _("certificate documents")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready")
                | (~Q(file="") & ~Q(sha256="") & ~Q(data_sha256="") & Q(size__isnull=False)),
                name="certification_document_ready_is_complete",
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.status}"

    @property
    def is_ready(self) -> bool:
        return self.status == DocumentStatus.READY
