"""Certificate pages: the list (holder, issuing body, authorities, operators) and the certificate page
with its facts, the recognition links both ways and the status history; the issuing body suspends,
reinstates and revokes there, and the holder's administrators start a renewal."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from django_countries import countries

from .. import policies, selectors, services
from ..bundles.selectors import bundles_of
from ..catenax_certificate import unavailable_reason
from ..documents.download import pdf_response, record_download
from ..documents.selectors import document_bytes, ready_document
from ..forms import CertificateStatusForm
from ..models import Certificate, CertificateStatus
from ..registry import (
    KIND_CHOICES,
    PARAMETERS,
    SORT_FIELDS,
    SORT_LABELS,
    RegistryKey,
    RegistryPage,
    RegistryPaginator,
    registry_countries,
    registry_filter,
    registry_issuing_bodies,
    registry_key_after,
    registry_ordering,
    registry_page,
    registry_query,
)
from .common import (
    REFUSALS,
    STATUS_BADGES,
    certificate_reader_required,
    forbid_unless,
    refusal,
    refusals_as_403,
)

PAGE_SIZE = 25
#: The status changes of the issuing body: the service and the statuses the page offers it from.
STATUS_ACTIONS = {
    "suspend": (services.certificate_suspend, (CertificateStatus.VALID,), gettext_lazy("Suspend")),
    "reinstate": (services.certificate_reinstate, (CertificateStatus.SUSPENDED,), gettext_lazy("Reinstate")),
    "revoke": (
        services.certificate_revoke,
        (CertificateStatus.VALID, CertificateStatus.SUSPENDED),
        gettext_lazy("Revoke"),
    ),
}
DONE = {
    "suspend": gettext_lazy("Certificate %(number)s suspended."),
    "reinstate": gettext_lazy("Certificate %(number)s reinstated."),
    "revoke": gettext_lazy("Certificate %(number)s revoked."),
}


def certificate_row(certificate: Certificate) -> dict[str, Any]:
    return {
        "number": certificate.number,
        "scheme": certificate.scheme.local_name,
        "scheme_version": certificate.scheme_version,
        "holder": certificate.holder_name,
        "holder_country": certificate.holder_country,
        "issuing_body": certificate.issuing_body_name,
        "status": certificate.get_status_display(),
        "badge": STATUS_BADGES[CertificateStatus(certificate.status)],
        "issued_at": certificate.issued_at,
        "valid_from": certificate.valid_from,
        "valid_until": certificate.valid_until,
        "origin": certificate.origin.number if certificate.origin_id else "",
        "recognised": [c.number for c in certificate.recognised.all()],
    }


def _sort_headers(data, current: str) -> dict[str, dict[str, str]]:
    """Per sortable column: the link that sorts by it (ascending first, then toggling) and its aria-sort."""
    base = data.copy()
    base.pop("page", None)
    headers = {}
    for key, _param in SORT_FIELDS:
        if current == key:
            target, state = f"-{key}", "ascending"
        elif current == f"-{key}":
            target, state = key, "descending"
        else:
            target, state = key, "none"
        base["ordering"] = target
        headers[key] = {"url": "?" + registry_query(base), "aria_sort": state}
    return headers


#: Pages linked by number (cheap: at most this many pages of index entries are read); cursors after.
PAGE_LINKS_UP_TO = 40


class _RegistryNavigation:
    """The registry's page for the template: Django's `Page` interface (`object_list`, `number`,
    `paginator.count` and `num_pages`, `has_previous`...) plus whether the total is an estimate and the
    links before and after: page numbers near the start, cursors beyond (`PAGE_LINKS_UP_TO`), so every page
    offered costs the same at any depth; a page number typed in by hand still answers."""

    def __init__(self, page: RegistryPage, size: int, data) -> None:
        self.object_list, self.number = page.rows, page.number
        self.paginator = RegistryPaginator([], size)
        self.paginator.count, self.paginator.estimated = page.total, page.estimated  # type: ignore[misc]
        self.paginator.num_pages = max(  # type: ignore[misc]
            1, -(-page.total // size), page.number + (1 if page.has_next else 0)
        )
        self._page, self._data = page, data

    def has_previous(self) -> bool:
        return self._page.has_previous

    def has_next(self) -> bool:
        return self._page.has_next

    def has_other_pages(self) -> bool:
        return self._page.has_previous or self._page.has_next

    def _link(self, number: int, key: RegistryKey | None) -> str:
        query = self._data.copy()
        query.pop("page", None)
        query.pop("cursor", None)
        if number <= PAGE_LINKS_UP_TO or key is None:
            query["page"] = str(max(1, number))
        else:
            query["cursor"] = key.encode()
        return registry_query(query, keep=("page", "cursor"))

    def previous_query(self) -> str:
        return self._link(self.number - 1, self._page.previous_key) if self._page.has_previous else ""

    def next_query(self) -> str:
        return self._link(self.number + 1, self._page.next_key) if self._page.has_next else ""


def _registry_page(queryset, data) -> _RegistryNavigation:
    """By `cursor` (keyset; an unreadable one gives the first page) or by page number (Django's
    `get_page`: a number past the end gives the last page, which needs the exact total)."""
    cursor = data.get("cursor", "")[:1000]
    if cursor:
        try:
            key = RegistryKey.decode(cursor, registry_ordering(queryset))
        except ValueError:
            key = None
        if key is not None:
            return _RegistryNavigation(registry_page(queryset, PAGE_SIZE, key), PAGE_SIZE, data)
    paginator = RegistryPaginator(queryset, PAGE_SIZE)
    page = paginator.get_page(data.get("page"))
    rows = list(page.object_list)
    found = RegistryPage(
        rows=rows,
        total=paginator.count,
        estimated=paginator.estimated,
        has_previous=page.has_previous(),
        has_next=page.has_next(),
        previous_key=None,
        next_key=registry_key_after(queryset, rows[-1], page.number + 1)
        if rows and page.has_next()
        else None,
        number=page.number,
    )
    return _RegistryNavigation(found, PAGE_SIZE, data)


@certificate_reader_required
@require_safe
def certificate_list(request: HttpRequest) -> HttpResponse:
    """The registry: filter, sort and page through the certificates the viewer may see; export them; and
    (authorities, operators) ask for a ZIP of their PDFs. Invalid filter values are shown as errors on
    their fields and list nothing: a list that silently ignored a filter would be believed filtered."""
    user = request.user
    registry = registry_filter(actor=user, data=request.GET)
    valid = registry.is_valid()
    queryset = registry.qs if valid else registry.queryset.none()
    page = _registry_page(queryset, request.GET)
    form = registry.form
    values = {name: form.data.get(name, "") for name in PARAMETERS}
    query = registry_query(request.GET)
    can_bundle = policies.can_bundle_certificates(user)
    return render(
        request,
        "certification/certificate_list.html",
        {
            "page": page,
            "rows": [certificate_row(c) for c in page.object_list],
            "form": form,
            "errors": {name: errors for name, errors in form.errors.items()},
            "values": values,
            "statuses": CertificateStatus.choices,
            "schemes": [(s.code, s.local_name) for s in selectors.schemes_all()],
            "kinds": KIND_CHOICES,
            "countries": registry_countries(actor=user),
            "bodies": [(str(b.public_id), b.legal_name) for b in registry_issuing_bodies(actor=user)],
            "sort_choices": [(key, label) for key, label in SORT_LABELS.items()],
            "sort_headers": _sort_headers(request.GET, values["ordering"]),
            "filter_query": query,
            "export_query": query,
            "can_bundle": can_bundle,
            "bundle_max": settings.CERTIFICATE_BUNDLE_MAX,
            "bundles": list(bundles_of(actor=user)[:5]) if can_bundle else [],
        },
        status=200 if valid else 400,
    )


def _certificate_or_404(request: HttpRequest, number: str) -> Certificate:
    certificate = selectors.certificate_get(actor=request.user, number=number)
    if certificate is None:
        raise Http404
    return certificate


def _linked(request: HttpRequest, certificate: Certificate | None) -> dict[str, Any] | None:
    """Another certificate, linked when the viewer may open it, else named only."""
    if certificate is None:
        return None
    visible = selectors.certificate_get(actor=request.user, number=certificate.number) is not None
    return {"number": certificate.number, "scheme": certificate.scheme.local_name, "linked": visible}


def _detail_context(request: HttpRequest, certificate: Certificate, **bound: Any) -> dict[str, Any]:
    user = request.user
    can_change = policies.can_change_certificate_status(user, certificate)
    actions = []
    if can_change:
        for name, (_service, allowed_from, label) in STATUS_ACTIONS.items():
            if certificate.status in allowed_from:
                actions.append(
                    {
                        "name": name,
                        "label": label,
                        "form": bound.get(name) or CertificateStatusForm(prefix=name),
                        "url": reverse("certification:certificate_status", args=[certificate.number, name]),
                        "danger": name == "revoke",
                    }
                )
    application = certificate.application
    application_link = None
    if application is not None and selectors.application_get(actor=user, public_id=application.public_id):
        application_link = application.public_id
    scope = certificate.scope or {}
    document = ready_document(certificate)
    return {
        "certificate": certificate_row(certificate),
        "facts": {
            "holder_country": countries.name(certificate.holder_country) or certificate.holder_country,
            "identifiers": [
                (label, value)
                for label, value in (
                    ("BPNL", certificate.holder_bpnl),
                    (_("Corporate number"), certificate.holder_corporate_number),
                    ("LEI", certificate.holder_lei),
                )
                if value
            ],
            "standards": certificate.standards,
            "scope_organization": scope.get("organization", ""),
            "battery_models": scope.get("battery_models", []),
            "passports": scope.get("passports", []),
            "sites": scope.get("sites", []),
            "conditions": certificate.conditions,
            "reviewer": certificate.reviewer_name,
            "issued_at": certificate.issued_at,
            "status_reason": certificate.status_reason,
            "status_changed_at": certificate.status_changed_at,
        },
        "origin": _linked(request, certificate.origin),
        # Recognised certificates share holder and issuing body with their origin: the same readers.
        "recognised": [
            {"number": c.number, "scheme": c.scheme.local_name, "linked": True}
            for c in selectors.certificates_for(actor=user).filter(origin=certificate).order_by("number")
        ],
        "events": [
            {
                "at": event.created_at,
                "from_status": CertificateStatus(event.from_status).label if event.from_status else "",
                "to_status": CertificateStatus(event.to_status).label,
                "reason": event.reason,
            }
            for event in certificate.events.all()
        ],
        "application_id": application_link,
        "actions": actions,
        "is_recognised": certificate.is_recognised,
        "document_ready": document is not None,
        "catenax_refusal": unavailable_reason(certificate, document),
        "show_access_log": policies.can_view_certificate_access_log(user, certificate),
        "access_log": selectors.certificate_access_log(actor=user, certificate=certificate),
        "can_renew": policies.can_renew(user, certificate)
        and certificate.status in (CertificateStatus.VALID, CertificateStatus.EXPIRED),
    }


@certificate_reader_required
@require_safe
def certificate_detail(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _certificate_or_404(request, number)
    return render(request, "certification/certificate_detail.html", _detail_context(request, certificate))


@certificate_reader_required
@require_POST
@refusals_as_403
def certificate_status(request: HttpRequest, number: str, action: str) -> HttpResponse:
    certificate = _certificate_or_404(request, number)
    if action not in STATUS_ACTIONS:
        raise Http404
    forbid_unless(
        policies.may_change_certificate_status(request.user, certificate),
        _("Only the issuing body can change the status of this certificate."),
    )
    service = STATUS_ACTIONS[action][0]
    form = CertificateStatusForm(request.POST, prefix=action)
    if form.is_valid():
        try:
            service(actor=request.user, certificate=certificate, reason=form.cleaned_data["reason"])
        except REFUSALS as exc:
            refusal(request, exc)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, DONE[action] % {"number": certificate.number})
            return redirect("certification:certificate_detail", number=certificate.number)
        if not form.errors:
            return redirect("certification:certificate_detail", number=certificate.number)
    context = _detail_context(request, certificate, **{action: form})
    return render(request, "certification/certificate_detail.html", context, status=400)


@certificate_reader_required
@require_POST
@refusals_as_403
def certificate_renew(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _certificate_or_404(request, number)
    forbid_unless(
        policies.may_renew(request.user, certificate), _("Only the holder's administrators can renew it.")
    )
    try:
        application = services.application_renew(actor=request.user, certificate=certificate)
    except (*REFUSALS, ValidationError) as exc:
        refusal(request, exc)
    else:
        messages.success(
            request,
            _("Renewal application created from certificate %(number)s. Review the answers and submit.")
            % {"number": certificate.number},
        )
        return redirect("certification:application_detail", public_id=application.public_id)
    return redirect("certification:certificate_detail", number=certificate.number)


@certificate_reader_required
@require_safe
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The signed PDF, to whoever may see the certificate; until it is rendered, back to the page."""
    certificate = _certificate_or_404(request, number)
    document = ready_document(certificate)
    content = document_bytes(document) if document is not None else None
    if document is None or content is None:
        messages.info(request, _("The certificate's document is being prepared. Try again shortly."))
        return redirect("certification:certificate_detail", number=certificate.number)
    record_download(actor=request.user, certificate=certificate, document=document)
    return pdf_response(certificate, content)
