from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin_filters import CountryFilter
from portal.admin_writes import ReadOnlyAdmin, ServiceWriteAdmin, add_service_errors, adopt, refusal_messages

from . import services
from .models import COMPANY_KINDS, CorporateGroup, Invitation, Membership, Organization, Site


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class ReadOnlyInline(admin.TabularInline):
    """Shown on the organization's page; changed elsewhere (members on their own admin page, through the
    services; sites by the organization itself in the portal)."""

    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["user", "role", "is_active", "created_at"]
    readonly_fields = fields
    show_change_link = True


class SiteInline(ReadOnlyInline):
    model = Site
    fields = ["name", "city", "country", "bpn"]
    readonly_fields = fields


@admin.register(Organization)
class OrganizationAdmin(ServiceWriteAdmin):
    list_display = [
        "legal_name",
        "kind",
        "country",
        "data_spaces",
        "status",
        "bpnl",
        "corporate_number",
        "lei",
        "created_at",
    ]
    list_filter = ["status", "kind", "data_spaces", ("country", CountryFilter)]
    # "country" finds the ISO code ("de") and the English name ("germany"), as django-countries looks up.
    search_fields = ["legal_name", "bpnl", "corporate_number", "lei", "country"]
    readonly_fields = ["public_id", "status", "status_reason", "decided_at", "created_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "kind",
                    "legal_name",
                    "country",
                    "street",
                    "postal_code",
                    "city",
                    "website",
                    "data_spaces",
                ]
            },
        ),
        (_("Identifiers"), {"fields": ["bpnl", "corporate_number", "lei"]}),
        (_("Status"), {"fields": ["status", "status_reason", "decided_at", "created_at", "public_id"]}),
    ]
    inlines = [MembershipInline, SiteInline]
    actions = ["approve", "reject", "suspend"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        # The kind decides which roles the members may hold: it is chosen once, when the row is created.
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "kind"] if obj is not None else readonly

    def service_save(self, request, obj, form, change) -> None:
        data = {field: getattr(obj, field) for field in services.ORGANIZATION_FIELDS}
        if change:
            current = Organization.objects.get(pk=obj.pk)
            services.organization_update(actor=request.user, organization=current, data=data)
        else:
            # Organizations created by operators (certification bodies, authorities) start active.
            adopt(obj, services.organization_create(actor=request.user, kind=obj.kind, data=data))

    def _refused(self, request, organization, exc) -> None:
        self.message_user(request, f"{organization}: {' '.join(refusal_messages(exc))}", messages.ERROR)

    @admin.action(description=_("Approve selected organizations"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        count = 0
        for organization in queryset:
            try:
                services.organization_approve(actor=request.user, organization=organization)
            except (ValidationError, PermissionDenied) as exc:
                self._refused(request, organization, exc)
            else:
                count += 1
        if count:
            self.message_user(
                request,
                ngettext("%d organization approved.", "%d organizations approved.", count) % count,
                messages.SUCCESS,
            )

    def _with_reason(self, request, queryset, action: str, title: str, apply) -> HttpResponse | None:
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for organization in queryset:
                try:
                    apply(organization, form.cleaned_data["reason"])
                    done += 1
                except (ValidationError, PermissionDenied) as exc:
                    self._refused(request, organization, exc)
            if done:
                self.message_user(
                    request,
                    ngettext("%(count)d organization updated.", "%(count)d organizations updated.", done)
                    % {"count": done},
                    messages.SUCCESS,
                )
            return None
        return TemplateResponse(
            request,
            "admin/tenancy/organization/reject_reason.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "organizations": queryset,
                "form": form,
                "action": action,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("Reject selected registrations (with a reason)"))
    def reject(self, request: HttpRequest, queryset: QuerySet[Organization]):
        return self._with_reason(
            request,
            queryset,
            "reject",
            _("Reject registrations"),
            lambda org, reason: services.organization_reject(
                actor=request.user, organization=org, reason=reason
            ),
        )

    @admin.action(description=_("Suspend selected organizations (with a reason)"))
    def suspend(self, request: HttpRequest, queryset: QuerySet[Organization]):
        return self._with_reason(
            request,
            queryset,
            "suspend",
            _("Suspend organizations"),
            lambda org, reason: services.organization_suspend(
                actor=request.user, organization=org, reason=reason
            ),
        )


class MembershipAdminForm(forms.ModelForm):
    """Runs the services' own checks on the fields, so that the usual refusals (a role the organization's
    kind does not have, the last active administrator) show on the form before anything is saved."""

    class Meta:
        model = Membership
        fields = ["user", "organization", "role", "is_active"]

    def clean(self):
        cleaned = super().clean()
        organization = cleaned.get("organization") or getattr(self.instance, "organization", None)
        role = cleaned.get("role", self.instance.role)
        try:
            if organization is not None and role:
                services.check_role(organization, role)
            if self.instance.pk is not None:
                # `clean()` runs before the form copies its values onto the instance: it is as stored.
                services.check_keeps_manager(
                    self.instance,
                    role=role,
                    is_active=cleaned.get("is_active", self.instance.is_active),
                    lock=False,
                )
            elif cleaned.get("user") is not None and Membership.objects.filter(user=cleaned["user"]).exists():
                raise ValidationError({"user": _("This person already acts for an organization.")})
        except ValidationError as exc:
            add_service_errors(self, exc)
        return cleaned


@admin.register(Membership)
class MembershipAdmin(ServiceWriteAdmin):
    """Role and activity changes go through the same services as the members page: the role must exist
    for the organization's kind, an organization keeps an active administrator, each change is audited.
    A membership is never deleted here (deactivate it): its history and audit entries point to it."""

    form = MembershipAdminForm
    list_display = ["user", "organization", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", "organization__kind"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__email", "organization__legal_name"]
    autocomplete_fields = ["user", "organization"]

    def get_fields(self, request, obj=None):
        # A new membership starts active (`membership_create`); activity is changed afterwards.
        return (
            ["user", "organization", "role", "is_active", "created_at"]
            if obj
            else ["user", "organization", "role"]
        )

    def get_readonly_fields(self, request, obj=None):
        # A person acts for one organization: moving them is a new membership, not an edit of this one.
        return ["user", "organization", "created_at"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def service_save(self, request, obj, form, change) -> None:
        actor = request.user
        if not change:
            created = services.membership_create(
                actor=actor, user=obj.user, organization=obj.organization, role=obj.role
            )
            adopt(obj, created)
            return
        current = Membership.objects.select_related("organization", "user").get(pk=obj.pk)
        # Demote before deactivating and reactivate before promoting: each step keeps an administrator.
        if not obj.is_active and current.is_active:
            if obj.role != current.role:
                services.membership_change_role(actor=actor, membership=current, role=obj.role)
            services.membership_deactivate(actor=actor, membership=current)
        else:
            if obj.is_active and not current.is_active:
                services.membership_reactivate(actor=actor, membership=current)
            if obj.role != current.role:
                services.membership_change_role(actor=actor, membership=current, role=obj.role)


@admin.register(Site)
class SiteAdmin(ReadOnlyAdmin):
    """Read-only: sites are the organization's own data, kept by its members in the portal (audited there)."""

    list_display = ["name", "organization", "city", "country", "bpn", "archived_at"]
    list_filter = [("country", CountryFilter)]
    list_select_related = ["organization"]
    search_fields = ["name", "bpn", "organization__legal_name", "country"]
    fields = [
        "name",
        "organization",
        "street",
        "postal_code",
        "city",
        "country",
        "bpn",
        "created_at",
        "archived_at",
    ]
    readonly_fields = fields


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "organization__legal_name"]
    readonly_fields = [
        "organization",
        "email",
        "role",
        "invited_by",
        "created_at",
        "accepted_at",
        "revoked_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


class CorporateGroupForm(forms.ModelForm):
    members = forms.ModelMultipleChoiceField(
        label=_("Member companies"),
        queryset=Organization.objects.filter(kind__in=COMPANY_KINDS),
        required=False,
        widget=admin.widgets.FilteredSelectMultiple(_("companies"), is_stacked=False),
    )

    class Meta:
        model = CorporateGroup
        fields = ["name"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["members"].initial = list(self.instance.members.all())


@admin.register(CorporateGroup)
class CorporateGroupAdmin(ServiceWriteAdmin):
    """Affiliations: which companies are under common control (aggregates for authorities protect
    groups). Saved through `corporate_group_save`, which checks and audits."""

    form = CorporateGroupForm
    list_display = ["name", "created_at"]
    search_fields = ["name"]

    def service_save(self, request, obj, form, change) -> None:
        group = CorporateGroup.objects.get(pk=obj.pk) if change else None
        saved = services.corporate_group_save(
            actor=request.user, group=group, name=form.cleaned_data["name"],
            members=list(form.cleaned_data["members"]),
        )  # fmt: skip
        adopt(obj, saved)
