"""Every read of passports and battery models, scoped to the acting user, and the view-models built
from exactly the fields that user may see (templates, serializers and exports never get model rows)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from portal.archiving import with_archived
from portal.databases import public_reads
from portal.sql_rows import field_converter, hot_cursor, prepared
from portal.tenancy.groups import organization_id_of_group
from portal.tenancy.models import Organization, OrganizationKind, OrganizationStatus
from portal.tenancy.selectors import active_organization_of

from . import policies
from .access import document_keys
from .catalogue import Viewer
from .completeness import Completeness, completeness
from .list_query import ListKey, ListPage, PassportListFilters, PassportListQuery
from .models import (
    BatteryModel,
    BatteryModelGroupObjectPermission,
    DynamicDataPoint,
    Passport,
    PassportDocument,
    PassportGroupObjectPermission,
    PassportVersion,
    SupplyChainEntry,
    VersionState,
)
from .services import MODEL_KEYS, STATUS_KEY, restricted_read_record


def passports_for(*, actor) -> QuerySet[Passport]:
    """Passports the actor may open (`Passport.objects.restrict(actor, "view")`, passports.access): its
    organization's own, those under its open review, and once published those granted to it (directly or
    through the battery model) and, for authorities, every one."""
    if active_organization_of(actor) is None:
        return Passport.objects.none()
    return Passport.objects.restrict(actor, "view").select_related("battery_model", "organization")


def passports_listed(*, actor) -> QuerySet[Passport]:
    """`passports_for` with what the browser list shows of each row: whether a draft is open
    (`has_draft`), the latest published version's number (`latest_published_number`) and the latest
    version's values (`latest_data`, for the owner's completeness column)."""
    versions = PassportVersion.objects.filter(passport=OuterRef("pk"))
    return passports_for(actor=actor).annotate(
        has_draft=Exists(versions.filter(state=VersionState.DRAFT)),
        # A scalar subquery, not EXISTS: PostgreSQL hashed every published version of every company to
        # answer EXISTS for one page (40 ms with 100,000 passports); this is one index look-up per row.
        latest_published_number=Subquery(
            versions.filter(state=VersionState.PUBLISHED).order_by("-number").values("number")[:1]
        ),
        latest_data=Subquery(versions.order_by("-number").values("data")[:1]),
    )


def passport_list_page(
    *, actor, filters: PassportListFilters, limit: int, number: int = 1, cursor: str = ""
) -> tuple[ListPage, list[Passport]]:
    """A page of the browser's passport list: which passports (`passports.list_query`, the SQL statement of
    `restrict(actor, "view")` split into arms that each read an index in the list's order) and those rows
    as `passports_listed` gives them (the page's ids re-read through `restrict()` itself).

    By `cursor` (keyset: as fast at any depth; an unreadable cursor gives the first page, as other unknown
    parameters are ignored) or by page `number` (each arm reads `offset + limit` index entries; a number past
    the end gives the last page, as Django's `Paginator.get_page` does, which needs the exact count)."""
    query = PassportListQuery(active_organization_of(actor), filters)
    found = None
    if cursor:
        try:
            found = query.page(limit, key=ListKey.decode(cursor, filters.ordering), render="ids")
        except ValueError:
            found = None
    if found is None:
        number = max(1, number)
        found = query.page(limit, offset=(number - 1) * limit, render="ids")
        if found is None and number > 1:
            last = max(1, -(-query.count() // limit))
            found = query.page(limit, offset=(last - 1) * limit, render="ids")
    if found is None:
        return ListPage([], 0, False, False, False, None, None), []
    by_id = passports_listed(actor=actor).filter(pk__in=found.rows).in_bulk()
    return found, [by_id[pk] for pk in found.rows if pk in by_id]


def passport_get(*, actor, public_id: UUID | str) -> Passport | None:
    try:
        return passports_for(actor=actor).filter(public_id=public_id).first()
    except ValidationError:  # not a UUID
        return None


def battery_models_for(*, actor, archived: bool | None = None) -> QuerySet[BatteryModel]:
    """Battery models the actor may open (`BatteryModel.objects.restrict(actor, "view")`). `archived`: True
    only archived models, False only those in use (lists, choices for new passports), None both (look-ups:
    passports and certificates still point at archived models)."""
    if active_organization_of(actor) is None:
        return BatteryModel.objects.none()
    return with_archived(BatteryModel.objects.restrict(actor, "view"), archived).select_related(
        "organization"
    )


def battery_model_get(*, actor, public_id: UUID | str) -> BatteryModel | None:
    try:
        return battery_models_for(actor=actor).filter(public_id=public_id).first()
    except ValidationError:  # not a UUID
        return None


def published_passport(public_id: UUID | str) -> tuple[Passport, PassportVersion] | None:
    """A passport's latest published version, for the public QR page (anyone; read from the replica when
    there is one, as every public look-up: `portal.databases.public_reads`)."""
    version = (
        PassportVersion.objects.using(public_reads())
        .filter(passport__public_id=public_id, state=VersionState.PUBLISHED)
        .select_related("passport", "passport__organization")
        .order_by("-number")
        .first()
    )
    return (version.passport, version) if version else None


@dataclass(frozen=True)
class PublicPageFacts:
    """What the public page's ETag is made of, read in two queries: the latest publication, whether the
    passport is closed, its public neighbours (predecessor, successor) and its and its model's public
    documents as (public id, title, attribute key), in the documents' own order."""

    pk: int
    passport_id: str
    battery_model_id: int
    number: int
    published_at: datetime
    closed: bool
    predecessor_id: str | None
    successor_id: str | None
    documents: tuple[tuple[str, str, str], ...]


# A published neighbour is a public one (`Passport.objects.published()`, the public arm of the rule).
_PUBLIC_PAGE_SQL = """
    SELECT p.id, p.battery_model_id, v.number, v.published_at, p.closed_at,
        (SELECT n.public_id FROM passports_passport n WHERE n.id = p.predecessor_id AND EXISTS (
            SELECT 1 FROM passports_passportversion nv WHERE nv.passport_id = n.id AND nv.state = %s)),
        (SELECT n.public_id FROM passports_passport n WHERE n.predecessor_id = p.id AND EXISTS (
            SELECT 1 FROM passports_passportversion nv WHERE nv.passport_id = n.id AND nv.state = %s))
    FROM passports_passportversion v INNER JOIN passports_passport p ON p.id = v.passport_id
    WHERE p.public_id = %s AND v.state = %s
    ORDER BY v.number DESC LIMIT 1
"""
# The passport is published (the query above found it), so its documents and its model's are readable by
# the public when their kind is public: `PassportDocument.objects.restrict(None, "view")` for this page.
_PUBLIC_DOCUMENTS_SQL = """
    SELECT d.public_id, d.title, d.attribute_key, d.passport_id FROM passports_passportdocument d
    WHERE (d.passport_id = %s OR (d.passport_id IS NULL AND d.battery_model_id = %s))
        AND d.attribute_key IN ({keys})
    ORDER BY d.attribute_key, d.uploaded_at, d.id
"""


def public_page_facts(public_id: UUID | str) -> PublicPageFacts | None:
    """The facts of the public page of a published passport, or None when it has none (anyone may read
    them). Hand-written like `public_publication`: the ORM's five queries for the same facts, each built
    and compiled anew, were a third of the page's time (benchmarks/README.md). Tested equal to the ORM's
    answer through `restrict()` (tests/passports/test_public_page_facts.py)."""
    try:
        passport_id = UUID(str(public_id))
    except ValueError:
        return None
    published = VersionState.PUBLISHED.value
    as_uuid = field_converter(Passport, "public_id")
    with hot_cursor(public_reads()) as cursor:
        key = prepared(Passport, "public_id", passport_id)
        cursor.execute(_PUBLIC_PAGE_SQL, [published, published, key, published])
        row = cursor.fetchone()
        if row is None:
            return None
        pk, battery_model_id, number, published_at, closed_at, predecessor, successor = row
        keys = document_keys(Viewer.PUBLIC)
        documents: list[tuple[str, str, str, Any]] = []
        if keys:
            cursor.execute(
                _PUBLIC_DOCUMENTS_SQL.format(keys=", ".join(["%s"] * len(keys))),
                [pk, battery_model_id, *keys],
            )
            documents = cursor.fetchall()
    # The passport's own documents first, then its model's (as `documents_for(..., with_model=True)`).
    documents.sort(key=lambda document: document[3] is None)
    return PublicPageFacts(
        pk=pk,
        passport_id=str(passport_id),
        battery_model_id=battery_model_id,
        number=number,
        published_at=field_converter(PassportVersion, "published_at")(published_at),
        closed=closed_at is not None,
        predecessor_id=str(as_uuid(predecessor)) if predecessor is not None else None,
        successor_id=str(as_uuid(successor)) if successor is not None else None,
        documents=tuple((str(as_uuid(d[0])), d[1], d[2]) for d in documents),
    )


_VERSION_DATA_SQL = "SELECT data FROM passports_passportversion WHERE passport_id = %s AND number = %s"


def public_version_data(facts: PublicPageFacts) -> dict[str, Any]:
    """The data of the publication `facts` describe (read when the page's body is not in the cache; one
    prepared statement: the ORM's query, built and compiled on every such page, cost as much again)."""
    with hot_cursor(public_reads()) as cursor:
        cursor.execute(_VERSION_DATA_SQL, [facts.pk, facts.number])
        (data,) = cursor.fetchone()
    return field_converter(PassportVersion, "data")(data)


# ---- the public (anyone, through the QR pages and the look-up) -------------------------------------------
def public_passports() -> QuerySet[Passport]:
    """What the public may open: `Passport.objects.restrict(None, "view")`, every published passport."""
    return Passport.objects.restrict(None, "view").using(public_reads())


def public_find(identifier: str) -> list[UUID]:
    """Public ids of published passports matching a product identifier or its Catena-X form (at most 2:
    enough to tell "exactly one" from "ambiguous")."""
    match = Q(unique_identifier=identifier)
    if identifier[:3].upper() == "CX:":
        rest = identifier[3:]
        for index, char in enumerate(rest):
            if char != ":" or index == 0 or index == len(rest) - 1:
                continue
            part_id, instance = rest[:index], rest[index + 1 :]
            match |= Q(battery_model__manufacturer_part_id=part_id) & (
                Q(unique_identifier=instance) | Q(pk__in=_with_part_instance_id(part_id, instance))
            )
    found = public_passports().filter(match).values_list("public_id", flat=True)
    return list(found.distinct()[:2])


def _with_part_instance_id(part_id: str, instance: str) -> Any:
    """Passports (ids) with a published version whose serial identifiers carry this partInstanceId."""
    published = PassportVersion.objects.filter(state=VersionState.PUBLISHED)
    if connection.features.supports_json_field_contains:
        wanted = [{"key": "partInstanceId", "value": instance}]
        return published.filter(data__serial_identifiers__contains=wanted).values("passport_id")
    # SQLite (`make run`) has no JSON containment: read the serial identifiers of that model's versions.
    versions = published.filter(passport__battery_model__manufacturer_part_id=part_id)
    wanted = {"key": "partInstanceId", "value": instance}
    return [
        passport_id
        for passport_id, serials in versions.values_list("passport_id", "data__serial_identifiers")
        if isinstance(serials, list)
        and any(isinstance(serial, dict) and wanted.items() <= serial.items() for serial in serials)
    ]


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


def public_publication(public_id: UUID | str, *, using: str | None = None) -> PublicPublication | None:
    """The public values of a passport's latest published version (anyone may read them), or None.

    One hand-written query on the unique `public_id` index: this is the most requested URL of the portal
    (every QR code scan), and compiling the equivalent ORM query cost several times the query itself
    (benchmarks/README.md). Published versions are immutable, so nothing else needs to be read. `using`: the
    database to read (default: the public look-ups' own, the replica when there is one)."""
    try:
        passport_id = UUID(str(public_id))
    except ValueError:
        return None
    with hot_cursor(using or public_reads()) as cursor:
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
    return list(SupplyChainEntry.objects.of_model(actor, battery_model))


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

    def payload(self) -> dict[str, Any]:
        """The view as plain data, in the API's keys (the supply chain only for those who may see it)."""
        payload = {
            "id": self.passport_id,
            "version": self.version,
            "state": self.state,
            "published_at": self.published_at,
            "values": self.values,
            "dynamic": self.dynamic,
            "status_history": self.status_history,
        }
        if self.supply_chain is not None:
            payload["supply_chain"] = self.supply_chain
        return payload


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
            dynamic.setdefault(point.key, []).append(
                {"value": point.value, "measured_at": point.measured_at_as_given}
            )
    view.dynamic = dynamic
    if "battery_status" in allowed:
        view.status_history = [
            {"status": event.status, "occurred_at": event.occurred_at}
            for event in passport.status_events.order_by("occurred_at", "id")
        ]
    if policies.can_see_supply_chain(viewer):
        entries = supply_chain_for(actor=actor, battery_model=passport.battery_model)
        view.supply_chain = [supply_chain_row(entry) for entry in entries]
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
    published: bool = True  # False: a reader of published values only, and nothing is published yet
    supply_chain: list[dict[str, Any]] | None = None
    archived_at: datetime | None = None  # retired by its owner (no new passports); None while in use

    def payload(self) -> dict[str, Any]:
        """The view as plain data, in the API's keys (the supply chain only for those who may see it)."""
        payload = {
            "id": self.model_id,
            "name": self.name,
            "manufacturer_part_id": self.manufacturer_part_id,
            "category": self.category,
            "values": self.values,
            "archived_at": self.archived_at,
        }
        if self.supply_chain is not None:
            payload["supply_chain"] = self.supply_chain
        return payload


def passports_overseen(*, actor) -> QuerySet[Passport]:
    """Every passport's identity for the platform operators' admin list (`restrict(actor, "oversee")`)."""
    return Passport.objects.restrict(actor, "oversee").select_related("battery_model", "organization")


def battery_models_overseen(*, actor) -> QuerySet[BatteryModel]:
    return BatteryModel.objects.restrict(actor, "oversee").select_related("organization")


def published_model_values(battery_model: BatteryModel) -> dict[str, Any]:
    """The model's values as last published: those frozen into the newest published version of any of its
    passports (publishing a passport copies the model's values into it). Empty before any publication."""
    data = (
        PassportVersion.objects.filter(passport__battery_model=battery_model, state=VersionState.PUBLISHED)
        .order_by("-published_at", "-pk")
        .values_list("data", flat=True)
        .first()
    )
    return {key: value for key, value in (data or {}).items() if key in MODEL_KEYS}


def battery_model_view(*, actor, battery_model: BatteryModel) -> BatteryModelView:
    """The model's working values for the owner and a body during its open review; for everyone else the
    values as last published (never what was saved since)."""
    viewer = policies.viewer_kind(actor, battery_model)
    working = policies.can_see_unpublished(viewer)
    values = battery_model.data if working else published_model_values(battery_model)
    view = BatteryModelView(
        model_id=str(battery_model.public_id),
        viewer=viewer,
        name=battery_model.name,
        manufacturer_part_id=battery_model.manufacturer_part_id,
        category=battery_model.category,
        values=policies.visible_values(viewer, values),
        published=working or bool(values),
        archived_at=battery_model.archived_at,
    )
    if policies.can_see_supply_chain(viewer):
        entries = supply_chain_for(actor=actor, battery_model=battery_model)
        view.supply_chain = [supply_chain_row(entry) for entry in entries]
    _log_restricted_read(actor, battery_model, viewer)
    return view


_GROUP_PERMISSION_TABLES = {
    Passport: PassportGroupObjectPermission,
    BatteryModel: BatteryModelGroupObjectPermission,
}


def legitimate_interest_grantees(*, actor, target: Passport | BatteryModel) -> list[Organization]:
    """Organizations holding a legitimate-interest grant on `target`: shown to the owner's admins only."""
    if not policies.can_grant(actor, target):
        return []
    table = _GROUP_PERMISSION_TABLES[type(target)]
    names = table.objects.filter(
        content_object=target, permission__codename=f"view_legitimate_interest_{target._meta.model_name}"
    ).values_list("group__name", flat=True)
    public_ids = [found for name in names if (found := organization_id_of_group(name)) is not None]
    return list(Organization.objects.filter(public_id__in=public_ids).order_by("legal_name"))


def grantee_get(*, actor, public_id: UUID | str) -> Organization | None:
    """An organization a grant may name, by its public id (public facts only): active, and not the platform
    operator. The same look-up for the HTML sharing page and the API."""
    if active_organization_of(actor) is None:
        return None
    try:
        key = UUID(str(public_id))
    except (TypeError, ValueError):
        return None
    return (
        Organization.objects.filter(public_id=key, status=OrganizationStatus.ACTIVE)
        .exclude(kind=OrganizationKind.PLATFORM_OPERATOR)
        .first()
    )


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


def attribute_label(key: str) -> str:
    """The catalogue's label of an attribute (a document's kind), or the key of one it no longer has."""
    from .catalogue import attribute

    try:
        return str(attribute(key).label)
    except LookupError:
        return key


def document_row(document) -> DocumentRow:
    return DocumentRow(
        id=str(document.public_id),
        attribute=document.attribute_key,
        attribute_label=attribute_label(document.attribute_key),
        audience=policies.document_audience(document.attribute_key).value,
        level="battery" if document.passport_id is not None else "model",
        title=document.title,
        file_name=document.original_name,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
        uploaded_at=document.uploaded_at,
    )


def documents_for(*, actor, target: BatteryModel | Passport, with_model: bool = False) -> list:
    """The documents of `target` the actor may see (`PassportDocument.objects.restrict(actor, "view")`),
    by kind and upload time: a model's own documents, or a passport's own followed, with `with_model`, by
    those of its battery model. Anonymous callers (`actor=None`) get what the public may see."""
    visible = PassportDocument.objects.restrict(actor, "view")
    if not isinstance(target, Passport):
        return list(visible.filter(battery_model=target, passport__isnull=True))
    if not with_model:
        return list(visible.filter(passport=target))
    # One query for both levels; the passport's own come first, each level in the model's order (a stable
    # sort). The public page reads its documents with `public_page_facts`.
    own_model = Q(battery_model_id=target.battery_model_id, passport__isnull=True)
    both = visible.filter(Q(passport=target) | own_model)
    return sorted(both, key=lambda document: document.passport_id is None)


def document_get(*, actor, public_id: UUID | str) -> PassportDocument | None:
    """A document the actor may see, or None: "not yours" and "does not exist" look the same."""
    related = ("battery_model__organization", "passport__organization", "passport__battery_model")
    try:
        return (
            PassportDocument.objects.restrict(actor, "view")
            .select_related(*related)
            .filter(public_id=public_id)
            .first()
        )
    except ValidationError:  # not a UUID
        return None
