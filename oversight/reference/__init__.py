"""Effective-dated reference data for the authorities' mineral-flow oversight.

Two data files sit next to this module and are read once per process:

``countries.json``
    Memberships with inclusive ``from`` / ``until`` days: the EU member states (with the United Kingdom
    until 2020-01-31), the countries to which OECD Council Decision C(2001)107/FINAL applies (the OECD
    members plus Liechtenstein), and Japan. Waste batteries and black mass are hazardous waste from
    2026-11-09 and may not be exported from the EU to a country to which the OECD Decision does not apply.

``reference_shares.json``
    Global reference shares by country for lithium, cobalt, nickel, manganese and natural graphite, per
    stage (``extraction`` = mine production, ``processing`` = refining), for comparison with the 65 %
    single-third-country benchmark of the Critical Raw Materials Act (Regulation (EU) 2024/1252).

Both files are validated when first used; a malformed file raises ``ValueError`` naming the file and the
offending place. This module is pure Python (no Django) so that models, tasks and offline scripts can use it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType

__all__ = [
    "DESTINATION_CLASSES",
    "GROUPS",
    "MATERIALS",
    "SOURCES",
    "STAGES",
    "ReferenceShares",
    "destination_class",
    "edition",
    "group_name",
    "groups_of",
    "members",
    "oecd_decision_applies",
    "reference_shares",
]

DATA_DIR = Path(__file__).resolve().parent
COUNTRIES_PATH = DATA_DIR / "countries.json"
SHARES_PATH = DATA_DIR / "reference_shares.json"

#: Membership groups of ``countries.json``; every one of them must be present.
GROUPS = ("eu", "oecd_decision", "japan")
#: Languages a group name must be given in.
LANGUAGES = ("en", "ja", "de")
#: Material codes of ``reference_shares.json``.
MATERIALS = ("lithium", "cobalt", "nickel", "manganese", "natural_graphite")
#: Supply-chain stages of the CRMA benchmark; a stage without data has no reference shares (``None``).
STAGES = ("extraction", "processing", "recycling")
#: The publications reference shares may be taken from.
SOURCES = ("USGS Mineral Commodity Summaries", "IEA Global Critical Minerals Outlook")
#: What :func:`destination_class` returns, in order of precedence.
DESTINATION_CLASSES = ("domestic", "eu", "japan", "oecd", "non_oecd")
#: The pseudo-country that takes the remainder of a share list.
OTHER = "other"
#: How far the shares of one entry may sum away from 100 (rounded figures).
SUM_TOLERANCE = Decimal("0.5")

_COUNTRY_RE = re.compile(r"[A-Z]{2}")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_GROUP_KEYS = {"name", "members", "source", "note"}
_MEMBER_KEYS = {"country", "from", "until", "note"}
_ENTRY_KEYS = {"source", "edition", "year", "shares", "basis", "note"}


@dataclass(frozen=True, slots=True)
class Membership:
    """One period of membership of a country in a group; both ends are inclusive, ``until=None`` is open."""

    country: str
    start: date
    until: date | None

    def active_on(self, on: date) -> bool:
        return self.start <= on and (self.until is None or on <= self.until)


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    names: Mapping[str, str]
    memberships: tuple[Membership, ...]


@dataclass(frozen=True, slots=True)
class CountryData:
    source: str
    edition: str
    digest: str
    groups: Mapping[str, Group]


@dataclass(frozen=True, slots=True)
class ReferenceShares:
    """Global shares by country for one material at one stage, as published (rounded to whole percent).

    ``shares`` keeps the order of the data file (largest first by convention); the remainder is ``"other"``.
    """

    material: str
    stage: str
    source: str
    edition: str
    year: int
    shares: tuple[tuple[str, Decimal], ...]

    def share_of(self, country: str) -> Decimal:
        """The share of one country in percent, ``0`` if it is not listed separately."""
        code = country if country == OTHER else _country(country)
        return next((share for listed, share in self.shares if listed == code), Decimal(0))

    @property
    def largest(self) -> tuple[str, Decimal]:
        """The country with the largest share (never ``"other"``)."""
        return max(((c, s) for c, s in self.shares if c != OTHER), key=lambda item: item[1])


@dataclass(frozen=True, slots=True)
class ShareData:
    edition: str
    note: str
    digest: str
    entries: Mapping[tuple[str, str], ReferenceShares]


# --- public look-ups ----------------------------------------------------------------------------------------


def groups_of(country: str, on: date) -> frozenset[str]:
    """The groups (of :data:`GROUPS`) the country belongs to on that day."""
    code, day = _country(country), _day(on)
    return frozenset(
        key
        for key, group in _countries().groups.items()
        if any(m.country == code and m.active_on(day) for m in group.memberships)
    )


def members(group: str, on: date) -> frozenset[str]:
    """The countries that belong to the group on that day."""
    day = _day(on)
    return frozenset(m.country for m in _group(group).memberships if m.active_on(day))


def group_name(group: str, language: str = "en") -> str:
    """The display name of a group in ``en``, ``ja`` or ``de`` (English for any other language)."""
    names = _group(group).names
    return names.get(language, names["en"])


def oecd_decision_applies(country: str, on: date) -> bool:
    """Whether OECD Decision C(2001)107/FINAL applies to the country on that day (OECD members plus LI).

    EU member states that are not OECD members (for example BG, HR, RO) give ``False``: a shipment to them
    is an intra-EU shipment, not an export, which :func:`destination_class` reports as ``"eu"``.
    """
    return "oecd_decision" in groups_of(country, on)


def destination_class(origin_country: str, destination_country: str, on: date) -> str:
    """Classify an end-of-life destination seen from the origin country, on the day of the shipment.

    The first rule that matches wins:

    1. ``"domestic"``: the destination is the origin country itself (whatever groups it is in);
    2. ``"eu"``: the destination is an EU member state on that day. This holds for an origin in the EU
       (another member state) and equally for an origin in Japan or elsewhere: an EU destination is ``"eu"``;
    3. ``"japan"``: the destination is Japan;
    4. ``"oecd"``: another country to which the OECD Decision applies (e.g. US, GB after 2020-01-31, LI);
    5. ``"non_oecd"``: any other country; exporting waste batteries and black mass there from the EU is
       banned.
    """
    origin, destination, day = _country(origin_country), _country(destination_country), _day(on)
    if origin == destination:
        return "domestic"
    groups = groups_of(destination, day)
    if "eu" in groups:
        return "eu"
    if "japan" in groups:
        return "japan"
    if "oecd_decision" in groups:
        return "oecd"
    return "non_oecd"


def third_country(country: str, market: str, on: date) -> bool:
    """Whether the country is a third country for a market (CRMA's "single third country"): outside the EU
    for the EU market, outside Japan for the Japanese market, outside both for the two together."""
    groups = groups_of(country, on)
    in_eu, in_japan = "eu" in groups, "japan" in groups
    return {"EU": not in_eu, "JP": not in_japan}.get(market, not (in_eu or in_japan))


def reference_shares(material: str, stage: str) -> ReferenceShares | None:
    """The global reference shares of a material at a stage; ``None`` if the data has none (recycling)."""
    if material not in MATERIALS:
        raise ValueError(f"unknown material {material!r}; expected one of {', '.join(MATERIALS)}")
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}")
    return _shares().entries.get((material, stage))


def edition() -> str:
    """One string naming the reference data in use, to record alongside a computation that used it.

    It combines both files' editions with a short digest of their content, so that a silent correction of a
    figure without a new edition still shows, e.g. ``countries:2026-12+reference_shares:2025#1a2b3c4d5e6f``.
    """
    countries, shares = _countries(), _shares()
    digest = hashlib.sha256(f"{countries.digest}:{shares.digest}".encode()).hexdigest()[:12]
    return f"countries:{countries.edition}+reference_shares:{shares.edition}#{digest}"


# --- loading (cached) ---------------------------------------------------------------------------------------


@cache
def _countries() -> CountryData:
    return _load_countries(COUNTRIES_PATH)


@cache
def _shares() -> ShareData:
    return _load_shares(SHARES_PATH)


def _clear_caches() -> None:
    """Forget the loaded files (tests that point the paths elsewhere)."""
    _countries.cache_clear()
    _shares.cache_clear()


def _load_countries(path: Path) -> CountryData:
    return _parse_countries(_read_json(path), where=path.name)


def _load_shares(path: Path) -> ShareData:
    return _parse_shares(_read_json(path), where=path.name)


def _read_json(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc


# --- validation ---------------------------------------------------------------------------------------------


def _parse_countries(raw: object, where: str = "countries.json") -> CountryData:
    doc = _mapping(raw, where)
    source = _text(doc.get("source"), f"{where}: source")
    edition_ = _text(doc.get("edition"), f"{where}: edition")
    raw_groups = _mapping(doc.get("groups"), f"{where}: groups")
    unknown = sorted(set(raw_groups) - set(GROUPS))
    if unknown:
        raise ValueError(f"{where}: unknown group {unknown[0]!r}; expected {', '.join(GROUPS)}")
    missing = [key for key in GROUPS if key not in raw_groups]
    if missing:
        raise ValueError(f"{where}: group {missing[0]!r} is missing")
    groups = {key: _parse_group(key, raw_groups[key], f"{where}: groups.{key}") for key in GROUPS}
    return CountryData(source=source, edition=edition_, digest=_digest(raw), groups=MappingProxyType(groups))


def _parse_group(key: str, raw: object, where: str) -> Group:
    group = _mapping(raw, where)
    _known_keys(group, _GROUP_KEYS, where)
    raw_names = _mapping(group.get("name"), f"{where}.name")
    names = {lang: _text(raw_names.get(lang), f"{where}.name.{lang}") for lang in LANGUAGES}
    raw_members = group.get("members")
    if not isinstance(raw_members, list) or not raw_members:
        raise ValueError(f"{where}.members: must be a non-empty list")
    memberships = tuple(
        _parse_membership(item, f"{where}.members[{i}]") for i, item in enumerate(raw_members)
    )
    by_country: dict[str, list[Membership]] = {}
    for membership in memberships:
        by_country.setdefault(membership.country, []).append(membership)
    for country, periods in by_country.items():
        periods.sort(key=lambda m: m.start)
        for earlier, later in pairwise(periods):
            if earlier.until is None or later.start <= earlier.until:
                raise ValueError(f"{where}.members: overlapping memberships of {country}")
    return Group(key=key, names=MappingProxyType(names), memberships=memberships)


def _parse_membership(raw: object, where: str) -> Membership:
    item = _mapping(raw, where)
    _known_keys(item, _MEMBER_KEYS, where)
    country = _country_code(item.get("country"), f"{where}.country")
    start = _date(item.get("from"), f"{where}.from")
    until = None if item.get("until") is None else _date(item["until"], f"{where}.until")
    if until is not None and until < start:
        raise ValueError(f"{where}: 'until' {until} is before 'from' {start}")
    return Membership(country=country, start=start, until=until)


def _parse_shares(raw: object, where: str = "reference_shares.json") -> ShareData:
    doc = _mapping(raw, where)
    edition_ = _text(doc.get("edition"), f"{where}: edition")
    note = _text(doc.get("note"), f"{where}: note")
    materials = _mapping(doc.get("materials"), f"{where}: materials")
    entries: dict[tuple[str, str], ReferenceShares] = {}
    for material, raw_stages in materials.items():
        if material not in MATERIALS:
            raise ValueError(
                f"{where}: unknown material {material!r}; expected one of {', '.join(MATERIALS)}"
            )
        for stage, raw_entry in _mapping(raw_stages, f"{where}: {material}").items():
            if stage not in STAGES:
                raise ValueError(
                    f"{where}: {material}: unknown stage {stage!r}; expected one of {', '.join(STAGES)}"
                )
            entries[material, stage] = _parse_entry(
                material, stage, raw_entry, f"{where}: {material}.{stage}"
            )
    return ShareData(edition=edition_, note=note, digest=_digest(raw), entries=MappingProxyType(entries))


def _parse_entry(material: str, stage: str, raw: object, where: str) -> ReferenceShares:
    entry = _mapping(raw, where)
    _known_keys(entry, _ENTRY_KEYS, where)
    source = _text(entry.get("source"), f"{where}.source")
    if source not in SOURCES:
        raise ValueError(f"{where}.source: unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    edition_ = _text(entry.get("edition"), f"{where}.edition")
    year = entry.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2100:
        raise ValueError(f"{where}.year: must be a year such as 2024, not {year!r}")
    raw_shares = entry.get("shares")
    if not isinstance(raw_shares, list) or not raw_shares:
        raise ValueError(f"{where}.shares: must be a non-empty list")
    shares: list[tuple[str, Decimal]] = []
    for i, raw_share in enumerate(raw_shares):
        item = _mapping(raw_share, f"{where}.shares[{i}]")
        country = item.get("country")
        if country != OTHER:
            country = _country_code(country, f"{where}.shares[{i}].country")
        if any(country == listed for listed, _ in shares):
            raise ValueError(f"{where}.shares: {country} is listed twice")
        shares.append((country, _percent(item.get("share_percent"), f"{where}.shares[{i}].share_percent")))
    if all(country == OTHER for country, _ in shares):
        raise ValueError(f"{where}.shares: lists no country besides {OTHER!r}")
    total = sum((share for _, share in shares), Decimal(0))
    if abs(total - 100) > SUM_TOLERANCE:
        raise ValueError(f"{where}.shares: sum to {total}, not 100 (± {SUM_TOLERANCE})")
    return ReferenceShares(
        material=material, stage=stage, source=source, edition=edition_, year=year, shares=tuple(shares)
    )


# --- small helpers ------------------------------------------------------------------------------------------


def _group(group: str) -> Group:
    try:
        return _countries().groups[group]
    except KeyError:
        raise ValueError(f"unknown group {group!r}; expected one of {', '.join(GROUPS)}") from None


def _country(value: str) -> str:
    """A caller's country code, case-insensitive, as ISO 3166-1 alpha-2."""
    code = value.strip().upper() if isinstance(value, str) else value
    if not isinstance(code, str) or not _COUNTRY_RE.fullmatch(code):
        raise ValueError(f"not an ISO 3166-1 alpha-2 country code: {value!r}")
    return code


def _day(on: date) -> date:
    if isinstance(on, datetime):
        return on.date()
    if not isinstance(on, date):
        raise TypeError(f"expected a date, not {type(on).__name__}")
    return on


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: must be an object")
    return value


def _known_keys(value: Mapping[str, object], allowed: set[str], where: str) -> None:
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r}")


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: must be a non-empty string")
    return value


