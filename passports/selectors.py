"""Every read of passports and battery models, scoped to the acting user, and the view-models built
from exactly the fields that user may see (templates, serializers and exports never get model rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_group

from portal.tenancy.groups import organization_group
from portal.tenancy.models import OrganizationKind
from portal.tenancy.selectors import active_organization_of

from . import policies
from .catalogue import Viewer
from .models import BatteryModel, DynamicDataPoint, Passport, PassportVersion, SupplyChainEntry, VersionState


def _granted(organization, model_class, perms: list[str]) -> QuerySet:
    return get_objects_for_group(
        organization_group(organization), perms, klass=model_class, any_perm=True, accept_global_perms=False
    )


def passports_for(*, actor) -> QuerySet[Passport]:
    """Passports the actor may open: its organization's own, those granted to it (directly or through the
    battery model), and for authorities every published passport."""
    organization = active_organization_of(actor)
    if organization is None:
        return Passport.objects.none()
    scope = Q(organization=organization)
    if organization.kind == OrganizationKind.AUTHORITY:
        scope |= Q(versions__state=VersionState.PUBLISHED)
    else:
        perms = ["view_legitimate_interest_passport", "view_confidential_passport"]
        model_perms = ["view_legitimate_interest_batterymodel", "view_confidential_batterymodel"]
        scope |= Q(pk__in=_granted(organization, Passport, perms).values("pk"))
        scope |= Q(battery_model__in=_granted(organization, BatteryModel, model_perms).values("pk"))
    return Passport.objects.filter(scope).distinct().select_related("battery_model", "organization")


def passport_get(*, actor, public_id: UUID | str) -> Passport | None:
    return passports_for(actor=actor).filter(public_id=public_id).first()


def battery_models_for(*, actor) -> QuerySet[BatteryModel]:
    organization = active_organization_of(actor)
    if organization is None:
        return BatteryModel.objects.none()
    scope = Q(organization=organization)
    if organization.kind != OrganizationKind.AUTHORITY:
        perms = ["view_legitimate_interest_batterymodel", "view_confidential_batterymodel"]
        scope |= Q(pk__in=_granted(organization, BatteryModel, perms).values("pk"))
    else:
        scope |= Q(passports__versions__state=VersionState.PUBLISHED)
    return BatteryModel.objects.filter(scope).distinct().select_related("organization")


def battery_model_get(*, actor, public_id: UUID | str) -> BatteryModel | None:
    return battery_models_for(actor=actor).filter(public_id=public_id).first()


def published_passport(public_id: UUID | str) -> tuple[Passport, PassportVersion] | None:
    """A passport's latest published version, for the public QR page (anyone)."""
    version = (
        PassportVersion.objects.filter(passport__public_id=public_id, state=VersionState.PUBLISHED)
        .select_related("passport", "passport__organization")
        .order_by("-number")
        .first()
    )
    return (version.passport, version) if version else None


def supply_chain_for(*, actor, battery_model: BatteryModel) -> list[SupplyChainEntry]:
    """The confidential supply chain: the only way to read it, and only for owner or assigned certifier."""
    if not policies.can_see_supply_chain(policies.viewer_kind(actor, battery_model)):
        return []
    return list(battery_model.supply_chain.all())


@dataclass
class PassportView:
    """What one viewer may see of one passport: built from the policy's allowlist only."""

    passport_id: str
    viewer: Viewer
    version: int | None
    state: str | None
    published_at: Any
    values: dict[str, Any]
    dynamic: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    status_history: list[dict[str, Any]] = field(default_factory=list)
    supply_chain: list[dict[str, Any]] | None = None


def _version_for(viewer: Viewer, passport: Passport) -> PassportVersion | None:
    versions = passport.versions.order_by("-number")
    if not policies.can_see_unpublished(viewer):
        versions = versions.filter(state=VersionState.PUBLISHED)
    return versions.first()


def passport_view(*, actor, passport: Passport) -> PassportView:
    viewer = policies.viewer_kind(actor, passport)
    version = _version_for(viewer, passport)
    values = dict(version.data) if version else {}
    if version is not None and version.state == VersionState.DRAFT:
        values = {**passport.battery_model.data, **values, "battery_status": passport.status}
    allowed = policies.visible_keys(viewer)
    view = PassportView(
        passport_id=str(passport.public_id),
        viewer=viewer,
        version=version.number if version else None,
        state=version.state if version else None,
        published_at=version.published_at if version else None,
        values=policies.visible_values(viewer, values),
    )
    dynamic: dict[str, list[dict[str, Any]]] = {}
    for point in DynamicDataPoint.objects.filter(passport=passport).order_by("key", "-measured_at"):
        if point.key in allowed:
            dynamic.setdefault(point.key, []).append({"value": point.value, "measured_at": point.measured_at})
    view.dynamic = dynamic
    if "battery_status" in allowed:
        view.status_history = [
            {"status": event.status, "occurred_at": event.occurred_at}
            for event in passport.status_events.order_by("occurred_at", "id")
        ]
    if policies.can_see_supply_chain(viewer):
        view.supply_chain = [supply_chain_row(entry) for entry in passport.battery_model.supply_chain.all()]
    return view


def supply_chain_row(entry: SupplyChainEntry) -> dict[str, Any]:
    return {
        "material": entry.material,
        "country_of_origin": entry.country_of_origin.code,
        "mine_or_extraction_site": entry.mine_or_extraction_site,
        "refiner_processor": entry.refiner_processor,
        "refiner_country": entry.refiner_country.code if entry.refiner_country else "",
        "supplier_name": entry.supplier_name,
        "supplier_identifier": entry.supplier_identifier,
        "procurement_amount": str(entry.procurement_amount),
        "procurement_unit": entry.procurement_unit,
        "procurement_period_start": entry.period_start.isoformat(),
        "procurement_period_end": entry.period_end.isoformat(),
        "recycled_share": str(entry.recycled_share) if entry.recycled_share is not None else None,
        "assurance_scheme": entry.assurance_scheme,
    }
