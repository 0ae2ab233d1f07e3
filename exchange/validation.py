"""Checks on exchanged figures, shared by forms, the API and the file imports: every figure is a
decimal, never negative where the standards forbid it; country shares name real countries and sum to
100 % within a tolerance. Each check raises `ValidationError` with a message a user can act on."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_countries import countries

#: How far a set of country shares may miss 100 % (rounding in the sender's system).
SHARE_TOLERANCE = Decimal("0.1")
HUNDRED = Decimal(100)
MAX_DIGITS_BEFORE_POINT = 14


def to_decimal(
    value: Any, *, field: str = "", minimum: Decimal | None = Decimal(0), maximum: Decimal | None = None
) -> Decimal:
    """A finite decimal from a string or number (floats go through their shortest repr, so 0.1 stays 0.1)."""
    if isinstance(value, bool) or value is None or value == "":
        raise ValidationError(_("Enter a number."), code="invalid")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("“%(value)s” is not a decimal number.") % {"value": str(value)[:40]}, code="invalid"
        ) from None
    if not number.is_finite():
        raise ValidationError(_("Enter a finite number."), code="invalid")
    if number.adjusted() >= MAX_DIGITS_BEFORE_POINT:
        raise ValidationError(_("This number is too large."), code="max_value")
    if minimum is not None and number < minimum:
        raise ValidationError(_("Must be at least %(minimum)s.") % {"minimum": minimum}, code="min_value")
    if maximum is not None and number > maximum:
        raise ValidationError(_("Must be at most %(maximum)s.") % {"maximum": maximum}, code="max_value")
    return number


def plain(number: Decimal) -> str:
    """A decimal string without exponent ("60", "0.0752"): what PACT and the forms show."""
    return format(number.normalize(), "f") if number else "0"


def to_percent(value: Any) -> Decimal:
    return to_decimal(value, minimum=Decimal(0), maximum=HUNDRED)


def country_shares(value: Any, *, required: bool = True) -> dict[str, Decimal]:
    """{ISO 3166 alpha-2 code: per cent}, each share 0-100, together 100 % within `SHARE_TOLERANCE`."""
    if value in (None, "", {}):
        if required:
            raise ValidationError(_("Give at least one country with its share."), code="required")
        return {}
    if not isinstance(value, dict):
        raise ValidationError(_("Give shares as country code and per cent pairs."), code="invalid")
    shares: dict[str, Decimal] = {}
    for raw_code, raw_share in value.items():
        code = str(raw_code).strip().upper()
        if code not in countries:
            raise ValidationError(
                _("“%(code)s” is not a known country code.") % {"code": str(raw_code)[:10]}, code="country"
            )
        if code in shares:
            raise ValidationError(_("%(code)s is named twice.") % {"code": code}, code="duplicate")
        try:
            shares[code] = to_percent(raw_share)
        except ValidationError as error:
            raise ValidationError(f"{code}: {error.messages[0]}", code="invalid") from error
    total = sum(shares.values(), Decimal(0))
    if abs(total - HUNDRED) > SHARE_TOLERANCE:
        raise ValidationError(
            _("The shares add up to %(total)s %%, not 100 %%.") % {"total": plain(total)}, code="sum"
        )
    return shares


def parse_shares_text(text: str) -> dict[str, str]:
    """'CL 60, AU 40' or 'CL=60; AU=40' (what a person types in a form) as {code: share string}."""
    shares: dict[str, str] = {}
    for chunk in text.replace(";", ",").replace("\n", ",").split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        parts = chunk.replace("=", " ").replace(":", " ").replace("%", " ").split()
        if len(parts) != 2:
            raise ValidationError(
                _("Write each country as a code and a share, like “CL 60, AU 40” (“%(chunk)s”).")
                % {"chunk": chunk[:40]},
                code="invalid",
            )
        code = parts[0].upper()
        if code in shares:
            raise ValidationError(_("%(code)s is named twice.") % {"code": code}, code="duplicate")
        shares[code] = parts[1]
    return shares


def shares_text(shares: dict[str, Any]) -> str:
    return ", ".join(f"{code} {Decimal(str(share)).normalize():f}" for code, share in shares.items())


def recycled_shares(pre_consumer: Any, post_consumer: Any) -> tuple[Decimal, Decimal]:
    pre = to_percent(pre_consumer if pre_consumer not in (None, "") else 0)
    post = to_percent(post_consumer if post_consumer not in (None, "") else 0)
    if pre + post > HUNDRED:
        raise ValidationError(_("Pre- and post-consumer recycled shares together exceed 100 %."), code="sum")
    return pre, post


def stage_rating(value: Any) -> int:
    """An Ouranos data-quality rating of one stage and aspect: a whole number 1 (best) to 5."""
    number = to_decimal(value, minimum=Decimal(1), maximum=Decimal(5))
    if number != number.to_integral_value():
        raise ValidationError(_("Ratings are whole numbers from 1 to 5."), code="invalid")
    return int(number)


def pact_rating(value: Any) -> Decimal:
    """A PACT data-quality rating: a decimal 1 (best) to 3, as PACT v3 and io.catenax.pcf bound it."""
    return to_decimal(value, minimum=Decimal(1), maximum=Decimal(3))
