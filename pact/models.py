"""PACT v3 host system: the outside systems acting for a company (clients), their access tokens, the
requests they sent through `/3/events`, and the events the portal owes them (an outbox).

The API derives from the PACT Technical Specifications (WBCSD) v3.0. A client reads exactly what its
company reads as a customer: `acts_for` makes it an actor of `Answer.objects.restrict()`.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.tenancy.models import Organization

from .access import PactClientQuerySet


class PactClient(models.Model):
    """OAuth2 client credentials of one partner system acting for one company (the data recipient).
    Only a hash of the secret is stored (Django's password hashers); the callback URL's host is the one
    host whose events are accepted and where the portal sends its events."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="pact_clients")
    name = models.CharField(_("name"), max_length=100)
    client_id = models.CharField(_("client id"), max_length=100, unique=True)
    secret_hash = models.CharField(max_length=256)
    callback_url = models.URLField(_("callback URL"), max_length=300)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # The credentials the partner issued to the portal for its own token endpoint: events sent to the
    # partner carry a bearer token obtained with them (PACT: each side authenticates the other's calls).
    partner_client_id = models.CharField(_("partner's client id for us"), max_length=200, blank=True)
    partner_secret_sealed = models.TextField(blank=True, editable=False)  # portal.sealed

    objects = PactClientQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("PACT client")
        verbose_name_plural = _("PACT clients")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_active=True) | Q(revoked_at__isnull=False), name="pact_client_revoked_has_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"

    @property
    def acts_for(self) -> Organization:
        """The company this system acts for: what `exchange.access` restricts its reads to."""
        return self.organization

    @property
    def callback_host(self) -> str:
        return (urlsplit(self.callback_url).hostname or "").lower()


class PactToken(models.Model):
    """An opaque bearer token; only its SHA-256 is stored, so a database leak yields no usable token, and
    revoking the client (or deleting the row) ends it at once."""

    client = models.ForeignKey(PactClient, on_delete=models.CASCADE, related_name="tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"PACT token {self.pk}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class PactRequestState(models.TextChoices):
    OPEN = "open", pgettext_lazy("PACT request state", "Open")
    FULFILLED = "fulfilled", pgettext_lazy("PACT request state", "Fulfilled")
    REJECTED = "rejected", pgettext_lazy("PACT request state", "Rejected")


class PactRequest(models.Model):
    """A RequestCreated event a client sent: its criteria and, when it became one, the portal's data
    request to the supplier. It is answered once, by a RequestFulfilled or a RequestRejected event."""

    client = models.ForeignKey(PactClient, on_delete=models.PROTECT, related_name="requests")
    event_id = models.CharField(max_length=200)
    source = models.CharField(max_length=500)
    criteria = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True, max_length=2000)
    data_request = models.ForeignKey(
        "exchange.DataRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=12, choices=PactRequestState.choices, default=PactRequestState.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["data_request", "state"], name="pact_request_open")]

    def __str__(self) -> str:
        return f"PACT request {self.pk}"


class PactInboundEvent(models.Model):
    """Every event a client delivered (CloudEvents: `source` + `id` identify it), so a redelivery is
    acknowledged without being processed twice."""

    client = models.ForeignKey(PactClient, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=200)
    source = models.CharField(max_length=500)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["client", "source", "event_id"], name="pact_inbound_event_once")
        ]

    def __str__(self) -> str:
        return f"PACT event {self.event_id}"


class DeliveryKind(models.TextChoices):
    PUBLISHED = "published", _("Published")
    FULFILLED = "fulfilled", _("Request fulfilled")
    REJECTED = "rejected", _("Request rejected")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class PactDelivery(models.Model):
    """An event the portal owes a client (outbox): written in the transaction that caused it, sent by a
    Celery task with exponential back-off, abandoned after the spec's 72 hours. The payload is built at
    send time from the client's own view of the footprints, so nothing stale or unreleased leaves."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # the CloudEvent id
    client = models.ForeignKey(PactClient, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=12, choices=DeliveryKind.choices)
    pact_request = models.ForeignKey(
        PactRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    answer = models.ForeignKey(
        "exchange.Answer", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    error_code = models.CharField(max_length=20, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["state", "created_at"], name="pact_delivery_pending")]

    def __str__(self) -> str:
        return f"PACT delivery {self.public_id}"
