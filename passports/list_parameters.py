"""The passport list's manufacturer and country parameters read from text, for the API and the page alike:
the BPNL normalised as organizations store it, the country as an ISO 3166-1 alpha-2 code."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django_countries import countries

from portal.identifiers import check_bpn


def manufacturer_filter(value: str) -> str:
    """The BPNL of a `manufacturer` parameter ("" when blank); ValidationError when it is not one."""
    return check_bpn(value, kinds="L").value if value.strip() else ""


def country_filter(value: str) -> str:
    """The upper-case code of a `country` parameter ("" when blank); ValidationError when it is not one."""
    code = value.strip().upper()
    if code and code not in countries:
        raise ValidationError(
            forms.ChoiceField.default_error_messages["invalid_choice"], params={"value": value}
        )
    return code
