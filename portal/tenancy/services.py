"""Every write to organizations, sites, memberships and invitations.

Each function is atomic, takes the acting user first, checks the policy itself and writes the audit
log; e-mails are enqueued after commit with ids only.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.accounts.models import User
from portal.accounts.services import user_create, user_deactivate
from portal.archiving import set_archived
from portal.audit.services import audit_record
from portal.deletion import refuse_if_protected
from portal.enqueue import queue_after_commit

from . import policies
from .models import (
    COMPANY_KINDS,
    MANAGER_ROLES,
    SELF_REGISTRATION_KINDS,
    CorporateGroup,
    Invitation,
    Membership,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Role,
    Site,
)

NEUTRAL_IDENTIFIER_ERROR = gettext_noop(
    "This identifier cannot be used for a new registration. If your company already uses PassBridge, "
    "ask its administrator for an invitation."
)
INVITATION_SALT = "passbridge.invitation"
ORGANIZATION_FIELDS = (
    "legal_name",
    "country",
    "street",
    "postal_code",
    "city",
    "website",
    "data_spaces",
    "bpnl",
    "corporate_number",
    "lei",
)


def _enqueue(task, *args: Any) -> None:
    queue_after_commit(partial(task.delay, *args), what=task.name)


def identifiers_in_use(
    *, bpnl: str | None, corporate_number: str | None, lei: str | None, exclude: Organization | None = None
) -> list[str]:
    """Which of the given identifiers another organization already holds (field names only)."""
    taken = []
    others = Organization.objects.all() if exclude is None else Organization.objects.exclude(pk=exclude.pk)
    for field, value in (("bpnl", bpnl), ("corporate_number", corporate_number), ("lei", lei)):
        if value and others.filter(**{field: value}).exists():
            taken.append(field)
    return taken


def _clean_organization(org: Organization) -> None:
    """Validate with identifiers in canonical form; a taken identifier gets the neutral message."""
    org.clean()
    taken = identifiers_in_use(
        bpnl=org.bpnl, corporate_number=org.corporate_number, lei=org.lei, exclude=org if org.pk else None
    )
    if taken:
        raise ValidationError({field: _(NEUTRAL_IDENTIFIER_ERROR) for field in taken})
    org.full_clean()


@transaction.atomic
def organization_register(*, organization: dict[str, Any], admin: dict[str, Any]) -> Membership:
    """Self-registration: a pending company and its first administrator. Never an active organization."""
    from .tasks import notify_operators_of_registration

    kind = organization.get("kind")
    if kind not in SELF_REGISTRATION_KINDS:
        raise ValidationError(
            {"kind": _("Certification bodies and authorities are created by platform operators.")}
        )
    values = {field: organization.get(field) for field in ORGANIZATION_FIELDS}
    org = Organization(kind=kind, status=OrganizationStatus.PENDING, **values)
    _clean_organization(org)
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError as exc:  # a concurrent registration took an identifier first
        raise ValidationError(_(NEUTRAL_IDENTIFIER_ERROR)) from exc
    user = user_create(**admin)
    membership = Membership.objects.create(user=user, organization=org, role=Role.ADMIN)
    audit_record(actor=user, action="organization.registered", organization=org, target=org)
    _enqueue(notify_operators_of_registration, org.pk)
    return membership


def _decide(
    *, actor: User, organization: Organization, status: str, reason: str, action: str
) -> Organization:
    from .tasks import send_organization_decision_email

    if not policies.is_operator(actor):
        raise PermissionDenied
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    org.status = status
    org.status_reason = reason
    org.decided_at = timezone.now()
    org.decision_notified_at = None
    org.save(update_fields=["status", "status_reason", "decided_at", "decision_notified_at"])
    audit_record(
        actor=actor,
        action=action,
        organization=org,
        target=org,
        details={"status": status, "reason": reason} if reason else {"status": status},
    )
    _enqueue(send_organization_decision_email, org.pk)
    return org


@transaction.atomic
def organization_approve(*, actor: User, organization: Organization) -> Organization:
    if organization.status == OrganizationStatus.ACTIVE:
        return organization
    return _decide(
        actor=actor,
        organization=organization,
        status=OrganizationStatus.ACTIVE,
        reason="",
        action="organization.approved",
    )


@transaction.atomic
def organization_reject(*, actor: User, organization: Organization, reason: str) -> Organization:
    if not reason.strip():
        raise ValidationError({"reason": _("Give the applicant a reason for the rejection.")})
    if organization.status != OrganizationStatus.PENDING:
        raise ValidationError(_("Only pending registrations can be rejected."))
    return _decide(
        actor=actor,
        organization=organization,
        status=OrganizationStatus.REJECTED,
        reason=reason.strip(),
        action="organization.rejected",
    )


@transaction.atomic
def organization_suspend(*, actor: User, organization: Organization, reason: str) -> Organization:
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the suspension.")})
    return _decide(
        actor=actor,
        organization=organization,
        status=OrganizationStatus.SUSPENDED,
        reason=reason.strip(),
        action="organization.suspended",
    )


@transaction.atomic
def organization_create(*, actor: User, kind: str, data: dict[str, Any]) -> Organization:
    """An operator creates an organization (certification bodies, authorities): active from the start."""
    if not policies.is_operator(actor):
        raise PermissionDenied
    if kind not in OrganizationKind.values:
        raise ValidationError({"kind": _("Choose a kind of organization.")})
    org = Organization(
        kind=kind,
        status=OrganizationStatus.ACTIVE,
        decided_at=timezone.now(),
        **{field: data.get(field) for field in ORGANIZATION_FIELDS},
    )
    _clean_organization(org)
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError as exc:  # a concurrent registration took an identifier first
        raise ValidationError(_(NEUTRAL_IDENTIFIER_ERROR)) from exc
    audit_record(
        actor=actor, action="organization.created", organization=org, target=org, details={"kind": kind}
    )
    return org


@transaction.atomic
def organization_update(*, actor: User, organization: Organization, data: dict[str, Any]) -> Organization:
    if not policies.can_change_organization(actor, organization):
        raise PermissionDenied
    changed = []
    for field in ORGANIZATION_FIELDS:
        if field in data and getattr(organization, field) != data[field]:
            setattr(organization, field, data[field])
            changed.append(field)
    _clean_organization(organization)
    organization.save()
    audit_record(
        actor=actor,
        action="organization.updated",
        organization=organization,
        target=organization,
        details={"fields": changed},
    )
    return organization


SITE_FIELDS = ("name", "street", "postal_code", "city", "country", "bpn")


def _check_site_bpn_free(bpn: str | None, exclude: Site | None = None) -> None:
    if not bpn:
        return
    others = Site.objects.filter(bpn=bpn)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise ValidationError({"bpn": _("This BPNS/BPNA is already registered for a site.")})


@transaction.atomic
def site_create(*, actor: User, organization: Organization, data: dict[str, Any]) -> Site:
    if not policies.can_manage_sites(actor, organization):
        raise PermissionDenied
    _check_site_bpn_free(data.get("bpn"))
    site = Site(organization=organization, **{field: data.get(field) for field in SITE_FIELDS})
    site.full_clean()
    site.save()
    audit_record(actor=actor, action="site.created", organization=organization, target=site)
    return site


@transaction.atomic
def site_update(*, actor: User, site: Site, data: dict[str, Any]) -> Site:
    if not policies.can_change_site(actor, site):
        raise PermissionDenied
    _check_site_bpn_free(data.get("bpn"), exclude=site)
    for field in SITE_FIELDS:
        if field in data:
            setattr(site, field, data[field])
    site.full_clean()
    site.save()
    audit_record(actor=actor, action="site.updated", organization=site.organization, target=site)
    return site


@transaction.atomic
def site_delete(*, actor: User, site: Site) -> None:
    if not policies.can_change_site(actor, site):
        raise PermissionDenied
    refuse_if_protected(site)
    audit_record(actor=actor, action="site.deleted", organization=site.organization, target=site)
    site.delete()


@transaction.atomic
def site_archive(*, actor: User, site: Site) -> Site:
    """Retire a site the organization no longer uses: it leaves lists and the choices for new applications,
    while the certificates and applications that cover it keep it. Whoever may delete it may archive it."""
    if not policies.can_change_site(actor, site):
        raise PermissionDenied
    site = set_archived(site, archived=True, refusal=_("This site is already archived."))
    audit_record(actor=actor, action="site.archived", organization=site.organization, target=site)
    return site


@transaction.atomic
def site_restore(*, actor: User, site: Site) -> Site:
    """Bring an archived site back into use."""
    if not policies.can_change_site(actor, site):
        raise PermissionDenied
    site = set_archived(site, archived=False, refusal=_("This site is not archived."))
    audit_record(actor=actor, action="site.restored", organization=site.organization, target=site)
    return site


def check_role(organization: Organization, role: str) -> None:
    """The role must exist for the organization's kind (a company has no inspectors, a body no editors).
    Public so that forms (the Django admin's) show the same refusal on the field before saving."""
    if role not in policies.assignable_roles(organization):
        raise ValidationError({"role": _("This role does not exist for this kind of organization.")})


def check_keeps_manager(membership: Membership, *, role: str, is_active: bool, lock: bool = True) -> None:
    """An organization keeps at least one active administrator (or lead certifier): refuse a change that
    would leave `membership`'s organization without one. `lock` (inside the writing transaction) holds
    the other managers' rows, so that two concurrent demotions cannot both pass."""
    if membership.pk is None or not (membership.is_active and membership.role in MANAGER_ROLES):
        return
    if is_active and role in MANAGER_ROLES:
        return
    if _remaining_managers(membership, lock=lock) == 0:
        field = "role" if is_active else "is_active"
        raise ValidationError({field: _("An organization needs at least one active administrator.")})


@transaction.atomic
def invitation_create(*, actor: User, organization: Organization, email: str, role: str) -> Invitation:
    from .tasks import send_invitation_email

    if not policies.can_manage_members(actor, organization):
        raise PermissionDenied
    check_role(organization, role)
    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of your organization.")})
    if User.objects.filter(email__iexact=email).exists():
        # A person acts for one organization; say so without revealing which one holds the address.
        raise ValidationError(
            {"email": _("This address already has a PassBridge account. Invite another address.")}
        )
    if Invitation.objects.filter(
        organization=organization, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).exists():
        raise ValidationError({"email": _("An invitation to this address is already open.")})
    invitation = Invitation.objects.create(
        organization=organization, email=email, role=role, invited_by=actor
    )
    audit_record(
        actor=actor,
        action="invitation.sent",
        organization=organization,
        target=invitation,
        details={"role": role},
    )
    _enqueue(send_invitation_email, invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    if not policies.can_revoke_invitation(actor, invitation):
        raise PermissionDenied
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor, action="invitation.revoked", organization=invitation.organization, target=invitation
    )


def invitation_token(invitation: Invitation) -> str:
    return signing.TimestampSigner(salt=INVITATION_SALT).sign(str(invitation.public_id))


def invitation_from_token(token: str, *, max_age: int) -> Invitation | None:
    """The open invitation a link refers to, or None if the link is forged, expired or used."""
    try:
        public_id = signing.TimestampSigner(salt=INVITATION_SALT).unsign(token, max_age=max_age)
    except signing.BadSignature:
        return None
    invitation = Invitation.objects.select_related("organization").filter(public_id=public_id).first()
    if invitation is None or not invitation.is_open or not invitation.organization.is_active:
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, account: dict[str, Any]) -> Membership:
    """Create the invitee's account and membership. The e-mail address is the invited one."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation has already been used or withdrawn."))
    user = user_create(**{**account, "email": invitation.email})
    membership = Membership.objects.create(
        user=user, organization=invitation.organization, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        actor=user,
        action="invitation.accepted",
        organization=invitation.organization,
        target=membership,
        details={"role": invitation.role},
    )
    return membership


def _remaining_managers(membership: Membership, *, lock: bool = True) -> int:
    others = Membership.objects.select_for_update() if lock else Membership.objects.all()
    return (
        others.filter(organization_id=membership.organization_id, is_active=True, role__in=MANAGER_ROLES)
        .exclude(pk=membership.pk)
        .count()
    )


@transaction.atomic
def membership_create(*, actor: User, user: User, organization: Organization, role: str) -> Membership:
    """An operator adds a person to an organization directly (the first lead of a certification body, an
    authority's inspector); companies invite instead. A person acts for one organization."""
    if not policies.can_administer_members(actor, organization):
        raise PermissionDenied
    check_role(organization, role)
    if Membership.objects.filter(user=user).exists():
        raise ValidationError({"user": _("This person already acts for an organization.")})
    membership = Membership.objects.create(user=user, organization=organization, role=role)
    audit_record(
        actor=actor,
        action="membership.created",
        organization=organization,
        target=membership,
        details={"role": role},
    )
    return membership


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    if not policies.can_change_member(actor, membership):
        raise PermissionDenied
    check_role(membership.organization, role)
    check_keeps_manager(membership, role=role, is_active=membership.is_active)
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        actor=actor,
        action="membership.role_changed",
        organization=membership.organization,
        target=membership,
        details={"from": previous, "to": role},
    )
    return membership


