"""Certificate numbers and validity periods."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.tenancy.models import Organization

from ..models import NumberSequence, Scheme, ValidityKind


def next_number(*, scheme: Scheme, body: Organization, body_code: str, day: date) -> str:
    """The next number of the scheme's format for the body. The sequence row is locked until the
    surrounding transaction ends, so concurrent approvals queue here and numbers stay gap-free: a
    transaction that rolls back gives its number back."""
    NumberSequence.objects.get_or_create(scheme=scheme, body=body)
    sequence = NumberSequence.objects.select_for_update().get(scheme=scheme, body=body)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return scheme.number_format.format(body=body_code, seq=sequence.last_value, year=day.year)


def lock_sequences(*, schemes: list[Scheme], body: Organization) -> None:
    """Lock every number sequence an approval will draw from, in one order (by scheme), before drawing any.
    An approval numbers its own scheme and then the recognised partner schemes; two approvals under
    partner schemes at the same instant would otherwise lock the two sequences in opposite orders and one
    of them would end in a deadlock."""
    schemes = sorted(schemes, key=lambda scheme: scheme.pk)
    for scheme in schemes:  # created in the same order too: two first approvals insert them concurrently
        NumberSequence.objects.get_or_create(scheme=scheme, body=body)
    list(
        NumberSequence.objects.select_for_update()
        .filter(body=body, scheme__in=[scheme.pk for scheme in schemes])
        .order_by("scheme_id")
        .values_list("pk", flat=True)
    )


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def validity_end(scheme: Scheme, start: date, *, max_months: int | None = None) -> date:
    """The last valid day of a certificate starting on `start` under the scheme's rule (and an optional
    shorter cap, e.g. from a recognition agreement)."""
    ends = []
    if scheme.validity_kind == ValidityKind.PERIOD:
        ends.append(add_months(start, scheme.validity_months) - timedelta(days=1))
    else:
        ends.append(scheme.valid_until_date)
    if max_months:
        ends.append(add_months(start, max_months) - timedelta(days=1))
    end = min(ends)
    if end < start:
        raise ValidationError(
            _("The scheme %(scheme)s no longer allows certificates: its validity date has passed.")
            % {"scheme": scheme.local_name}
        )
    return end
