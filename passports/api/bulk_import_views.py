"""Bulk imports over the API: upload a file (202 with the job), follow its state, download its error report.

Thin shells over `passports.bulk_import` (services start and run jobs, selectors scope them to the caller's
company: another company's job answers 404, like one that does not exist)."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import AnyAccept
from portal.uploads import limit_uploads

from ..bulk_import import reports, selectors, services
from ..bulk_import.models import ImportMode

IMPORTS = ["passport imports"]


class ImportUploadInput(serializers.Serializer):
    # Presence only: the content is checked by the service, shared with the HTML form.
    file = serializers.FileField(
        allow_empty_file=True,
        use_url=False,
        help_text=_(
            "A Catena-X BatteryPass 6.1.0 JSON file (one document or a list), JSON lines (one document per "
            "line), or a CSV or Excel import template (GET /passports/import/template.csv or .xlsx)."
        ),
    )
    mode = serializers.ChoiceField(
        choices=ImportMode.choices,
        default=ImportMode.ALL_OR_NOTHING,
        help_text=_(
            "all: a file with any error stores nothing. valid: the rows without errors are imported."
        ),
    )
    confirm_economic_operator = serializers.BooleanField(
        default=False,
        help_text=_("Import Catena-X documents that name another economic operator under your company."),
    )


class ImportIssueOutput(serializers.Serializer):
    row = serializers.IntegerField(help_text=_("Spreadsheet row, line, or document number (from 1)."))
    sheet = serializers.CharField()
    column = serializers.CharField(help_text=_("Attribute key or JSON path."))
    message = serializers.CharField()


class ImportJobOutput(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    phase = serializers.CharField()
    format = serializers.CharField()
    mode = serializers.CharField()
    file_name = serializers.CharField()
    progress = serializers.IntegerField(help_text=_("0 to 100."))
    total_rows = serializers.IntegerField()
    checked_rows = serializers.IntegerField()
    imported_rows = serializers.IntegerField()
    invalid_rows = serializers.IntegerField()
    models_created = serializers.IntegerField()
    models_updated = serializers.IntegerField()
    error_count = serializers.IntegerField()
    message = serializers.CharField()
    finished = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    error_report_url = serializers.CharField(allow_null=True)
    errors = ImportIssueOutput(many=True, required=False)


def _payload(job, *, with_errors: bool = False) -> dict:
    data = selectors.job_state(job, api=True)
    if with_errors:
        data["errors"] = list(selectors.issues_of(job).values("row", "sheet", "column", "message"))
    return data


def _job(request, public_id: UUID):
    job = selectors.job_get(actor=request.user, public_id=public_id)
    if job is None:
        raise Http404
    return job


class ImportJobListView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    def initialize_request(self, request, *args, **kwargs):
        limit_uploads(request, services.import_max_bytes())  # before anything reads the body
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        tags=IMPORTS, summary="Your company's recent passport imports", responses=ImportJobOutput(many=True)
    )
    def get(self, request):
        jobs = selectors.jobs_for(actor=request.user)[: selectors.RECENT_JOBS]
        return Response([_payload(job) for job in jobs])

    @extend_schema(
        tags=IMPORTS,
        summary="Import passports from a file (a worker checks every row, then imports)",
        description=(
            "Answers 202 with the job; follow `url` for its state, progress and errors. In mode `all` a file "
            "with any error stores nothing; in mode `valid` the rows without errors are imported. Rows are "
            "imported in chunks (500 per transaction), and a job whose worker stopped continues after its "
            "last stored chunk."
        ),
        request={"multipart/form-data": ImportUploadInput},
        responses={
            202: ImportJobOutput,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT, description='{"file": ["..."]}: empty, wrong kind, too large'
            ),
            403: OpenApiResponse(OpenApiTypes.OBJECT, description="Only editors and administrators import."),
        },
    )
    def post(self, request):
        serializer = ImportUploadInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            job = services.job_start(
                actor=request.user,
                upload=data["file"],
                mode=data["mode"],
                confirm_economic_operator=data["confirm_economic_operator"],
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from exc
        except ValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            raise exceptions.ValidationError(detail) from exc
        job.refresh_from_db()  # an eager run (tests, `make run`) may have finished it already
        return Response(_payload(job, with_errors=True), status=status.HTTP_202_ACCEPTED)


class ImportJobDetailView(APIView):
    @extend_schema(
        tags=IMPORTS,
        summary="State, progress and first errors of a passport import",
        responses={200: ImportJobOutput, 404: OpenApiResponse(description="Not a job of your company.")},
    )
    def get(self, request, public_id: UUID):
        return Response(_payload(_job(request, public_id), with_errors=True))


class ImportJobErrorsView(APIView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        tags=IMPORTS,
        summary="Every error of a passport import as CSV (row, sheet, column, message)",
        responses={(200, "text/csv"): OpenApiTypes.BINARY, 404: OpenApiResponse(description="Not found.")},
    )
    def get(self, request, public_id: UUID):
        job = _job(request, public_id)
        response = StreamingHttpResponse(
            reports.issues_csv_lines(job), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(True, reports.report_name(job))
        response["Cache-Control"] = "private, no-store"
        return response
