"""Validation driven by the catalogue: one function per value, per row and per record.

`validate_value(attribute, value)` returns the cleaned value or raises `ValidationError` whose message
names the attribute. Empty input (None, "", []) is not an error here: whether a value is mandatory is
the completeness check's question (requirements.json), not the validator's.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.identifiers import check_bpn, check_corporate_number, check_lei

from .choices import PERCENT_CONCENTRATION_UNITS
from .core import Attribute, FieldType, TextFormat
from .registry import attribute, children

DEFAULT_MAX_LENGTH = {
    FieldType.TEXT: 255,
    FieldType.LONG_TEXT: 20_000,
    FieldType.URL: 2048,
    FieldType.IDENTIFIER: 128,
}
DOCUMENT_HEADER_MAX_LENGTH = 100  # the 6.1.0 model: "a short description ... maximum of 100 characters"
DOCUMENT_CONTENT_MAX_LENGTH = 2048
DOCUMENT_KEYS = frozenset({"header", "content_type", "content"})
HUNDRED = Decimal(100)

CAS_RE = re.compile(r"([1-9]\d{1,6})-(\d{2})-(\d)")
EC_RE = re.compile(r"(\d{3})-(\d{3})-(\d)")
ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Control characters (a NUL byte above all), lone surrogates and non-characters are never data.
_FORBIDDEN_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_FORBIDDEN_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-", "－": "-"})
_url_validator = URLValidator(schemes=["http", "https"])
_email_validator = EmailValidator()


@dataclass(frozen=True)
class Checked:
    """A cleaned value and the warnings found (e.g. a BPN whose check characters do not match)."""

    value: Any
    warnings: tuple[str, ...] = ()


def _error(attribute: Attribute, message, code: str, **params) -> ValidationError:
    return ValidationError(
        _("%(label)s: %(problem)s"),
        code=code,
        params={"label": attribute.label, "problem": message % params if params else message},
    )


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---- identifiers -----------------------------------------------------------------------------------


def _normalise_code(value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError(_("Enter the number as text, e.g. 7440-48-4."), code="invalid_type")
    return unicodedata.normalize("NFKC", value).translate(_DASHES).strip()


def validate_cas_number(value: Any) -> str:
    """A CAS Registry Number: 2-7 digits, 2 digits, 1 check digit; the check digit is the sum of the other
    digits, each multiplied by its position counted from the right, modulo 10. Returns the number."""
    candidate = _normalise_code(value)
    match = CAS_RE.fullmatch(candidate)
    if not match:
        raise ValidationError(
            _("%(value)s is not a CAS number: 2 to 7 digits, 2 digits and a check digit (e.g. 7440-48-4)."),
            code="invalid_cas_number",
            params={"value": candidate[:50]},
        )
    digits = match.group(1) + match.group(2)
    check = sum(position * int(digit) for position, digit in enumerate(reversed(digits), start=1)) % 10
    if check != int(match.group(3)):
        raise ValidationError(
            _("The check digit of CAS number %(value)s is wrong; please check for a typing error."),
            code="invalid_cas_checksum",
            params={"value": candidate},
        )
    return candidate


def validate_ec_number(value: Any) -> str:
    """An EC (EINECS/ELINCS/NLP) number NNN-NNN-R: R is the sum of the six digits times their position
    (1-6) modulo 11; a remainder of 10 is never issued."""
    candidate = _normalise_code(value)
    match = EC_RE.fullmatch(candidate)
    if not match:
        raise ValidationError(
            _("%(value)s is not an EC number: expected three groups NNN-NNN-N (e.g. 231-158-0)."),
            code="invalid_ec_number",
            params={"value": candidate[:50]},
        )
    digits = match.group(1) + match.group(2)
    check = sum(position * int(digit) for position, digit in enumerate(digits, start=1)) % 11
    if check != int(match.group(3)):
        raise ValidationError(
            _("The check digit of EC number %(value)s is wrong; please check for a typing error."),
            code="invalid_ec_checksum",
            params={"value": candidate},
        )
    return candidate


_BPN_FORMATS = frozenset({TextFormat.BPNL, TextFormat.BPNA, TextFormat.BPN})


def _check_format(attribute: Attribute, value: str) -> Checked:
    kind = attribute.text_format
    if kind is None:
        return Checked(value)
    try:
        if kind is TextFormat.BPNL:
            checked = check_bpn(value, kinds="L")
        elif kind is TextFormat.BPNA:
            checked = check_bpn(value, kinds="A")
        elif kind is TextFormat.BPN:
            checked = check_bpn(value, kinds="LSA")
        elif kind is TextFormat.COMPANY:
            checked = _check_company_identifier(value)
        elif kind is TextFormat.UUID:
            checked = Checked(_check_uuid(value))
        elif kind is TextFormat.EMAIL:
            _email_validator(value)
            checked = Checked(value)
        else:  # pragma: no cover - every TextFormat is handled above
            raise AssertionError(kind)
    except ValidationError as exc:
        raise _error(attribute, " ".join(exc.messages), exc.code or "invalid") from exc
    given = value.strip()
    if kind in _BPN_FORMATS and checked.value == given.upper() and given[:4] == checked.value[:4]:
        # The check reads a BPN upper-cased, but the Catena-X models allow lower case after the BPNL/BPNA/
        # BPNS prefix: such a spelling is kept as given, so that what was imported comes back unchanged.
        # A lower-case prefix (typed by hand) matches no schema and is upper-cased.
        checked = Checked(given, checked.warnings)
    warnings = tuple(f"{attribute.label}: {warning}" for warning in checked.warnings)
    return Checked(checked.value, warnings)


def _check_company_identifier(value: str) -> Checked:
    """BPNL (Catena-X), 13-digit Japanese corporate number or 20-character LEI."""
    compact = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value)).upper()
    if compact.startswith("BPN"):
        return check_bpn(compact, kinds="L")
    if compact.isdigit() and len(compact) == 13:
        return check_corporate_number(compact)
    if len(compact) == 20:
        return check_lei(compact)
    raise ValidationError(
        _("Enter a BPNL, a 13-digit corporate number or a 20-character LEI."),
        code="invalid_company_identifier",
    )


def _check_uuid(value: str) -> str:
    bare = value[len("urn:uuid:") :] if value.lower().startswith("urn:uuid:") else value
    try:
        uuid.UUID(bare)
    except ValueError:
        raise ValidationError(
            _("Enter a UUID, with or without the 'urn:uuid:' prefix."), code="invalid_uuid"
        ) from None
    if len(bare) != 36:
        raise ValidationError(_("Enter the UUID in its hyphenated form."), code="invalid_uuid")
    return value.lower()


# ---- scalar types ----------------------------------------------------------------------------------


def _text(attribute: Attribute, value: Any, *, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise _error(attribute, _("enter text."), "invalid_type")
    value = unicodedata.normalize("NFC", value).strip()
    forbidden = _FORBIDDEN_MULTI_LINE if multiline else _FORBIDDEN_SINGLE_LINE
    if forbidden.search(value):
        raise _error(attribute, _("remove control characters or invalid characters."), "invalid_characters")
    limit = attribute.max_length or DEFAULT_MAX_LENGTH.get(attribute.type, 255)
    if len(value) > limit:
        raise _error(
            attribute, _("use at most %(limit)d characters (it has %(length)d)."), "max_length",
            limit=limit, length=len(value),
        )  # fmt: skip
    if attribute.pattern and not re.fullmatch(attribute.pattern, value):
        raise _error(
            attribute, _("%(value)s does not have the expected form."), "invalid_format", value=value[:50]
        )
    return value


def _decimal(attribute: Attribute, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _error(attribute, _("enter a number."), "invalid_type")
    try:
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int | float):
            number = Decimal(str(value))
        elif isinstance(value, str):
            number = Decimal(value.strip())
        else:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise _error(attribute, _("enter a number, e.g. 12.5."), "invalid_number") from None
    if not number.is_finite():
        raise _error(attribute, _("enter a finite number."), "invalid_number")
    minimum, maximum = attribute.min_value, attribute.max_value
    if attribute.type is FieldType.PERCENT:
        minimum = Decimal(0) if minimum is None else max(minimum, Decimal(0))
        maximum = HUNDRED if maximum is None else min(maximum, HUNDRED)
        if not minimum <= number <= maximum:
            raise _error(
                attribute, _("enter a share between %(minimum)s and %(maximum)s %%."), "out_of_range",
                minimum=minimum, maximum=maximum,
            )  # fmt: skip
    if minimum is not None and number < minimum:
        if minimum == 0:
            raise _error(attribute, _("a negative value is not possible."), "negative")
        raise _error(attribute, _("enter at least %(minimum)s."), "min_value", minimum=minimum)
    if maximum is not None and number > maximum:
        raise _error(attribute, _("enter at most %(maximum)s."), "max_value", maximum=maximum)
    return number


def _integer(attribute: Attribute, value: Any) -> int:
    number = _decimal(attribute, value)
    if number != number.to_integral_value():
        raise _error(attribute, _("enter a whole number."), "invalid_integer")
    return int(number)


def _date(attribute: Attribute, value: Any) -> date:
    if isinstance(value, datetime):
        raise _error(attribute, _("enter a date without a time."), "invalid_date")
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not ISO_DATE_RE.fullmatch(value.strip()):
        raise _error(attribute, _("enter a date as YYYY-MM-DD."), "invalid_date")
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise _error(
            attribute, _("%(value)s is not a real calendar date."), "impossible_date", value=value.strip()
        ) from None
    return _plausible(attribute, day)


#: A battery's own dates: none before lithium-ion batteries were sold, none more than a year ahead (a
#: passport may be prepared for a battery still to be made). Year 1 or 7172 is a typing error.
BATTERY_DATES = frozenset({"manufacturing_date", "placed_on_market_date", "put_into_service_date"})
EARLIEST_BATTERY_DATE = date(1990, 1, 1)


def _plausible(attribute: Attribute, day: date) -> date:
    if attribute.key not in BATTERY_DATES:
        return day
    latest = date.today() + timedelta(days=366)
    if not EARLIEST_BATTERY_DATE <= day <= latest:
        raise _error(
            attribute,
            _("%(value)s is not a plausible date: enter a date between %(earliest)s and %(latest)s."),
            "implausible_date",
            value=day.isoformat(),
            earliest=EARLIEST_BATTERY_DATE.isoformat(),
            latest=latest.isoformat(),
        )
    return day


def _datetime(attribute: Attribute, value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _error(
                attribute, _("enter a date and time as YYYY-MM-DDThh:mm:ss with a time zone offset."),
                "invalid_datetime",
            ) from None  # fmt: skip
    if not isinstance(value, datetime):
        raise _error(attribute, _("enter a date and time."), "invalid_datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise _error(attribute, _("give the time zone (e.g. +01:00 or Z)."), "naive_datetime")
    return value


def _boolean(attribute: Attribute, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise _error(attribute, _("answer yes or no."), "invalid_boolean")


def _choice(attribute: Attribute, value: Any) -> str:
    if isinstance(value, str) and value in attribute.choice_values:
        return value
    allowed = ", ".join(choice for choice, _label in attribute.choices[:12])
    if len(attribute.choices) > 12:
        allowed += ", ..."
    shown = value[:50] if isinstance(value, str) else repr(value)[:50]
    raise _error(
        attribute, _("%(value)s is not one of the allowed values (%(allowed)s)."), "invalid_choice",
        value=shown, allowed=allowed,
    )  # fmt: skip


def _url(attribute: Attribute, value: Any) -> str:
    text = _text(attribute, value)
    try:
        _url_validator(text)
    except ValidationError:
        raise _error(
            attribute, _("enter a full web address starting with https://."), "invalid_url"
        ) from None
    return text


def _country(attribute: Attribute, value: Any) -> str:
    code = _text(attribute, value).upper()
    if not countries.alpha2(code):
        raise _error(
            attribute, _("%(value)s is not an ISO 3166 country code such as DE or JP."), "invalid_country",
            value=code[:10],
        )  # fmt: skip
    return countries.alpha2(code)


def _cas(attribute: Attribute, value: Any) -> str:
    try:
        return validate_cas_number(value)
    except ValidationError as exc:
        raise _error(attribute, " ".join(exc.messages), exc.code or "invalid_cas_number") from exc


def _document(attribute: Attribute, value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise _error(attribute, _("a document needs a title and a link or file."), "invalid_document")
    unknown = set(value) - DOCUMENT_KEYS
    if unknown:
        raise _error(
            attribute,
            _("unknown document fields: %(fields)s."),
            "unknown_fields",
            fields=", ".join(sorted(unknown)),
        )
    header = value.get("header")
    content = value.get("content")
    if _is_empty(header) or _is_empty(content):
        raise _error(attribute, _("a document needs a title and a link or file."), "incomplete_document")
    header = _text(attribute, header)
    if len(header) > DOCUMENT_HEADER_MAX_LENGTH:
        raise _error(
            attribute, _("a document title has at most %(limit)d characters."), "max_length",
            limit=DOCUMENT_HEADER_MAX_LENGTH,
        )  # fmt: skip
    content = _text(attribute, content)
    if len(content) > DOCUMENT_CONTENT_MAX_LENGTH:
        raise _error(attribute, _("the document link is too long."), "max_length")
    content_type = value.get("content_type")
    if _is_empty(content_type):
        if not content.lower().startswith(("https://", "http://")):
            raise _error(
                attribute, _("say what kind of content the document is (e.g. PDF)."), "incomplete_document"
            )
        content_type = "URL"
    content_type = _text(attribute, content_type)[:100]
    if content_type.upper() == "URL":
        try:
            _url_validator(content)
        except ValidationError:
            raise _error(
                attribute, _("enter a full web address starting with https://."), "invalid_url"
            ) from None
    return {"header": header, "content_type": content_type, "content": content}


_SCALAR: dict[FieldType, Callable[[Attribute, Any], Any]] = {
    FieldType.TEXT: _text,
    FieldType.LONG_TEXT: lambda attribute, value: _text(attribute, value, multiline=True),
    FieldType.INTEGER: _integer,
    FieldType.DECIMAL: _decimal,
    FieldType.PERCENT: _decimal,
    FieldType.DATE: _date,
    FieldType.DATETIME: _datetime,
    FieldType.BOOLEAN: _boolean,
    FieldType.CHOICE: _choice,
    FieldType.URL: _url,
    FieldType.IDENTIFIER: _text,
    FieldType.COUNTRY: _country,
    FieldType.CAS_NUMBER: _cas,
}


# ---- public API ------------------------------------------------------------------------------------


def check_value(attribute: Attribute, value: Any) -> Checked:
    """Validate one value of `attribute`; returns the cleaned value and warnings, or raises.

    Shapes: scalars for scalar types; a list for `many` attributes, DOCUMENT (list of
    {header, content_type, content}) and GROUP (list of rows keyed by the child names, e.g.
    {"location": ..., "concentration": ...}). Empty input gives None (or [] for lists)."""
    if attribute.type is FieldType.GROUP:
        return _check_rows(attribute, value)
    if attribute.type is FieldType.DOCUMENT:
        if _is_empty(value) or value == []:
            return Checked([])
        items = [value] if isinstance(value, Mapping) else value
        if not isinstance(items, list | tuple):
            raise _error(attribute, _("expected a list of documents."), "invalid_type")
        return Checked([_document(attribute, item) for item in items])
    if attribute.many:
        if _is_empty(value) or value == []:
            return Checked([])
        items = value if isinstance(value, list | tuple) else [value]
        checked = [_check_scalar(attribute, item) for item in items if not _is_empty(item)]
        return Checked([c.value for c in checked], tuple(w for c in checked for w in c.warnings))
    if _is_empty(value):
        return Checked(None)
    return _check_scalar(attribute, value)


def _check_scalar(attribute: Attribute, value: Any) -> Checked:
    cleaned = _SCALAR[attribute.type](attribute, value)
    if attribute.type in (FieldType.TEXT, FieldType.IDENTIFIER) and attribute.text_format:
        return _check_format(attribute, cleaned)
    return Checked(cleaned)


def validate_value(attribute: Attribute, value: Any) -> Any:
    """The cleaned value of `attribute`, or `ValidationError` with a message naming the attribute."""
    return check_value(attribute, value).value


def _check_rows(group: Attribute, rows: Any) -> Checked:
    if _is_empty(rows) or rows == []:
        return Checked([])
    if not isinstance(rows, list | tuple) or not all(isinstance(row, Mapping) for row in rows):
        raise _error(group, _("expected a list of rows."), "invalid_type")
    members = {child.name: child for child in children(group.key)}
    cleaned_rows, warnings, errors = [], [], {}
    for index, row in enumerate(rows):
        unknown = set(row) - set(members)
        if unknown:
            errors[f"{group.key}[{index}]"] = [
                _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(map(str, unknown)))}
            ]
            continue
        cleaned: dict[str, Any] = {}
        row_ok = True
        for name, value in row.items():
            try:
                checked = check_value(members[name], value)
            except ValidationError as exc:
                row_ok = False
                errors.update(_row_errors(exc, members[name], f"{group.key}[{index}].{name}"))
                continue
            cleaned[name] = checked.value
            warnings.extend(checked.warnings)
        if not row_ok:
            continue
        try:
            cleaned_rows.append(validate_row(group.key, cleaned))
        except ValidationError as exc:
            errors[f"{group.key}[{index}]"] = exc.messages
    if errors:
        raise ValidationError(
            {key: [ValidationError(str(m)) for m in messages] for key, messages in errors.items()}
        )
    return Checked(cleaned_rows, tuple(warnings))


def _row_errors(exc: ValidationError, member: Attribute, path: str) -> dict[str, list[str]]:
    """Errors of one row field keyed by their path; a nested group's "child[i].x" becomes "path[i].x"."""
    if not hasattr(exc, "error_dict"):
        return {path: exc.messages}
    return {
        path + (nested[len(member.key) :] if nested.startswith(member.key) else f".{nested}"): messages
        for nested, messages in exc.message_dict.items()
    }


