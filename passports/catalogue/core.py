"""Vocabulary of the field catalogue: audiences, clusters, levels, categories, field types, `Attribute`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Audience(StrEnum):
    """Who may read an attribute (Annex XIII of Regulation (EU) 2023/1542, plus the portal's own class)."""

    PUBLIC = "public"  # Annex XIII point 1: anyone
    LEGITIMATE_INTEREST = (
        "legitimate_interest"  # points 2 and 4: persons with a legitimate interest, Commission
    )
    AUTHORITY = "authority"  # point 3: notified bodies, market surveillance authorities, Commission
    CONFIDENTIAL = "confidential"  # owner company and the certifier assigned to review it, nobody else


class Viewer(StrEnum):
    """Kinds of reader the policy distinguishes; `AUDIENCE_CAN_SEE` says what each may read."""

    PUBLIC = "public"  # anonymous visitor, QR page
    PARTNER = "partner"  # company holding a legitimate-interest grant from the owner
    AUTHORITY = "authority"  # notified body, market surveillance authority, Commission
    CERTIFIER = "certifier"  # certification body while assigned to review the owner
    OWNER = "owner"  # the company that owns the passport


# Authority sees public + legitimate interest + authority-only (the Commission is in both groups and
# authorities enforce point 2 and 4 data too); a partner sees public + legitimate interest; confidential
# data only reaches the owner and the assigned certifier.
AUDIENCE_CAN_SEE: dict[Viewer, frozenset[Audience]] = {
    Viewer.PUBLIC: frozenset({Audience.PUBLIC}),
    Viewer.PARTNER: frozenset({Audience.PUBLIC, Audience.LEGITIMATE_INTEREST}),
    Viewer.AUTHORITY: frozenset({Audience.PUBLIC, Audience.LEGITIMATE_INTEREST, Audience.AUTHORITY}),
    Viewer.CERTIFIER: frozenset(Audience),
    Viewer.OWNER: frozenset(Audience),
}


def visible_audiences(viewer_kind: Viewer | str) -> frozenset[Audience]:
    """The audiences a viewer kind may read; an unknown kind raises `ValueError` (never a silent default)."""
    return AUDIENCE_CAN_SEE[Viewer(viewer_kind)]


class Cluster(StrEnum):
    """Content clusters of the passport (the order is the display order of the form steps)."""

    GENERAL = "general"
    LABELS = "labels"
    CARBON = "carbon_footprint"
    DUE_DILIGENCE = "due_diligence"
    MATERIALS = "materials"
    CIRCULARITY = "circularity"
    PERFORMANCE = "performance"

    @property
    def label(self) -> Promise:
        return CLUSTER_LABELS[self]


CLUSTER_LABELS: dict[Cluster, Promise] = {
    Cluster.GENERAL: _("General and manufacturer information"),
    Cluster.LABELS: _("Symbols, labels and conformity"),
    Cluster.CARBON: _("Carbon footprint"),
    Cluster.DUE_DILIGENCE: _("Supply chain due diligence"),
    Cluster.MATERIALS: _("Materials and composition"),
    Cluster.CIRCULARITY: _("Circularity and resource efficiency"),
    Cluster.PERFORMANCE: _("Performance and durability"),
}


class Level(StrEnum):
    MODEL = "model"  # battery model / type: same for every battery of the model
    BATTERY = "battery"  # the individual battery (one passport each)


class Category(StrEnum):
    """Battery categories of Art. 2 and 3 (stationary storage is an industrial battery, shown apart)."""

    EV = "ev"
    LMT = "lmt"
    INDUSTRIAL = "industrial"
    STATIONARY = "stationary"
    SLI = "sli"
    PORTABLE = "portable"

    @property
    def label(self) -> Promise:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[Category, Promise] = {
    Category.EV: _("Electric vehicle battery"),
    Category.LMT: _("Light means of transport (LMT) battery"),
    Category.INDUSTRIAL: _("Industrial battery"),
    Category.STATIONARY: _("Stationary battery energy storage system (industrial)"),
    Category.SLI: _("Starting, lighting and ignition (SLI) battery"),
    Category.PORTABLE: _("Portable battery"),
}

# Categories that can need a passport at all (Art. 77(1)); requirements.json may only name these.
PASSPORT_CATEGORIES: frozenset[Category] = frozenset(
    {Category.EV, Category.LMT, Category.INDUSTRIAL, Category.STATIONARY}
)
PASSPORT_CAPACITY_THRESHOLD_KWH = Decimal(2)
# Art. 77(1): battery passports apply from 18 February 2027.
PASSPORT_OBLIGATION_DATE = date(2027, 2, 18)


def passport_required(category: Category | str, capacity_kwh: Decimal | float | int | None = None) -> bool:
    """Art. 77(1): EV and LMT batteries always; industrial (incl. stationary storage) only above 2 kWh.

    SLI and portable batteries never get one. For industrial and stationary batteries the rated energy
    must be known: without it the question has no answer, so `ValueError` is raised.
    """
    category = Category(category)
    if category in (Category.EV, Category.LMT):
        return True
    if category in (Category.SLI, Category.PORTABLE):
        return False
    if capacity_kwh is None:
        raise ValueError("An industrial battery needs its rated energy (kWh) to decide on a passport.")
    return Decimal(str(capacity_kwh)) > PASSPORT_CAPACITY_THRESHOLD_KWH


# Catena-X BatteryPass 6.1.0 `identification.category` enumeration <-> portal categories.
CATENAX_CATEGORY: dict[Category, str] = {
    Category.EV: "EV",
    Category.LMT: "LMT",
    Category.INDUSTRIAL: "industrial",
    Category.STATIONARY: "industrial",
    Category.SLI: "SLI",
    Category.PORTABLE: "portable",
}
_CATEGORY_FROM_CATENAX = {"EV": Category.EV, "LMT": Category.LMT, "industrial": Category.INDUSTRIAL,
                          "SLI": Category.SLI, "portable": Category.PORTABLE}  # fmt: skip


def category_from_catenax(value: str) -> Category:
    """The portal category of a 6.1.0 `identification.category` value.

    "industrial" stays industrial (the model does not say whether it is stationary storage);
    "incorporated" (a battery built into an appliance) has no passport category of its own and is refused
    with a message asking for the real category."""
    try:
        return _CATEGORY_FROM_CATENAX[value]
    except (KeyError, TypeError):
        raise ValidationError(
            _("Battery category %(value)s cannot be imported: choose EV, LMT, industrial, SLI or portable."),
            code="invalid_category",
            params={"value": str(value)[:50]},
        ) from None


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENT = "percent"  # 0-100
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    URL = "url"
    IDENTIFIER = "identifier"  # BPN, UUID, corporate number, product codes...
    COUNTRY = "country"  # ISO 3166-1 alpha-2
    CAS_NUMBER = "cas_number"
    DOCUMENT = "document"  # list of {header, content_type, content}: a link or a privately stored file
    GROUP = "group"  # repeating rows; the row attributes name it in `group`


class TextFormat(StrEnum):
    """Extra format checks for TEXT and IDENTIFIER attributes."""

    BPNL = "bpnl"
    BPNA = "bpna"
    BPN = "bpn"  # any of BPNL/BPNS/BPNA
    COMPANY = "company"  # BPNL, Japanese corporate number (13 digits) or LEI
    UUID = "uuid"  # bare UUID or urn:uuid:...
    EMAIL = "email"


@dataclass(frozen=True, eq=False)
class Attribute:
    """One passport attribute. Equality and hashing go by `key`, which is unique and stable.

    Conventions for `catenax_paths` (dotted BatteryPass 6.1.0 leaves, "[]" for arrays):
    - DOCUMENT: the three leaves `...[].content`, `...[].contentType`, `...[].header`, in that order.
    - `timestamped`: `(...value, ...time)`: each value carries the time it was measured.
    - `many`: a list of scalars; the last "[]" of the path is that list.
    - several unrelated paths (lead appears under both `materials.active` and `materials.hazardous`):
      the same value is written to every path.
    """

    key: str
    label: Promise | str
    cluster: Cluster
    level: Level
    type: FieldType
    audience: Audience
    unit: str | None = None
    catenax_paths: tuple[str, ...] = ()
    annex_xiii: tuple[str, ...] = ()
    choices: tuple[tuple[str, Promise | str], ...] = ()
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_length: int | None = None
    group: str | None = None
    help_text: Promise | str = ""
    system: bool = False  # filled by the platform (passport metadata), never by forms
    many: bool = False  # list of scalar values
    timestamped: bool = False  # dynamic data: each value recorded with its measurement time
    text_format: TextFormat | None = None
    pattern: str | None = None  # regular expression a TEXT/IDENTIFIER value must match (full match)
    unit_key: str | None = None  # sibling attribute holding the unit, when the unit is selectable

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Attribute) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"<Attribute {self.key}>"

    @property
    def name(self) -> str:
        """The key without its group prefix ("hazardous_substances.location" -> "location")."""
        return self.key.rsplit(".", 1)[-1]

    @property
    def choice_values(self) -> frozenset[str]:
        return frozenset(value for value, _label in self.choices)

    def visible_to(self, viewer_kind: Viewer | str) -> bool:
        return self.audience in visible_audiences(viewer_kind)


