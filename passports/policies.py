"""Who sees and changes what in passports: the one place that decides, for API, HTML, exports and admin.

Viewer kinds (see `catalogue.Viewer`): the owner company (by role: viewer reads, editor edits, admin
publishes and grants), a certifier whose organization holds the confidential grant while it reviews,
an authority, a partner holding a legitimate-interest grant on the passport or its battery model, and
the public. The passport policy only understands its own permissions; certification grants them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from .access import EDIT_ROLES, WORKING_READERS
from .catalogue import ATTRIBUTES, Audience, Viewer, visible_audiences
from .catalogue import attribute as catalogue_attribute
from .models import BatteryModel, Passport


# Every per-object decision below is the model's `restrict()` rule (passports.access) asked of one row.
def can_view(user, obj: Passport | BatteryModel) -> bool:
    return type(obj).objects.permits(user, "view", obj)


def can_edit(user, obj: Passport | BatteryModel) -> bool:
    return type(obj).objects.permits(user, "change", obj)


def can_publish(user, obj: Passport | BatteryModel) -> bool:
    return type(obj).objects.permits(user, "publish", obj)


def can_grant(user, obj: Passport | BatteryModel) -> bool:
    return type(obj).objects.permits(user, "grant", obj)


def can_create_models(user, organization) -> bool:
    """Battery models (and so passports) are kept by companies, by their editors and administrators."""
    from portal.tenancy.models import COMPANY_KINDS
    from portal.tenancy.selectors import active_organization_of, membership_of

    return (
        organization.kind in COMPANY_KINDS
        and active_organization_of(user) == organization
        and membership_of(user).role in EDIT_ROLES
    )


def may_receive_grant(owner, organization) -> bool:
    """Legitimate-interest grants go to other active organizations, never to the platform operator."""
    from portal.tenancy.models import OrganizationKind

    return (
        organization.pk != owner.pk
        and organization.is_active
        and organization.kind != OrganizationKind.PLATFORM_OPERATOR
    )


def viewer_kind(user, obj: Passport | BatteryModel) -> Viewer:
    """The viewer kind of `user` for `obj`; anonymous users and readers outside every arm are the public."""
    if user is None or not user.is_authenticated:
        return Viewer.PUBLIC
    return type(obj).objects.audience_of(user, obj)


def is_owner(user, obj: Passport | BatteryModel) -> bool:
    return viewer_kind(user, obj) is Viewer.OWNER


def can_see_unpublished(viewer: Viewer) -> bool:
    """Drafts are working material of the owner (and the certifier reviewing it), never published data."""
    return viewer in WORKING_READERS


def can_see_supply_chain(viewer: Viewer) -> bool:
    """The audiences `SupplyChainEntry.objects.restrict(actor, "view")` serves."""
    return viewer in WORKING_READERS


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
# Who may see which document is `PassportDocument.objects.restrict()` (passports.access); what follows
# labels the reader for the access log and tells upload rights.
def can_manage_documents(user, target: Passport | BatteryModel) -> bool:
    """Upload and delete: editors and administrators of the owning company."""
    return can_edit(user, target)


def model_documents_viewer(user, battery_model: BatteryModel) -> Viewer:
    """The viewer kind for a model's documents: as for the model, widened by the viewer's standing on the
    model's passports (a grant on a passport shows the model's values in that passport, so it shows the
    model's documents)."""
    viewer = viewer_kind(user, battery_model)
    if viewer in (Viewer.OWNER, Viewer.CERTIFIER) or user is None or not user.is_authenticated:
        return viewer
    through_passports = Passport.objects.filter(battery_model=battery_model).audiences(user)
    if Viewer.CERTIFIER in through_passports:
        return Viewer.CERTIFIER
    if viewer is Viewer.PUBLIC and Viewer.PARTNER in through_passports:
        return Viewer.PARTNER
    return viewer


def documents_published(target: Passport | BatteryModel) -> bool:
    """Whether the documents of `target` have reached readers: a published version of the passport, or
    of any passport of the model."""
    published = Passport.objects.published()
    if isinstance(target, Passport):
        return published.filter(pk=target.pk).exists()
    return published.filter(battery_model=target).exists()


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
    """May `user` see this document (its title in lists, and its bytes)? `restrict()` asked of one row:
    the one decision for HTML, API, the public page and the download views."""
    return type(document).objects.permits(user, "view", document)
