"""`GET /api/v1/verify/<number>/`: the public verification of a certificate as JSON, for anyone; and
`POST /api/v1/verify/document/`: is an uploaded PDF a genuine, unmodified PassBridge certificate document?

The same facts as the verification page (`selectors.certificate_public`): current status, holder with
its identifiers, scheme, standards, the battery models and sites the certificate names, validity,
issuing body, recognition links both ways and the SHA-256 of the signed document. Unknown and
malformed numbers answer the same 404; every look-up counts against the client's rate limit (429).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.uploads import limit_uploads

from .. import selectors, verify_limit
from ..documents import verify_upload
from .common import valid
from .serializers import CertificateStatusField

TAG_VERIFICATION = ["certificate verification"]


class PublicHolderOutput(serializers.Serializer):
    name = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2")
    bpnl = serializers.CharField(allow_null=True)
    corporate_number = serializers.CharField(allow_null=True)
    lei = serializers.CharField(allow_null=True)


class PublicSchemeOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    version = serializers.CharField()


class PublicStandardOutput(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    version = serializers.CharField()


class PublicScopeOutput(serializers.Serializer):
    battery_models = serializers.ListField(child=serializers.CharField(), help_text="Model names.")
    sites = serializers.ListField(child=serializers.CharField(), help_text="Site names.")


class PublicLinkOutput(serializers.Serializer):
    number = serializers.CharField()
    scheme = serializers.CharField()
    scheme_version = serializers.CharField()
    status = CertificateStatusField()
    verification_url = serializers.CharField()


class PublicCertificateOutput(serializers.Serializer):
    number = serializers.CharField()
    status = CertificateStatusField(help_text="Today's status; 'expired' as soon as the validity has ended.")
    holder = PublicHolderOutput()
    scheme = PublicSchemeOutput()
    standards = PublicStandardOutput(many=True)
    scope = PublicScopeOutput()
    issued_on = serializers.DateField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    issuing_body = serializers.CharField()
    recognised_from = PublicLinkOutput(allow_null=True, help_text="The origin of a recognised certificate.")
    recognised_as = PublicLinkOutput(many=True, help_text="Certificates recognised from this one.")
    document_sha256 = serializers.CharField(
        allow_null=True, help_text="SHA-256 (hex) of the signed certificate document, once it exists."
    )
    verification_url = serializers.CharField()


class MessageOutput(serializers.Serializer):
    detail = serializers.CharField()


def _url(request, number: str) -> str:
    return request.build_absolute_uri(reverse("verification:certificate", args=[number]))


def _link(request, item: selectors.PublicLinkedCertificate) -> dict[str, Any]:
    return {
        "number": item.number,
        "scheme": item.scheme_name,
        "scheme_version": item.scheme_version,
        "status": item.status,
        "verification_url": _url(request, item.number),
    }


def public_certificate_payload(request, view: selectors.PublicCertificate) -> dict[str, Any]:
    return {
        "number": view.number,
        "status": view.status,
        "holder": {
            "name": view.holder_name,
            "country": view.holder_country,
            "bpnl": view.holder_bpnl or None,
            "corporate_number": view.holder_corporate_number or None,
            "lei": view.holder_lei or None,
        },
        "scheme": {"code": view.scheme_code, "name": view.scheme_name, "version": view.scheme_version},
        "standards": view.standards,
        "scope": {"battery_models": view.battery_models, "sites": view.sites},
        "issued_on": view.issued_on,
        "valid_from": view.valid_from,
        "valid_until": view.valid_until,
        "issuing_body": view.issuing_body,
        "recognised_from": _link(request, view.origin) if view.origin else None,
        "recognised_as": [_link(request, item) for item in view.recognised],
        "document_sha256": view.document_sha256 or None,
        "verification_url": _url(request, view.number),
    }


class CertificateVerifyView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAG_VERIFICATION,
        summary="Verify a certificate by its number (public, no login)",
        description=(
            "The certificate's public facts and its current status. Unknown and malformed numbers answer "
            "404 alike; look-ups are rate limited per client (429 with Retry-After)."
        ),
        responses={
            200: PublicCertificateOutput,
            404: OpenApiResponse(MessageOutput, description="No certificate has this number."),
            429: OpenApiResponse(MessageOutput, description="Too many look-ups; try again in a minute."),
        },
    )
    def get(self, request, number: str):
        headers = {"Cache-Control": "no-cache, max-age=0"}
        if not verify_limit.verification_allowed(request):
            headers["Retry-After"] = str(verify_limit.retry_after_seconds())
            return Response({"detail": verify_limit.limit_message()}, status=429, headers=headers)
        view = selectors.certificate_public(number)
        if view is None:
            return Response({"detail": _("Not found.")}, status=404, headers=headers)
        return Response(
            PublicCertificateOutput(public_certificate_payload(request, view)).data, headers=headers
        )


# ---- uploaded certificate documents ----------------------------------------------------------------------


class DocumentUploadInput(serializers.Serializer):
    # Presence only: every check of the content is the service's (PDF by magic bytes, size limit).
    file = serializers.FileField(
        allow_empty_file=True, use_url=False, help_text="The certificate PDF to check, unchanged."
    )


class DocumentVerificationOutput(serializers.Serializer):
    genuine = serializers.BooleanField(
        help_text="True only when the signature is valid, by the platform's CA, covers the whole file, and "
        "the file is exactly a certificate document PassBridge issued."
    )
    reason = serializers.ChoiceField(
        # A file that is not a PDF is a 400 on `file`, never a result.
        choices=[r.value for r in verify_upload.Reason if r is not verify_upload.Reason.NOT_PDF],
        help_text="`genuine`, or the first problem found: `unreadable` (damaged PDF), `no_signature`, "
        "`signature_invalid` (changed after signing), `untrusted_signer` (not signed by the platform), "
        "`modified` (something added after the signature), `unknown_document` (validly signed, but not a "
        "document PassBridge issued).",
    )
    message = serializers.CharField(help_text="The result explained, in the request's language.")
    certificate = PublicCertificateOutput(
        allow_null=True,
        help_text="For a genuine document: the certificate's public facts and current status, as "
        "`GET /api/v1/verify/<number>/` returns them.",
    )


class FileErrorOutput(serializers.Serializer):
    file = serializers.ListField(child=serializers.CharField())


class CertificateDocumentVerifyView(APIView):
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser]

    def initialize_request(self, request, *args, **kwargs):
        # Before anything (session authentication's CSRF check, the parsers) reads the body: an oversized
        # file is cut off while it is received.
        limit_uploads(request, limit=verify_upload.max_upload_bytes())
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        tags=TAG_VERIFICATION,
        summary="Check an uploaded certificate PDF (public, no login)",
        description=(
            "Multipart upload of the PDF in `file`. Answers whether it is a genuine, unmodified PassBridge "
            "certificate document and, if so, its certificate's public facts with today's status (the PDF "
            "itself only states the status at issue). A missing, empty, oversized or non-PDF file is a 400 "
            "on `file`; nothing is stored. Each upload counts as a look-up against the per-client rate limit "
            "(429 with Retry-After)."
        ),
        request={"multipart/form-data": DocumentUploadInput},
        responses={
            200: DocumentVerificationOutput,
            400: OpenApiResponse(
                FileErrorOutput, description="No file, or an empty, oversized or non-PDF one."
            ),
            429: OpenApiResponse(MessageOutput, description="Too many look-ups; try again in a minute."),
        },
    )
    def post(self, request):
        headers = {"Cache-Control": "no-cache, max-age=0"}
        if not verify_limit.verification_allowed(request):
            headers["Retry-After"] = str(verify_limit.retry_after_seconds())
            return Response({"detail": verify_limit.limit_message()}, status=429, headers=headers)
        upload = valid(DocumentUploadInput, request.data)["file"]
        result = verify_upload.document_verify(data=verify_upload.read_upload(upload))
        payload = {
            "genuine": result.genuine,
            "reason": result.reason.value,
            "message": result.explanation,
            "certificate": public_certificate_payload(request, result.certificate)
            if result.certificate is not None
            else None,
        }
        return Response(DocumentVerificationOutput(payload).data, headers=headers)
