"""Secrets the portal must use again later (a partner's client secret for its token endpoint), sealed at
rest with a key derived from SECRET_KEY (Fernet: AES-128-CBC with HMAC-SHA256).

A database dump alone reveals nothing. Passwords and the portal's own client secrets are hashed instead:
only secrets the portal has to present to someone else are sealed. Rotating SECRET_KEY makes sealed
values unreadable (`Unsealable`): the owner enters them again; `SECRET_KEY_FALLBACKS` keep old ones
readable meanwhile, as they do for Django's own signatures."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

_PURPOSE = b"passbridge.sealed.v1"


class Unsealable(Exception):
    """The value was sealed under a key the portal no longer has (or was altered)."""


def _fernet(secret: str) -> Fernet:
    key = hashlib.sha256(_PURPOSE + b"\0" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _box() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def seal(value: str) -> str:
    return _box().encrypt(value.encode()).decode("ascii")


def unseal(token: str) -> str:
    try:
        return _box().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError) as error:
        raise Unsealable("sealed under another SECRET_KEY, or altered") from error
