"""Every write to battery models, passports, versions, status, dynamic data and grants.

Values are dicts keyed by catalogue attribute keys; they are validated by the catalogue and stored
JSON-ready. Each function checks the policy, runs atomically and writes the audit log (never values:
audit details are shown to admins and must not carry data, least of all supply-chain facts).
"""

from __future__ import annotations

import json
from contextlib import suppress
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from portal.archiving import set_archived
from portal.audit.services import audit_record
from portal.deletion import ProtectedFromDeletion, refuse_if_protected
from portal.sql_rows import insert_instances, insert_rows
from portal.tenancy.groups import organization_group
from portal.tenancy.models import COMPANY_KINDS, Organization, OrganizationKind

from . import policies, public_json
from .catalogue import ATTRIBUTES, Level, attribute, validate_record, validate_value
from .completeness import completeness, obligation_day
from .models import (
    BatteryModel,
    DynamicDataPoint,
    Passport,
    PassportDocument,
    PassportVersion,
    StatusEvent,
    SupplyChainEntry,
    VersionState,
)
from .times import utc_offset_of

SUPPLY_CHAIN = "supply_chain"
#: Battery-level attributes with their own write paths: status events and appended dynamic data.
STATUS_KEY = "battery_status"
#: The code of a publication refused for a mandatory attribute without value (pages summarise these).
MISSING_CODE = "required_for_category"
DYNAMIC_KEYS = frozenset(a.key for a in ATTRIBUTES if a.timestamped and a.group is None)
MODEL_KEYS = frozenset(
    a.key
    for a in ATTRIBUTES
    if a.group is None and a.level is Level.MODEL and not a.system and a.key != SUPPLY_CHAIN
)
BATTERY_KEYS = frozenset(
    a.key
    for a in ATTRIBUTES
    if a.group is None
    and a.level is Level.BATTERY
    and not a.system
    and a.key != STATUS_KEY
    and a.key not in DYNAMIC_KEYS
)
#: The source document's metadata an imported draft keeps until it is published on the portal.
IMPORTED_METADATA_KEYS = frozenset(
    {
        "passport_version",
        "passport_status",
        "passport_issue_date",
        "passport_last_modification",
        "passport_expiration_date",
        "backup_reference",
        "registration_identifier",
    }
)
#: Metadata that is not about one version: every later version keeps it.
LASTING_METADATA_KEYS = frozenset({"passport_expiration_date", "backup_reference", "registration_identifier"})
REQUIRED_MODEL_KEYS = ("model_name", "manufacturer_part_id", "battery_category")
SUCCESSOR_STATUSES = ("repurposed", "remanufactured")


def _clean(values: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """Validated values (None marks a value to remove); every wrong key and value is reported at once."""
    if not isinstance(values, dict):
        raise ValidationError(_("Expected an object of attribute values."))
    errors: dict[str, list] = {
        key: [_("This attribute cannot be set here.")] for key in sorted(values) if key not in allowed
    }
    try:
        cleaned = validate_record({key: value for key, value in values.items() if key in allowed})
    except ValidationError as exc:
        errors.update(exc.message_dict)
        cleaned = {}
    if errors:
        raise ValidationError(errors)
    return {key: (None if value in ("", []) else value) for key, value in cleaned.items()}


def _merge(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**current, **changes}
    return {key: value for key, value in merged.items() if value is not None}


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def _require_company(organization: Organization) -> None:
    if organization.kind not in COMPANY_KINDS or not organization.is_active:
        raise PermissionDenied


# ---- battery models ------------------------------------------------------------------------------
@transaction.atomic
def battery_model_create(*, actor, organization: Organization, values: dict[str, Any]) -> BatteryModel:
    _require_company(organization)
    if not policies.can_create_models(actor, organization):
        raise PermissionDenied
    cleaned = _clean(values, MODEL_KEYS)
    missing = [key for key in REQUIRED_MODEL_KEYS if cleaned.get(key) in (None, "")]
    if missing:
        raise ValidationError({key: [_("This field is required.")] for key in missing})
    data = _jsonable(_merge({}, cleaned))
    model = BatteryModel(
        organization=organization,
        name=data["model_name"],
        manufacturer_part_id=data["manufacturer_part_id"],
        category=data["battery_category"],
        data=data,
    )
    _save_unique_model(model)
    audit_record(actor=actor, action="battery_model.created", organization=organization, target=model)
    return model


def _keep_published_identity(model: BatteryModel, data: dict[str, Any]) -> None:
    """Name, identifier and category are columns every reader sees (lists, search, the Catena-X look-up by
    part id): once a passport of the model is published they are published facts, so they stay."""
    current = {
        "model_name": model.name,
        "manufacturer_part_id": model.manufacturer_part_id,
        "battery_category": model.category,
    }
    changed = [key for key in REQUIRED_MODEL_KEYS if data[key] != current[key]]
    if changed and Passport.objects.published().filter(battery_model=model).exists():
        message = _("This cannot change once a passport of this model is published.")
        raise ValidationError({key: [message] for key in changed})


def _save_unique_model(model: BatteryModel) -> None:
    duplicate = BatteryModel.objects.filter(
        organization=model.organization, manufacturer_part_id=model.manufacturer_part_id
    )
    if model.pk:
        duplicate = duplicate.exclude(pk=model.pk)
    if duplicate.exists():
        raise ValidationError(
            {"manufacturer_part_id": [_("Your organization already has a model with this identifier.")]}
        )
    try:
        with transaction.atomic():
            model.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"manufacturer_part_id": [_("Your organization already has a model with this identifier.")]}
        ) from exc


