"""Certificate pages: the list (holder, issuing body, authorities, operators) and the certificate page
with its facts, the recognition links both ways and the status history; the issuing body suspends,
reinstates and revokes there, and the holder's administrators start a renewal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from django_countries import countries

from portal.tenancy.decorators import active_member_required

from .. import policies, selectors, services
from ..documents.download import pdf_response, record_download
from ..documents.selectors import document_bytes, ready_document
from ..forms import CertificateStatusForm
from ..models import Certificate, CertificateStatus
from .common import REFUSALS, STATUS_BADGES, certificate_reader_required, refusal

PAGE_SIZE = 25
KIND_FILTERS = (
    ("origin", gettext_lazy("Issued after a review")),
    ("recognised", gettext_lazy("Recognised from another scheme")),
)
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
        "issuing_body": certificate.issuing_body_name,
        "status": certificate.get_status_display(),
        "badge": STATUS_BADGES[CertificateStatus(certificate.status)],
        "valid_from": certificate.valid_from,
        "valid_until": certificate.valid_until,
        "origin": certificate.origin.number if certificate.origin_id else "",
        "recognised": [c.number for c in certificate.recognised.all()],
    }


@certificate_reader_required
@require_safe
def certificate_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.certificates_for(actor=request.user)
    params = request.GET
    status = params.get("status", "")
    if status in CertificateStatus.values:
        queryset = queryset.filter(status=status)
    else:
        status = ""
    schemes = {s.code: s for s in selectors.schemes_open()}
    scheme = params.get("scheme", "")
    if scheme in schemes:
        queryset = queryset.filter(scheme=schemes[scheme])
    else:
        scheme = ""
    kind = params.get("kind", "")
    if kind == "origin":
        queryset = queryset.filter(origin__isnull=True)
    elif kind == "recognised":
        queryset = queryset.filter(origin__isnull=False)
    else:
        kind = ""
    query = params.get("q", "").strip()[:100]
    if query:
        # Holder facts printed on the certificate itself: whoever lists it reads them on its page anyway.
        queryset = queryset.filter(
            Q(number__icontains=query)
            | Q(holder_name__icontains=query)
            | Q(holder_bpnl__iexact=query)
            | Q(holder_corporate_number__iexact=query)
            | Q(holder_lei__iexact=query)
        )
    queryset = queryset.order_by("-issued_at", "-pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(params.get("page"))
    filters = params.copy()
    filters.pop("page", None)
    return render(
        request,
        "certification/certificate_list.html",
        {
            "page": page,
            "rows": [certificate_row(c) for c in page.object_list],
            "statuses": CertificateStatus.choices,
            "status": status,
            "schemes": [(code, s.local_name) for code, s in schemes.items()],
            "scheme": scheme,
            "kinds": KIND_FILTERS,
            "kind": kind,
            "query": query,
            "filter_query": filters.urlencode(),
        },
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
        "document_ready": ready_document(certificate) is not None,
        "can_renew": policies.can_renew(user, certificate)
        and certificate.status in (CertificateStatus.VALID, CertificateStatus.EXPIRED),
    }


@certificate_reader_required
@require_safe
def certificate_detail(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _certificate_or_404(request, number)
    return render(request, "certification/certificate_detail.html", _detail_context(request, certificate))


@active_member_required
@require_POST
def certificate_status(request: HttpRequest, number: str, action: str) -> HttpResponse:
    certificate = _certificate_or_404(request, number)
    if action not in STATUS_ACTIONS:
        raise Http404
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


@active_member_required
@require_POST
def certificate_renew(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _certificate_or_404(request, number)
    try:
        application = services.application_renew(actor=request.user, certificate=certificate)
    except REFUSALS as exc:
        refusal(request, exc)
    except ValidationError as exc:
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