# ---- cross-field rules -----------------------------------------------------------------------------


def validate_row(group_key: str, row: dict[str, Any]) -> dict[str, Any]:
    """Rules between the (already cleaned) fields of one row of `group_key`; returns the row."""
    if group_key.endswith(".identifiers"):
        scheme, identifier = row.get("scheme"), row.get("identifier")
        if identifier and scheme == "CAS":
            row["identifier"] = _scheme_checked(validate_cas_number, identifier)
        elif identifier and scheme == "EC":
            row["identifier"] = _scheme_checked(validate_ec_number, identifier)
    unit, concentration = row.get("concentration_unit"), row.get("concentration")
    if unit in PERCENT_CONCENTRATION_UNITS and concentration is not None and concentration > HUNDRED:
        raise ValidationError(_("A concentration in percent cannot exceed 100 %."), code="out_of_range")
    start, end = row.get("procurement_period_start"), row.get("procurement_period_end")
    if start and end and end < start:
        raise ValidationError(_("The procurement period ends before it starts."), code="invalid_period")
    if row.get("procurement_amount") is not None and not row.get("procurement_unit"):
        raise ValidationError(_("Give the unit of the procurement amount."), code="missing_unit")
    return row


def _scheme_checked(validator: Callable[[Any], str], identifier: str) -> str:
    try:
        return validator(identifier)
    except ValidationError as exc:
        hint = ""
        if validator is validate_cas_number and EC_RE.fullmatch(_normalise_code(identifier)):
            hint = " " + str(_("It has the form of an EC number: choose the scheme 'EC number'."))
        raise ValidationError(" ".join(exc.messages) + hint, code=exc.code) from exc