@transaction.atomic
def battery_model_update(*, actor, battery_model: BatteryModel, values: dict[str, Any]) -> BatteryModel:
    if not policies.can_edit(actor, battery_model):
        raise PermissionDenied
    model = BatteryModel.objects.select_for_update().get(pk=battery_model.pk)
    data = _jsonable(_merge(model.data, _clean(values, MODEL_KEYS)))
    missing = [key for key in REQUIRED_MODEL_KEYS if data.get(key) in (None, "")]
    if missing:
        raise ValidationError({key: [_("This field is required.")] for key in missing})
    _keep_published_identity(model, data)
    model.data = data
    model.name, model.manufacturer_part_id, model.category = (
        data["model_name"],
        data["manufacturer_part_id"],
        data["battery_category"],
    )
    _save_unique_model(model)
    audit_record(
        actor=actor,
        action="battery_model.updated",
        organization=model.organization,
        target=model,
        details={"fields": sorted(values)},
    )
    return model


@transaction.atomic
def battery_model_delete(*, actor, battery_model: BatteryModel) -> None:
    if not policies.can_publish(actor, battery_model):
        raise PermissionDenied
    if battery_model.passports.exists():  # a conflict with the model's state (409), like the guards below
        refusal = _("A battery model with passports cannot be deleted.")
        if battery_model.archived_at is None:  # say what to do instead, unless it is done already
            refusal = " ".join(
                [refusal, _("Archive it instead: its passports keep it, and no new passport is made of it.")]
            )
        raise ProtectedFromDeletion(refusal)
    refuse_if_protected(battery_model)
    audit_record(
        actor=actor,
        action="battery_model.deleted",
        organization=battery_model.organization,
        target=battery_model,
    )
    battery_model.delete()


@transaction.atomic
def battery_model_archive(*, actor, battery_model: BatteryModel) -> BatteryModel:
    """Retire a model the company no longer makes: it leaves the lists and the choices for new passports
    and applications; its passports and the certificates covering it keep it. The same right as deleting
    (`can_publish`: the owner's administrators)."""
    if not policies.can_publish(actor, battery_model):
        raise PermissionDenied
    model = set_archived(battery_model, archived=True, refusal=_("This battery model is already archived."))
    audit_record(actor=actor, action="battery_model.archived", organization=model.organization, target=model)
    return model


@transaction.atomic
def battery_model_restore(*, actor, battery_model: BatteryModel) -> BatteryModel:
    """Bring an archived model back into use (new passports can be made of it again)."""
    if not policies.can_publish(actor, battery_model):
        raise PermissionDenied
    model = set_archived(battery_model, archived=False, refusal=_("This battery model is not archived."))
    audit_record(actor=actor, action="battery_model.restored", organization=model.organization, target=model)
    return model


def _refuse_archived_model(battery_model: BatteryModel, key: str) -> None:
    """No new passport of an archived model; `key` names the input that chose the model."""
    if battery_model.archived_at is not None:
        raise ValidationError(
            {key: [_("This battery model is archived: restore it before making new passports of it.")]}
        )


SUPPLY_CHAIN_FIELDS = {
    "material": "material",
    "country_of_origin": "country_of_origin",
    "mine_or_extraction_site": "mine_or_extraction_site",
    "refiner_processor": "refiner_processor",
    "refiner_country": "refiner_country",
    "supplier_name": "supplier_name",
    "supplier_identifier": "supplier_identifier",
    "procurement_amount": "procurement_amount",
    "procurement_unit": "procurement_unit",
    "procurement_period_start": "period_start",
    "procurement_period_end": "period_end",
    "recycled_share": "recycled_share",
    "assurance_scheme": "assurance_scheme",
}


