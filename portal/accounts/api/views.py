from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.core.cache import caches
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from portal.json_input import SafeJSONParser
from portal.tenancy.policies import can_manage_api_tokens, requires_two_factor

from .. import services


class TokenRequest(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    otp = serializers.RegexField(
        r"^\d{6}$", required=False, help_text="Six-digit code, required when two-factor authentication is on."
    )
    name = serializers.CharField(max_length=100, required=False, help_text="A name for the new token.")


class SharedScopedRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, counted in the `ratelimit` cache that every web worker shares."""

    @property
    def cache(self):
        return caches["ratelimit"]


class ObtainTokenView(APIView):
    """Exchange a username and password (and a TOTP code when 2FA is on) for a new personal API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    # Scripts post credentials as JSON or as a form (`curl -d`); no session is read, so no CSRF concern.
    parser_classes = [SafeJSONParser, FormParser]
    throttle_classes = [SharedScopedRateThrottle]
    throttle_scope = "auth-token"

    @extend_schema(
        request=TokenRequest,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        summary="Obtain a personal API token",
    )
    def post(self, request):
        payload = TokenRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if AxesProxyHandler.is_locked(request._request, credentials={"username": data["username"]}):
            return Response(
                {"detail": _("Too many failed login attempts. Try again later.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None or not can_manage_api_tokens(user):
            return Response(
                {"detail": _("Unable to log in with these credentials.")}, status=status.HTTP_400_BAD_REQUEST
            )
        device = services.confirmed_totp_device(user)
        if device is None and requires_two_factor(user):
            return Response(
                {"otp": [_("Your role requires two-factor authentication: set it up in the portal first.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if device is not None:
            code = data.get("otp")
            if not code:
                return Response(
                    {"otp": [_("Enter the code from your authenticator app.")]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            allowed, _details = device.verify_is_allowed()
            if not allowed or not device.verify_token(code):
                return Response({"otp": [_("This code is not valid.")]}, status=status.HTTP_400_BAD_REQUEST)
        _token, value = services.api_token_create(actor=user, name=data.get("name") or "API login")
        return Response({"token": value})
