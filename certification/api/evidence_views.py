"""Evidence files of an application: uploaded by the applicant's administrators while they may edit it,
read by whoever may open the application, and served only through the checked download here.

Uploads are multipart (`criterion`, `file`). `limit_uploads` is installed before anything reads the
body (authentication's CSRF check parses a multipart body), so an oversized file is cut while it is
received and then fails the service's size check; a refused upload leaves nothing stored.
"""

from __future__ import annotations

from uuid import UUID

from django.http import FileResponse, Http404
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import AnyAccept
from portal.openapi_errors import answers_conflict
from portal.uploads import KINDS, limit_uploads

from .. import selectors, services
from ..models import Evidence
from .common import TAG_APPLICATIONS, application_or_404, resolve_criterion, valid
from .payloads import evidence_item
from .serializers import EvidenceOutput, EvidenceUploadInput


def evidence_response(evidence: Evidence) -> FileResponse:
    """The stored file as a download: never rendered inline, never sniffed, never kept by shared caches."""
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.file_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_vary_headers(response, ("Cookie", "Authorization"))
    return response


@answers_conflict("POST")
class ApplicationEvidenceListView(APIView):
    parser_classes = [MultiPartParser]

    def initialize_request(self, request, *args, **kwargs):
        limit_uploads(request)  # before anything (CSRF check, parsers) reads the body
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        tags=TAG_APPLICATIONS, summary="Evidence files of an application", responses=EvidenceOutput(many=True)
    )
    def get(self, request, public_id: UUID):
        application = application_or_404(request, public_id)
        items = application.evidence.select_related("criterion")
        return Response(
            EvidenceOutput([evidence_item(request, application, e) for e in items], many=True).data
        )

    @extend_schema(
        tags=TAG_APPLICATIONS,
        summary="Upload an evidence file for a criterion (applicant administrators)",
        description=(
            "PDF, PNG, JPEG or WebP, recognised by the content, within the upload size limit; otherwise "
            "400 on `file` and nothing is stored."
        ),
        request={"multipart/form-data": EvidenceUploadInput},
        responses={201: EvidenceOutput},
    )
    def post(self, request, public_id: UUID):
        # Checked before the body is parsed: a viewer's upload is never read.
        application = application_or_404(
            request, public_id, "manage", _("Only the applicant's administrators can add evidence.")
        )
        data = valid(EvidenceUploadInput, request.data)
        evidence = services.evidence_add(
            actor=request.user,
            application=application,
            criterion=resolve_criterion(application, data["criterion"]),
            upload=data["file"],
        )
        return Response(
            EvidenceOutput(evidence_item(request, application, evidence)).data, status=status.HTTP_201_CREATED
        )


DOWNLOAD_RESPONSES = {
    **{(200, kind.content_type): OpenApiResponse(OpenApiTypes.BINARY) for kind in KINDS},
    404: OpenApiResponse(description="Unknown, or not yours to see."),
}


@answers_conflict("DELETE")
class ApplicationEvidenceDetailView(APIView):
    content_negotiation_class = AnyAccept

    def _evidence(self, request, public_id: UUID, evidence_id: UUID, action: str = "view") -> Evidence:
        """The evidence in the caller's scope (404), then `action` on its application (403)."""
        application = application_or_404(request, public_id)
        evidence = selectors.evidence_get(actor=request.user, application=application, public_id=evidence_id)
        if evidence is None:
            raise Http404
        application_or_404(
            request, public_id, action, _("Only the applicant's administrators can remove evidence.")
        )
        return evidence

    @extend_schema(tags=TAG_APPLICATIONS, summary="Download an evidence file", responses=DOWNLOAD_RESPONSES)
    def get(self, request, public_id: UUID, evidence_id: UUID):
        return evidence_response(self._evidence(request, public_id, evidence_id))

    @extend_schema(
        tags=TAG_APPLICATIONS,
        summary="Remove an evidence file (applicant administrators, while they may edit)",
        responses={204: None},
    )
    def delete(self, request, public_id: UUID, evidence_id: UUID):
        evidence = self._evidence(request, public_id, evidence_id, "manage")
        services.evidence_delete(actor=request.user, evidence=evidence)
        return Response(status=status.HTTP_204_NO_CONTENT)