@transaction.atomic
def supply_chain_replace(
    *, actor, battery_model: BatteryModel, rows: list[dict[str, Any]]
) -> list[SupplyChainEntry]:
    """Replace the model's confidential supply chain with `rows` (validated by the catalogue)."""
    if not policies.can_edit(actor, battery_model):
        raise PermissionDenied
    cleaned_rows = validate_value(attribute(SUPPLY_CHAIN), rows)
    errors: dict[str, list[str]] = {}
    for index, row in enumerate(cleaned_rows):
        for required in (
            "material",
            "country_of_origin",
            "supplier_name",
            "procurement_amount",
            "procurement_unit",
            "procurement_period_start",
            "procurement_period_end",
        ):
            if row.get(required) in (None, ""):
                errors[f"supply_chain[{index}].{required}"] = [_("This field is required.")]
        start, end = row.get("procurement_period_start"), row.get("procurement_period_end")
        if start and end and end < start:
            errors[f"supply_chain[{index}].procurement_period_end"] = [_("The period ends before it starts.")]
    if errors:
        raise ValidationError(errors)
    SupplyChainEntry.objects.filter(battery_model=battery_model).delete()
    entries = SupplyChainEntry.objects.bulk_create(
        SupplyChainEntry(
            battery_model=battery_model,
            **{
                column: (
                    row.get(key)
                    if row.get(key) is not None
                    else ("" if column not in ("recycled_share",) else None)
                )
                for key, column in SUPPLY_CHAIN_FIELDS.items()
            },
        )
        for row in cleaned_rows
    )
    # The audit entry records that it changed, never what it says.
    audit_record(
        actor=actor,
        action="supply_chain.replaced",
        organization=battery_model.organization,
        target=battery_model,
        details={"rows": len(entries)},
    )
    return entries


# ---- passports -------------------------------------------------------------------------------------
def _draft_of(passport: Passport) -> PassportVersion | None:
    return passport.versions.filter(state=VersionState.DRAFT).first()


def _latest(passport: Passport) -> PassportVersion | None:
    return passport.versions.order_by("-number").first()


@transaction.atomic
def passport_create(
    *, actor, battery_model: BatteryModel, values: dict[str, Any], predecessor: Passport | None = None
) -> Passport:
    if not policies.can_edit(actor, battery_model):
        raise PermissionDenied
    if predecessor is None:
        # A successor (a repurposed or remanufactured battery) continues a battery that already exists, so it
        # may follow its predecessor's model even when that model is archived; a new battery may not.
        _refuse_archived_model(battery_model, "battery_model")
    cleaned = _clean(values, BATTERY_KEYS)
    identifier = cleaned.get("unique_identifier")
    if not identifier:
        raise ValidationError({"unique_identifier": [_("This field is required.")]})
    if Passport.objects.filter(
        organization=battery_model.organization, unique_identifier=identifier
    ).exists():
        raise ValidationError(
            {"unique_identifier": [_("Your organization already has a passport with this identifier.")]}
        )
    passport = Passport(
        organization=battery_model.organization,
        battery_model=battery_model,
        unique_identifier=identifier,
        predecessor=predecessor,
        status=predecessor.status if predecessor else "original",
    )
    try:
        with transaction.atomic():
            passport.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"unique_identifier": [_("Your organization already has a passport with this identifier.")]}
        ) from exc
    PassportVersion.objects.create(passport=passport, number=1, data=_jsonable(_merge({}, cleaned)))
    audit_record(actor=actor, action="passport.created", organization=passport.organization, target=passport)
    return passport


@transaction.atomic
def passport_update(*, actor, passport: Passport, values: dict[str, Any]) -> PassportVersion:
    """Change the draft; after a publication the first edit starts a new draft from the latest version."""
    if not policies.can_edit(actor, passport):
        raise PermissionDenied
    passport = Passport.objects.select_for_update().get(pk=passport.pk)
    if passport.closed_at is not None:
        raise ValidationError(_("This passport is closed and can no longer change."))
    cleaned = _clean(values, BATTERY_KEYS)
    if "unique_identifier" in cleaned and cleaned["unique_identifier"] != passport.unique_identifier:
        raise ValidationError({"unique_identifier": [_("The unique product identifier cannot change.")]})
    draft = _draft_of(passport)
    if draft is None:
        latest = _latest(passport)
        kept = BATTERY_KEYS | LASTING_METADATA_KEYS
        base = {key: value for key, value in (latest.data if latest else {}).items() if key in kept}
        draft = PassportVersion(passport=passport, number=(latest.number + 1) if latest else 1, data=base)
    if "passport_last_modification" in draft.data:  # an imported draft keeps its document's date until now
        cleaned["passport_last_modification"] = timezone.localdate()
    draft.data = _jsonable(_merge(draft.data, cleaned))
    draft.save()
    audit_record(
        actor=actor,
        action="passport.draft_saved",
        organization=passport.organization,
        target=passport,
        details={"version": draft.number, "fields": sorted(values)},
    )
    return draft


