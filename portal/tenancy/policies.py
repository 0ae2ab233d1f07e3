"""Every authorisation decision about organizations, members and sites, in one place."""

from __future__ import annotations

from django.conf import settings

from .models import COMPANY_KINDS, MANAGER_ROLES, TWO_FACTOR_ROLES, Organization, OrganizationKind, Role
from .selectors import membership_of


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


def can_manage_sites(user, organization: Organization) -> bool:
    return _active_role_in(user, organization, (Role.ADMIN, Role.EDITOR, Role.LEAD))


def can_view_audit_log(user, organization: Organization) -> bool:
    return is_operator(user) or _active_role_in(user, organization, MANAGER_ROLES)


def can_manage_api_tokens(user) -> bool:
    return bool(user and user.is_authenticated and (is_active_member(user) or is_operator(user)))


def requires_two_factor(user) -> bool:
    """Certifiers and authority inspectors must use TOTP when enforcement is on (production)."""
    if not settings.PASSBRIDGE_ENFORCE_2FA:
        return False
    membership = membership_of(user)
    return membership is not None and membership.role in TWO_FACTOR_ROLES


def assignable_roles(organization: Organization) -> tuple[str, ...]:
    from .models import ROLES_BY_KIND

    return ROLES_BY_KIND[organization.kind]


def dashboard_kind(user) -> str:
    """Which dashboard fits the user: operator, pending, company, certifier, authority or none."""
    if is_operator(user):
        return "operator"
    membership = membership_of(user)
    if membership is None:
        return "none"
    if not membership.organization.is_active:
        return "pending"
    kind = membership.organization.kind
    if kind in COMPANY_KINDS:
        return "company"
    if kind == OrganizationKind.CERTIFICATION_BODY:
        return "certifier"
    if kind == OrganizationKind.AUTHORITY:
        return "authority"
    return "none"
