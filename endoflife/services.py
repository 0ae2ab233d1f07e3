"""Every write to end-of-life records: transfers, their receipt, recovered material outputs.

Each function checks the access rule, validates everything before writing anything, runs atomically,
writes the audit log (ids and states only, never parties or amounts) and tells other apps through
`events` (the oversight raises its alerts from there, after commit).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from passports.models import Passport
from passports.services import passport_change_status, passport_close_received
from portal.audit.services import audit_record
from portal.restrict import visible_then_permitted
from portal.tenancy.models import COMPANY_KINDS, Organization, OrganizationKind

from . import events
from .access import company_of, is_editor
from .models import Condition, Content, RecoveredMaterial, RecoveredOutput, Transfer, Treatment

#: List-of-Waste codes are six digits in three pairs; an asterisk marks hazardous waste.
WASTE_CODE = re.compile(r"^\d{2} \d{2} \d{2}\*?$")
EARLIEST = datetime.date(1990, 1, 1)
MAX_MASS = Decimal("99999999999.999")
#: What a used (not waste) battery may be handed over for; disposal is only ever for waste.
USED_TREATMENTS = (Treatment.REUSE, Treatment.REPURPOSING, Treatment.RECYCLING)


def _editor_company(actor) -> Organization:
    company = company_of(actor)
    if company is None or not is_editor(actor):
        raise PermissionDenied
    return company


def _mass(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = [_("Enter a number.")]
        return None
    if not number.is_finite() or number <= 0 or number > MAX_MASS:
        errors[field] = [_("Enter a mass above 0 kg.")]
        return None
    return number.quantize(Decimal("0.001"))


def _country(value: Any, field: str, errors: dict[str, list[str]]) -> str:
    code = str(value or "").strip().upper()
    if code not in dict(countries):
        errors[field] = [_("Choose a country.")]
        return ""
    return code


def _date(value: Any, field: str, errors: dict[str, list[str]]) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime.date):
        errors[field] = [_("Enter a date (YYYY-MM-DD).")]
        return None
    if not EARLIEST <= value <= timezone.localdate():
        errors[field] = [_("Enter a date between 1990 and today.")]
        return None
    return value


def _choice(value: Any, choices, field: str, errors: dict[str, list[str]]) -> str:
    if value not in choices.values:
        errors[field] = [_("Choose one of the options.")]
        return ""
    return value


def transferable_passport(*, company: Organization, public_id: Any) -> Passport | None:
    """A battery the company may hand over: one whose passport it owns, or one it has received; never a
    closed passport."""
    try:
        passports = Passport.objects.filter(public_id=public_id, closed_at__isnull=True)
        owned = passports.filter(organization=company)
        received = passports.filter(transfers__recipient=company, transfers__received_at__isnull=False)
        return (owned | received).select_related("battery_model", "organization").distinct().first()
    except ValidationError:
        return None


def _battery_mass(passport: Passport) -> Decimal | None:
    """The battery's weight from its model, in kg, when the model states it."""
    data = passport.battery_model.data or {}
    try:
        weight = Decimal(str(data.get("weight")))
    except (InvalidOperation, ValueError):
        return None
    unit = data.get("weight_unit", "unit:kilogram")
    factor = {"unit:kilogram": Decimal(1), "unit:gram": Decimal("0.001"), "unit:tonne": Decimal(1000)}
    return weight * factor[unit] if unit in factor and weight > 0 else None


def _recipient(value: Any, sender: Organization, errors: dict[str, list[str]]) -> Organization | None:
    """The recipient on the portal: an organization, or its BPNL, corporate number or LEI (never a list
    to pick from: which companies use the portal is not everyone's to browse)."""
    if value in (None, ""):
        return None
    if isinstance(value, Organization):
        recipient = value
    else:
        key = "".join(str(value).split()).upper()
        recipient = Organization.objects.filter(Q(bpnl=key) | Q(corporate_number=key) | Q(lei=key)).first()
    if recipient is None or not recipient.is_active or recipient.kind not in COMPANY_KINDS:
        errors["recipient"] = [
            _(
                "No active company, recycler or collector on the portal has this BPNL, corporate number"
                " or LEI."
            )
        ]
        return None
    if recipient.pk == sender.pk:
        errors["recipient"] = [_("A transfer goes to another organization.")]
        return None
    return recipient


