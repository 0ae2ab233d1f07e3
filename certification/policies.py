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

The rules themselves are stated once, as querysets (`certification/access.py`): the object decisions here
ask them of one row (`portal.restrict.permits`), the selectors filter with them.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from portal.restrict import permits
from portal.tenancy.models import COMPANY_KINDS, Organization, OrganizationKind, Role
from portal.tenancy.policies import is_operator

from .access import BODY_ROLES, acting_membership
from .models import EDITABLE_STATES, Accreditation, Application, Certificate, Scheme

__all__ = ["BODY_ROLES", "EDITABLE_STATES"]


# --- Facts about the actor (no object involved) -------------------------------------------------------


def _role_in(user, organization_id: int, roles) -> bool:
    membership = acting_membership(user)
    return (
        membership is not None and membership.organization_id == organization_id and membership.role in roles
    )


def is_body_member(user, body_id: int) -> bool:
    return _role_in(user, body_id, BODY_ROLES)


def is_body_lead(user, body_id: int) -> bool:
    return _role_in(user, body_id, (Role.LEAD,))


def is_applicant_member(user, application: Application) -> bool:
    """Which side of the application the user is on (for wording); what it may do is `permits`'."""
    return _role_in(user, application.organization_id, (Role.ADMIN, Role.EDITOR, Role.VIEWER))


def accreditation_on(body: Organization, scheme: Scheme, day: date | None = None) -> Accreditation | None:
    """The body's accreditation for the scheme valid on `day` (today by default), if any."""
    day = day or timezone.localdate()
    for accreditation in Accreditation.objects.filter(body=body, scheme=scheme).order_by("-valid_from"):
        if accreditation.covers(day):
            return accreditation
    return None


# --- Applications: the rule of `Application.objects.restrict`, asked of one row -----------------------


def can_apply(user) -> bool:
    membership = acting_membership(user)
    return (
        membership is not None
        and membership.organization.kind in COMPANY_KINDS
        and membership.role == Role.ADMIN
    )


def can_view_application(user, application: Application) -> bool:
    return permits(user, "view", application)


def can_manage_application(user, application: Application) -> bool:
    """Applicant admins act for their company: edit, submit, resubmit, withdraw (the state is the
    service's to check)."""
    return permits(user, "manage", application)


def can_edit_application(user, application: Application) -> bool:
    return permits(user, "change", application)


def can_lead(user, application: Application) -> bool:
    """A lead of the body the application is addressed to (the role: the state is the service's)."""
    return permits(user, "lead", application)


def can_assign(user, application: Application) -> bool:
    return permits(user, "assign", application)


def assignable_reviewer(user, application: Application) -> bool:
    return is_body_member(user, application.body_id)


def is_assigned_reviewer(user, application: Application) -> bool:
    return permits(user, "review", application)


def can_decide(user, application: Application) -> bool:
    """Record verdicts, request changes, approve: the assigned reviewer of an application in review."""
    return permits(user, "decide", application)


def can_reject(user, application: Application) -> bool:
    """The assigned reviewer, in review or while changes are requested."""
    return permits(user, "reject", application)


# --- Certificates: the rule of `Certificate.objects.restrict`, asked of one row -----------------------


def sees_all_certificates(user) -> bool:
    if is_operator(user):
        return True
    membership = acting_membership(user)
    return membership is not None and membership.organization.kind == OrganizationKind.AUTHORITY


def can_bundle_certificates(user) -> bool:
    """Download many certificate PDFs at once (a ZIP built by a worker): the registry's readers, authorities
    and operators. Holders and bodies download their certificates one by one."""
    return sees_all_certificates(user)


def may_change_certificate_status(user, certificate: Certificate) -> bool:
    """The issuing body's leads and the reviewer who issued it (the role, whatever the certificate)."""
    return permits(user, "change_status", certificate)


def can_change_certificate_status(user, certificate: Certificate) -> bool:
    """Suspend, reinstate, revoke: offered on the page. A recognised certificate follows its origin and is
    never changed on its own."""
    return not certificate.is_recognised and may_change_certificate_status(user, certificate)


def may_renew(user, certificate: Certificate) -> bool:
    """The holder's administrators (the role, whatever the certificate)."""
    return permits(user, "renew", certificate)


def can_renew(user, certificate: Certificate) -> bool:
    return not certificate.is_recognised and may_renew(user, certificate)


def can_view_certificate_access_log(user, certificate: Certificate) -> bool:
    """The certificate's access log ("who saw what": its PDF downloaded by authorities) is for whoever reads
    the holder's audit log, where the same entries stand (`portal.tenancy.policies.can_view_audit_log`): the
    holder's administrators and the operators. Not the holder's editors and viewers, not the issuing body,
    not the authorities themselves: an inspector must not learn what other authorities looked at."""
    return permits(user, "access_log", certificate)
