"""The alert digest: once a day, the authorities' members are told in the portal and by e-mail how many
new alerts of which kind were raised. Counts and kinds only (alerts name no company), with a link to the
alerts page, where the access rules decide what each reader sees."""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.utils import timezone

from portal.notifications.services import notify
from portal.tenancy.models import Membership, OrganizationKind, OrganizationStatus

from .models import Alert, AlertKind, Severity


@transaction.atomic
def send_digest() -> int:
    """Digest the alerts not yet digested; returns how many. Idempotent: each alert is digested once."""
    alerts = list(Alert.objects.select_for_update(skip_locked=True).filter(digested_at__isnull=True))
    if not alerts:
        return 0
    kinds = Counter(alert.kind for alert in alerts)
    severities = Counter(alert.severity for alert in alerts)
    recipients = [
        membership.user
        for membership in Membership.objects.filter(
            is_active=True,
            organization__kind=OrganizationKind.AUTHORITY,
            organization__status=OrganizationStatus.ACTIVE,
        ).select_related("user")
    ]
    notify(
        recipients=recipients,
        event="oversight.alert_digest",
        template="oversight_alert_digest",
        context={
            "total": len(alerts),
            "high": severities[Severity.HIGH] + severities[Severity.BREACH],
            **{kind.value: kinds[kind.value] for kind in AlertKind},
        },
        url="/oversight/alerts/",
    )
    Alert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(digested_at=timezone.now())
    return len(alerts)
