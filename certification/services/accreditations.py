"""Operators' writes to the certification catalogue: schemes (with their standards and criteria) and the
accreditations of certification bodies. The Django admin calls these; each is atomic, checks that the actor
is a platform operator, validates the row as the model states it and writes an audit entry (an
accreditation's entry goes to the body's own audit log too)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.tenancy.models import Organization
from portal.tenancy.policies import is_operator

from ..models import Accreditation, Answer, Criterion, Evidence, Scheme, Standard, Verdict

SCHEME_FIELDS = (
    "code",
    "name",
    "name_ja",
    "name_de",
    "owner",
    "version",
    "description",
    "description_ja",
    "description_de",
    "number_format",
    "scope_kind",
    "validity_kind",
    "validity_months",
    "valid_until_date",
    "valid_until_label",
    "is_active",
)
#: What an accreditation change may touch: the body and the scheme are the accreditation itself.
ACCREDITATION_FIELDS = ("body_code", "valid_from", "valid_until")
STANDARD_FIELDS = ("position", "code", "title", "version")
CRITERION_FIELDS = (
    "position",
    "code",
    "method",
    "mandatory",
    "text",
    "text_ja",
    "text_de",
    "evidence_expected",
    "evidence_expected_ja",
    "evidence_expected_de",
)


def _require_operator(actor: Any) -> None:
    if not is_operator(actor):
        raise PermissionDenied


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _apply(instance: Any, data: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    """Copy the given fields of `data` onto `instance`; the names of those that changed."""
    changed = []
    for field in fields:
        if field in data and getattr(instance, field) != data[field]:
            setattr(instance, field, data[field])
            changed.append(field)
    return changed


# ---- accreditations -----------------------------------------------------------------------------------
def _accreditation_details(accreditation: Accreditation) -> dict[str, Any]:
    return {
        "scheme": accreditation.scheme.code,
        "body_code": accreditation.body_code,
        "valid_from": _day(accreditation.valid_from),
        "valid_until": _day(accreditation.valid_until),
    }


@transaction.atomic
def accreditation_create(
    *,
    actor: Any,
    body: Organization,
    scheme: Scheme,
    body_code: str,
    valid_from: date,
    valid_until: date | None = None,
) -> Accreditation:
    """Accredit a certification body for a scheme (only certification bodies; the body code is unique per
    scheme and numbers the certificates it issues)."""
    _require_operator(actor)
    accreditation = Accreditation(
        body=body, scheme=scheme, body_code=body_code, valid_from=valid_from, valid_until=valid_until
    )
    accreditation.full_clean()
    accreditation.save()
    audit_record(
        actor=actor,
        action="accreditation.granted",
        organization=body,
        target=accreditation,
        details=_accreditation_details(accreditation),
    )
    return accreditation


@transaction.atomic
def accreditation_update(*, actor: Any, accreditation: Accreditation, data: dict[str, Any]) -> Accreditation:
    """Change an accreditation's body code or period (e.g. end it early). Another body or scheme is another
    accreditation: withdraw this one and grant that one."""
    _require_operator(actor)
    accreditation = (
        Accreditation.objects.select_for_update().select_related("body", "scheme").get(pk=accreditation.pk)
    )
    changed = _apply(accreditation, data, ACCREDITATION_FIELDS)
    if not changed:
        return accreditation
    accreditation.full_clean()
    accreditation.save(update_fields=changed)
    audit_record(
        actor=actor,
        action="accreditation.changed",
        organization=accreditation.body,
        target=accreditation,
        details={**_accreditation_details(accreditation), "fields": changed},
    )
    return accreditation


@transaction.atomic
def accreditation_withdraw(*, actor: Any, accreditation: Accreditation) -> None:
    """Delete an accreditation entered by mistake (to end a real one, set its end date: certificates keep
    their numbers either way)."""
    _require_operator(actor)
    accreditation = Accreditation.objects.select_related("body", "scheme").get(pk=accreditation.pk)
    audit_record(
        actor=actor,
        action="accreditation.withdrawn",
        organization=accreditation.body,
        target=accreditation,
        details=_accreditation_details(accreditation),
    )
    accreditation.delete()


# ---- schemes --------------------------------------------------------------------------------------------
@transaction.atomic
def scheme_create(*, actor: Any, data: dict[str, Any]) -> Scheme:
    _require_operator(actor)
    scheme = Scheme(**{field: data[field] for field in SCHEME_FIELDS if field in data})
    scheme.full_clean()
    scheme.save()
    audit_record(actor=actor, action="scheme.created", target=scheme, details={"code": scheme.code})
    return scheme


@transaction.atomic
def scheme_update(*, actor: Any, scheme: Scheme, data: dict[str, Any]) -> Scheme:
    _require_operator(actor)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    changed = _apply(scheme, data, SCHEME_FIELDS)
    if not changed:
        return scheme
    scheme.full_clean()
    scheme.save(update_fields=changed)
    audit_record(
        actor=actor, action="scheme.updated", target=scheme, details={"code": scheme.code, "fields": changed}
    )
    return scheme


def _save_part(actor: Any, scheme: Scheme, part: Standard | Criterion, fields: tuple[str, ...]) -> None:
    kind = part._meta.model_name
    adding = part.pk is None
    if not adding:
        stored = type(part).objects.select_for_update().get(pk=part.pk, scheme=scheme)
        changed = _apply(stored, {field: getattr(part, field) for field in fields}, fields)
        if not changed:
            return
        part = stored
    part.scheme = scheme
    part.full_clean()
    part.save()
    audit_record(
        actor=actor,
        action=f"scheme.{kind}_{'added' if adding else 'changed'}",
        target=scheme,
        details={"code": scheme.code, kind: part.code},
    )


def criterion_in_use(criterion: Criterion) -> bool:
    """Whether applications answered, evidenced or judged the criterion: it is part of their record."""
    return any(model.objects.filter(criterion=criterion).exists() for model in (Answer, Evidence, Verdict))


@transaction.atomic
def scheme_parts_save(
    *,
    actor: Any,
    scheme: Scheme,
    standards: list[Standard] = (),
    criteria: list[Criterion] = (),
    deleted_standards: list[Standard] = (),
    deleted_criteria: list[Criterion] = (),
) -> None:
    """Add, change and delete a scheme's standards and criteria. A criterion that applications have
    answered or a reviewer has judged is never deleted (their record refers to it): deactivate the scheme
    and publish a new version instead."""
    _require_operator(actor)
    for criterion in deleted_criteria:
        if criterion_in_use(criterion):
            raise ValidationError(
                _("Criterion %(code)s is part of applications' records and cannot be deleted.")
                % {"code": criterion.code}
            )
    for part in (*deleted_standards, *deleted_criteria):
        kind = part._meta.model_name
        audit_record(
            actor=actor,
            action=f"scheme.{kind}_deleted",
            target=scheme,
            details={"code": scheme.code, kind: part.code},
        )
        part.delete()
    for standard in standards:
        _save_part(actor, scheme, standard, STANDARD_FIELDS)
    for criterion in criteria:
        _save_part(actor, scheme, criterion, CRITERION_FIELDS)