@transaction.atomic
def membership_deactivate(*, actor: User, membership: Membership) -> Membership:
    if not policies.can_change_member(actor, membership):
        raise PermissionDenied
    check_keeps_manager(membership, role=membership.role, is_active=False)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    user_deactivate(user=membership.user)
    audit_record(
        actor=actor, action="membership.deactivated", organization=membership.organization, target=membership
    )
    return membership


@transaction.atomic
def membership_reactivate(*, actor: User, membership: Membership) -> Membership:
    if not policies.can_change_member(actor, membership):
        raise PermissionDenied
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    membership.user.is_active = True
    membership.user.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action="membership.reactivated", organization=membership.organization, target=membership
    )
    return membership


@transaction.atomic
def corporate_group_save(
    *, actor: User, group: CorporateGroup | None, name: str, members: list[Organization]
) -> CorporateGroup:
    """An operator declares a corporate group and which companies belong to it (affiliations decide how
    aggregates shown to authorities count contributors). A company belongs to at most one group."""
    if not policies.is_operator(actor):
        raise PermissionDenied
    name = " ".join(str(name or "").split())
    if not name or len(name) > 200:
        raise ValidationError({"name": [_("Enter the group's name (at most 200 characters).")]})
    if CorporateGroup.objects.filter(name=name).exclude(pk=getattr(group, "pk", None)).exists():
        raise ValidationError({"name": [_("A corporate group with this name exists.")]})
    outsiders = [org for org in members if org.kind not in COMPANY_KINDS]
    if outsiders:
        raise ValidationError({"members": [_("Only companies, recyclers and collectors form groups.")]})
    if group is None:
        group = CorporateGroup.objects.create(name=name)
    elif group.name != name:
        group.name = name
        group.save(update_fields=["name"])
    wanted = {org.pk for org in members}
    Organization.objects.filter(corporate_group=group).exclude(pk__in=wanted).update(corporate_group=None)
    Organization.objects.filter(pk__in=wanted).update(corporate_group=group)
    audit_record(
        actor=actor,
        action="corporate_group.saved",
        target=group,
        details={"members": sorted(str(org.public_id) for org in members)},
    )
    return group
