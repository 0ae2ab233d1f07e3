"""The signed PDF of a certificate, to whoever may see the certificate (404 to everyone else)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import AnyAccept

from ..documents.download import pdf_response, record_download
from ..documents.selectors import document_bytes, ready_document
from .common import TAG_CERTIFICATES, CanListCertificates, certificate_or_404

PENDING_RETRY_SECONDS = 30


class CertificatePdfView(APIView):
    permission_classes = [CanListCertificates]
    content_negotiation_class = AnyAccept

    @extend_schema(
        tags=TAG_CERTIFICATES,
        summary="The certificate's signed PDF",
        description=(
            "PDF/A-3 signed by the platform (PAdES), with the certificate's JSON attached. It states the "
            "certificate as issued: the current status is on the verification page. While the document "
            "is being prepared: 409 with code document_pending and Retry-After. Downloads by "
            "authorities are recorded in the holder's access log."
        ),
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description="Unknown, or not yours to see."),
            409: OpenApiResponse(description="The document is being prepared; retry later."),
        },
    )
    def get(self, request, number: str):
        certificate = certificate_or_404(request, number)
        document = ready_document(certificate)
        content = document_bytes(document) if document is not None else None
        if document is None or content is None:
            return Response(
                {
                    "detail": _("The certificate's document is being prepared. Try again shortly."),
                    "code": "document_pending",
                },
                status=409,
                headers={"Retry-After": str(PENDING_RETRY_SECONDS)},
            )
        record_download(actor=request.user, certificate=certificate, document=document)
        return pdf_response(certificate, content)