def validate_record(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate several top-level attributes at once (keys are attribute keys) and the rules between them.

    Raises one `ValidationError` whose dict maps each attribute key (or row path) to its messages."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list] = {}
    for key, value in values.items():
        try:
            target = attribute(key)
        except LookupError:
            errors[key] = [_("Unknown attribute.")]
            continue
        if target.group is not None:
            errors[key] = [_("Row attributes are given inside their group.")]
            continue
        try:
            cleaned[key] = validate_value(target, value)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors.update({path: list(messages) for path, messages in exc.message_dict.items()})
            else:
                errors[key] = exc.messages
    for key, message in _record_rules(cleaned):
        errors.setdefault(key, []).append(message)
    if errors:
        raise ValidationError(
            {key: [ValidationError(str(m)) for m in messages] for key, messages in errors.items()}
        )
    return cleaned


#: A battery's life in order: made, then placed on the market, then put into service (Art. 3 definitions).
BATTERY_DATE_ORDER = (
    (
        "manufacturing_date",
        "placed_on_market_date",
        _("The battery is placed on the market before it is made."),
    ),
    (
        "manufacturing_date",
        "put_into_service_date",
        _("The battery is put into service before it is made."),
    ),
    (
        "placed_on_market_date",
        "put_into_service_date",
        _("The battery is put into service before it is placed on the market."),
    ),
)
#: Groups whose rows are parts of one whole, with the column of each row's share of it.
PARTS_OF_A_WHOLE = {"critical_raw_materials": "share"}


def _record_rules(values: Mapping[str, Any]):
    """Yield (key, message) for every broken rule between attributes of one record."""
    out_of_order: set[str] = set()  # one message per date: the first broken order says it
    for earlier, later, message in BATTERY_DATE_ORDER:
        first, then = values.get(earlier), values.get(later)
        if isinstance(first, date) and isinstance(then, date) and then < first and later not in out_of_order:
            out_of_order.add(later)
            yield later, message
    for group, column in PARTS_OF_A_WHOLE.items():
        rows = values.get(group) or []
        shares = [row.get(column) for row in rows if isinstance(row, dict)]
        if sum((share for share in shares if share is not None), Decimal(0)) > HUNDRED:
            yield group, _("The shares by weight add up to more than 100 %.")
    for location, total in _percent_by_component(values.get(COMPOSITION) or []).items():
        if total > HUNDRED:
            yield (
                COMPOSITION,
                format_lazy(
                    _("The concentrations in percent of {component} add up to more than 100 %."),
                    component=location or _("the battery"),
                ),
            )
    low, nominal, high = (values.get(k) for k in ("voltage_minimum", "voltage_nominal", "voltage_maximum"))
    if low is not None and nominal is not None and low > nominal:
        yield "voltage_minimum", _("The minimum voltage is above the nominal voltage.")
    if nominal is not None and high is not None and nominal > high:
        yield "voltage_maximum", _("The maximum voltage is below the nominal voltage.")
    if low is not None and high is not None and low > high:
        yield "voltage_maximum", _("The maximum voltage is below the minimum voltage.")
    lower, upper = values.get("idle_temperature_lower"), values.get("idle_temperature_upper")
    if lower is not None and upper is not None and lower > upper:
        yield "idle_temperature_upper", _("The upper temperature is below the lower temperature.")
    for metal in ("lead", "cadmium", "mercury"):
        unit, concentration = values.get(f"{metal}_concentration_unit"), values.get(f"{metal}_concentration")
        if unit in PERCENT_CONCENTRATION_UNITS and concentration is not None and concentration > HUNDRED:
            yield f"{metal}_concentration", _("A concentration in percent cannot exceed 100 %.")
    for metal in ("cobalt", "lithium", "nickel", "lead"):
        total = values.get(f"{metal}_recycled_share")
        pre, post = (
            values.get(f"{metal}_recycled_pre_consumer"),
            values.get(f"{metal}_recycled_post_consumer"),
        )
        if pre is not None and post is not None:
            if pre + post > HUNDRED:
                yield (
                    f"{metal}_recycled_post_consumer",
                    _("Pre- and post-consumer shares add up to more than 100 %."),
                )
            elif total is not None and abs(pre + post - total) > Decimal("0.1"):
                yield (
                    f"{metal}_recycled_share",
                    _("The recycled share should equal the pre-consumer plus the post-consumer share."),
                )


COMPOSITION = "material_composition"


def _percent_by_component(rows: list[Any]) -> dict[str, Decimal]:
    """The sum of percent concentrations per component (``location``): whether a row's percentage is of the
    component or of the whole battery, those of one component cannot exceed 100 % together."""
    totals: dict[str, Decimal] = {}
    names: dict[str, str] = {}  # "Cathode" and "cathode " are one component, named as first written
    for row in rows:
        if not isinstance(row, dict) or row.get("concentration_unit") not in PERCENT_CONCENTRATION_UNITS:
            continue
        if row.get("concentration") is not None:
            location = " ".join(str(row.get("location") or "").split())
            name = names.setdefault(location.casefold(), location)
            totals[name] = totals.get(name, Decimal(0)) + row["concentration"]
    return totals
