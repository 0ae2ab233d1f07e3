from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from portal.restrict import NOTHING, RestrictedQuerySet

TITLE_MAX_LENGTH = 300


logger = logging.getLogger(__name__)


class NotificationQuerySet(RestrictedQuerySet):
    """Notifications are personal: a signed-in, active person sees and marks read their own, nobody else
    (not their organization's managers, not operators outside the read-only admin)."""

    actions = frozenset({"view", "change"})

    def rule(self, actor, action: str) -> Q | None:
        from .policies import can_have_notifications

        if not can_have_notifications(actor):
            return NOTHING
        return Q(recipient_id=actor.pk)


class Notification(models.Model):
    """One message for one person, shown in the portal and e-mailed once.

    Title and body are rendered when the notification is created, in the recipient's language, and are
    e-mailed: they must never carry confidential data (supplier names, procurement amounts), only facts
    the recipient may read anywhere, plus a link into the portal where the policy decides the rest.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No index of its own: both composite indexes below start with the recipient.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
        verbose_name=_("recipient"),
    )
    event = models.CharField(_("event"), max_length=64)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # What the texts were rendered from, to show them in the reader's current language (rendering.py);
    # empty for notifications older than that, which keep the texts above.
    template = models.CharField(max_length=64, blank=True, editable=False)
    context = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_created_idx"),
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_recipient_unread_idx"),
            # The sweep looks for e-mails not sent yet: a small partial index.
            models.Index(
                fields=["created_at"], condition=models.Q(emailed_at__isnull=True), name="notif_unsent_idx"
            ),
        ]
        constraints = [
            # Links stay inside the portal: a relative path, never a scheme or another host.
            models.CheckConstraint(
                condition=models.Q(url="")
                | (models.Q(url__startswith="/") & ~models.Q(url__startswith="//")),
                name="notif_url_is_relative_path",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @cached_property
    def texts(self) -> tuple[str, str]:
        """(title, body) in the active language; the stored ones when the template is unknown."""
        if self.template:
            from .rendering import render

            try:
                return render(self.template, self.context)
            except TemplateDoesNotExist:  # a template removed since: the stored texts still read well
                logger.warning("notification template %s is gone; showing the stored texts", self.template)
        return self.title, self.body

    @property
    def display_title(self) -> str:
        return self.texts[0]

    @property
    def display_body(self) -> str:
        return self.texts[1]
