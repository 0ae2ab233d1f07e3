"""Every read of passports and battery models, scoped to the acting user, and the view-models built
from exactly the fields that user may see (templates, serializers and exports never get model rows)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Exists, OuterRef, Q, QuerySet

from portal.sql_rows import field_converter, hot_cursor, prepared
from portal.tenancy.models import Organization, OrganizationKind, OrganizationStatus
from portal.tenancy.selectors import active_organization_of

from . import policies
from .catalogue import Viewer
from .completeness import Completeness, completeness
from .expressions import InSubquery
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
from .services import STATUS_KEY, restricted_read_record

PASSPORT_GRANTS = ("view_legitimate_interest_passport", "view_confidential_passport")
MODEL_GRANTS = ("view_legitimate_interest_batterymodel", "view_confidential_batterymodel")


def _group_name(organization: Organization) -> str:
    # The organization's grant group (portal.tenancy.groups), matched by name inside the SQL so that
    # scoping costs no query of its own (organization_group() would get_or_create the group).
    return f"organization:{organization.public_id}"


def _granted_passports(organization: Organization) -> QuerySet[PassportGroupObjectPermission]:
    return PassportGroupObjectPermission.objects.filter(
        group__name=_group_name(organization), permission__codename__in=PASSPORT_GRANTS
    )


def _granted_models(organization: Organization) -> QuerySet[BatteryModelGroupObjectPermission]:
    return BatteryModelGroupObjectPermission.objects.filter(
        group__name=_group_name(organization), permission__codename__in=MODEL_GRANTS
    )


def _published_exists(**lookup: Any) -> Exists:
    return Exists(PassportVersion.objects.filter(state=VersionState.PUBLISHED, **lookup))


def _passport_scope(organization: Organization) -> Q:
    """Who may open which passport, as one WHERE condition: own passports, granted ones (directly or
    through the battery model), and for authorities every published passport.

    No join to grants or versions, so no DISTINCT (which sorted whole rows, JSON documents included), and
    for companies the condition is a BitmapOr of index scans (own organization, granted passport ids,
    granted model ids), never a scan of all passports."""
    scope = Q(organization=organization)
    if organization.kind == OrganizationKind.AUTHORITY:
        return scope | Q(_published_exists(passport=OuterRef("pk")))
    # Not EXISTS (correlated): inside this OR it would be tested row by row over every company's passports.
    granted = _granted_passports(organization).values("content_object_id")
    granted_models = _granted_models(organization).values("content_object_id")
    return scope | Q(InSubquery("pk", granted)) | Q(InSubquery("battery_model_id", granted_models))


def passports_for(*, actor) -> QuerySet[Passport]:
    """Passports the actor may open: its organization's own, those granted to it (directly or through the
    battery model), and for authorities every published passport."""
    organization = active_organization_of(actor)
    if organization is None:
        return Passport.objects.none()
    scoped = Passport.objects.filter(_passport_scope(organization))
    return scoped.select_related("battery_model", "organization")


def passport_get(*, actor, public_id: UUID | str) -> Passport | None:
    return passports_for(actor=actor).filter(public_id=public_id).first()


def battery_models_for(*, actor) -> QuerySet[BatteryModel]:
    organization = active_organization_of(actor)
    if organization is None:
        return BatteryModel.objects.none()
    scope = Q(organization=organization)
    if organization.kind != OrganizationKind.AUTHORITY:
        scope |= Q(Exists(_granted_models(organization).filter(content_object=OuterRef("pk"))))
    else:
        scope |= Q(_published_exists(passport__battery_model=OuterRef("pk")))
    return BatteryModel.objects.filter(scope).select_related("organization")


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


@dataclass(frozen=True)
class PublicPublication:
    """The public facts of a passport's latest published version: what `GET /p/<id>/` answers in JSON."""

    passport_id: str
    number: int
    published_at: datetime
    closed: bool
    values: dict[str, Any]  # public values only


# Tables of PassportVersion and Passport (Django's default names; tests run this query).
_LATEST_PUBLICATION_SQL = """
    SELECT v.number, v.published_at, v.data, p.closed_at
    FROM passports_passportversion v INNER JOIN passports_passport p ON p.id = v.passport_id
    WHERE p.public_id = %s AND v.state = %s
    ORDER BY v.number DESC LIMIT 1
"""