def clean_transfer(*, company: Organization, values: dict[str, Any]) -> dict[str, Any]:
    """The transfer's fields, validated together; every problem at once as a field-keyed
    `ValidationError`."""
    errors: dict[str, list[str]] = {}
    content = _choice(values.get("content"), Content, "content", errors)
    condition = _choice(values.get("condition"), Condition, "condition", errors)
    treatment = _choice(values.get("treatment"), Treatment, "treatment", errors)
    passport = None
    battery_count = None
    mass = _mass(values.get("mass_kg"), "mass_kg", errors)
    if content == Content.BATTERY:
        passport = transferable_passport(company=company, public_id=values.get("passport"))
        if passport is None:
            errors["passport"] = [_("Choose an open passport of a battery your company owns or received.")]
        elif mass is None and "mass_kg" not in errors:
            mass = _battery_mass(passport)
    elif content == Content.BATTERIES:
        try:
            battery_count = int(str(values.get("battery_count") or "").strip())
        except ValueError:
            battery_count = None
        if battery_count is None or not 1 <= battery_count <= 10_000_000:
            errors["battery_count"] = [_("Enter how many batteries the lot holds (at least 1).")]
    if mass is None and "mass_kg" not in errors and content:
        errors["mass_kg"] = [_("Enter the mass in kg.")]
    if content == Content.BLACK_MASS and condition == Condition.USED:
        errors["condition"] = [_("Black mass is always waste.")]
    recipient = _recipient(values.get("recipient"), company, errors)
    recipient_name = str(values.get("recipient_name") or "").strip()[:200]
    if recipient is None and not recipient_name and "recipient" not in errors:
        errors["recipient"] = [_("Name the recipient: a company on the portal or a party outside it.")]
    if recipient is not None and recipient_name:
        errors["recipient_name"] = [_("Give either a recipient on the portal or a name, not both.")]
    origin = _country(values.get("origin_country") or company.country.code, "origin_country", errors)
    destination = _country(values.get("destination_country"), "destination_country", errors)
    waste_code = " ".join(str(values.get("waste_code") or "").split())
    if waste_code and not WASTE_CODE.match(waste_code):
        errors["waste_code"] = [_("Enter a List-of-Waste code such as 16 06 05 or 16 06 01*.")]
    if condition == Condition.WASTE and not waste_code and "waste_code" not in errors:
        errors["waste_code"] = [_("Waste needs its List-of-Waste code.")]
    if condition == Condition.USED and waste_code:
        errors["waste_code"] = [_("A used battery that is not waste has no waste code.")]
    if condition == Condition.USED and treatment and treatment not in USED_TREATMENTS:
        errors["treatment"] = [_("A used battery that is not waste is not disposed of.")]
    evidence = str(values.get("annex_xiv_evidence") or "").strip()
    if len(evidence) > 2000:
        errors["annex_xiv_evidence"] = [_("Keep the evidence description under 2,000 characters.")]
    if condition == Condition.WASTE and evidence:
        errors["annex_xiv_evidence"] = [_("Annex XIV evidence is for used batteries that are not waste.")]
    shipped_on = _date(values.get("shipped_on"), "shipped_on", errors)
    if errors:
        raise ValidationError(errors)
    return {
        "content": content,
        "passport": passport,
        "battery_count": battery_count,
        "mass_kg": mass,
        "lithium_based": bool(values.get("lithium_based", True)),
        "recipient": recipient,
        "recipient_name": "" if recipient else recipient_name,
        "origin_country": origin,
        "destination_country": destination,
        "condition": condition,
        "waste_code": waste_code,
        "treatment": treatment,
        "annex_xiv_evidence": evidence,
        "shipped_on": shipped_on,
    }


