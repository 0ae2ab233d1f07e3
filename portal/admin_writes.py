"""Django admin pages whose writes go through the services, with the services' checks and audit entries.

The admin's change view saves the object, then its inlines, in one transaction. A `ServiceWriteAdmin`
replaces those saves by service calls; when a service refuses (a `ValidationError` or `PermissionDenied`
that the form's own checks could not foresee, e.g. a concurrent change), the whole transaction is rolled
back and the operator is sent back to the form with the service's message: nothing is saved half, and
nothing answers 500. Forms should run the services' check functions in `clean()` so that the usual
refusals appear on the field before anything is saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

_REFUSED = "_passbridge_admin_refused"


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin page that only shows rows: they are written in the portal, through its services."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def refusal_messages(exc: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(exc, PermissionDenied):
        return [_("You may not make this change.")]
    return list(exc.messages)


def add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form when the field is not in it)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def adopt(obj: Any, saved: Any) -> None:
    """Make the admin's unsaved instance `obj` the row a service created (`saved`), for the admin's
    redirect and history entry."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class ServiceWriteAdmin(admin.ModelAdmin):
    """Subclasses implement `service_save` (and, with editable inlines, `service_save_formset`)."""

    def service_save(self, request: HttpRequest, obj: Any, form, change: bool) -> None:
        raise NotImplementedError

    def service_save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """Save an inline formset; an override that calls services sets `formset.new_objects`,
        `changed_objects` and `deleted_objects` as `formset.save()` would (the admin's history reads them)."""
        formset.save()

    def _refuse(self, request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
        transaction.set_rollback(True, using=router.db_for_write(self.model))
        setattr(request, _REFUSED, refusal_messages(exc))

    def refused(self, request: HttpRequest) -> bool:
        return hasattr(request, _REFUSED)

    def save_model(self, request: HttpRequest, obj: Any, form, change: bool) -> None:
        try:
            self.service_save(request, obj, form, change)
        except (ValidationError, PermissionDenied) as exc:
            self._refuse(request, exc)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if self.refused(request):
            return
        try:
            self.service_save_formset(request, form, formset, change)
        except (ValidationError, PermissionDenied) as exc:
            self._refuse(request, exc)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        if not self.refused(request):
            super().save_related(request, form, formsets, change)

    def construct_change_message(self, request, form, formsets, add=False):
        if self.refused(request):  # nothing was saved: the formsets never learnt what they saved
            return []
        return super().construct_change_message(request, form, formsets, add)

    def log_addition(self, request, obj, message):
        if not self.refused(request):
            return super().log_addition(request, obj, message)
        return None

    def log_change(self, request, obj, message):
        if not self.refused(request):
            return super().log_change(request, obj, message)
        return None

    def _back_to_the_form(self, request: HttpRequest) -> HttpResponse:
        for message in getattr(request, _REFUSED):
            self.message_user(request, message, messages.ERROR)
        self.message_user(request, _("Nothing was saved."), messages.WARNING)
        return HttpResponseRedirect(request.get_full_path())

    def response_add(self, request, obj, post_url_continue=None):
        if self.refused(request):
            return self._back_to_the_form(request)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if self.refused(request):
            return self._back_to_the_form(request)
        return super().response_change(request, obj)
