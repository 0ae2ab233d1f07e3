from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.tenancy.policies import requires_two_factor

SESSION_STARTED_KEY = "passbridge_auth_started"


class SessionLifetimeMiddleware:
    """Ends a session after its absolute lifetime, whatever the activity (the idle timeout is Django's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            started = request.session.get(SESSION_STARTED_KEY)
            if started is None:
                request.session[SESSION_STARTED_KEY] = time.time()
            elif time.time() - started > settings.PASSBRIDGE_SESSION_ABSOLUTE_SECONDS:
                logout(request)
        return self.get_response(request)


class TwoFactorEnforcementMiddleware:
    """Certifiers and inspectors must set up and use TOTP before anything else (when enforced)."""

    ALLOWED_URL_NAMES = ("accounts:totp_setup", "accounts:logout", "set_language", "healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(settings.STATIC_URL)
            and request.path not in self._allowed_paths()
            and requires_two_factor(user)
            and not user.is_verified()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": _(
                            "Two-factor authentication is required for your role. Set it up in the portal."
                        )
                    },
                    status=403,
                )
            return redirect("accounts:totp_setup")
        return self.get_response(request)

    def _allowed_paths(self) -> set[str]:
        return {reverse(name) for name in self.ALLOWED_URL_NAMES}


class PreferredLanguageMiddleware:
    """Logged-in users see their saved language unless they picked one with the switcher (cookie)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