# Annex XIII points as the domain guide lists them: code -> (audience, content). Attributes cite these
# codes in `annex_xiii`; "1(q)-(t)" is used where the guide does not let us pick one letter.
ANNEX_XIII_POINTS: dict[str, tuple[Audience, Promise]] = {
    "1(a)": (Audience.PUBLIC, _("General battery information (Annex VI part A)")),
    "1(b)": (
        Audience.PUBLIC,
        _("Material composition, chemistry, hazardous substances, critical raw materials"),
    ),
    "1(c)": (Audience.PUBLIC, _("Carbon footprint declaration and performance class")),
    "1(d)": (Audience.PUBLIC, _("Responsible sourcing (due diligence report)")),
    "1(e)": (Audience.PUBLIC, _("Recycled content")),
    "1(f)": (Audience.PUBLIC, _("Share of renewable content")),
    "1(g)": (Audience.PUBLIC, _("Rated capacity")),
    "1(h)": (Audience.PUBLIC, _("Minimum, nominal and maximum voltage")),
    "1(i)": (Audience.PUBLIC, _("Original power capability and limits")),
    "1(j)": (Audience.PUBLIC, _("Expected lifetime in cycles and reference test")),
    "1(k)": (Audience.PUBLIC, _("Capacity threshold for exhaustion (EV only)")),
    "1(l)": (Audience.PUBLIC, _("Temperature range when not in use")),
    "1(m)": (Audience.PUBLIC, _("Commercial warranty period for calendar life")),
    "1(n)": (Audience.PUBLIC, _("Initial round-trip efficiency and at 50 percent of cycle life")),
    "1(o)": (Audience.PUBLIC, _("Internal cell and pack resistance")),
    "1(p)": (Audience.PUBLIC, _("C-rate of the cycle-life test")),
    "1(q)": (Audience.PUBLIC, _("Symbols and labels and their meaning")),
    "1(r)": (Audience.PUBLIC, _("EU declaration of conformity")),
    "1(s)": (Audience.PUBLIC, _("Waste prevention and management information (Art. 74(1))")),
    "1(t)": (Audience.PUBLIC, _("Instructions for use")),
    "1(q)-(t)": (Audience.PUBLIC, _("Labels, conformity, waste information, instructions for use")),
    "2(a)": (Audience.LEGITIMATE_INTEREST, _("Detailed composition: cathode, anode, electrolyte materials")),
    "2(b)": (Audience.LEGITIMATE_INTEREST, _("Part numbers and sources of spare parts")),
    "2(c)": (Audience.LEGITIMATE_INTEREST, _("Dismantling information")),
    "2(d)": (Audience.LEGITIMATE_INTEREST, _("Safety measures")),
    "3": (Audience.AUTHORITY, _("Results of test reports proving compliance")),
    "4(a)": (Audience.LEGITIMATE_INTEREST, _("Performance and durability values and their evolution")),
    "4(b)": (Audience.LEGITIMATE_INTEREST, _("State of health")),
    "4(c)": (Audience.LEGITIMATE_INTEREST, _("Battery status")),
    "4(d)": (Audience.LEGITIMATE_INTEREST, _("Use information: cycles, negative events, temperature, SOC")),
}


# Art. 8(2) and (3): minimum shares (%) of cobalt, lithium, nickel and lead recovered from manufacturing
# or post-consumer waste in active materials, per battery model and manufacturing plant.
RECYCLED_CONTENT_TARGETS: dict[date, dict[str, int]] = {
    date(2031, 8, 18): {"cobalt": 16, "lithium": 6, "nickel": 6, "lead": 85},
    date(2036, 8, 18): {"cobalt": 26, "lithium": 12, "nickel": 15, "lead": 85},
}


def recycled_content_targets(on: date) -> dict[str, int]:
    """The Art. 8 minimum recycled shares applicable on day `on` ({} before 18 August 2031)."""
    applicable = [start for start in RECYCLED_CONTENT_TARGETS if start <= on]
    return dict(RECYCLED_CONTENT_TARGETS[max(applicable)]) if applicable else {}
