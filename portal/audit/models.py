from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.restrict import NOTHING, RestrictedQuerySet


class AuditEventQuerySet(RestrictedQuerySet):
    """Who reads the audit log: platform operators every entry (`is_operator`); the managers of an active
    organization its own entries (`can_view_audit_log`). Nobody changes an entry (append-only)."""

    def rule(self, actor, action: str) -> Q | None:
        from portal.tenancy.policies import can_view_audit_log, is_operator
        from portal.tenancy.selectors import active_organization_of

        if is_operator(actor):
            return Q()
        organization = active_organization_of(actor)
        if organization is None or not can_view_audit_log(actor, organization):
            return NOTHING
        return Q(organization=organization)


class AuditEvent(models.Model):
    """An append-only record of a significant action: who, for which organization, what, when, from where.

    `details` holds only non-confidential facts (ids, status names): it is shown to organization admins
    and operators, so it must never carry supply chain data or secrets.
    """

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("who"), max_length=200, blank=True)
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")
