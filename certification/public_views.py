"""The public verification page of a certificate: anyone, signed in or not, sees the certificate's public
facts (`selectors.certificate_public`) and its current status, in their language. Unknown and malformed
numbers give the plain 404 page; every look-up counts against the client's rate limit."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from django_countries import countries

from . import selectors, verify_limit
from .models import CertificateStatus

#: Status -> badge class of the portal's stylesheet.
BADGES = {
    CertificateStatus.VALID: "active",
    CertificateStatus.SUSPENDED: "suspended",
    CertificateStatus.REVOKED: "revoked",
    CertificateStatus.EXPIRED: "expired",
}


def _status_label(status: str) -> str:
    return str(CertificateStatus(status).label)


def _scheme_name(view: selectors.PublicCertificate) -> str:
    return view.scheme_name_ja if get_language() == "ja" and view.scheme_name_ja else view.scheme_name


def _fresh(response: HttpResponse) -> HttpResponse:
    # A suspension or revocation must show at once: never serve a cached verification.
    patch_cache_control(response, no_cache=True, max_age=0)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@require_safe
def verify(request: HttpRequest, number: str) -> HttpResponse:
    if not verify_limit.verification_allowed(request):
        context = {"rate_limited": True, "message": verify_limit.limit_message()}
        response = render(request, "certification/verify.html", context, status=429)
        response["Retry-After"] = str(verify_limit.retry_after_seconds())
        return _fresh(response)
    view = selectors.certificate_public(number)
    if view is None:
        raise Http404
    context = {
        "certificate": view,
        "status_label": _status_label(view.status),
        "badge": BADGES.get(view.status, "inactive"),
        "scheme_name": _scheme_name(view),
        "holder_country": countries.name(view.holder_country) or view.holder_country,
        "origin_status": _status_label(view.origin.status) if view.origin else "",
        "recognised": [(item, _status_label(item.status)) for item in view.recognised],
    }
    return _fresh(render(request, "certification/verify.html", context))