@transaction.atomic
def transfer_record(*, actor, values: dict[str, Any]) -> Transfer:
    """Record a hand-over. The owner of a battery handed over as waste records the waste status too."""
    company = _editor_company(actor)
    fields = clean_transfer(company=company, values=values)
    transfer = Transfer.objects.create(organization=company, created_by=actor, **fields)
    passport = transfer.passport
    if (
        passport is not None
        and transfer.condition == Condition.WASTE
        and passport.organization_id == company.pk
        and passport.status != "waste"
        and not hasattr(passport, "successor")
    ):
        passport_change_status(actor=actor, passport=passport, status="waste", note="Handed over as waste")
    audit_record(
        actor=actor,
        action="endoflife.transfer_recorded",
        organization=company,
        target=transfer,
        details={"content": transfer.content, "condition": transfer.condition},
    )
    events.transfer_recorded.send(sender=Transfer, transfer=transfer)
    return transfer


@transaction.atomic
def transfer_withdraw(*, actor, transfer: Transfer) -> None:
    """The sender takes back a transfer recorded by mistake, while it has not been received."""
    visible_then_permitted(actor, "change", transfer)
    audit_record(
        actor=actor,
        action="endoflife.transfer_withdrawn",
        organization=transfer.organization,
        target=transfer,
    )
    transfer.delete()
    events.transfer_withdrawn.send(sender=Transfer, public_id=transfer.public_id)


@transaction.atomic
def transfer_receive(*, actor, transfer: Transfer) -> Transfer:
    """The recipient confirms receipt. A recycler receiving a battery for recycling closes its passport."""
    visible_then_permitted(actor, "receive", transfer)
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.received_at is not None:
        return transfer
    transfer.received_at = timezone.now()
    transfer.save(update_fields=["received_at"])
    recipient = transfer.recipient
    if (
        transfer.passport is not None
        and transfer.treatment == Treatment.RECYCLING
        and recipient is not None
        and recipient.kind == OrganizationKind.RECYCLER
    ):
        passport_close_received(
            actor=actor, passport=transfer.passport, recycler=recipient, note="Received for recycling"
        )
    audit_record(actor=actor, action="endoflife.transfer_received", organization=recipient, target=transfer)
    return transfer


def clean_output(*, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    lot = str(values.get("lot_reference") or "").strip()
    if not lot or len(lot) > 100:
        errors["lot_reference"] = [_("Enter the lot reference (at most 100 characters).")]
    material = _choice(values.get("material"), RecoveredMaterial, "material", errors)
    mass = _mass(values.get("mass_kg"), "mass_kg", errors)
    if mass is None and "mass_kg" not in errors:
        errors["mass_kg"] = [_("Enter the mass in kg.")]
    facility_country = _country(values.get("facility_country"), "facility_country", errors)
    today = timezone.localdate()
    try:
        year = int(str(values.get("year") or "").strip())
        quarter = int(str(values.get("quarter") or "").strip())
    except ValueError:
        year = quarter = 0
    if not (1990 <= year <= today.year and 1 <= quarter <= 4) or (year, quarter) > (
        today.year,
        (today.month - 1) // 3 + 1,
    ):
        errors["quarter"] = [_("Choose a quarter that has begun, from 1990 on.")]
    if errors:
        raise ValidationError(errors)
    return {
        "lot_reference": lot,
        "material": material,
        "mass_kg": mass,
        "facility_country": facility_country,
        "year": year,
        "quarter": quarter,
    }


@transaction.atomic
def recovered_output_record(*, actor, values: dict[str, Any]) -> RecoveredOutput:
    """A recycler declares the material it recovered from one lot in one quarter (once per material)."""
    company = _editor_company(actor)
    if company.kind != OrganizationKind.RECYCLER:
        raise PermissionDenied
    fields = clean_output(values=values)
    duplicate = RecoveredOutput.objects.filter(
        organization=company,
        **{key: fields[key] for key in ("lot_reference", "year", "quarter", "material")},
    )
    if duplicate.exists():
        raise ValidationError(
            {"material": [_("This lot's output of this material in this quarter is already recorded.")]}
        )
    output = RecoveredOutput.objects.create(organization=company, created_by=actor, **fields)
    audit_record(
        actor=actor,
        action="endoflife.output_recorded",
        organization=company,
        target=output,
        details={"material": output.material},
    )
    return output
