"""The public verification pages of certificates: anyone, signed in or not, sees a certificate's public facts
(`selectors.certificate_public`) and its current status, in their language. Unknown and malformed numbers
give the plain 404 page; every look-up counts against the client's rate limit.

`/verify/` looks a certificate up by its number or checks an uploaded PDF; every certificate's page takes
an upload too, and says when the PDF belongs to another certificate. An upload counts as a look-up."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods
from django_countries import countries

from portal.text import in_reader_language
from portal.uploads import limit_uploads

from . import selectors, verify_limit
from .documents import verify_upload
from .models import CertificateStatus
from .selectors import MAX_NUMBER_LENGTH
from .verify_forms import CertificateNumberForm, DocumentUploadForm

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
    return in_reader_language(view, "scheme_name")


def _fresh(response: HttpResponse) -> HttpResponse:
    # A suspension or revocation must show at once: never serve a cached verification.
    patch_cache_control(response, no_cache=True, max_age=0)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def _rate_limited(request: HttpRequest) -> HttpResponse:
    context = {"rate_limited": True, "message": verify_limit.limit_message()}
    response = render(request, "certification/verify.html", context, status=429)
    response["Retry-After"] = str(verify_limit.retry_after_seconds())
    return _fresh(response)


def _verification_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page that also takes a PDF upload (POST). Before anything reads the body, the upload is counted
    against the rate limit (a client over it is answered without receiving its file) and the size limit is
    installed, so an oversized file is cut off while it arrives; only then does CSRF protection run (it
    parses the body)."""
    protected = csrf_protect(view)

    @wraps(view)
    def receive(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            if not verify_limit.verification_allowed(request):
                return _rate_limited(request)
            limit_uploads(request, limit=verify_upload.max_upload_bytes())
        return protected(request, *args, **kwargs)

    return csrf_exempt(require_http_methods(["GET", "HEAD", "POST"])(receive))


def _certificate_facts(view: selectors.PublicCertificate) -> dict[str, Any]:
    return {
        "certificate": view,
        "status_label": _status_label(view.status),
        "badge": BADGES.get(view.status, "inactive"),
        "scheme_name": _scheme_name(view),
    }


def _check_upload(
    request: HttpRequest, *, expected_number: str | None = None
) -> tuple[DocumentUploadForm, dict[str, Any] | None]:
    """The bound upload form and, when the file could be checked, the result's view-model (public facts
    of a genuine document's certificate only)."""
    form = DocumentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return form, None
    result = verify_upload.document_verify(data=form.pdf)
    context: dict[str, Any] = {
        "reason": result.reason.value,
        "genuine": result.genuine,
        "title": result.title,
        "explanation": result.explanation,
        "sha256": result.sha256,
    }
    if result.certificate is not None:
        context.update(_certificate_facts(result.certificate))
        context["other_certificate"] = (
            expected_number is not None and result.certificate.number != expected_number
        )
    return form, context


@_verification_page
def index(request: HttpRequest) -> HttpResponse:
    number_form = CertificateNumberForm(request.GET if "number" in request.GET else None)
    if number_form.is_bound and number_form.is_valid():
        # The certificate's page counts the look-up and answers unknown numbers.
        return redirect("verification:certificate", number=number_form.cleaned_data["number"])
    upload_form, upload_result = DocumentUploadForm(), None
    if request.method == "POST":
        upload_form, upload_result = _check_upload(request)
    context = {"number_form": number_form, "upload_form": upload_form, "upload_result": upload_result}
    status = 400 if number_form.errors or upload_form.errors else 200
    return _fresh(render(request, "certification/verify_index.html", context, status=status))


def _unknown_number(request: HttpRequest, number: str) -> HttpResponse:
    """A number typed in lower case goes to its certificate; any other unknown number gets the look-up
    page again with the reason (404), as the passport look-up answers, never a bare error page."""
    if number != number.upper() and selectors.certificate_public(number.upper()) is not None:
        return redirect("verification:certificate", number=number.upper())
    number_form = CertificateNumberForm({"number": number[:MAX_NUMBER_LENGTH]})
    if number_form.is_valid():
        number_form.add_error(
            "number", _("No certificate has this number. Check it against the certificate.")
        )
    context = {"number_form": number_form, "upload_form": DocumentUploadForm(), "upload_result": None}
    return _fresh(render(request, "certification/verify_index.html", context, status=404))


@_verification_page
def verify(request: HttpRequest, number: str) -> HttpResponse:
    # An upload was counted before its body was received.
    if request.method != "POST" and not verify_limit.verification_allowed(request):
        return _rate_limited(request)
    view = selectors.certificate_public(number)
    if view is None:
        return _unknown_number(request, number)
    upload_form, upload_result = DocumentUploadForm(), None
    if request.method == "POST":
        upload_form, upload_result = _check_upload(request, expected_number=view.number)
    context = {
        **_certificate_facts(view),
        "holder_country": countries.name(view.holder_country) or view.holder_country,
        "origin_status": _status_label(view.origin.status) if view.origin else "",
        "recognised": [(item, _status_label(item.status)) for item in view.recognised],
        "upload_form": upload_form,
        "upload_result": upload_result,
    }
    status = 400 if upload_form.errors else 200
    return _fresh(render(request, "certification/verify.html", context, status=status))
