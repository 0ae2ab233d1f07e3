"""Who sees and changes what in passports: the one place that decides, for API, HTML, exports and admin.

Viewer kinds (see `catalogue.Viewer`): the owner company (by role: viewer reads, editor edits, admin
publishes and grants), a certifier whose organization holds the confidential grant while it reviews,
an authority, a partner holding a legitimate-interest grant on the passport or its battery model, and
the public. The passport policy only understands its own permissions; certification grants them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from guardian.core import ObjectPermissionChecker

from portal.tenancy.groups import organization_group
from portal.tenancy.models import OrganizationKind, Role
from portal.tenancy.selectors import active_organization_of

from .catalogue import ATTRIBUTES, Audience, Viewer, visible_audiences
from .catalogue import attribute as catalogue_attribute
from .models import BatteryModel, Passport, PassportGroupObjectPermission, PassportVersion, VersionState

EDIT_ROLES = (Role.ADMIN, Role.EDITOR)
PUBLISH_ROLES = (Role.ADMIN,)


def _role(user, organization) -> str | None:
    from portal.tenancy.selectors import membership_of

    membership = membership_of(user)
    if membership is None or membership.organization_id != organization.pk or not organization.is_active:
        return None
    return membership.role


def is_owner(user, obj: Passport | BatteryModel) -> bool:
    return _role(user, obj.organization) is not None


def can_edit(user, obj: Passport | BatteryModel) -> bool:
    return _role(user, obj.organization) in EDIT_ROLES


def can_publish(user, obj: Passport | BatteryModel) -> bool:
    return _role(user, obj.organization) in PUBLISH_ROLES


def can_grant(user, obj: Passport | BatteryModel) -> bool:
    return _role(user, obj.organization) in PUBLISH_ROLES


def _group_has(organization, perm: str, objects: Iterable[Passport | BatteryModel]) -> bool:
    checker = ObjectPermissionChecker(organization_group(organization))
    return any(checker.has_perm(f"{perm}_{obj._meta.model_name}", obj) for obj in objects if obj is not None)


def viewer_kind(user, obj: Passport | BatteryModel) -> Viewer:
    """The viewer kind of `user` for `obj`; anonymous and unrelated users are the public."""
    if user is None or not user.is_authenticated:
        return Viewer.PUBLIC
    if is_owner(user, obj):
        return Viewer.OWNER
    organization = active_organization_of(user)
    if organization is None:
        return Viewer.PUBLIC
    related = [obj, obj.battery_model] if isinstance(obj, Passport) else [obj]
    if _group_has(organization, "view_confidential", related):
        return Viewer.CERTIFIER
    if organization.kind == OrganizationKind.AUTHORITY:
        return Viewer.AUTHORITY
    if _group_has(organization, "view_legitimate_interest", related):
        return Viewer.PARTNER
    return Viewer.PUBLIC


def can_see_unpublished(viewer: Viewer) -> bool:
    """Drafts are working material of the owner (and the certifier reviewing it), never published data."""
    return viewer in (Viewer.OWNER, Viewer.CERTIFIER)


def can_see_supply_chain(viewer: Viewer) -> bool:
    return viewer in (Viewer.OWNER, Viewer.CERTIFIER)


def visible_keys(viewer: Viewer) -> frozenset[str]:
    """Top-level attribute keys the viewer may read (an allowlist: anything else is dropped)."""
    audiences = visible_audiences(viewer)
    return frozenset(a.key for a in ATTRIBUTES if a.group is None and a.audience in audiences)


def visible_values(viewer: Viewer, values: Mapping[str, Any]) -> dict[str, Any]:
    """Only the values this viewer may read, in catalogue order."""
    allowed = visible_keys(viewer)
    return {key: values[key] for key in (a.key for a in ATTRIBUTES) if key in allowed and key in values}


@functools.cache
def public_keys() -> tuple[str, ...]:
    """The keys `visible_values` keeps for the public, in its order: computed once, because the public
    JSON is the hottest path and `visible_values` walks the whole catalogue on every call."""
    return tuple(visible_values(Viewer.PUBLIC, dict.fromkeys(a.key for a in ATTRIBUTES)))


# ---- uploaded documents ------------------------------------------------------------------------------
# A document's audience is that of its catalogue attribute. Owner and assigned certifier download every
# document at once (they read drafts too); everyone else only the audiences they may read, and only once
# the model (or, for a battery's own documents, the passport) has a published passport: before that the
# documents are working material, like the model's values.
def can_manage_documents(user, target: Passport | BatteryModel) -> bool:
    """Upload and delete: editors and administrators of the owning company."""
    return can_edit(user, target)


def model_documents_viewer(user, battery_model: BatteryModel) -> Viewer:
    """The viewer kind for a model's documents: as for the model, widened by grants on its passports (a
    grant on a passport shows the model's values in that passport, so it shows the model's documents)."""
    viewer = viewer_kind(user, battery_model)
    if viewer in (Viewer.OWNER, Viewer.CERTIFIER) or user is None or not user.is_authenticated:
        return viewer
    organization = active_organization_of(user)
    if organization is None:
        return viewer
    held = set(
        PassportGroupObjectPermission.objects.filter(
            group=organization_group(organization), content_object__battery_model=battery_model
        ).values_list("permission__codename", flat=True)
    )
    if "view_confidential_passport" in held:
        return Viewer.CERTIFIER
    if viewer is Viewer.PUBLIC and "view_legitimate_interest_passport" in held:
        return Viewer.PARTNER
    return viewer


def documents_published(target: Passport | BatteryModel) -> bool:
    """Whether the documents of `target` have reached readers: a published version of the passport, or
    of any passport of the model."""
    versions = PassportVersion.objects.filter(state=VersionState.PUBLISHED)
    if isinstance(target, Passport):
        return versions.filter(passport=target).exists()
    return versions.filter(passport__battery_model=target).exists()


def document_audiences(viewer: Viewer, *, published: bool) -> frozenset[Audience]:
    """Audiences of the documents a viewer may download (an allowlist; unknown kinds see nothing)."""
    if can_see_unpublished(viewer):
        return frozenset(Audience)
    return visible_audiences(viewer) if published else frozenset()


def document_audience(attribute_key: str) -> Audience:
    """The audience of a document kind; a kind the catalogue no longer knows is confidential."""
    try:
        return catalogue_attribute(attribute_key).audience
    except LookupError:
        return Audience.CONFIDENTIAL


def document_viewer(user, document) -> Viewer:
    if document.passport_id is not None:
        return viewer_kind(user, document.passport)
    return model_documents_viewer(user, document.battery_model)


def can_see_document(user, document) -> bool:
    """May `user` see this document (its title in lists, and its bytes)? The one decision for HTML, API,
    the public page and the download views."""
    viewer = document_viewer(user, document)
    audience = document_audience(document.attribute_key)
    if can_see_unpublished(viewer):
        return True
    target = document.passport if document.passport_id is not None else document.battery_model
    return audience in document_audiences(viewer, published=documents_published(target))
