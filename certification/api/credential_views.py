"""Certificates as Verifiable Credentials: the signed credential of a certificate (to those who may read
the certificate), and, for anyone, the issuer's verification methods and the status lists."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import AnyAccept

from ..credentials.credential import signed_certificate_credential
from ..credentials.jose import MEDIA_TYPE, issuer_url, key_id, public_jwk, sign
from ..credentials.status_list import TIME_TO_LIVE, StatusPurpose, status_list_credential
from .common import TAG_CERTIFICATES, CanListCertificates, certificate_or_404

TAG_CREDENTIALS = ["verifiable credentials"]
#: List numbers beyond any primary key this platform will reach: a cheap bound against silly requests.
MAX_LIST_NUMBER = 10_000


def vc_jwt_response(token: str) -> HttpResponse:
    response = HttpResponse(token, content_type=MEDIA_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    return response


class CertificateCredentialView(APIView):
    permission_classes = [CanListCertificates]
    content_negotiation_class = AnyAccept

    @extend_schema(
        tags=TAG_CERTIFICATES,
        summary="The certificate as a signed W3C Verifiable Credential",
        description=(
            "A Verifiable Credential (data model 2.0) secured as a compact JWS (VC-JOSE-COSE, media type "
            "application/vc+jwt, ES256) by the platform key; the header names the key (kid, resolvable "
            "through the issuer document) and carries its certificate chain (x5c). credentialStatus "
            "points into the platform's revocation and suspension status lists."
        ),
        responses={
            (200, MEDIA_TYPE): OpenApiResponse(OpenApiTypes.STR, description="compact JWS"),
            404: OpenApiResponse(description="Unknown, or not yours to see."),
        },
    )
    def get(self, request, number: str):
        certificate = certificate_or_404(request, number)
        response = vc_jwt_response(signed_certificate_credential(certificate))
        response["Content-Disposition"] = f'inline; filename="{certificate.number}.vc.jwt"'
        response["Cache-Control"] = "private, no-store"
        patch_vary_headers(response, ("Cookie", "Authorization"))
        return response


_JWK = {
    "type": "object",
    "required": ["kty"],
    "properties": {
        "kty": {"type": "string"},
        "crv": {"type": "string"},
        "x": {"type": "string"},
        "y": {"type": "string"},
        "n": {"type": "string"},
        "e": {"type": "string"},
        "kid": {"type": "string"},
        "alg": {"type": "string"},
        "x5c": {"type": "array", "items": {"type": "string"}},
    },
}
#: A controlled identifier document (W3C CID 1.0) with JsonWebKey verification methods.
ISSUER_DOCUMENT = {
    "type": "object",
    "required": ["@context", "id", "verificationMethod", "assertionMethod"],
    "properties": {
        "@context": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "id": {"type": "string", "format": "uri"},
        "name": {"type": "string"},
        "verificationMethod": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "type", "controller", "publicKeyJwk"],
                "properties": {
                    "id": {"type": "string", "format": "uri"},
                    "type": {"type": "string", "enum": ["JsonWebKey"]},
                    "controller": {"type": "string", "format": "uri"},
                    "publicKeyJwk": _JWK,
                },
            },
        },
        "assertionMethod": {"type": "array", "items": {"type": "string", "format": "uri"}},
    },
}


class CredentialIssuerView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        tags=TAG_CREDENTIALS,
        summary="The credential issuer and its verification method",
        description=(
            "A controlled identifier document: the issuer's id and its public key as a JWK (with its "
            "certificate chain to the platform CA in x5c)."
        ),
        responses={200: OpenApiResponse(ISSUER_DOCUMENT)},
    )
    def get(self, request):
        method_id = key_id()
        response = Response(
            {
                "@context": ["https://www.w3.org/ns/cid/v1"],
                "id": issuer_url(),
                "name": "PassBridge",
                "verificationMethod": [
                    {
                        "id": method_id,
                        "type": "JsonWebKey",
                        "controller": issuer_url(),
                        "publicKeyJwk": public_jwk(),
                    }
                ],
                "assertionMethod": [method_id],
            }
        )
        patch_cache_control(response, public=True, max_age=3600)
        return response


class StatusListView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    content_negotiation_class = AnyAccept

    @extend_schema(
        tags=TAG_CREDENTIALS,
        summary="A status list of certificate credentials",
        description=(
            "A BitstringStatusListCredential (W3C Bitstring Status List v1.0) secured as application/"
            "vc+jwt: purpose `revocation` (bits set for revoked certificates) or `suspension` (bits set "
            "while suspended). Built from the current statuses; cacheable for its ttl."
        ),
        responses={
            (200, MEDIA_TYPE): OpenApiResponse(OpenApiTypes.STR, description="compact JWS"),
            404: OpenApiResponse(description="No such list."),
        },
    )
    def get(self, request, purpose: str, list_number: int):
        try:
            status_purpose = StatusPurpose(purpose)
        except ValueError:
            raise Http404 from None
        if list_number > MAX_LIST_NUMBER:
            raise Http404
        response = vc_jwt_response(sign(status_list_credential(status_purpose, list_number)))
        patch_cache_control(response, public=True, max_age=int(TIME_TO_LIVE.total_seconds()))
        return response
