from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.admin_writes import ServiceWriteAdmin, add_service_errors
from portal.tenancy import services as tenancy_services
from portal.tenancy.models import Membership

from .models import ApiToken, User


class MembershipInlineForm(forms.ModelForm):
    """The role must exist for the organization's kind: the service's check, shown on the field."""

    class Meta:
        model = Membership
        fields = ["organization", "role"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("organization") is not None and cleaned.get("role"):
            try:
                tenancy_services.check_role(cleaned["organization"], cleaned["role"])
            except ValidationError as exc:
                add_service_errors(self, exc)
        return cleaned


class MembershipInline(admin.StackedInline):
    """A person's membership: added here through `membership_create` (audited); its role and activity
    are changed on the membership's own admin page, through the same services as the members page."""

    model = Membership
    form = MembershipInlineForm
    fk_name = "user"
    extra = 0
    max_num = 1
    fields = ["organization", "role"]
    autocomplete_fields = ["organization"]
    show_change_link = True

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PersonChangeForm(UserChangeForm):
    """Turning a member's account off is deactivating their membership: the last active administrator
    of an organization cannot be turned off (the service's check, shown on the field)."""

    def clean(self):
        cleaned = super().clean()
        membership = (
            Membership.objects.filter(user_id=self.instance.pk).select_related("organization").first()
        )
        turning_off = self.instance.is_active and cleaned.get("is_active") is False
        if membership is not None and turning_off:
            try:
                tenancy_services.check_keeps_manager(
                    membership, role=membership.role, is_active=False, lock=False
                )
            except ValidationError as exc:
                self.add_error("is_active", exc.messages)
        return cleaned


@admin.register(User)
class UserAdmin(ServiceWriteAdmin, DjangoUserAdmin):
    form = PersonChangeForm
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "membership__role", "membership__organization__kind"]
    search_fields = ["username", "email", "first_name", "last_name"]
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("Preferences"), {"fields": ["preferred_language"]}))
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),
    )
    inlines = [MembershipInline]

    def service_save(self, request, obj, form, change) -> None:
        was_active = (
            User.objects.filter(pk=obj.pk).values_list("is_active", flat=True).first() if change else None
        )
        obj.save()
        membership = Membership.objects.filter(user=obj).select_related("organization", "user").first()
        if membership is None or was_active is None or was_active == obj.is_active:
            return
        # The account's switch is the membership's: the service keeps an administrator, revokes the
        # person's API tokens and writes the audit entry, as on the members page.
        if obj.is_active:
            tenancy_services.membership_reactivate(actor=request.user, membership=membership)
        else:
            tenancy_services.membership_deactivate(actor=request.user, membership=membership)

    def service_save_formset(self, request, form, formset, change) -> None:
        if formset.model is not Membership:
            formset.save()
            return
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if inline_form.instance.pk is not None or not inline_form.has_changed():
                continue
            membership = tenancy_services.membership_create(
                actor=request.user,
                user=form.instance,
                organization=inline_form.cleaned_data["organization"],
                role=inline_form.cleaned_data["role"],
            )
            formset.new_objects.append(membership)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False