def public_publication(public_id: UUID | str) -> PublicPublication | None:
    """The public values of a passport's latest published version (anyone may read them), or None.

    One hand-written query on the unique `public_id` index: this is the most requested URL of the portal
    (every QR code scan), and compiling the equivalent ORM query cost several times the query itself
    (benchmarks/README.md). Published versions are immutable, so nothing else needs to be read."""
    try:
        passport_id = UUID(str(public_id))
    except ValueError:
        return None
    with hot_cursor() as cursor:
        key = prepared(Passport, "public_id", passport_id)  # SQLite stores UUIDs as text
        cursor.execute(_LATEST_PUBLICATION_SQL, [key, VersionState.PUBLISHED.value])
        row = cursor.fetchone()
    if row is None:
        return None
    number, published_at, data, closed_at = row
    data = json.loads(data) if isinstance(data, str | bytes) else data  # raw cursors give jsonb as text
    return PublicPublication(
        passport_id=str(passport_id),
        number=number,
        published_at=field_converter(PassportVersion, "published_at")(published_at),
        closed=closed_at is not None,
        values={key: data[key] for key in policies.public_keys() if key in data},
    )


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


#: Readers whose every read is logged: they see data the owner did not publish to them as a company.
LOGGED_VIEWERS = (Viewer.CERTIFIER, Viewer.AUTHORITY)


def _log_restricted_read(actor, target: Passport | BatteryModel, viewer: Viewer) -> None:
    # Every view-model of restricted data passes here, whatever the path (API, HTML, export, review).
    if viewer in LOGGED_VIEWERS:
        restricted_read_record(actor=actor, target=target, viewer=viewer)


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
    _log_restricted_read(actor, passport, viewer)
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


# ---- reads for the REST API (the passport list itself is `passports.list_query`) ---------------------
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
    # The battery status is the passport's own column (drafts do not carry it among their values).
    values = {**model.data, **(latest.data if latest else {}), STATUS_KEY: passport.status}
    return completeness(model.category, values)


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
    _log_restricted_read(actor, battery_model, viewer)
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


# ---- uploaded documents (appended block: local imports keep the module's import list untouched) -------
@dataclass(frozen=True)
class DocumentRow:
    """One uploaded document as lists and serializers show it (never the model row, never its path)."""

    id: str
    attribute: str
    attribute_label: str
    audience: str
    level: str  # "model": for every battery of the model; "battery": this passport's own
    title: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: Any


def document_row(document) -> DocumentRow:
    from .catalogue import attribute

    try:
        label = str(attribute(document.attribute_key).label)
    except LookupError:
        label = document.attribute_key
    return DocumentRow(
        id=str(document.public_id),
        attribute=document.attribute_key,
        attribute_label=label,
        audience=policies.document_audience(document.attribute_key).value,
        level="battery" if document.passport_id is not None else "model",
        title=document.title,
        file_name=document.original_name,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
        uploaded_at=document.uploaded_at,
    )


def _documents_visible(documents: QuerySet, viewer: Viewer, published: bool) -> list:
    audiences = policies.document_audiences(viewer, published=published)
    if not audiences:
        return []
    return [d for d in documents if policies.document_audience(d.attribute_key) in audiences]


def documents_for(*, actor, target: BatteryModel | Passport, with_model: bool = False) -> list:
    """The documents of `target` the actor may see (the policy's audiences per catalogue attribute), by
    kind and upload time: a model's own documents, or a passport's own followed, with `with_model`, by
    those of its battery model. Anonymous callers (`actor=None`) get what the public may see."""
    from .models import PassportDocument

    found = []
    if isinstance(target, Passport):
        own = PassportDocument.objects.filter(passport=target)
        found += _documents_visible(
            own, policies.viewer_kind(actor, target), policies.documents_published(target)
        )
        if not with_model:
            return found
        target = target.battery_model
    shared = PassportDocument.objects.filter(battery_model=target, passport__isnull=True)
    viewer = policies.model_documents_viewer(actor, target)
    return found + _documents_visible(shared, viewer, policies.documents_published(target))


def document_get(*, actor, public_id: UUID | str):
    """A document the actor may see, or None: "not yours" and "does not exist" look the same."""
    from django.core.exceptions import ValidationError

    from .models import PassportDocument

    related = ("battery_model__organization", "passport__organization", "passport__battery_model")
    try:
        document = PassportDocument.objects.select_related(*related).filter(public_id=public_id).first()
    except ValidationError:  # not a UUID
        return None
    if document is None or not policies.can_see_document(actor, document):
        return None
    return document