def _system_values(passport: Passport, version: PassportVersion, now: datetime) -> dict[str, Any]:
    organization = passport.organization
    return {
        "passport_id": str(passport.public_id),
        "passport_version": str(version.number),
        "passport_status": "approved",
        "passport_issue_date": now.date().isoformat(),
        "passport_last_modification": now.date().isoformat(),
        "economic_operator_id": organization.bpnl or organization.corporate_number or organization.lei,
        "predecessor_passport_id": str(passport.predecessor.public_id) if passport.predecessor else None,
        "spec_version": "6.1.0",
    }


@transaction.atomic
def passport_publish(*, actor, passport: Passport, on: date | None = None) -> PassportVersion:
    """Validate everything and freeze the draft, with the model's values, as an immutable version.

    `on` is the day whose obligations the completeness check applies (default: `obligation_day()`, the
    later of today and the day passports become mandatory); it lets the check be run for a later day
    without moving the clock."""
    if not policies.can_publish(actor, passport):
        raise PermissionDenied
    passport = (
        Passport.objects.select_for_update(of=("self",))
        .select_related("battery_model", "organization", "predecessor")
        .get(pk=passport.pk)
    )
    draft = _draft_of(passport)
    if draft is None:
        raise ValidationError(_("There is no draft to publish: the latest version is already published."))
    model = passport.battery_model
    values = {**model.data, **draft.data}
    validate_record({key: value for key, value in values.items() if key in MODEL_KEYS | BATTERY_KEYS})
    # The status is kept on the passport (its own write path), not in the draft, yet it is a mandatory
    # attribute from 2027-02-18: the check must see it.
    values[STATUS_KEY] = passport.status
    # Judged on the day the completeness box judges (`obligation_day`): what the owner is told is missing is
    # exactly what keeps the passport from being published, also before the obligations apply.
    report = completeness(model.category, values, on=on or obligation_day())
    if not report.complete:
        raise ValidationError(
            {
                a.key: [ValidationError(_("Required for this battery category."), code=MISSING_CODE)]
                for a in report.missing
            }
        )
    now = timezone.now()
    draft.data = _jsonable({**values, **_system_values(passport, draft, now)})
    draft.data = {key: value for key, value in draft.data.items() if value is not None}
    draft.state = VersionState.PUBLISHED
    draft.published_at = now
    draft.published_by = actor
    draft.save()
    public_json.forget(passport.public_id)
    audit_record(
        actor=actor,
        action="passport.published",
        organization=passport.organization,
        target=passport,
        details={"version": draft.number},
    )
    return draft


@transaction.atomic
def passport_delete(*, actor, passport: Passport) -> None:
    if not policies.can_edit(actor, passport):
        raise PermissionDenied
    if passport.versions.filter(state=VersionState.PUBLISHED).exists():
        raise ValidationError(_("Only passports that were never published can be deleted."))
    if Passport.objects.filter(predecessor=passport).exists():
        raise ValidationError(_("A passport with a successor cannot be deleted."))
    refuse_if_protected(passport)
    audit_record(actor=actor, action="passport.deleted", organization=passport.organization, target=passport)
    passport.delete()


@transaction.atomic
def passport_close_received(*, actor, passport: Passport, recycler: Organization, note: str = "") -> Passport:
    """A recycler that received the battery for recycling closes its passport (status waste, closed).

    The caller (the end-of-life app) has established, by its own access rule, that `recycler` is the
    recipient of a transfer of this battery for recycling and that `actor` edits for it; passports know
    nothing of transfers, so this function only insists on an active recycler and an open passport."""
    if recycler.kind != OrganizationKind.RECYCLER or not recycler.is_active:
        raise PermissionDenied
    passport = Passport.objects.select_for_update().get(pk=passport.pk)
    if passport.closed_at is not None:
        return passport
    now = timezone.now()
    StatusEvent.objects.create(
        passport=passport, status="waste", note=note[:500], occurred_at=now, recorded_by=actor
    )
    passport.status = "waste"
    passport.closed_at = now
    passport.save(update_fields=["status", "closed_at"])
    public_json.forget(passport.public_id)
    audit_record(
        actor=actor,
        action="passport.recycled",
        organization=passport.organization,
        target=passport,
        details={"status": "waste", "closed": True},
    )
    return passport


