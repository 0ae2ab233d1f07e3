"""The registry's downloads: the filtered list as CSV or XLSX (whoever may list certificates, of what they
may see), and ZIPs of signed PDFs (authorities and operators): the request, a page with a progress bar
that polls a small JSON status, and the download, all for the requester only."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from portal.downloads import private

from .. import policies, selectors
from ..bundles import services as bundle_services
from ..bundles.models import BundleStatus, CertificateBundle
from ..bundles.selectors import bundle_get
from ..models import Certificate
from ..registry import registry_filter, registry_query
from ..registry_export import csv_lines, export_filename, xlsx_bytes
from .common import certificate_reader_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _list_url(query: str) -> str:
    url = reverse("certification:certificate_list")
    return f"{url}?{query}" if query else url


# --- CSV and XLSX ---------------------------------------------------------------------------------------


def _export_queryset(request: HttpRequest) -> QuerySet[Certificate] | HttpResponse:
    """The filtered list to export, or a redirect back to the list that says why not."""
    registry = registry_filter(actor=request.user, data=request.GET)
    query = registry_query(request.GET)
    if not registry.is_valid():
        # The list page shows the errors on their fields.
        messages.error(request, _("Correct the filter before exporting."))
        return redirect(_list_url(query))
    queryset = registry.qs
    limit = settings.CERTIFICATE_EXPORT_MAX_ROWS
    count = queryset.count()
    if count > limit:
        messages.error(
            request,
            _(
                "%(count)s certificates match, but an export holds at most %(max)s rows. Narrow the "
                "filter and export again."
            )
            % {
                "count": number_format(count, force_grouping=True),
                "max": number_format(limit, force_grouping=True),
            },
        )
        return redirect(_list_url(query))
    return queryset


@certificate_reader_required
@require_safe
def certificate_export_csv(request: HttpRequest) -> HttpResponseBase:
    queryset = _export_queryset(request)
    if isinstance(queryset, HttpResponse):
        return queryset
    response = StreamingHttpResponse(csv_lines(queryset), content_type="text/csv; charset=utf-8")
    return private(response, export_filename("csv"))


@certificate_reader_required
@require_safe
def certificate_export_xlsx(request: HttpRequest) -> HttpResponseBase:
    queryset = _export_queryset(request)
    if isinstance(queryset, HttpResponse):
        return queryset
    return private(HttpResponse(xlsx_bytes(queryset), content_type=XLSX), export_filename("xlsx"))


# --- ZIP of PDFs ----------------------------------------------------------------------------------------


def _selected(request: HttpRequest) -> QuerySet[Certificate]:
    """The ticked certificates, by number; refused when none, too many, or one the viewer cannot see."""
    numbers = list(dict.fromkeys(n.strip() for n in request.POST.getlist("certificate") if n.strip()))
    if not numbers:
        raise ValidationError(_("Tick at least one certificate, or download all results."))
    if len(numbers) > settings.CERTIFICATE_BUNDLE_MAX:
        raise bundle_services.BundleTooLarge(len(numbers))
    malformed = [n for n in numbers if not selectors.is_certificate_number(n)]
    if malformed:  # never sent to the database (a NUL byte would be a 500 there)
        raise ValidationError(_("Some of the ticked values are not certificate numbers."))
    visible = selectors.certificates_for(actor=request.user).filter(number__in=numbers)
    found = set(visible.values_list("number", flat=True))
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise ValidationError(
            _("These certificates were not found: %(numbers)s.") % {"numbers": ", ".join(unknown[:10])}
        )
    return visible


@certificate_reader_required
@require_POST
def bundle_create(request: HttpRequest) -> HttpResponse:
    """Ask for a ZIP of the ticked certificates, or of every result of the filter the page shows. Only
    counted and queued here: a worker builds it."""
    if not policies.can_bundle_certificates(request.user):
        raise PermissionDenied
    query = request.POST.get("query", "")
    filter_data = QueryDict(query)
    back = _list_url(registry_query(filter_data))
    mode = request.POST.get("mode", "")
    try:
        if mode == "selected":
            certificates = _selected(request)
        elif mode == "all":
            registry = registry_filter(actor=request.user, data=filter_data)
            if not registry.is_valid():
                raise ValidationError(_("Correct the filter before downloading its results."))
            certificates = registry.qs
        else:
            raise ValidationError(_("Choose the ticked certificates or all results."))
        bundle = bundle_services.bundle_request(actor=request.user, certificates=certificates)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    # No flash message: the ZIP's page shows its progress, and a "being prepared" line would stay beside
    # "Ready" once the ZIP was built.
    return redirect("certification:bundle_detail", public_id=bundle.public_id)


def _bundle_or_404(request: HttpRequest, public_id: UUID) -> CertificateBundle:
    """The requester's own bundle, while they may still download many certificates; 404 for anyone else."""
    if not policies.can_bundle_certificates(request.user):
        raise Http404
    bundle = bundle_get(actor=request.user, public_id=public_id)
    if bundle is None:
        raise Http404
    return bundle


def _downloadable(bundle: CertificateBundle) -> bool:
    return bundle.status == BundleStatus.READY and bool(bundle.file) and bundle.expires_at > timezone.now()


def bundle_state(bundle: CertificateBundle) -> dict[str, Any]:
    ready = _downloadable(bundle)
    return {
        "status": bundle.status,
        "status_label": str(BundleStatus(bundle.status).label),
        "done": bundle.done,
        "total": bundle.total,
        "percent": bundle.percent,
        "included": len(bundle.included),
        "missing": bundle.missing,
        "error": bundle.error,
        "download_url": reverse("certification:bundle_download", args=[bundle.public_id]) if ready else None,
        "expires_at": bundle.expires_at.isoformat(),
    }


@certificate_reader_required
@require_safe
def bundle_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    bundle = _bundle_or_404(request, public_id)
    return render(
        request,
        "certification/bundle_detail.html",
        {"bundle": bundle, "state": bundle_state(bundle), "ready": _downloadable(bundle)},
    )


@certificate_reader_required
@require_safe
def bundle_status(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    """What the progress bar polls."""
    bundle = _bundle_or_404(request, public_id)
    return private(JsonResponse(bundle_state(bundle)))


@certificate_reader_required
@require_safe
def bundle_download(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    bundle = _bundle_or_404(request, public_id)
    if not _downloadable(bundle):
        raise Http404
    try:
        handle = bundle.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    bundle_services.bundle_downloaded(actor=request.user, bundle=bundle)
    filename = f"certificates-{timezone.localdate(bundle.finished_at or bundle.created_at):%Y-%m-%d}.zip"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/zip")
    return private(response)
