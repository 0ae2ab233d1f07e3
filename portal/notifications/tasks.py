"""E-mailing notifications. Tasks take ids only and re-read the state, so a rerun sends nothing twice."""

from __future__ import annotations

from datetime import timedelta
from itertools import batched

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.mail import send_templated_mail

from .models import Notification

#: The sweep leaves fresh notifications to their own task and gives up on very old ones.
SWEEP_GRACE = timedelta(minutes=10)
SWEEP_HORIZON = timedelta(days=2)
SWEEP_BATCH = 100


def _email_one(notification_id: int) -> bool:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return False
        recipient = notification.recipient
        if not recipient.is_active or not recipient.email:
            return False
        send_templated_mail(
            template="notification",
            to=[recipient.email],
            context={
                "title": notification.title,
                "body": notification.body,
                "open_url": settings.SITE_URL + reverse("notifications:open", args=[notification.public_id]),
            },
            language=recipient.preferred_language,
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail each notification once (each under its own row lock); returns how many were sent."""
    return sum(1 for notification_id in notification_ids if _email_one(notification_id))


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50)
def resend_unsent_notification_emails() -> int:
    """Periodic sweep: re-enqueue e-mails whose task was lost (Redis keeps nothing on disk)."""
    return unsent_emails_enqueue(grace=SWEEP_GRACE)


def unsent_emails_enqueue(*, grace: timedelta) -> int:
    """Queue the e-mails of notifications older than `grace` that were never sent."""
    now = timezone.now()
    ids = list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            created_at__lte=now - grace,
            created_at__gte=now - SWEEP_HORIZON,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .order_by("created_at")
        .values_list("pk", flat=True)[: SWEEP_BATCH * 10]
    )
    for chunk in batched(ids, SWEEP_BATCH):
        send_notification_emails.delay(list(chunk))
    return len(ids)
