"""Every read of passports and battery models, scoped to the acting user, and the view-models built
from exactly the fields that user may see (templates, serializers and exports never get model rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import BooleanField, Case, OuterRef, Q, QuerySet, Subquery, Value, When
from guardian.shortcuts import get_objects_for_group

from portal.tenancy.groups import organization_group
from portal.tenancy.models import Organization, OrganizationKind, OrganizationStatus
from portal.tenancy.selectors import active_organization_of

from . import policies
from .catalogue import Viewer
from .completeness import Completeness, completeness
from .models import (
    BatteryModel,
    BatteryModelGroupObjectPermission,
    DynamicDataPoint,
    Passport,
    PassportGroupObjectPermission,
    PassportVersion,
    SupplyChainEntry,
    VersionState,
)


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


def _version_for(viewer: Viewer, passport: Passport, number: int | None = None) -> PassportVersion | None:
    versions = passport.versions.order_by("-number")
    if not policies.can_see_unpublished(viewer):
        versions = versions.filter(state=VersionState.PUBLISHED)
    if number is not None:
        versions = versions.filter(number=number)
    return versions.first()


def passport_view(*, actor, passport: Passport, number: int | None = None) -> PassportView:
    """The latest version the actor may see, or version `number` (then `version` is None when that
    version does not exist or is a draft the actor may not see)."""
    viewer = policies.viewer_kind(actor, passport)
    version = _version_for(viewer, passport, number)
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


# ---- reads for the REST API (lists in a constant number of queries, versions, grants, completeness) ----
def passport_rows_for(*, actor) -> QuerySet[Passport]:
    """`passports_for`, annotated for list pages so that a page costs the same queries whatever its size.

    Annotations: `is_own`, `latest_published_number`, `latest_published_at` and, for the actor's own
    passports only, `draft_number`. Other companies' passports are listed only once published: drafts are
    the owner's working material (a reviewer still opens a draft it reviews by its id)."""
    organization = active_organization_of(actor)
    if organization is None:
        return Passport.objects.none()
    published = PassportVersion.objects.filter(
        passport=OuterRef("pk"), state=VersionState.PUBLISHED
    ).order_by("-number")
    draft = PassportVersion.objects.filter(passport=OuterRef("pk"), state=VersionState.DRAFT)
    own = Q(organization=organization)
    return (
        passports_for(actor=actor)
        .annotate(
            is_own=Case(When(own, then=Value(True)), default=Value(False), output_field=BooleanField()),
            latest_published_number=Subquery(published.values("number")[:1]),
            latest_published_at=Subquery(published.values("published_at")[:1]),
            draft_number=Case(When(own, then=Subquery(draft.values("number")[:1])), default=None),
        )
        .filter(own | Q(latest_published_number__isnull=False))
    )


def passport_versions_for(*, actor, passport: Passport) -> list[dict[str, Any]]:
    """Version numbers the actor may open: published ones for every reader, drafts for owner/certifier."""
    versions = passport.versions.order_by("-number")
    if not policies.can_see_unpublished(policies.viewer_kind(actor, passport)):
        versions = versions.filter(state=VersionState.PUBLISHED)
    return [
        {"number": number, "state": state, "published_at": published_at}
        for number, state, published_at in versions.values_list("number", "state", "published_at")
    ]


def passport_completeness(*, actor, passport: Passport) -> Completeness | None:
    """What the latest version (draft or published) still lacks; the owner's working view only."""
    if not policies.is_owner(actor, passport):
        return None
    latest = passport.versions.order_by("-number").first()
    model = passport.battery_model
    return completeness(model.category, {**model.data, **(latest.data if latest else {})})


@dataclass
class BatteryModelView:
    """What one viewer may see of one battery model (name, identifier and category are public)."""

    model_id: str
    viewer: Viewer
    name: str
    manufacturer_part_id: str
    category: str
    values: dict[str, Any]
    supply_chain: list[dict[str, Any]] | None = None


def battery_model_view(*, actor, battery_model: BatteryModel) -> BatteryModelView:
    viewer = policies.viewer_kind(actor, battery_model)
    view = BatteryModelView(
        model_id=str(battery_model.public_id),
        viewer=viewer,
        name=battery_model.name,
        manufacturer_part_id=battery_model.manufacturer_part_id,
        category=battery_model.category,
        values=policies.visible_values(viewer, battery_model.data),
    )
    if policies.can_see_supply_chain(viewer):
        view.supply_chain = [supply_chain_row(entry) for entry in battery_model.supply_chain.all()]
    return view


_GROUP_PERMISSION_TABLES = {
    Passport: PassportGroupObjectPermission,
    BatteryModel: BatteryModelGroupObjectPermission,
}


def legitimate_interest_grantees(*, actor, target: Passport | BatteryModel) -> QuerySet[Organization]:
    """Organizations holding a legitimate-interest grant on `target`: shown to the owner's admins only."""
    if not policies.can_grant(actor, target):
        return Organization.objects.none()
    table = _GROUP_PERMISSION_TABLES[type(target)]
    names = table.objects.filter(
        content_object=target, permission__codename=f"view_legitimate_interest_{target._meta.model_name}"
    ).values_list("group__name", flat=True)
    # Grants go to the organization's group, named "organization:<public id>" (portal.tenancy.groups).
    public_ids = [name.split(":", 1)[1] for name in names if name.startswith("organization:")]
    return Organization.objects.filter(public_id__in=public_ids).order_by("legal_name")


def grantee_get(*, actor, public_id: UUID | str) -> Organization | None:
    """An active organization a grant may name, by its public id (public facts only)."""
    if active_organization_of(actor) is None:
        return None
    return Organization.objects.filter(public_id=public_id, status=OrganizationStatus.ACTIVE).first()
