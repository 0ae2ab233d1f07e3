"""Form helpers shared by the portal's apps."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


class ServiceFormMixin:
    """Lets a view put a service's ValidationError onto the form, per field where it names one."""

    #: Service field names that a form shows under another name (e.g. the service's `password`).
    service_field_names: dict[str, str] = {"password": "password1"}

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                name = self.service_field_names.get(field, field)
                self.add_error(name if name in self.fields else None, errors)  # type: ignore[attr-defined]
        else:
            self.add_error(None, error)  # type: ignore[attr-defined]


def reject_control_characters(value: str) -> str:
    """NUL bytes and other control characters are refused rather than stored or crashing the database."""
    if any(ord(char) < 32 and char not in "\t\r\n" for char in value):
        raise ValidationError("Remove the control characters from this text.", code="control_characters")
    return value


class CleanTextForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str):
                try:
                    reject_control_characters(value)
                except ValidationError as exc:
                    self.add_error(name, exc)
        return cleaned
