"""Every read of tenancy data, scoped to what the acting user may see."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from portal.archiving import with_archived

from .models import Invitation, Membership, Organization, OrganizationStatus, Role, Site


def remember_membership(user, membership: Membership | None) -> None:
    """Cache the user's membership (loaded with the user, its organization selected) for the request;
    an inactive membership counts as none, as in `membership_of`."""
    user._passbridge_membership = membership if membership is not None and membership.is_active else None


def membership_of(user) -> Membership | None:
    """The user's active membership (cached on the user object for the request)."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_passbridge_membership"):
        membership = (
            Membership.objects.select_related("organization").filter(user=user, is_active=True).first()
        )
        user._passbridge_membership = membership
    return user._passbridge_membership


def organization_of(user) -> Organization | None:
    membership = membership_of(user)
    return membership.organization if membership else None


def active_organization_of(user) -> Organization | None:
    organization = organization_of(user)
    return organization if organization is not None and organization.is_active else None


def members_for(*, actor) -> QuerySet[Membership]:
    """The memberships of the actor's own organization (active organizations only): `Membership`'s rule."""
    return Membership.objects.restrict(actor, "view").select_related("user").order_by("user__username")


def member_get(*, actor, public_id) -> Membership | None:
    """A membership of the actor's organization, or None: another tenant's member 'does not exist'."""
    return members_for(actor=actor).filter(public_id=public_id).first()


def sites_for(*, actor, archived: bool | None = None) -> QuerySet[Site]:
    """The actor's organization's sites (`Site`'s rule). `archived`: True only archived sites, False only
    those in use (lists and choices for new things), None both (look-ups: certificates still name them)."""
    return with_archived(Site.objects.restrict(actor, "view"), archived)


def site_get(*, actor, public_id) -> Site | None:
    return sites_for(actor=actor).filter(public_id=public_id).first()


def open_invitations_for(*, actor) -> QuerySet[Invitation]:
    """The open invitations of the actor's organization (`Invitation`'s rule)."""
    return Invitation.objects.restrict(actor, "view").filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    )


def invitation_get(*, actor, public_id) -> Invitation | None:
    return open_invitations_for(actor=actor).filter(public_id=public_id).first()


def organizations_matching(*, actor, query: str) -> QuerySet[Organization]:
    """Active organizations by name or identifier, for choosing a partner (public facts only)."""
    from django.db.models import Q

    if active_organization_of(actor) is None or not query.strip():
        return Organization.objects.none()
    q = query.strip()
    return Organization.objects.filter(status="active").filter(
        Q(legal_name__icontains=q) | Q(bpnl__iexact=q) | Q(corporate_number=q) | Q(lei__iexact=q)
    )[:20]


def registrations_pending(*, actor) -> QuerySet[Organization]:
    """Registrations waiting for an operator's decision, oldest first (operators only: they decide)."""
    from . import policies

    if not policies.is_operator(actor):
        return Organization.objects.none()
    admins = Membership.objects.filter(role=Role.ADMIN).select_related("user").order_by("pk")
    return (
        Organization.objects.filter(status=OrganizationStatus.PENDING)
        .prefetch_related(Prefetch("memberships", queryset=admins, to_attr="admins"))
        .order_by("created_at", "pk")
    )


def registration_pending_get(*, actor, public_id) -> Organization | None:
    try:
        return registrations_pending(actor=actor).filter(public_id=public_id).first()
    except (ValueError, ValidationError):
        return None
