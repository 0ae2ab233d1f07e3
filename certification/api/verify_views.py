"""`GET /api/v1/verify/<number>/`: the public verification of a certificate as JSON, for anyone.

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
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, verify_limit
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