@transaction.atomic
def passport_change_status(
    *,
    actor,
    passport: Passport,
    status: str,
    note: str = "",
    occurred_at: datetime | None = None,
    new_unique_identifier: str | None = None,
    recycled: bool = False,
) -> Passport:
    """Record a status change. Repurposing or remanufacturing creates a new passport linked to this one
    (returned); a recycled battery's passport is closed."""
    if not policies.can_edit(actor, passport):
        raise PermissionDenied
    passport = Passport.objects.select_for_update().get(pk=passport.pk)
    status = validate_value(attribute(STATUS_KEY), status)
    if not status:
        raise ValidationError({"status": [_("Choose a battery status.")]})
    if passport.closed_at is not None:
        raise ValidationError(_("This passport is closed and can no longer change."))
    if hasattr(passport, "successor"):
        raise ValidationError(_("This battery already has a successor passport; change that one."))
    occurred_at = occurred_at or timezone.now()
    if occurred_at > timezone.now():
        raise ValidationError({"occurred_at": [_("The date cannot be in the future.")]})
    StatusEvent.objects.create(
        passport=passport, status=status, note=note[:500], occurred_at=occurred_at, recorded_by=actor
    )
    passport.status = status
    if recycled:
        if status != "waste":
            raise ValidationError({"recycled": [_("Only a battery that is waste can be recycled.")]})
        passport.closed_at = timezone.now()
        public_json.forget(passport.public_id)
    passport.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=actor,
        action="passport.status_changed",
        organization=passport.organization,
        target=passport,
        details={"status": status, "closed": recycled},
    )
    if status not in SUCCESSOR_STATUSES:
        return passport
    if not new_unique_identifier:
        message = _("A repurposed or remanufactured battery gets a new passport: give its identifier.")
        raise ValidationError({"new_unique_identifier": [message]})
    latest = _latest(passport)
    carried = {
        key: value
        for key, value in (latest.data if latest else {}).items()
        if key in BATTERY_KEYS and key != "unique_identifier"
    }
    return passport_create(
        actor=actor,
        battery_model=passport.battery_model,
        values={**carried, "unique_identifier": new_unique_identifier},
        predecessor=passport,
    )


@transaction.atomic
def dynamic_data_append(
    *, actor, passport: Passport, key: str, value: Any, measured_at: datetime
) -> DynamicDataPoint:
    if not policies.can_edit(actor, passport):
        raise PermissionDenied
    if key not in DYNAMIC_KEYS:
        raise ValidationError({"key": [_("This is not a dynamic data attribute.")]})
    if passport.closed_at is not None:
        raise ValidationError(_("This passport is closed and can no longer change."))
    if measured_at > timezone.now():
        raise ValidationError({"measured_at": [_("The time of measurement cannot be in the future.")]})
    target = attribute(key)
    cleaned = validate_value(target, value)
    if cleaned in (None, "", []):
        raise ValidationError({"value": [_("Enter a value.")]})
    point = DynamicDataPoint.objects.create(
        passport=passport,
        key=key,
        value=_jsonable({"v": cleaned})["v"],
        measured_at=measured_at,
        utc_offset=utc_offset_of(measured_at),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="passport.dynamic_data_added",
        organization=passport.organization,
        target=passport,
        details={"attribute": key},
    )
    return point


# ---- legitimate-interest grants -----------------------------------------------------------------------
def _grantee_check(owner: Organization, grantee: Organization) -> None:
    if grantee.pk == owner.pk:
        raise ValidationError({"organization": [_("Your own organization sees everything already.")]})
    if not policies.may_receive_grant(owner, grantee):
        raise ValidationError({"organization": [_("This organization cannot receive access.")]})


@transaction.atomic
def grant_legitimate_interest(*, actor, target: Passport | BatteryModel, organization: Organization) -> None:
    if not policies.can_grant(actor, target):
        raise PermissionDenied
    _grantee_check(target.organization, organization)
    assign_perm(
        f"view_legitimate_interest_{target._meta.model_name}", organization_group(organization), target
    )
    audit_record(
        actor=actor,
        action="grant.legitimate_interest_given",
        organization=target.organization,
        target=target,
        details={"grantee": str(organization.public_id)},
    )


@transaction.atomic
def revoke_legitimate_interest(*, actor, target: Passport | BatteryModel, organization: Organization) -> None:
    if not policies.can_grant(actor, target):
        raise PermissionDenied
    remove_perm(
        f"view_legitimate_interest_{target._meta.model_name}", organization_group(organization), target
    )
    audit_record(
        actor=actor,
        action="grant.legitimate_interest_revoked",
        organization=target.organization,
        target=target,
        details={"grantee": str(organization.public_id)},
    )