def _country_code(value: object, where: str) -> str:
    if not isinstance(value, str) or not _COUNTRY_RE.fullmatch(value):
        raise ValueError(f"{where}: {value!r} is not an upper-case ISO 3166-1 alpha-2 code")
    return value


def _date(value: object, where: str) -> date:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise ValueError(f"{where}: bad date {value!r}; expected YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where}: bad date {value!r}; expected YYYY-MM-DD") from None


def _percent(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{where}: must be a number, not {value!r}")
    try:
        share = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{where}: must be a number, not {value!r}") from None
    if not share.is_finite() or not 0 <= share <= 100:
        raise ValueError(f"{where}: {share} is not a percentage between 0 and 100")
    return share


def _digest(raw: object) -> str:
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- targets: Art. 8 recycled-content minimums and the CRMA's single-country levels ----------------------


@cache
def targets() -> dict:
    """`targets.json`: the Art. 8 minimums (effective-dated) and the CRMA limit and watch level."""
    return json.loads((DATA_DIR / "targets.json").read_text(encoding="utf-8"))


def recycled_minimums(material: str) -> list[tuple[str, int]]:
    """The Art. 8 minimum recycled shares of a material, as (date it applies from, percent), in order."""
    return [
        (step["from"], step["shares"][material])
        for step in targets()["minimums"]
        if material in step["shares"]
    ]


def coming_minimum(material: str, year: int) -> tuple[str, int] | None:
    """The minimum that applies in `year` or, before the first one, the first to come."""
    steps = recycled_minimums(material)
    current = [step for step in steps if int(step[0][:4]) <= year]
    future = [step for step in steps if int(step[0][:4]) > year]
    return (current[-1] if current else None) or (future[0] if future else None)
