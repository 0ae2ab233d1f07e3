"""Every authorisation decision about organizations, members and sites, in one place."""

from __future__ import annotations

from django.conf import settings

from portal.restrict import permits

from .models import (
    COMPANY_KINDS,
    MANAGER_ROLES,
    TWO_FACTOR_ROLES,
    Invitation,
    Membership,
    Organization,
    OrganizationKind,
    Role,
    Site,
)
from .selectors import membership_of

#: Roles that add, change and delete their organization's sites.
SITE_MANAGER_ROLES = (Role.ADMIN, Role.EDITOR, Role.LEAD)


def is_operator(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def _active_role_in(user, organization: Organization, roles) -> bool:
    membership = membership_of(user)
    return (
        membership is not None
        and membership.organization_id == organization.pk
        and organization.is_active
        and membership.role in roles
    )


def is_active_member(user) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.organization.is_active


def can_manage_members(user, organization: Organization) -> bool:
    return _active_role_in(user, organization, MANAGER_ROLES)


def can_edit_organization(user, organization: Organization) -> bool:
    return _active_role_in(user, organization, MANAGER_ROLES)


def can_change_organization(user, organization: Organization) -> bool:
    """Change an organization's details: its managers in the portal, platform operators in the admin."""
    return is_operator(user) or can_edit_organization(user, organization)


def can_manage_sites(user, organization: Organization) -> bool:
    return _active_role_in(user, organization, SITE_MANAGER_ROLES)


# Per-object decisions: the model's rule (`restrict()` in models.py) asked of one row, never a second copy.
def can_change_site(user, site: Site) -> bool:
    return permits(user, "change", site)


def can_change_member(user, membership: Membership) -> bool:
    """Change a member's role or activity: a manager of the member's organization in the portal, or a
    platform operator in the Django admin (the services apply the same checks to both)."""
    return is_operator(user) or permits(user, "change", membership)


def can_revoke_invitation(user, invitation: Invitation) -> bool:
    return permits(user, "change", invitation)


def can_administer_members(user, organization: Organization) -> bool:
    """Add a person to an organization directly (no invitation): platform operators, in the Django admin,
    when they set up certification bodies and authorities."""
    return is_operator(user)


def can_view_audit_log(user, organization: Organization) -> bool:
    return is_operator(user) or _active_role_in(user, organization, MANAGER_ROLES)


def can_manage_api_tokens(user) -> bool:
    return bool(user and user.is_authenticated and (is_active_member(user) or is_operator(user)))


def requires_two_factor(user) -> bool:
    """Platform operators, certifiers and authority inspectors must use TOTP when enforcement is on
    (production): operators approve organizations and accredit bodies in the admin."""
    if not settings.PASSBRIDGE_ENFORCE_2FA:
        return False
    if is_operator(user):
        return True
    membership = membership_of(user)
    return membership is not None and membership.role in TWO_FACTOR_ROLES


def can_disable_two_factor(user) -> bool:
    """Anyone may turn their own two-factor authentication off, unless their role requires it."""
    return bool(user and user.is_authenticated) and not requires_two_factor(user)


def assignable_roles(organization: Organization) -> tuple[str, ...]:
    from .models import ROLES_BY_KIND

    return ROLES_BY_KIND[organization.kind]


def is_company(organization: Organization | None) -> bool:
    """Battery makers, importers, suppliers and recyclers: they hold passports and apply for certificates."""
    return organization is not None and organization.kind in COMPANY_KINDS


def is_certification_body(organization: Organization | None) -> bool:
    return organization is not None and organization.kind == OrganizationKind.CERTIFICATION_BODY


def is_authority(organization: Organization | None) -> bool:
    return organization is not None and organization.kind == OrganizationKind.AUTHORITY


def dashboard_kind(user) -> str:
    """Which dashboard fits the user: operator, pending, company, certifier, authority or none."""
    if is_operator(user):
        return "operator"
    membership = membership_of(user)
    if membership is None:
        return "none"
    if not membership.organization.is_active:
        return "pending"
    organization = membership.organization
    if is_company(organization):
        return "company"
    if is_certification_body(organization):
        return "certifier"
    if is_authority(organization):
        return "authority"
    return "none"
