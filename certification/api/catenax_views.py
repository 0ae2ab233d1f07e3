"""`GET /api/v1/certificates/<number>/catenax/`: the certificate as a Catena-X business partner certificate
(io.catenax.business_partner_certificate 3.1.0), for those who may read the certificate (404 otherwise)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ..catenax_certificate import CatenaxCertificateUnavailable, certificate_payload
from ..openapi import BUSINESS_PARTNER_CERTIFICATE_REF
from .common import TAG_CERTIFICATES, CanListCertificates, certificate_or_404


class CertificateCatenaxView(APIView):
    permission_classes = [CanListCertificates]

    @extend_schema(
        tags=TAG_CERTIFICATES,
        summary="A certificate as a Catena-X business partner certificate 3.1.0",
        description=(
            "The io.catenax.business_partner_certificate 3.1.0 payload, with the signed PDF as base64. "
            "409 with code `no_bpnl` when the holder has no BPNL (the model requires one) and "
            "`document_missing` while the certificate document is not rendered yet. A suspended, revoked or "
            "expired certificate answers 409 with code `suspended`, `revoked` or `expired` and the date and "
            "reason in `detail`: the model has no status field, so its payload would be read as valid."
        ),
        responses={
            200: OpenApiResponse(
                BUSINESS_PARTNER_CERTIFICATE_REF, description="BusinessPartnerCertificate 3.1.0"
            ),
            409: OpenApiResponse(OpenApiTypes.OBJECT, description="No payload for this certificate (yet)."),
        },
    )
    def get(self, request, number: str):
        certificate = certificate_or_404(request, number)
        try:
            return Response(certificate_payload(certificate))
        except CatenaxCertificateUnavailable as exc:
            return Response({"detail": exc.message, "code": exc.code}, status=409)
