"""Who may see and do what in certification: the one place that decides, for API, HTML, tasks and admin.

- Applicant: members of the applying company read its applications and certificates; its admins
  create, edit, submit, resubmit and withdraw.
- Certification body: members see the applications addressed to it once submitted; the lead assigns
  a reviewer; only the assigned reviewer records verdicts and decides; leads and the issuing reviewer
  suspend, reinstate and revoke the body's certificates. A body acts only under the schemes it is
  accredited for on the day.
- Authorities and operators read every certificate; everyone can verify one by number (public facts).
- A certificate's access log (its PDF downloaded by authorities) is read by the holder's administrators
  and the operators only.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from portal.tenancy.models import COMPANY_KINDS, MANAGER_ROLES, Organization, OrganizationKind, Role
from portal.tenancy.policies import is_operator
from portal.tenancy.selectors import membership_of

from .models import (
    REVIEW_STATES,
    Accreditation,
    Application,
    ApplicationState,
    Certificate,
    Scheme,
)

BODY_ROLES = (Role.LEAD, Role.REVIEWER)
EDITABLE_STATES = (ApplicationState.DRAFT, ApplicationState.CHANGES_REQUESTED)


def _membership(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    membership = membership_of(user)
    if membership is None or not membership.organization.is_active:
        return None
    return membership


def _role_in(user, organization_id: int, roles) -> bool:
    membership = _membership(user)
    return (
        membership is not None and membership.organization_id == organization_id and membership.role in roles
    )


def is_body_member(user, body_id: int) -> bool:
    return _role_in(user, body_id, BODY_ROLES)


def is_applicant_member(user, application: Application) -> bool:
    return _role_in(user, application.organization_id, (Role.ADMIN, Role.EDITOR, Role.VIEWER))


def accreditation_on(body: Organization, scheme: Scheme, day: date | None = None) -> Accreditation | None:
    """The body's accreditation for the scheme valid on `day` (today by default), if any."""
    day = day or timezone.localdate()
    for accreditation in Accreditation.objects.filter(body=body, scheme=scheme).order_by("-valid_from"):
        if accreditation.covers(day):
            return accreditation
    return None


# --- Applications ----------------------------------------------------------------------------------


def can_apply(user) -> bool:
    membership = _membership(user)
    return (
        membership is not None
        and membership.organization.kind in COMPANY_KINDS
        and membership.role == Role.ADMIN
    )


def can_manage_application(user, application: Application) -> bool:
    """Applicant admins act for their company: edit, submit, resubmit, withdraw."""
    return _role_in(user, application.organization_id, (Role.ADMIN,))


def can_edit_application(user, application: Application) -> bool:
    return application.state in EDITABLE_STATES and can_manage_application(user, application)


def can_view_application(user, application: Application) -> bool:
    if is_applicant_member(user, application):
        return True
    return application.state != ApplicationState.DRAFT and is_body_member(user, application.body_id)


def is_body_lead(user, body_id: int) -> bool:
    return _role_in(user, body_id, (Role.LEAD,))


def can_assign(user, application: Application) -> bool:
    return application.state in REVIEW_STATES and is_body_lead(user, application.body_id)


def assignable_reviewer(user, application: Application) -> bool:
    return is_body_member(user, application.body_id)


def is_assigned_reviewer(user, application: Application) -> bool:
    return (
        application.reviewer_id is not None
        and user is not None
        and application.reviewer_id == user.pk
        and is_body_member(user, application.body_id)
    )


def can_decide(user, application: Application) -> bool:
    """Record verdicts, request changes, approve or reject: the assigned reviewer of an open review."""
    return application.state == ApplicationState.IN_REVIEW and is_assigned_reviewer(user, application)


def can_see_evidence(user, application: Application) -> bool:
    return can_view_application(user, application)


# --- Certificates ----------------------------------------------------------------------------------


def sees_all_certificates(user) -> bool:
    if is_operator(user):
        return True
    membership = _membership(user)
    return membership is not None and membership.organization.kind == OrganizationKind.AUTHORITY


def can_bundle_certificates(user) -> bool:
    """Download many certificate PDFs at once (a ZIP built by a worker): the registry's readers, authorities
    and operators. Holders and bodies download their certificates one by one."""
    return sees_all_certificates(user)


def can_view_certificate(user, certificate: Certificate) -> bool:
    if sees_all_certificates(user):
        return True
    membership = _membership(user)
    return membership is not None and membership.organization_id in (
        certificate.holder_id,
        certificate.issuing_body_id,
    )


def can_change_certificate_status(user, certificate: Certificate) -> bool:
    """Suspend, reinstate, revoke: the issuing body's leads and the reviewer who issued it. A recognised
    certificate follows its origin and is never changed on its own."""
    if certificate.is_recognised:
        return False
    if is_body_lead(user, certificate.issuing_body_id):
        return True
    return certificate.reviewer_id == getattr(user, "pk", None) and is_body_member(
        user, certificate.issuing_body_id
    )


def can_renew(user, certificate: Certificate) -> bool:
    return not certificate.is_recognised and _role_in(user, certificate.holder_id, (Role.ADMIN,))


def can_view_certificate_access_log(user, certificate: Certificate) -> bool:
    """The certificate's access log ("who saw what": its PDF downloaded by authorities) is for whoever reads
    the holder's audit log, where the same entries stand (`portal.tenancy.policies.can_view_audit_log`): the
    holder's administrators and the operators. Not the holder's editors and viewers, not the issuing body,
    not the authorities themselves: an inspector must not learn what other authorities looked at."""
    return is_operator(user) or _role_in(user, certificate.holder_id, MANAGER_ROLES)
