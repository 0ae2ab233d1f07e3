"""The public page formats numbers, dates and times with its language's formats looked up once per page
(`public_views._locale`): the text is what Django's `formats` module gives for the active language."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import formats, timezone, translation

from passports import public_views

NUMBERS = [
    0, 1, -1, 12, 1234, 1234567, -9876543, 10**30, 0.5, 1e-7, 1e21, 12345.678, 2.5e-12, 3.14159,
    "12.50", "-0.0", "1E+3", "1234567.891", "0.000001",
]  # fmt: skip
NOT_NUMBERS = ["abc", "", "1,5", "NaN?"]
DATES = ["2024-01-31", "2020-02-29", "1999-12-01"]
MOMENTS = ["2024-01-31T10:00:00Z", "2024-01-31T10:00:00+09:00", "2024-06-30T23:59:59.123456"]


@pytest.fixture(params=["en", "de", "ja"])
def language(request):
    with translation.override(request.param):
        yield request.param


def test_numbers_read_as_django_localises_them(language):
    locale = public_views._locale(language)
    for value in NUMBERS:
        assert public_views._number(value, locale) == formats.localize(Decimal(str(value))), value
    for value in NOT_NUMBERS:
        assert public_views._number(value, locale) == value


def test_grouping_follows_the_language(language):
    shown = public_views._number(1234567, public_views._locale(language))
    assert shown == {"en": "1,234,567", "de": "1.234.567", "ja": "1,234,567"}[language]


def test_dates_and_times_read_as_django_formats_them(language):
    locale = public_views._locale(language)
    for value in DATES:
        expected = formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        assert public_views._date(value, locale) == expected
    for value in MOMENTS:
        moment = datetime.fromisoformat(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        assert public_views._datetime(value, locale) == formats.date_format(moment, "DATETIME_FORMAT")
    assert public_views._date("2024-13-01", locale) == "2024-13-01"
    assert public_views._datetime("not a time", locale) == "not a time"


def test_a_locale_is_the_languages_own():
    assert public_views._locale("de").decimal_separator == ","
    assert public_views._locale("en").decimal_separator == "."
