from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.archiving import ARCHIVED_PARAMETER, archived_requested
from portal.audit.presentation import event_rows
from portal.audit.selectors import audit_events_for
from portal.button_actions import button_action
from portal.text import without_final_stop

from . import policies, selectors, services
from .decorators import active_member_required
from .forms import (
    InvitationAcceptForm,
    InvitationForm,
    MembershipRoleForm,
    OrganizationEditForm,
    RegistrationForm,
    SiteForm,
)
from .models import Role, Site


def _forbid_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.organization_register(
                organization=form.organization_data(), admin=form.admin_data(get_language() or "en")
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            for warning in form.identifier_warnings:
                messages.warning(request, warning)
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Your registration was received. A platform operator will review it.")
            )
            return redirect("dashboard")
    return render(request, "tenancy/register.html", {"form": form})


@active_member_required
def organization_detail(request: HttpRequest) -> HttpResponse:
    org = request.membership.organization
    # The sites in use by default; "Show archived sites" (?archived=1) lists the archived ones instead.
    show_archived = archived_requested(request.GET.get(ARCHIVED_PARAMETER))
    return render(
        request,
        "tenancy/organization_detail.html",
        {
            "organization": org,
            "sites": selectors.sites_for(actor=request.user, archived=show_archived),
            "show_archived": show_archived,
            "archived_count": 0
            if show_archived
            else selectors.sites_for(actor=request.user, archived=True).count(),
            "can_edit": policies.can_edit_organization(request.user, org),
            "can_manage_sites": policies.can_manage_sites(request.user, org),
        },
    )


@active_member_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest) -> HttpResponse:
    org = request.membership.organization
    _forbid_unless(policies.can_edit_organization(request.user, org))
    initial = {field: getattr(org, field) for field in OrganizationEditForm.base_fields}
    initial["country"] = org.country.code
    form = OrganizationEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(actor=request.user, organization=org, data=form.organization_data())
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            for warning in form.identifier_warnings:
                messages.warning(request, warning)
            messages.success(request, _("Organization details saved."))
            return redirect("tenancy:organization")
    return render(request, "tenancy/organization_edit.html", {"form": form, "organization": org})


@active_member_required
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, public_id=None) -> HttpResponse:
    org = request.membership.organization
    site = None
    initial = None
    if public_id is None:
        _forbid_unless(policies.can_manage_sites(request.user, org))
    else:
        # Visibility first: another organization's site is 404 for everyone, one's own is 403 to viewers.
        site = selectors.site_get(actor=request.user, public_id=public_id)
        if site is None:
            raise Http404
        _forbid_unless(policies.can_change_site(request.user, site))
        initial = {field: getattr(site, field) for field in SiteForm.base_fields}
        initial["country"] = site.country.code
    form = SiteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if site is None:
                services.site_create(actor=request.user, organization=org, data=form.cleaned_data)
            else:
                services.site_update(actor=request.user, site=site, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            for warning in form.identifier_warnings:
                messages.warning(request, warning)
            messages.success(request, _("Site saved."))
            return redirect("tenancy:organization")
    return render(request, "tenancy/site_form.html", {"form": form, "site": site})


def _site_to_change(request: HttpRequest, public_id) -> Site:
    """Visibility first: another organization's site is 404 for everyone, one's own is 403 to viewers."""
    site = selectors.site_get(actor=request.user, public_id=public_id)
    if site is None:
        raise Http404
    _forbid_unless(policies.can_change_site(request.user, site))
    return site


@active_member_required
@require_POST
def site_delete(request: HttpRequest, public_id) -> HttpResponse:
    site = _site_to_change(request, public_id)
    return button_action(
        request,
        partial(services.site_delete, actor=request.user, site=site),
        done=_("Site deleted."),
        then="tenancy:organization",
    )


@active_member_required
@require_POST
def site_archive(request: HttpRequest, public_id) -> HttpResponse:
    site = _site_to_change(request, public_id)
    return button_action(
        request,
        partial(services.site_archive, actor=request.user, site=site),
        done=_(
            "Site archived. Certificates and applications that cover it keep it; restore it to use it again."
        ),
        then="tenancy:organization",
    )


@active_member_required
@require_POST
def site_restore(request: HttpRequest, public_id) -> HttpResponse:
    site = _site_to_change(request, public_id)
    return button_action(
        request,
        partial(services.site_restore, actor=request.user, site=site),
        done=_("Site restored."),
        then="tenancy:organization",
    )


@active_member_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    org = request.membership.organization
    can_manage = policies.can_manage_members(request.user, org)
    roles = policies.assignable_roles(org)
    form = InvitationForm(request.POST or None, roles=roles)
    if request.method == "POST":
        _forbid_unless(can_manage)
        if form.is_valid():
            try:
                services.invitation_create(actor=request.user, organization=org, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
                )
                return redirect("tenancy:members")
    return render(
        request,
        "tenancy/members.html",
        {
            "organization": org,
            "memberships": selectors.members_for(actor=request.user),
            "invitations": selectors.open_invitations_for(actor=request.user) if can_manage else [],
            "can_manage": can_manage,
            "form": form,
            "roles": [(role, Role(role).label) for role in roles],
            "valid_days": settings.PASSBRIDGE_INVITATION_MAX_AGE // 86400,
        },
    )


@active_member_required
@require_POST
def member_update(request: HttpRequest, public_id) -> HttpResponse:
    membership = selectors.member_get(actor=request.user, public_id=public_id)
    if membership is None:
        raise Http404
    org = request.membership.organization
    _forbid_unless(policies.can_change_member(request.user, membership))
    action = request.POST.get("action")
    try:
        if action == "role":
            form = MembershipRoleForm(request.POST, roles=policies.assignable_roles(org))
            if not form.is_valid():
                raise ValidationError(form.errors["role"])
            services.membership_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
            messages.success(request, _("Role changed."))
        elif action == "deactivate":
            services.membership_deactivate(actor=request.user, membership=membership)
            messages.success(request, _("Member deactivated."))
        elif action == "reactivate":
            services.membership_reactivate(actor=request.user, membership=membership)
            messages.success(request, _("Member reactivated."))
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("tenancy:members")


@active_member_required
@require_POST
def invitation_revoke(request: HttpRequest, public_id) -> HttpResponse:
    invitation = selectors.invitation_get(actor=request.user, public_id=public_id)
    if invitation is None:
        raise Http404
    _forbid_unless(policies.can_revoke_invitation(request.user, invitation))
    services.invitation_revoke(actor=request.user, invitation=invitation)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("tenancy:members")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_from_token(token, max_age=settings.PASSBRIDGE_INVITATION_MAX_AGE)
    if invitation is None:
        return render(request, "tenancy/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        return render(request, "tenancy/invitation_invalid.html", {"logged_in": True}, status=409)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                invitation=invitation, account=form.account_data(get_language() or "en")
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome to %(org)s.") % {"org": without_final_stop(invitation.organization.legal_name)},
            )
            return redirect("dashboard")
    return render(request, "tenancy/invitation_accept.html", {"form": form, "invitation": invitation})


@active_member_required
def audit_log(request: HttpRequest) -> HttpResponse:
    org = request.membership.organization
    _forbid_unless(policies.can_view_audit_log(request.user, org))
    page = Paginator(audit_events_for(actor=request.user), 50).get_page(request.GET.get("page"))
    rows = event_rows(page.object_list)  # actions and objects in the reader's language
    return render(request, "tenancy/audit_log.html", {"page": page, "rows": rows, "organization": org})
