"""Errors services raise that every shell (API, HTML, CLI) turns into a clear message."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class InvalidTransition(ValidationError):
    """The action is not possible in the object's current state (the API answers 409 Conflict)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_state")
