"""Validation of company and site identifiers: BPN (Catena-X), Japanese corporate number, LEI.

Each `normalise_*` function returns the canonical form or raises `ValidationError` with a message
that names what is wrong. BPN check characters (ISO/IEC 7064 MOD 1271-36) only produce a warning:
public test numbers in Catena-X do not follow the checksum, so rejecting them would lock out real
participants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BPN_RE = re.compile(r"^BPN([LSA])[A-Z0-9]{10}[A-Z0-9]{2}$")
CORPORATE_NUMBER_RE = re.compile(r"^[0-9]{13}$")
LEI_RE = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")
_SEPARATORS = re.compile(r"[\s\-]")


@dataclass(frozen=True)
class Checked:
    """A normalised identifier and the warnings found while checking it."""

    value: str
    warnings: tuple[str, ...] = ()


def bpn_check_characters(body: str) -> str:
    """The two ISO/IEC 7064 MOD 1271-36 check characters over the first 14 characters of a BPN."""
    modulus, radix = 1271, 36
    total = 0
    for char in body:
        total = ((total + ALPHABET.index(char)) * radix) % modulus
    total = (total * radix) % modulus
    check = (modulus + 1 - total) % modulus
    return ALPHABET[check // radix] + ALPHABET[check % radix]


def check_bpn(value: str, kinds: str = "LSA") -> Checked:
    """Normalise a BPNL/BPNS/BPNA (`kinds` limits the accepted type letters)."""
    candidate = _SEPARATORS.sub("", str(value)).upper()
    match = BPN_RE.match(candidate)
    if not match or match.group(1) not in kinds:
        prefixes = " / ".join(f"BPN{kind}" for kind in kinds)
        raise ValidationError(
            _("Enter a valid business partner number: %(prefixes)s followed by 12 letters or digits."),
            code="invalid_bpn",
            params={"prefixes": prefixes},
        )
    warnings: tuple[str, ...] = ()
    if bpn_check_characters(candidate[:14]) != candidate[14:]:
        warnings = (
            str(
                _("The check characters of %(bpn)s do not match; please double-check it.")
                % {"bpn": candidate}
            ),
        )
    return Checked(candidate, warnings)


def corporate_number_check_digit(base: str) -> int:
    """Check digit of a Japanese corporate number (法人番号) for its 12-digit base."""
    total = 0
    for position, digit in enumerate(reversed(base), start=1):
        total += int(digit) * (2 if position % 2 == 0 else 1)
    return 9 - (total % 9)


def check_corporate_number(value: str) -> Checked:
    candidate = _SEPARATORS.sub("", str(value)).translate(_FULLWIDTH_DIGITS)
    if not CORPORATE_NUMBER_RE.match(candidate):
        raise ValidationError(_("A corporate number has exactly 13 digits."), code="invalid_corporate_number")
    if corporate_number_check_digit(candidate[1:]) != int(candidate[0]):
        raise ValidationError(
            _("This corporate number's check digit is wrong; please check for a typing error."),
            code="invalid_corporate_number_checksum",
        )
    return Checked(candidate)


def lei_is_valid_checksum(lei: str) -> bool:
    """ISO 17442 / ISO 7064 MOD 97-10: the number formed by the LEI modulo 97 equals 1."""
    digits = "".join(str(ALPHABET.index(char)) for char in lei)
    return int(digits) % 97 == 1


def check_lei(value: str) -> Checked:
    candidate = _SEPARATORS.sub("", str(value)).upper()
    if not LEI_RE.match(candidate):
        raise ValidationError(
            _("An LEI has 20 characters: 18 letters or digits followed by 2 check digits."),
            code="invalid_lei",
        )
    if not lei_is_valid_checksum(candidate):
        raise ValidationError(
            _("This LEI's check digits are wrong; please check for a typing error."),
            code="invalid_lei_checksum",
        )
    return Checked(candidate)


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def validate_bpnl(value: str) -> None:
    check_bpn(value, kinds="L")


def validate_site_bpn(value: str) -> None:
    check_bpn(value, kinds="SA")


def validate_corporate_number(value: str) -> None:
    check_corporate_number(value)


def validate_lei(value: str) -> None:
    check_lei(value)
