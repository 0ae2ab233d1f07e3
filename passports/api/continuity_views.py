"""Registry records and the back-up archive over the API (the browser downloads' counterparts), and the
import of a back-up archive."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import AnyAccept
from portal.tenancy.policies import is_company
from portal.tenancy.selectors import active_organization_of

from .. import catenax, continuity

TAGS = ["Passports"]


class _RawZipParser(BaseParser):
    """The view reads the archive itself (its size and checks are the import's)."""

    media_type = "application/zip"

    def parse(self, stream, media_type=None, parser_context=None):
        return None


def _own_company(request):
    organization = active_organization_of(request.user)
    if not is_company(organization):
        raise PermissionDenied
    return organization


class RegistryRecordsView(APIView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        tags=TAGS,
        summary="The EU passport registry records of your published passports",
        description=(
            "One record per published passport of your company: unique identifier, passport identifier, "
            "resolver address (the public page the QR code opens), economic operator and commodity code "
            "(CN 8507, derived from the chemistry). JSON lines by default, CSV with `as=csv`; streamed."
        ),
        parameters=[OpenApiParameter("as", OpenApiTypes.STR, enum=["jsonl", "csv"])],
        responses={(200, "application/x-ndjson"): OpenApiTypes.STR, (200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        records = continuity.registry_records(actor=request.user, organization=_own_company(request))
        if request.query_params.get("as") == "csv":
            lines = continuity.registry_csv_lines(records)
            return continuity.streamed_download(
                lines, "text/csv; charset=utf-8", continuity.export_filename("registry", "csv")
            )
        lines = (continuity.json_line(record) for record in records)
        return continuity.streamed_download(
            lines, "application/x-ndjson", continuity.export_filename("registry", "jsonl")
        )


class BackupArchiveView(APIView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        tags=TAGS,
        summary="A back-up archive of every published passport (ZIP of BatteryPass 6.1.0 documents)",
        description=(
            "Each published passport of your company as its BatteryPass 6.1.0 document, with manifest.json "
            "(SHA-256 of each file, and the passports without a document, e.g. for lack of a BPNL). "
            "Import it again with POST /api/v1/passports/import/archive/."
        ),
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        chunks = continuity.backup_archive(actor=request.user, organization=_own_company(request))
        return continuity.streamed_download(
            chunks, "application/zip", continuity.export_filename("backup", "zip")
        )


class BackupImportView(APIView):
    parser_classes = [_RawZipParser]

    @extend_schema(
        tags=TAGS,
        summary="Import a back-up archive: every passport in it as a draft, or none",
        request={"application/zip": OpenApiTypes.BINARY},
        responses={
            201: OpenApiResponse(OpenApiTypes.OBJECT, description="The created draft passports."),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT, description='{"errors": [{file or document, message}]}'
            ),
            # In the import's own error format, not the API's usual `detail`.
            415: OpenApiResponse(
                OpenApiTypes.OBJECT, description='Not a ZIP archive: {"errors": [{file, message}]}'
            ),
        },
    )
    def post(self, request):
        organization = _own_company(request)
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if media_type != "application/zip":
            message = _("Send the back-up archive as application/zip, not %(type)s.") % {
                "type": media_type or "-"
            }
            return Response({"errors": [{"file": None, "message": message}]}, status=415)
        try:
            imported = continuity.import_archive(
                actor=request.user, organization=organization, content=request.body
            )
        except continuity.ArchiveInvalid as exc:
            return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        except catenax.CatenaxImportError as exc:
            return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {
                "passports": [
                    {
                        "id": str(result.passport.public_id),
                        "unique_identifier": result.passport.unique_identifier,
                    }
                    for result in imported
                ]
            },
            status=status.HTTP_201_CREATED,
        )
