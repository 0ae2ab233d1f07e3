"""What users read about an obligation: the legal notes of the completeness box, translatable.

`passports/requirements.json` names a note by its key (`"note": "due_diligence"`); the text users see lives
here, marked for translation, so the data file holds no prose that reaches a page in English only. What
developers need to remember about an entry (when to switch it to in force, what to re-check when an act is
adopted) goes in the entry's `comment`, which is never shown. The loader refuses a note key that is not
in `REQUIREMENT_NOTES` (ImproperlyConfigured), so a data edit cannot show a raw key to users.

Dates inside a note are real dates formatted when the text is shown, in the reader's date format; the
start of the minimum recycled shares is read from `RECYCLED_CONTENT_TARGETS`, so that rule has one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

from django.utils.formats import date_format
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from .core import RECYCLED_CONTENT_TARGETS

#: Arts. 47-53 (due diligence) apply from this day, after their postponement.
DUE_DILIGENCE_FROM = date(2027, 8, 18)
#: Art. 8(1): recycled-content documentation applies at the earliest on this day.
RECYCLED_CONTENT_DOCUMENTATION_FROM = date(2028, 8, 18)


def _with_dates(message: Promise, **dates: date) -> Promise:
    """`message` with its `%(name)s` placeholders filled by `dates`, formatted in the language active when
    the text is shown (not when this module is imported)."""

    def text() -> str:
        return str(message) % {name: date_format(day, "DATE_FORMAT") for name, day in dates.items()}

    return lazy(text, str)()


REQUIREMENT_NOTES: Mapping[str, Promise] = MappingProxyType(
    {
        "carbon_footprint": _(
            "The carbon footprint declaration (Art. 7(1)) becomes mandatory a set time after the "
            "Commission's delegated act on the calculation and verification method enters into force; "
            "later dates apply to LMT batteries and to industrial batteries with external storage. "
            "The act has not been adopted yet."
        ),
        "carbon_footprint_class": _(
            "The carbon footprint performance class (Art. 7(2)) can be declared once a delegated act "
            "defines the classes; that act has not been adopted yet."
        ),
        "due_diligence": _with_dates(
            _(
                "The battery due diligence obligations (Arts. 47 to 53) were postponed to %(date)s, and the "
                "Commission's due diligence guidelines have not been published yet."
            ),
            date=DUE_DILIGENCE_FROM,
        ),
        "recycled_content": _with_dates(
            _(
                "Recycled content documentation (Art. 8(1)) applies from %(date)s or 24 months after the "
                "delegated act on the calculation and verification method enters into force, whichever is "
                "later; the act has not been adopted yet. Minimum recycled shares (Art. 8(2)) apply from "
                "%(targets_date)s."
            ),
            date=RECYCLED_CONTENT_DOCUMENTATION_FROM,
            targets_date=min(RECYCLED_CONTENT_TARGETS),
        ),
    }
)

#: Why an attribute is listed as conditional, by the `condition` of its requirement.
CONDITION_NOTES: Mapping[str, Promise] = MappingProxyType(
    {
        "if_applicable": _("Required where applicable."),
        "in_service": _("Required once the battery is in service."),
    }
)
