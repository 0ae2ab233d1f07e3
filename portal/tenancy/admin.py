from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Invitation, Membership, Organization, OrganizationStatus, Site


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "is_active", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ["name", "city", "country", "bpn"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
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
    list_filter = ["status", "kind", "data_spaces", "country"]
    search_fields = ["legal_name", "bpnl", "corporate_number", "lei"]
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

    def save_model(self, request, obj, form, change) -> None:
        # Organizations created by operators (certification bodies, authorities) start active.
        if not change:
            obj.status = OrganizationStatus.ACTIVE
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Approve selected organizations"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        count = 0
        for organization in queryset:
            services.organization_approve(actor=request.user, organization=organization)
            count += 1
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
                except ValidationError as exc:
                    self.message_user(request, f"{organization}: {' '.join(exc.messages)}", messages.ERROR)
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


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", "organization__kind"]
    search_fields = ["user__username", "user__email", "organization__legal_name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "city", "country", "bpn"]
    list_filter = ["country"]
    search_fields = ["name", "bpn", "organization__legal_name"]
    autocomplete_fields = ["organization"]


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
