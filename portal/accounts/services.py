"""Writes to user accounts, API tokens and two-factor devices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit.services import audit_record

from .models import ApiToken, User, hash_token

USER_FIELDS = ("username", "email", "first_name", "last_name")


def user_create(
    *,
    username: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    preferred_language: str = "en",
) -> User:
    """Create a user after the same checks a form makes (so API and CLI callers get them too)."""
    errors: dict[str, list[str]] = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is taken.")]
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("This e-mail address cannot be used for a new account.")]
    user = User(
        username=username,
        email=email.strip().lower(),
        first_name=first_name,
        last_name=last_name,
        preferred_language=preferred_language,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_set_language(*, user: User, language: str) -> None:
    """Remember the UI language so e-mails to this user are written in it."""
    if language in dict(settings.LANGUAGES) and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


@transaction.atomic
def user_deactivate(*, user: User) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def api_token_create(*, actor: User, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """Create a personal token; returns it with its value, which is never stored or shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name so you can recognise it later.")})
    value = ApiToken.generate_value()
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(
        user=actor, name=name[:100], prefix=value[3:11], key_hash=hash_token(value), expires_at=expires_at
    )
    audit_record(actor=actor, action="api_token.created", organization=_organization(actor), target=token)
    return token, value


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise ValidationError(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoked", organization=_organization(actor), target=token)


def api_token_authenticate(value: str) -> ApiToken | None:
    from portal.tenancy.policies import requires_two_factor
    from portal.tenancy.selectors import remember_membership

    from .selectors import usable_token

    # The membership and its organization come with the token: every API request needs them (permission,
    # scope), and one query instead of two is a noticeable share of a light request.
    token = usable_token(hash_token(value))
    if token is None or not token.user.is_active:
        return None
    remember_membership(token.user, getattr(token.user, "membership", None))
    # A token made before 2FA was enforced must not bypass it: without a confirmed device it stops working.
    if requires_two_factor(token.user) and confirmed_totp_device(token.user) is None:
        return None
    now = timezone.now()
    # Writing on every request would make each API call a write; a minute's precision is enough.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def totp_device_start(*, actor: User) -> TOTPDevice:
    """An unconfirmed TOTP device for the setup page (replacing an earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(
        user=actor, name="Authenticator app", confirmed=False, tolerance=settings.PASSBRIDGE_TOTP_TOLERANCE
    )


def totp_device_confirm(*, actor: User, device: TOTPDevice, code: str) -> bool:
    if device.user_id != actor.pk or not device.verify_token(code.strip()):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=actor, action="two_factor.enabled", organization=_organization(actor))
    return True


@transaction.atomic
def totp_disable(*, actor: User) -> None:
    """Turn the actor's own two-factor authentication off; refused when their role requires it, whoever
    calls (the security page, the API, a script), not only where the page hides the button."""
    from portal.tenancy.policies import can_disable_two_factor

    if not can_disable_two_factor(actor):
        raise ValidationError(_("Your role requires two-factor authentication; it cannot be turned off."))
    TOTPDevice.objects.filter(user=actor).delete()
    audit_record(actor=actor, action="two_factor.disabled", organization=_organization(actor))


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _organization(user: User) -> Any:
    from portal.tenancy.selectors import organization_of

    return organization_of(user)
