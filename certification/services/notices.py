"""Who is told about what. Notifications carry only names, numbers and states (they are also e-mailed):
never answers, evidence or passport data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

from portal.notifications.services import notify
from portal.tenancy.models import Role
from portal.text import stored_texts

from ..models import Application, Certificate, CertificateStatus

User = get_user_model()


def _members(organization_id: int, roles: Iterable[str]) -> models.QuerySet:
    return User.objects.filter(
        membership__organization_id=organization_id,
        membership__role__in=list(roles),
        membership__is_active=True,
        is_active=True,
    )


def applicant_admins(application: Application) -> models.QuerySet:
    return _members(application.organization_id, (Role.ADMIN,))


def body_leads(application: Application) -> models.QuerySet:
    return _members(application.body_id, (Role.LEAD,))


def holder_admins(certificate: Certificate) -> models.QuerySet:
    return _members(certificate.holder_id, (Role.ADMIN,))


def reviewer_of(application: Application) -> list:
    return [application.reviewer] if application.reviewer_id else []


def _application_context(application: Application, extra: dict[str, Any] | None) -> dict[str, Any]:
    return {
        # In every language the scheme's name has: each reader sees theirs.
        "scheme": stored_texts(application.scheme, "name"),
        "applicant": application.organization.legal_name,
        "body": application.body.legal_name,
        "reference": str(application.public_id)[:8],
        **(extra or {}),
    }


def tell_about_application(
    application: Application, *, event: str, recipients: Iterable, extra: dict[str, Any] | None = None
) -> None:
    notify(
        recipients=recipients,
        event=f"application.{event}",
        template=f"application_{event}",
        context=_application_context(application, extra),
        url=reverse("certification:application_detail", args=[application.public_id]),
    )


def tell_about_certificate(
    certificate: Certificate, *, event: str, recipients: Iterable, extra: dict[str, Any] | None = None
) -> None:
    notify(
        recipients=recipients,
        event=f"certificate.{event}",
        template=f"certificate_{event}",
        context={
            "number": certificate.number,
            "scheme": stored_texts(certificate.scheme, "name"),
            "holder": certificate.holder_name,
            "valid_until": certificate.valid_until.isoformat(),
            # Lazily translated: shown in each reader's language (portal/notifications/rendering.py).
            "status": CertificateStatus(certificate.status).label,
            **(extra or {}),
        },
        url=reverse("certification:certificate_detail", args=[certificate.number]),
    )