# ---- bulk import (Catena-X) ----------------------------------------------------------------------------
@transaction.atomic
def passports_import(
    *, actor, battery_model: BatteryModel, items: list[dict[str, Any]], values_checked: bool = False
) -> list[Passport]:
    """Create draft passports in bulk (the Catena-X import): a few queries for the whole batch.

    Each item: {"values": battery values, "status": battery status (default "original"),
    "dynamic": [(key, value, measured_at), ...], "predecessor": an optional Passport, "public_id": an
    optional passport identifier (UUID) the passport keeps, "metadata": the source document's metadata
    (`IMPORTED_METADATA_KEYS`) the draft keeps until it is published}. Validated like
    `passport_create` and `dynamic_data_append` (a predecessor like `passport_change_status`); any problem
    raises one `ValidationError` keyed "<index>.<key>" and nothing is stored. One audit entry per passport,
    without values.

    `values_checked=True`: the values and dynamic values are what the catalogue's `check_value` returned
    (the Catena-X reader validates each one where it stands in the document, to name its JSON path), so
    they are not validated a second time; cleaning is idempotent, so the second pass could only repeat
    the first (about a sixth of an import's CPU time). Keys, identifiers, statuses, measuring times and
    predecessors are checked either way."""
    if not policies.can_edit(actor, battery_model):
        raise PermissionDenied
    # Imports name the model by its part id, so the refusal is about that key.
    _refuse_archived_model(battery_model, "manufacturer_part_id")
    errors, predecessors = _predecessors(actor, battery_model, items)
    prepared: list[tuple[Passport, dict[str, Any], list[tuple[str, Any, datetime]]]] = []
    seen: set[str] = set()
    now = timezone.now()
    for index, item in enumerate(items):
        try:
            values = dict(item.get("values") or {})
            cleaned = _checked_keys(values, BATTERY_KEYS) if values_checked else _clean(values, BATTERY_KEYS)
            metadata = dict(item.get("metadata") or {})
            metadata = (
                _checked_keys(metadata, IMPORTED_METADATA_KEYS)
                if values_checked
                else _clean(metadata, IMPORTED_METADATA_KEYS)
            )
            status = validate_value(attribute(STATUS_KEY), item.get("status") or "original")
        except ValidationError as exc:
            errors.update({f"{index}.{key}": messages for key, messages in exc.message_dict.items()})
            continue
        identifier = cleaned.get("unique_identifier")
        if not identifier:
            errors[f"{index}.unique_identifier"] = [_("This field is required.")]
            continue
        if identifier in seen:
            errors[f"{index}.unique_identifier"] = [_("This identifier appears twice in the import.")]
            continue
        seen.add(identifier)
        points = []
        for key, value, measured_at in item.get("dynamic") or ():
            if key not in DYNAMIC_KEYS:
                errors[f"{index}.{key}"] = [_("This is not a dynamic data attribute.")]
            elif measured_at > now:
                errors[f"{index}.{key}"] = [_("The time of measurement cannot be in the future.")]
            else:
                try:
                    points.append((key, value if values_checked else validate_value(attribute(key), value),
                                   measured_at))  # fmt: skip
                except ValidationError as exc:
                    errors[f"{index}.{key}"] = exc.messages
        passport = Passport(
            organization=battery_model.organization,
            battery_model=battery_model,
            unique_identifier=identifier,
            status=status,
            predecessor=predecessors.get(index),
            **({"public_id": item["public_id"]} if item.get("public_id") else {}),
        )
        prepared.append((passport, {**metadata, **cleaned}, points))
    taken = set(
        Passport.objects.filter(
            organization=battery_model.organization, unique_identifier__in=seen
        ).values_list("unique_identifier", flat=True)
    )
    for index, (passport, _cleaned, _points) in enumerate(prepared):
        if passport.unique_identifier in taken:
            errors[f"{index}.unique_identifier"] = [
                _("Your organization already has a passport with this identifier.")
            ]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            passports = insert_instances([passport for passport, _c, _p in prepared])
    except IntegrityError as exc:  # a concurrent import took an identifier meanwhile
        raise ValidationError(
            {"unique_identifier": [_("Your organization already has a passport with this identifier.")]}
        ) from exc
    # The same rows `passport_create` and `dynamic_data_append` write, as plain tuples: a request of 500
    # official examples carries 9,000 dynamic data points, and model instances cost more than the insert.
    inserted_at, actor_id = timezone.now(), actor.pk
    insert_rows(
        PassportVersion,
        ("passport_id", "number", "state", "data", "created_at", "updated_at", "published_at",
         "published_by_id"),
        ((passport.pk, 1, VersionState.DRAFT.value, _merge({}, cleaned), inserted_at, inserted_at, None, None)
         for passport, cleaned, _points in prepared),
    )  # fmt: skip
    # A document's values are mostly measured at one time: each time's offset is worked out once.
    offsets = dict.fromkeys(at for _passport, _cleaned, points in prepared for _key, _value, at in points)
    for at in offsets:
        offsets[at] = utc_offset_of(at)
    insert_rows(
        DynamicDataPoint,
        ("passport_id", "key", "value", "measured_at", "utc_offset", "recorded_by_id", "created_at"),
        ((passport_id, key, value, at, offsets[at], actor_id, inserted_at)
         for passport_id, points in ((passport.pk, points) for passport, _cleaned, points in prepared)
         for key, value, at in points),
    )  # fmt: skip
    StatusEvent.objects.bulk_create(
        StatusEvent(passport=passport, status=passport.status, note="Imported", occurred_at=now,
                    recorded_by=actor)
        for passport in passports
        if passport.status != "original"
    )  # fmt: skip
    _audit_bulk(actor, "passport.imported", battery_model.organization, passports)
    _mirror_successor_status(actor, passports, now)
    return passports


