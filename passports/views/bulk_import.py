"""The bulk import pages: upload a file, follow its progress, download the templates and error reports.

Thin: `passports.bulk_import` starts and runs jobs (services), scopes them to the caller's company
(selectors) and writes the reports. Another company's job answers 404."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from portal.downloads import private
from portal.tenancy.decorators import active_member_required
from portal.uploads import limit_uploads

from ..bulk_import import formats, reports, selectors, services
from ..bulk_import.models import ImportFormat, ImportJob, ImportMode


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("Catena-X JSON or JSON lines, or a filled-in CSV or Excel template."),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("If some rows have errors"),
        choices=[
            (ImportMode.ALL_OR_NOTHING, gettext_lazy("Import nothing (all or nothing)")),
            (ImportMode.VALID_ROWS, gettext_lazy("Import the valid rows, report the others")),
        ],
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )
    confirm_economic_operator = forms.BooleanField(
        label=gettext_lazy("Import Catena-X documents naming another economic operator under my company"),
        required=False,
    )


def _job_or_404(request: HttpRequest, public_id: UUID) -> ImportJob:
    job = selectors.job_get(actor=request.user, public_id=public_id)
    if job is None:
        raise Http404
    return job


@active_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_index(request: HttpRequest) -> HttpResponse:
    can_import = services.can_import(request.user)
    form = ImportForm()
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied
        limit_uploads(request, services.import_max_bytes())
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.job_start(
                    actor=request.user,
                    upload=form.cleaned_data["file"],
                    mode=form.cleaned_data["mode"],
                    confirm_economic_operator=form.cleaned_data["confirm_economic_operator"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(request, _("The file was uploaded; its import has started."))
                return redirect("passports:import_detail", public_id=job.public_id)
    jobs = [
        selectors.job_state(job) for job in selectors.jobs_for(actor=request.user)[: selectors.RECENT_JOBS]
    ]
    response = render(
        request,
        "passports/import/index.html",
        {"form": form, "can_import": can_import, "jobs": jobs, "list_separator": formats.LIST_SEPARATOR},
        status=400 if form.errors else 200,
    )
    return private(response)


@active_member_required
@require_safe
def import_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    job = _job_or_404(request, public_id)
    context = {
        "job": job,
        "state": selectors.job_state(job),
        "issues": list(selectors.issues_of(job)),
        "shown_issues": selectors.SHOWN_ISSUES,
        "corrected": selectors.corrected_file_available(job),
    }
    return private(render(request, "passports/import/detail.html", context))


@active_member_required
@require_safe
def import_status(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    """What the progress bar polls."""
    return private(JsonResponse(selectors.job_state(_job_or_404(request, public_id))))


@active_member_required
@require_safe
def import_errors(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    job = _job_or_404(request, public_id)
    response = StreamingHttpResponse(reports.issues_csv_lines(job), content_type="text/csv; charset=utf-8")
    return private(response, reports.report_name(job))


@active_member_required
@require_safe
def import_corrected(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    """The uploaded template again with an error column, while the upload is kept."""
    job = _job_or_404(request, public_id)
    if not selectors.corrected_file_available(job):
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = reports.corrected_name(job)
    if job.format == ImportFormat.CSV:

        def lines():
            with handle:
                yield from reports.corrected_csv_lines(job, handle)

        return private(StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8"), name)
    with handle:
        output = reports.corrected_xlsx(job, handle)
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return private(FileResponse(output, content_type=content_type), name)


@active_member_required
@require_safe
def template_xlsx(request: HttpRequest) -> HttpResponseBase:
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return private(HttpResponse(formats.xlsx_template(), content_type=content_type), "passport-import.xlsx")


@active_member_required
@require_safe
def template_csv(request: HttpRequest) -> HttpResponseBase:
    return private(
        HttpResponse(formats.csv_template(), content_type="text/csv; charset=utf-8"), "passport-import.csv"
    )
