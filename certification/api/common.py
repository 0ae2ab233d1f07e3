"""What every certification endpoint shares: pagination, who may call at all, and the look-ups.

Look-ups go through the selectors scoped to the caller, so an application or certificate outside the
caller's scope answers 404 exactly like one that does not exist. Ids in request bodies are resolved the
same way, and one the caller cannot see is a 400 on its field with the message an unknown id gets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission

from passports import selectors as passport_selectors
from passports.policies import is_owner
from portal.restrict import permits
from portal.tenancy import selectors as tenancy_selectors
from portal.tenancy.policies import is_active_member

from .. import policies, selectors
from ..models import Application, Certificate, Criterion, Scheme

TAG_SCHEMES = ["certification schemes"]
TAG_APPLICATIONS = ["certification applications"]
TAG_CERTIFICATES = ["certificates"]


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class IsAuthenticatedUser(BasePermission):
    """Schemes are reference data: any signed-in person (operators too) may read them."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_active)


class CanListCertificates(BasePermission):
    """Members of active organizations, and operators (who see every certificate without a membership)."""

    def has_permission(self, request, view) -> bool:
        return policies.sees_all_certificates(request.user) or is_active_member(request.user)


def valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def require(allowed: bool, reason: str) -> None:
    """Refuse with the service's own reason before resolving ids or reading an upload the caller may
    not send anyway (the service checks again)."""
    if not allowed:
        raise PermissionDenied(reason)


# ---- objects in the path: 404 outside the caller's scope ---------------------------------------------
#: Why an action is refused to a caller who may see the object (403), in the services' words.
REFUSED = {
    "manage": gettext_lazy("Only the applicant's administrators can do this."),
    "lead": gettext_lazy("Only a lead of the certification body can assign a reviewer."),
    "review": gettext_lazy("Only the reviewer assigned to this application can do this."),
    "change_status": gettext_lazy("Only the issuing body can change the status of this certificate."),
    "renew": gettext_lazy("Only the holder's administrators can renew it."),
}


def _permitted(request, action: str, obj, reason: str = "") -> None:
    if action != "view" and not permits(request.user, action, obj):
        raise PermissionDenied(reason or str(REFUSED.get(action, _("You may not do this."))))


def application_or_404(request, public_id: UUID, action: str = "view", reason: str = "") -> Application:
    """The application in the caller's scope (404 otherwise, whatever the method), then `action` on it
    (403 with the reason), before any input is read: a caller who may not act learns nothing from
    validation errors. The state stays the service's to check (409)."""
    application = selectors.application_get(actor=request.user, public_id=public_id)
    if application is None:
        raise Http404
    _permitted(request, action, application, reason)
    return application


def certificate_or_404(request, number: str, action: str = "view") -> Certificate:
    certificate = selectors.certificate_get(actor=request.user, number=number)
    if certificate is None:
        raise Http404
    _permitted(request, action, certificate)
    return certificate


def scheme_or_404(code: str) -> Scheme:
    scheme = selectors.scheme_get(code)
    if scheme is None:
        raise Http404
    return scheme


# ---- ids in request bodies: a 400 on the field for what the caller cannot see --------------------------
def _field_error(field: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [message]})


def resolve_scheme(code: str) -> Scheme:
    scheme = selectors.scheme_get(code)
    if scheme is None:
        raise _field_error("scheme", _("No scheme has this code."))
    return scheme


def resolve_body(scheme: Scheme, public_id: UUID):
    body = selectors.accredited_bodies(scheme).filter(public_id=public_id).first()
    if body is None:
        raise _field_error("body", _("Choose a certification body accredited for this scheme today."))
    return body


def _resolve_all(field: str, ids: Iterable[UUID], lookup: Callable[[UUID], Any], message: str) -> list:
    found, unknown = [], []
    for public_id in dict.fromkeys(ids):  # once each, in the order given
        obj = lookup(public_id)
        if obj is None:
            unknown.append(str(public_id))
        else:
            found.append(obj)
    if unknown:
        raise _field_error(field, message % {"ids": ", ".join(unknown)})
    return found


def resolve_scope(request, data: dict[str, Any]) -> dict[str, list]:
    """The battery models, passports and sites named by id, as the caller's own objects. Another
    company's object is "unknown" like a missing one: the answer never tells them apart."""
    actor = request.user

    def own_model(public_id: UUID):
        model = passport_selectors.battery_model_get(actor=actor, public_id=public_id)
        return model if model is not None and is_owner(actor, model) else None

    def own_passport(public_id: UUID):
        passport = passport_selectors.passport_get(actor=actor, public_id=public_id)
        return passport if passport is not None and is_owner(actor, passport) else None

    def own_site(public_id: UUID):
        return tenancy_selectors.site_get(actor=actor, public_id=public_id)

    lookups = {
        "battery_models": (own_model, _("Not one of your battery models: %(ids)s.")),
        "passports": (own_passport, _("Not one of your passports: %(ids)s.")),
        "sites": (own_site, _("Not one of your sites: %(ids)s.")),
    }
    scope: dict[str, list] = {}
    errors: dict[str, list[str]] = {}
    for field, (lookup, message) in lookups.items():
        if field not in data:
            continue
        try:
            scope[field] = _resolve_all(field, data[field], lookup, message)
        except exceptions.ValidationError as exc:
            errors.update(exc.detail)
    if errors:
        raise exceptions.ValidationError(errors)
    return scope


def resolve_criterion(application: Application, code: str) -> Criterion:
    criterion = application.scheme.criteria.filter(code=code).first()
    if criterion is None:
        raise _field_error("criterion", _("The scheme has no criterion with this code."))
    return criterion


def resolve_reviewer(application: Application, user_id: int):
    """A member of the application's body, or None (the service then names the field)."""
    return selectors.body_reviewers(application.body).filter(pk=user_id).first()