def _checked_keys(values: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """`_clean` for values the catalogue already cleaned: the keys are checked, the values kept."""
    unknown = sorted(key for key in values if key not in allowed)
    if unknown:
        raise ValidationError({key: [_("This attribute cannot be set here.")] for key in unknown})
    return {key: (None if value in ("", []) else value) for key, value in values.items()}


def _predecessors(
    actor, battery_model: BatteryModel, items: list[dict[str, Any]]
) -> tuple[dict[str, list], dict[int, Passport]]:
    """(errors, predecessor per item index). A successor may only follow an open passport of the same
    organization, that the actor may edit and that has no successor yet (the rules of
    `passport_change_status`). The predecessors are locked so that a concurrent successor cannot slip in
    between this check and the insert."""
    wanted = {index: item["predecessor"] for index, item in enumerate(items) if item.get("predecessor")}
    if not wanted:
        return {}, {}
    locked = {
        passport.pk: passport
        for passport in Passport.objects.select_for_update().filter(pk__in={p.pk for p in wanted.values()})
    }
    taken = set(
        Passport.objects.filter(predecessor__in=list(locked)).values_list("predecessor_id", flat=True)
    )
    errors: dict[str, list] = {}
    resolved: dict[int, Passport] = {}
    for index, given in wanted.items():
        predecessor = locked.get(given.pk)
        key = f"{index}.predecessor_passport_id"
        if (
            predecessor is None
            or predecessor.organization_id != battery_model.organization_id
            or not policies.can_edit(actor, predecessor)
        ):
            errors[key] = [_("No passport of your organization has this passport identifier.")]
        elif predecessor.closed_at is not None:
            errors[key] = [_("This passport is closed and can no longer change.")]
        elif predecessor.pk in taken or predecessor in resolved.values():
            errors[key] = [_("This battery already has a successor passport; change that one.")]
        else:
            resolved[index] = predecessor
    return errors, resolved


def _mirror_successor_status(actor, passports: list[Passport], now: datetime) -> None:
    """As `passport_change_status` does, a repurposed or remanufactured successor's status is recorded on
    its predecessor too (the predecessor's own history then says why the battery has a new passport)."""
    for passport in passports:
        predecessor = passport.predecessor
        if predecessor is None or passport.status not in SUCCESSOR_STATUSES:
            continue
        if predecessor.status == passport.status:
            continue
        StatusEvent.objects.create(
            passport=predecessor,
            status=passport.status,
            note="Successor passport imported",
            occurred_at=now,
            recorded_by=actor,
        )
        predecessor.status = passport.status
        predecessor.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="passport.status_changed",
            organization=predecessor.organization,
            target=predecessor,
            details={"status": passport.status, "closed": False},
        )


def _audit_bulk(actor, action: str, organization: Organization, targets: list[Passport]) -> None:
    """The same entries as `audit_record`, written in one query (an import creates hundreds)."""
    from portal.audit.context import current_ip
    from portal.audit.models import AuditEvent

    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    label = (actor.get_username() if authenticated else "system")[:200]
    # As the field prepares it (an IPv6 address normalised, "" stored as NULL), once for every row.
    ip = AuditEvent._meta.get_field("ip_address").get_prep_value(current_ip.get()) or None
    now = timezone.now()
    insert_rows(
        AuditEvent,
        ("created_at", "actor_id", "actor_label", "organization_id", "action", "object_type", "object_id",
         "object_label", "ip_address", "details"),
        ((now, actor.pk if authenticated else None, label, organization.pk, action, target._meta.label_lower,
          str(target.public_id), str(target)[:200], ip, {}) for target in targets),
    )  # fmt: skip


