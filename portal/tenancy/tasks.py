"""E-mails about organizations. Tasks take ids only and re-read the state they report."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.mail import send_templated_mail

from .models import Invitation, Membership, Organization, OrganizationStatus, Role


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50)
def send_organization_decision_email(organization_id: int) -> bool:
    """Tell the organization's administrators that it was approved, rejected or suspended (once)."""
    with transaction.atomic():
        org = Organization.objects.select_for_update().filter(pk=organization_id).first()
        if org is None or org.decision_notified_at is not None or org.status == OrganizationStatus.PENDING:
            return False
        admins = Membership.objects.filter(
            organization=org, role__in=(Role.ADMIN, Role.LEAD), is_active=True
        ).select_related("user")
        for membership in admins:
            send_templated_mail(
                template=f"organization_{org.status}",
                to=[membership.user.email],
                context={
                    "organization": org,
                    "user": membership.user,
                    "login_url": settings.SITE_URL + reverse("accounts:login"),
                },
                language=membership.user.preferred_language,
            )
        org.decision_notified_at = timezone.now()
        org.save(update_fields=["decision_notified_at"])
    return True


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50)
def notify_operators_of_registration(organization_id: int) -> bool:
    org = Organization.objects.filter(pk=organization_id, status=OrganizationStatus.PENDING).first()
    if org is None or not settings.PASSBRIDGE_OPERATOR_EMAILS:
        return False
    admin_url = settings.SITE_URL + reverse("admin:tenancy_organization_change", args=[org.pk])
    send_templated_mail(
        template="registration_received",
        to=settings.PASSBRIDGE_OPERATOR_EMAILS,
        context={"organization": org, "admin_url": admin_url},
    )
    return True


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50)
def send_invitation_email(invitation_id: int) -> bool:
    from .services import invitation_token

    invitation = (
        Invitation.objects.select_related("organization", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.is_open:
        return False
    url = settings.SITE_URL + reverse("tenancy:invitation_accept", args=[invitation_token(invitation)])
    language = invitation.invited_by.preferred_language if invitation.invited_by else "en"
    send_templated_mail(
        template="invitation",
        to=[invitation.email],
        context={
            "invitation": invitation,
            "accept_url": url,
            "valid_days": settings.PASSBRIDGE_INVITATION_MAX_AGE // 86400,
        },
        language=language,
    )
    return True


DECIDED = (OrganizationStatus.ACTIVE, OrganizationStatus.REJECTED, OrganizationStatus.SUSPENDED)
#: A decision e-mail not sent this long after the decision was lost (its task with a Redis outage, say).
DECISION_EMAIL_GRACE = 120


@shared_task(time_limit=60, soft_time_limit=50)
def resend_lost_decision_emails() -> int:
    """Queue again the decision e-mails that were never sent (`decision_notified_at` still empty a while
    after the decision): the send task itself records when it has sent, so a repeat sends nothing twice."""
    return decision_emails_enqueue(grace=timedelta(seconds=DECISION_EMAIL_GRACE))


def decision_emails_enqueue(*, grace: timedelta) -> int:
    """Queue the decision e-mails still unsent `grace` after the decision."""
    cutoff = timezone.now() - grace
    lost = Organization.objects.filter(
        decision_notified_at__isnull=True, decided_at__lte=cutoff, status__in=DECIDED
    ).values_list("pk", flat=True)
    count = 0
    for organization_id in lost:
        send_organization_decision_email.delay(organization_id)
        count += 1
    return count
