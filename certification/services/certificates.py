"""Issuing certificates, mutual recognition, and the certificate lifecycle (suspend, reinstate, revoke,
expire), always carried over from an origin to every certificate recognised from it."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.audit.services import audit_record
from portal.enqueue import queue_after_commit
from portal.exceptions import InvalidTransition
from portal.tenancy.models import Organization

from .. import policies
from ..documents.services import documents_enqueue_issued
from ..models import (
    Accreditation,
    Application,
    Certificate,
    CertificateEvent,
    CertificateStatus,
    RecognitionAgreement,
    Scheme,
)
from . import notices
from .numbering import lock_sequences, next_number, validity_end

#: Days before expiry on which holders are reminded, with the field that records the reminder.
REMINDERS = ((60, "reminded_60_at"), (30, "reminded_30_at"))


def _holder_facts(holder: Organization) -> dict[str, Any]:
    return {
        "holder": holder,
        "holder_name": holder.legal_name,
        "holder_country": str(holder.country),
        "holder_bpnl": holder.bpnl or "",
        "holder_corporate_number": holder.corporate_number or "",
        "holder_lei": holder.lei or "",
    }


def _standards(scheme: Scheme) -> list[dict[str, str]]:
    return [{"code": s.code, "title": s.title, "version": s.version} for s in scheme.standards.all()]


def _scope(application: Application) -> dict[str, Any]:
    """What was certified, as it was on the day (names and identifiers, never passport values)."""
    return {
        "organization": application.organization.legal_name,
        "battery_models": [
            {
                "id": str(m.public_id),
                "name": m.name,
                "manufacturer_part_id": m.manufacturer_part_id,
                "category": m.category,
            }
            for m in application.battery_models.order_by("name")
        ],
        "passports": [
            {"id": str(p.public_id), "unique_identifier": p.unique_identifier}
            for p in application.passports.order_by("unique_identifier")
        ],
        "sites": [
            {
                "id": str(s.public_id),
                "name": s.name,
                "bpn": s.bpn or "",
                "country": str(s.country),
                "city": s.city,
            }
            for s in application.sites.order_by("name")
        ],
    }


def _event(certificate: Certificate, *, actor, previous: str, reason: str = "") -> None:
    CertificateEvent.objects.create(
        certificate=certificate,
        from_status=previous,
        to_status=certificate.status,
        reason=reason,
        actor=actor,
    )
    details = {"number": certificate.number, "status": certificate.status}
    for organization in {certificate.holder, certificate.issuing_body}:
        audit_record(
            actor=actor,
            action=f"certificate.{certificate.status if previous else 'issued'}",
            organization=organization,
            target=certificate,
            details=details,
        )


def certificate_issue(*, application: Application, actor, conditions: str = "") -> Certificate:
    """Issue the certificate of an approved application and, in the same transaction, the certificates
    recognised from it. Called by `application_approve` inside its transaction and row lock."""
    today = timezone.localdate()
    scheme, body = application.scheme, application.body
    accreditation = policies.accreditation_on(body, scheme, today)
    if accreditation is None:
        raise ValidationError({"body": [_("The body is not accredited for this scheme today.")]})
    partners = [
        agreement.to_scheme
        for agreement in RecognitionAgreement.objects.filter(from_scheme=scheme).select_related("to_scheme")
    ]
    lock_sequences(schemes=[scheme, *partners], body=body)
    now = timezone.now()
    certificate = Certificate.objects.create(
        number=next_number(scheme=scheme, body=body, body_code=accreditation.body_code, day=today),
        scheme=scheme,
        scheme_version=scheme.version,
        **_holder_facts(application.organization),
        standards=_standards(scheme),
        scope=_scope(application),
        conditions=conditions,
        issuing_body=body,
        issuing_body_name=body.legal_name,
        reviewer=application.reviewer,
        reviewer_name=application.reviewer.get_full_name() or application.reviewer.get_username(),
        application=application,
        issued_at=now,
        valid_from=today,
        valid_until=validity_end(scheme, today),
        status=CertificateStatus.VALID,
        status_changed_at=now,
    )
    certificate.battery_models.set(application.battery_models.all())
    certificate.sites.set(application.sites.all())
    _event(certificate, actor=actor, previous="")
    certificate_recognise(origin=certificate, actor=actor)
    # The signed PDFs (this one and the recognised ones) are rendered by the "pdf" worker once committed;
    # robust: a failed enqueue never undoes an approval, the documents sweep catches it up.
    queue_after_commit(partial(documents_enqueue_issued, certificate.pk), what="certificate documents")
    return certificate


def _body_code(body: Organization, schemes: list[Scheme], day: date) -> str:
    """The body's code under the partner scheme when it is accredited there, else under the origin's."""
    for scheme in schemes:
        accreditation = policies.accreditation_on(body, scheme, day)
        if accreditation is not None:
            return accreditation.body_code
    fallback = Accreditation.objects.filter(body=body, scheme__in=schemes).order_by("-valid_from").first()
    if fallback is None:
        raise ValidationError(_("The issuing body has no accreditation to number the certificate with."))
    return fallback.body_code


def certificate_recognise(*, origin: Certificate, actor=None) -> list[Certificate]:
    """Issue the recognised certificates the agreements of the origin's scheme call for. Idempotent: an
    existing recognised certificate is kept (and the database refuses a second one); a recognised
    certificate is never recognised further."""
    if origin.is_recognised or origin.status != CertificateStatus.VALID:
        return []
    today = timezone.localdate()
    issued = []
    agreements = RecognitionAgreement.objects.filter(from_scheme=origin.scheme).select_related("to_scheme")
    for agreement in agreements:
        partner = agreement.to_scheme
        if not agreement.covers(today) or Certificate.objects.filter(origin=origin, scheme=partner).exists():
            continue
        try:
            valid_until = min(
                origin.valid_until, validity_end(partner, today, max_months=agreement.max_validity_months)
            )
        except ValidationError:
            continue  # the partner scheme no longer issues certificates: nothing to recognise into
        scope = {"organization": origin.scope.get("organization", origin.holder_name)}
        if not agreement.organization_only:
            scope = origin.scope
        now = timezone.now()
        try:
            with transaction.atomic():
                recognised = Certificate.objects.create(
                    number=next_number(
                        scheme=partner,
                        body=origin.issuing_body,
                        body_code=_body_code(origin.issuing_body, [partner, origin.scheme], today),
                        day=today,
                    ),
                    scheme=partner,
                    scheme_version=partner.version,
                    **_holder_facts(origin.holder),
                    standards=_standards(partner),
                    scope=scope,
                    conditions="\n".join(filter(None, [origin.conditions, agreement.conditions])),
                    issuing_body=origin.issuing_body,
                    issuing_body_name=origin.issuing_body_name,
                    reviewer=origin.reviewer,
                    reviewer_name=origin.reviewer_name,
                    origin=origin,
                    agreement=agreement,
                    issued_at=now,
                    valid_from=min(today, valid_until),
                    valid_until=valid_until,
                    status=CertificateStatus.VALID,
                    status_changed_at=now,
                )
        except IntegrityError:
            continue  # recognised concurrently: the other transaction's certificate stands
        if not agreement.organization_only:
            recognised.battery_models.set(origin.battery_models.all())
            recognised.sites.set(origin.sites.all())
        _event(recognised, actor=actor, previous="")
        issued.append(recognised)
    for recognised in issued:
        notices.tell_about_certificate(
            recognised,
            event="recognised",
            recipients=notices.holder_admins(recognised),
            extra={"origin": origin.number},
        )
    return issued


# --- Lifecycle --------------------------------------------------------------------------------------


def _lock(certificate: Certificate) -> Certificate:
    return Certificate.objects.select_for_update().select_related("scheme").get(pk=certificate.pk)


def _set_status(certificate: Certificate, *, status: str, actor, reason: str) -> None:
    previous = certificate.status
    certificate.status = status
    certificate.status_reason = reason
    certificate.status_changed_at = timezone.now()
    certificate.save(update_fields=["status", "status_reason", "status_changed_at"])
    _event(certificate, actor=actor, previous=previous, reason=reason)


def _change(
    certificate: Certificate, *, actor, status: str, allowed_from: tuple[str, ...], reason: str, event: str
) -> list[Certificate]:
    """Move the origin and every certificate recognised from it that is in a state allowing the move."""
    if certificate.status not in allowed_from:
        raise InvalidTransition(
            _("A certificate in the status “%(status)s” cannot be %(action)s.")
            % {"status": certificate.get_status_display(), "action": event}
        )
    _set_status(certificate, status=status, actor=actor, reason=reason)
    changed = [certificate]
    for recognised in certificate.recognised.select_for_update().filter(status__in=allowed_from):
        _set_status(recognised, status=status, actor=actor, reason=reason)
        changed.append(recognised)
    for item in changed:
        notices.tell_about_certificate(
            item, event="status_changed", recipients=notices.holder_admins(item), extra={"reason": reason}
        )
    return changed


def _authorise(actor, certificate: Certificate) -> None:
    if certificate.is_recognised:
        raise InvalidTransition(
            _("A recognised certificate follows its origin %(origin)s: change the origin instead.")
            % {"origin": certificate.origin.number}
        )
    if not policies.may_change_certificate_status(actor, certificate):
        raise PermissionDenied(_("Only the issuing body can change the status of this certificate."))


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    return reason


@transaction.atomic
def certificate_suspend(*, actor, certificate: Certificate, reason: str) -> Certificate:
    _authorise(actor, certificate)
    reason = _required_reason(reason)
    _change(
        _lock(certificate),
        actor=actor,
        status=CertificateStatus.SUSPENDED,
        allowed_from=(CertificateStatus.VALID,),
        reason=reason,
        event=pgettext("action", "suspended"),
    )
    return certificate


@transaction.atomic
def certificate_reinstate(*, actor, certificate: Certificate, reason: str = "") -> Certificate:
    _authorise(actor, certificate)
    certificate = _lock(certificate)
    if certificate.status == CertificateStatus.SUSPENDED and certificate.valid_until < timezone.localdate():
        raise InvalidTransition(_("The certificate's validity has ended: it cannot be reinstated."))
    _change(
        certificate,
        actor=actor,
        status=CertificateStatus.VALID,
        allowed_from=(CertificateStatus.SUSPENDED,),
        reason=(reason or "").strip(),
        event=pgettext("action", "reinstated"),
    )
    return certificate


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason: str) -> Certificate:
    _authorise(actor, certificate)
    reason = _required_reason(reason)
    _change(
        _lock(certificate),
        actor=actor,
        status=CertificateStatus.REVOKED,
        allowed_from=(CertificateStatus.VALID, CertificateStatus.SUSPENDED),
        reason=reason,
        event=pgettext("action", "revoked"),
    )
    return certificate


def certificates_expire(*, today: date | None = None) -> list[str]:
    """Expire every certificate whose validity has ended (and, with its origin, each recognised one).
    Run by the beat schedule; each certificate in its own transaction, so one failure stops nothing."""
    today = today or timezone.localdate()
    live = (CertificateStatus.VALID, CertificateStatus.SUSPENDED)
    expired = []
    due = Certificate.objects.filter(status__in=live, valid_until__lt=today, origin__isnull=True)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            certificate = Certificate.objects.select_for_update().filter(pk=pk, status__in=live).first()
            if certificate is None:
                continue
            changed = _change(
                certificate,
                actor=None,
                status=CertificateStatus.EXPIRED,
                allowed_from=live,
                reason=_("The validity period ended."),
                event=pgettext("action", "expired"),
            )
            expired.extend(item.number for item in changed)
    # Recognised certificates end no later than their origin, but an agreement may have shortened them.
    for pk in Certificate.objects.filter(
        status__in=live, valid_until__lt=today, origin__isnull=False
    ).values_list("pk", flat=True):
        with transaction.atomic():
            certificate = Certificate.objects.select_for_update().filter(pk=pk, status__in=live).first()
            if certificate is not None:
                _set_status(certificate, status=CertificateStatus.EXPIRED, actor=None, reason="")
                expired.append(certificate.number)
    return expired


def certificates_remind(*, today: date | None = None) -> list[tuple[str, int]]:
    """Remind holders 60 and 30 days before a certificate ends, once each (the sent time is recorded in
    the same transaction as the reminder is queued)."""
    today = today or timezone.localdate()
    sent = []
    for days, field in REMINDERS:
        due = Certificate.objects.filter(
            status=CertificateStatus.VALID,
            origin__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=days),
            **{f"{field}__isnull": True},
        )
        for pk in due.values_list("pk", flat=True):
            with transaction.atomic():
                certificate = (
                    Certificate.objects.select_for_update(skip_locked=True)
                    .filter(pk=pk, **{f"{field}__isnull": True})
                    .select_related("scheme")
                    .first()
                )
                if certificate is None:
                    continue
                # A certificate first seen inside 30 days gets one reminder, not two at once.
                stamp = timezone.now()
                updates = {field: stamp}
                if days == 60 and (certificate.valid_until - today).days <= 30:
                    updates["reminded_30_at"] = stamp
                Certificate.objects.filter(pk=pk).update(**updates)
                remaining = (certificate.valid_until - today).days
                notices.tell_about_certificate(
                    certificate,
                    event="expiring",
                    recipients=notices.holder_admins(certificate),
                    extra={"days": remaining},
                )
                sent.append((certificate.number, days))
    return sent
