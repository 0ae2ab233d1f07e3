from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from portal.tenancy.policies import can_manage_api_tokens, requires_two_factor

from . import selectors, services
from .forms import ApiTokenForm, OtpCodeForm

PENDING_USER_KEY = "passbridge_2fa_user"
PENDING_BACKEND_KEY = "passbridge_2fa_backend"
PENDING_NEXT_KEY = "passbridge_2fa_next"
NEW_TOKEN_KEY = "passbridge_new_token"


def lockout_response(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    message = _(
        "Too many failed login attempts. Try again in %(minutes)d minutes or reset your password."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)


class LoginView(auth_views.LoginView):
    """Password first; users with a confirmed authenticator then enter a code before they are logged in."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if services.confirmed_totp_device(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING_USER_KEY] = user.pk
        self.request.session[PENDING_BACKEND_KEY] = user.backend
        self.request.session[PENDING_NEXT_KEY] = self.get_success_url()
        return redirect("accounts:login_verify")


@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(PENDING_USER_KEY)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    device = services.confirmed_totp_device(user) if user else None
    if device is None:
        return redirect("accounts:login")
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["code"].strip()):
            next_url = request.session.pop(PENDING_NEXT_KEY, None)
            backend = request.session.pop(PENDING_BACKEND_KEY)
            request.session.pop(PENDING_USER_KEY, None)
            login(request, user, backend=backend)
            otp_login(request, device)
            if not next_url or not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                next_url = settings.LOGIN_REDIRECT_URL
            return redirect(next_url)
        form.add_error("code", _("This code is not valid. Wait for the next code and try again."))
    return render(request, "accounts/login_verify.html", {"form": form})


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "emails/password_reset_body.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def security(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/security.html",
        {
            "device": services.confirmed_totp_device(request.user),
            "two_factor_required": requires_two_factor(request.user),
        },
    )


def _qr_data_uri(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=5, dark="#1b1f24")


@login_required
@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    device = selectors.pending_totp_device(
        actor=request.user, device_id=request.session.get("passbridge_totp_setup")
    )
    if device is None or request.method == "GET":
        device = services.totp_device_start(actor=request.user)
        request.session["passbridge_totp_setup"] = device.pk
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(actor=request.user, device=device, code=form.cleaned_data["code"]):
            request.session.pop("passbridge_totp_setup", None)
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("accounts:security")
        form.add_error("code", _("This code is not valid. Check the time on your phone and try again."))
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/totp_setup.html",
        {
            "form": form,
            "secret": secret,
            "qr": _qr_data_uri(device.config_url),
            "required": requires_two_factor(request.user),
        },
    )


@login_required
@require_POST
def totp_disable(request: HttpRequest) -> HttpResponse:
    try:
        services.totp_disable(actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:security")


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    if not can_manage_api_tokens(request.user):
        raise Http404
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, value = services.api_token_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data.get("expires_in_days"),
        )
        # Shown once after the redirect, so a reload neither repeats the creation nor shows it again.
        request.session[NEW_TOKEN_KEY] = value
        return redirect("accounts:tokens")
    new_value = request.session.pop(NEW_TOKEN_KEY, None)
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "new_value": new_value,
            "tokens": selectors.api_tokens_for(actor=request.user),
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_get(actor=request.user, pk=pk)
    if token is None:
        raise Http404
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")
