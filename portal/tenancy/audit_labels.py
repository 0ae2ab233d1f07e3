"""What the organizations' audit entries say, in the reader's language (registered in
`TenancyConfig.ready`)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.audit import labels

from .models import Role

ACTIONS = {
    "organization.registered": _("Organization registered"),
    "organization.approved": _("Organization approved"),
    "organization.rejected": _("Organization rejected"),
    "organization.suspended": _("Organization suspended"),
    "organization.created": _("Organization created"),
    "organization.updated": _("Organization details changed"),
    "site.created": _("Site created"),
    "site.updated": _("Site changed"),
    "site.deleted": _("Site deleted"),
    "site.archived": _("Site archived"),
    "site.restored": _("Site restored"),
    "invitation.sent": _("Invitation sent"),
    "invitation.revoked": _("Invitation withdrawn"),
    "invitation.accepted": _("Invitation accepted"),
    "membership.created": _("Member added"),
    "membership.role_changed": _("Member's role changed"),
    "membership.deactivated": _("Member deactivated"),
    "membership.reactivated": _("Member reactivated"),
    "corporate_group.saved": _("Corporate group saved"),
}


def membership_label(label: str) -> str:
    """`Membership.__str__` is "<user> @ <organization> (<role>)" with the role in English at the time of
    writing: the role is said in the reader's language, the names stay."""
    for role in Role:
        with translation.override("en"):
            english = f" ({role.label})"
        if label.endswith(english):
            return f"{label[: -len(english)]} ({role.label})"
    return label


def register() -> None:
    labels.register_actions(ACTIONS)
    labels.register_object("tenancy.membership", rewrite=membership_label)