# ---- uploaded documents -------------------------------------------------------------------------------
def document_upload(
    *, actor, target: BatteryModel | Passport, attribute_key: str, file: Any, title: str = ""
) -> PassportDocument:
    """Store an uploaded PDF or image for a document attribute of `target`: a battery model, or a passport
    for battery-level attributes. Editors and administrators of the owning company only.

    Every check (`document_files`) runs before a byte is written; then the file is written to private
    storage and the row inserted in its own transaction, and if that fails the file is removed again, so a
    refused or failed upload leaves nothing behind. (Should a caller's outer transaction roll back later,
    the file outlives its row: `document_files_sweep` removes such orphans.)"""
    from portal.uploads import check_upload

    from .document_files import check_attribute, check_title

    if not policies.can_manage_documents(actor, target):
        raise PermissionDenied
    passport = target if isinstance(target, Passport) else None
    if passport is not None and passport.closed_at is not None:
        raise ValidationError(_("This passport is closed and can no longer change."))
    errors: dict[str, list] = {}
    checked = kind = None
    try:
        kind = check_attribute(attribute_key, Level.BATTERY if passport else Level.MODEL)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        checked = check_upload(file)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        title = check_title(title, checked.name if checked else "")
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors or checked is None or kind is None:
        raise ValidationError(errors)
    battery_model = passport.battery_model if passport else target
    document = PassportDocument(
        battery_model=battery_model,
        passport=passport,
        attribute_key=kind.key,
        title=title,
        original_name=checked.name,
        content_type=checked.kind.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    document.file.save(checked.name, file, save=False)
    try:
        with transaction.atomic():
            # The owner must still exist when the row arrives (a concurrent delete waits or wins here).
            if not type(target).objects.select_for_update().filter(pk=target.pk).exists():
                raise ValidationError(_("This battery model or passport no longer exists."))
            document.save()
            audit_record(
                actor=actor,
                action="document.uploaded",
                organization=battery_model.organization,
                target=document,
                # Facts only: the title and file name can be restricted, and admins read audit details.
                details={"attribute": kind.key, "size": checked.size, "sha256": checked.sha256},
            )
    except BaseException:
        # The original error matters more than a failed clean-up; the sweep removes what is left.
        with suppress(OSError):
            document.file.storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def document_delete(*, actor, document: PassportDocument) -> None:
    """Delete a document; its file goes once the deletion is committed (`models._delete_document_file`)."""
    target = document.passport if document.passport_id is not None else document.battery_model
    if not policies.can_manage_documents(actor, target):
        raise PermissionDenied
    if document.passport_id is not None and document.passport.closed_at is not None:
        raise ValidationError(_("This passport is closed and can no longer change."))
    audit_record(
        actor=actor,
        action="document.deleted",
        organization=document.battery_model.organization,
        target=document,
        details={"attribute": document.attribute_key},
    )
    document.delete()


def document_access_record(*, actor, document: PassportDocument, viewer: str) -> None:
    """The access log of restricted documents: who outside the owner company downloaded which one."""
    audit_record(
        actor=actor,
        action="document.downloaded",
        organization=document.battery_model.organization,
        target=document,
        details={"attribute": document.attribute_key, "viewer": str(viewer)},
    )


def restricted_read_record(*, actor, target: Passport | BatteryModel, viewer: str) -> None:
    """The access log ("who saw what"): a reader outside the owner company opened confidential
    (an assigned certifier) or authority-only data. Kept in the owner's audit log, visible to its admins
    and to operators; facts only, never the values read."""
    audit_record(
        actor=actor,
        action=f"{target._meta.model_name}.read_restricted",
        organization=target.organization,
        target=target,
        details={"viewer": str(viewer)},
    )


def document_files_sweep(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Remove stored document files that no row names (an upload whose caller's transaction rolled back
    after the file was written); files younger than `older_than` may belong to an upload in flight."""
    from portal.storage import private_storage as storage

    known = set(PassportDocument.objects.values_list("file", flat=True))
    cutoff = timezone.now() - older_than
    removed = 0
    root = "passport-documents"
    if not storage.exists(root):
        return 0
    for folder in storage.listdir(root)[0]:
        for name in storage.listdir(f"{root}/{folder}")[1]:
            path = f"{root}/{folder}/{name}"
            if path not in known and storage.get_modified_time(path) < cutoff:
                storage.delete(path)
                removed += 1
    return removed
