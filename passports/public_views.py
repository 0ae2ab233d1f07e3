"""The public battery passport (the page the QR code on the battery opens), its QR code and look-ups.

Anyone may call these views, logged in or not, and every one of them shows the PUBLIC audience's view
only: the latest published version filtered through `policies.visible_values(Viewer.PUBLIC, ...)`.
A partner, an authority or the owner gets exactly what an anonymous visitor gets here; their wider
views live on the authenticated pages. Drafts, unknown ids and malformed ids answer the same 404.

`GET /p/<id>/` answers JSON when the Accept header prefers `application/json`:
`{"passport_id", "version", "published_at", "status", "values"}` where `status` is the passport's state
on the portal ("active", or "closed" once the battery was recycled) — not the battery status (original,
repurposed...), which is legitimate-interest data (Annex XIII 4(c)).

Look-ups (`/p/lookup/?id=...` and `/p/id/<identifier>/`) accept:
- the unique product identifier of the passport (`Passport.unique_identifier`), and
- the Catena-X form `CX:<manufacturerPartId>:<partInstanceId>`, where manufacturerPartId is the battery
  model's `manufacturer_part_id` and partInstanceId the passport's unique identifier or its published
  serial number with key `partInstanceId`. Colons may occur in both parts: every split is tried.
Exactly one published passport matching redirects to its page; none or several give a not-found answer
(several owners may use the same identifier: identifiers are unique per economic operator only).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.cache import cache as django_cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import dateformat, formats, numberformat, timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_countries import countries

from portal.anonymous_frame import render_in_frame

from . import policies, public_json, qr, selectors
from .catalogue import ATTRIBUTES, Attribute, Cluster, FieldType, Viewer, attribute, attributes_for, children
from .display import NOT_ON_PAGES

PUBLIC = Viewer.PUBLIC
VARY = ("Accept", "Accept-Language")
JSON_MAX_AGE = 60  # seconds: a new publication shows within a minute
QR_MAX_AGE = 60 * 60 * 24  # the URL a QR code encodes never changes, and a published passport stays
MAX_IDENTIFIER_LENGTH = 500
#: Attributes holding the unit of another one: shown next to that value, not as facts of their own.
UNIT_KEYS = frozenset(a.unit_key for a in ATTRIBUTES if a.unit_key)
#: Shown at the top of the page and on the printed first page, next to the QR code.
KEY_FACTS = (
    "model_name",
    "manufacturer_name",
    "battery_category",
    "unique_identifier",
    "battery_status",
    "chemistry",
)


# ---- view-model ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Link:
    text: str
    href: str = ""  # empty: no public link (e.g. a privately stored file)
    note: str = ""


@dataclass
class Cell:
    text: str = ""
    multiline: bool = False
    link: Link | None = None
    links: list[Link] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]]


@dataclass
class Fact:
    key: str
    label: str
    cell: Cell | None = None
    table: Table | None = None
    unit: str = ""


@dataclass
class Section:
    key: str
    label: str
    facts: list[Fact]


@dataclass
class PublicPassport:
    """What the public page shows: public values of the latest published version, nothing else."""

    passport_id: str
    version: int
    published_at: datetime
    closed: bool
    values: dict[str, Any]
    sections: list[Section] = field(default_factory=list)
    key_facts: list[Fact] = field(default_factory=list)
    predecessor_id: str | None = None
    successor_id: str | None = None
    documents: list[Link] = field(default_factory=list)  # uploaded public documents


def public_view(facts: selectors.PublicPageFacts, data: dict[str, Any]) -> PublicPassport:
    """The public view-model of the publication `facts` describe, whose data is `data`."""
    return PublicPassport(
        passport_id=facts.passport_id,
        version=facts.number,
        published_at=facts.published_at,
        closed=facts.closed,
        values=policies.visible_values(PUBLIC, data),
    )


# ---- formatting values for people ------------------------------------------------------------------
@dataclass(frozen=True)
class _Locale:
    """What formatting a page's values needs of its language, looked up once per language: a page formats
    about 50 numbers and shows 170 labels, and Django's `formats` asks for the active language and its
    format module again for every value."""

    language: str | None
    decimal_separator: str
    grouping: Any
    thousand_separator: str
    date_format: str
    datetime_format: str


@lru_cache(maxsize=16)
def _locale(language: str | None) -> _Locale:
    return _Locale(
        language=language,
        decimal_separator=formats.get_format("DECIMAL_SEPARATOR", language),
        grouping=formats.get_format("NUMBER_GROUPING", language),
        thousand_separator=formats.get_format("THOUSAND_SEPARATOR", language),
        date_format=formats.get_format("DATE_FORMAT", language),
        datetime_format=formats.get_format("DATETIME_FORMAT", language),
    )


def _safe_href(value: Any) -> str:
    text = str(value or "")
    return text if text.lower().startswith(("https://", "http://")) else ""


def _number(value: Any, locale: _Locale) -> str:
    """`formats.localize(Decimal(value))` in `locale`'s language (tested equal)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return numberformat.format(
        number, locale.decimal_separator, None, locale.grouping, locale.thousand_separator, use_l10n=True
    )


def _date(value: Any, locale: _Locale) -> str:
    try:
        return dateformat.format(date.fromisoformat(str(value)), locale.date_format)
    except ValueError:
        return str(value)


def _datetime(value: Any, locale: _Locale) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return dateformat.format(moment, locale.datetime_format)


def _choice_label(attr: Attribute, value: Any, locale: _Locale) -> str:
    try:
        return _translated(attr.key, value, locale.language)
    except TypeError:  # an unhashable value: not one of the choices
        return str(value)


def _label(attr: Attribute, locale: _Locale) -> str:
    return _translated(attr.key, _ATTRIBUTE_LABEL, locale.language)


_ATTRIBUTE_LABEL = object()


@lru_cache(maxsize=8192)
def _translated(key: str, choice: Any, language: str | None) -> str:
    """An attribute's label (`choice` _ATTRIBUTE_LABEL) or a choice's label, in `language` (the active one:
    the lazy text is translated here). A page shows about 170 of them, each a look-up through the
    translation catalogues; remembered per language, they cost a dictionary look-up."""
    a = attribute(key)
    if choice is _ATTRIBUTE_LABEL:
        return str(a.label)
    return str(dict(a.choices).get(choice, choice))


_NUMBERS = frozenset({FieldType.INTEGER, FieldType.DECIMAL, FieldType.PERCENT})


def _text(attr: Attribute, value: Any, locale: _Locale) -> str:
    kind = attr.type
    if kind in _NUMBERS:
        return _number(value, locale)
    if kind is FieldType.DATE:
        return _date(value, locale)
    if kind is FieldType.DATETIME:
        return _datetime(value, locale)
    if kind is FieldType.BOOLEAN:
        return _("Yes") if value else _("No")
    if kind is FieldType.CHOICE:
        return _choice_label(attr, value, locale)
    if kind is FieldType.COUNTRY:
        return str(countries.name(value) or value)
    return str(value)


def _documents(value: Any) -> list[Link]:
    links = []
    for document in value if isinstance(value, list) else []:
        if isinstance(document, dict):
            href = _safe_href(document.get("content"))
            kind = str(document.get("content_type") or "")
            note = "" if kind.upper() == "URL" else kind
            links.append(Link(str(document.get("header") or href or _("Document")), href, note))
    return links


@cache
def _public_members(group_key: str) -> tuple[Attribute, ...]:
    """The row attributes of a group the public sees, units left out (shown beside their values)."""
    return tuple(a for a in children(group_key) if a.visible_to(PUBLIC) and a.key not in UNIT_KEYS)


def _nested_rows(group: Attribute, rows: Any, locale: _Locale) -> list[str]:
    """Rows of a group inside a group cell (substance identifiers), one line each."""
    members = [a for a in children(group.key) if a.visible_to(PUBLIC)]
    lines = []
    for row in rows if isinstance(rows, list) else []:
        parts = [
            _text(a, row[a.name], locale)
            for a in members
            if isinstance(row, dict) and row.get(a.name) not in (None, "")
        ]
        if parts:
            lines.append(" · ".join(parts))
    return lines


def _cell(attr: Attribute, value: Any, locale: _Locale) -> Cell:
    if attr.type is FieldType.DOCUMENT:
        return Cell(links=_documents(value))
    if attr.type is FieldType.GROUP:
        return Cell(items=_nested_rows(attr, value, locale))
    if attr.many:
        items = value if isinstance(value, list) else [value]
        return Cell(items=[_text(attr, item, locale) for item in items])
    if attr.type is FieldType.URL and _safe_href(value):
        return Cell(link=Link(str(value), _safe_href(value)))
    return Cell(text=_text(attr, value, locale), multiline=attr.type is FieldType.LONG_TEXT)


def _unit(attr: Attribute, values: dict[str, Any], locale: _Locale) -> str:
    """The fixed unit, or the label of the unit chosen in the sibling unit attribute."""
    if attr.unit_key:
        chosen = values.get(attr.unit_key.rsplit(".", 1)[-1] if attr.group else attr.unit_key)
        if chosen not in (None, ""):
            return _choice_label(attribute(attr.unit_key), chosen, locale)
        return ""
    return attr.unit or ""


def _table(group: Attribute, rows: list[Any], locale: _Locale) -> Table:
    rows = [row for row in rows if isinstance(row, dict)]
    members = [
        a for a in _public_members(group.key) if any(row.get(a.name) not in (None, "", []) for row in rows)
    ]
    table_rows = []
    for row in rows:
        cells = []
        for member in members:
            value = row.get(member.name)
            if value in (None, "", []):
                cells.append(Cell())
                continue
            cell = _cell(member, value, locale)
            unit = _unit(member, row, locale)
            if unit and cell.text:
                cell.text = f"{cell.text} {unit}"
            cells.append(cell)
        table_rows.append(cells)
    return Table(columns=[_label(a, locale) for a in members], rows=table_rows)


def _fact(attr: Attribute, values: dict[str, Any], locale: _Locale) -> Fact | None:
    value = values.get(attr.key)
    if value in (None, "", [], {}):
        return None
    if attr.type is FieldType.GROUP:
        table = _table(attr, value if isinstance(value, list) else [], locale)
        return Fact(attr.key, _label(attr, locale), table=table) if table.rows and table.columns else None
    return Fact(
        attr.key, _label(attr, locale), cell=_cell(attr, value, locale), unit=_unit(attr, values, locale)
    )


@cache
def _page_attributes() -> tuple[tuple[Cluster, tuple[Attribute, ...]], ...]:
    """Each cluster's top-level public attributes in catalogue order, without units (shown beside their
    values) and what pages leave out."""
    hidden = UNIT_KEYS | NOT_ON_PAGES
    return tuple(
        (
            cluster,
            tuple(
                a
                for a in attributes_for(cluster, audience_visible_to=PUBLIC, include_rows=False)
                if a.key not in hidden
            ),
        )
        for cluster in Cluster
    )


def build_sections(values: dict[str, Any]) -> list[Section]:
    """Public values grouped by cluster, in catalogue order, labelled in the active language."""
    locale = _locale(get_language())
    sections = []
    for cluster, attributes in _page_attributes():
        facts = [fact for attr in attributes if (fact := _fact(attr, values, locale)) is not None]
        if facts:
            sections.append(Section(cluster.value, str(cluster.label), facts))
    return sections


@dataclass(frozen=True)
class PageLinks:
    """What the public page shows beside the published values: links that change without a publication
    of this passport (a successor is published, a public document is added)."""

    predecessor_id: str | None
    successor_id: str | None
    documents: tuple[Link, ...]


def page_links(facts: selectors.PublicPageFacts) -> PageLinks:
    return PageLinks(
        predecessor_id=facts.predecessor_id,
        successor_id=facts.successor_id,
        documents=tuple(
            Link(
                title,
                reverse("passports:document_download", args=[public_id]),
                selectors.attribute_label(key),
            )
            for public_id, title, key in facts.documents
        ),
    )


def _body_context(facts: selectors.PublicPageFacts, links: PageLinks) -> dict[str, Any]:
    return {
        "passport": _page_model(public_view(facts, selectors.public_version_data(facts)), links),
        "passport_url": qr.passport_url(facts.passport_id),
    }


def _page_model(view: PublicPassport, links: PageLinks) -> PublicPassport:
    locale = _locale(get_language())
    view.sections = build_sections(view.values)
    view.key_facts = [
        fact for key in KEY_FACTS if (fact := _fact(attribute(key), view.values, locale)) is not None
    ]
    view.predecessor_id = links.predecessor_id
    view.successor_id = links.successor_id
    view.documents = list(links.documents)
    return view


# ---- views ----------------------------------------------------------------------------------------
def _wants_json(request: HttpRequest) -> bool:
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _vary(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, VARY)
    return response


def _etag(*parts: Any) -> str:
    return '"' + hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32] + '"'


def _not_modified(request: HttpRequest, etag: str) -> HttpResponse | None:
    """A 304 when the client's (or a shared cache's) copy is current; None to answer in full."""
    return get_conditional_response(request, etag=etag, response=None)


def _json_detail(request: HttpRequest, passport_id: UUID) -> HttpResponse:
    # The lean path (one indexed query or a cache hit, no model rows): QR scans by machines are the
    # hottest public URL.
    document = public_json.encoded_document(passport_id)
    if document is None:
        return _vary(JsonResponse({"detail": _("Not found.")}, status=404))
    etag = _etag(hashlib.sha256(document).hexdigest())
    response = _not_modified(request, etag) or HttpResponse(document, content_type="application/json")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=JSON_MAX_AGE)
    return _vary(response)


@cache
def _page_release() -> str:
    """What else the page is made of: a deployment that changes its templates, style or translations
    changes its ETag (and so the key of its cached body)."""
    templates = ("passports/public_detail.html", "passports/public_detail_body.html", "base.html")
    sources = [Path(get_template(name).origin.name) for name in templates]
    sources += [path for path in (settings.BASE_DIR / "static" / "css").glob("*.css")]
    sources += [path for path in (settings.BASE_DIR / "locale").glob("*/LC_MESSAGES/django.mo")]
    digest = hashlib.sha256()
    for source in sorted(sources):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def page_body(etag: str, context: Callable[[], dict[str, Any]]) -> str:
    """The page's body (the passport itself, without the visitor's menu and form tokens), rendered once
    per ETag and kept in the default cache. The ETag covers everything the body shows (publication,
    closure, links, language, templates, style, translations), so a key never names an outdated body:
    nothing has to be forgotten on publication, and a cache local to each process is as correct as a
    shared one. Rendering costs about 15 ms a page, the cached copy well under one."""
    key = f"public-page:{etag}"
    body = django_cache.get(key)
    if body is None:
        body = render_to_string("passports/public_detail_body.html", context())
        if settings.PUBLIC_PAGE_CACHE_SECONDS:
            django_cache.set(key, body, settings.PUBLIC_PAGE_CACHE_SECONDS)
    return mark_safe(body)  # noqa: S308 - rendered by our own template, which escapes every value


@require_safe
def detail(request: HttpRequest, passport_id: UUID) -> HttpResponse:
    """The page is revalidated on every request (`no-cache`) against an ETag of what it shows: the latest
    publication, whether the passport is closed, its links (predecessor, successor, public documents), the
    language and the page's own template and style, so that a shared HTTP cache in front of the portal
    serves its copy until a publication (or closing) changes it, at the cost of a 304 that renders
    nothing."""
    if _wants_json(request):
        return _json_detail(request, passport_id)
    facts = selectors.public_page_facts(passport_id)
    if facts is None:
        raise Http404
    links = page_links(facts)
    etag = _etag(
        facts.passport_id,
        facts.number,
        facts.published_at.isoformat() if facts.published_at else "",
        facts.closed,
        links,
        get_language(),
        _page_release(),
    )
    response = _not_modified(request, etag)
    if response is None:
        body = page_body(etag, lambda: _body_context(facts, links))
        response = render_in_frame(request, "passports/public_detail.html", body)
    response["ETag"] = etag
    patch_cache_control(response, public=True, no_cache=True)
    return _vary(response)


def _qr_response(passport_id: UUID, content: bytes | str, extension: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="passport-{passport_id}.{extension}"'
    patch_cache_control(response, public=True, max_age=QR_MAX_AGE)
    return response


@require_safe
def qr_svg(request: HttpRequest, passport_id: UUID) -> HttpResponse:
    if selectors.published_passport(passport_id) is None:
        raise Http404
    return _qr_response(passport_id, qr.qr_svg(passport_id), "svg", "image/svg+xml")


@require_safe
def qr_png(request: HttpRequest, passport_id: UUID) -> HttpResponse:
    if selectors.published_passport(passport_id) is None:
        raise Http404
    return _qr_response(passport_id, qr.qr_png(passport_id), "png", "image/png")


def _malformed(identifier: str) -> bool:
    return len(identifier) > MAX_IDENTIFIER_LENGTH or any(
        ord(char) < 32 or ord(char) == 127 for char in identifier
    )


def _lookup(request: HttpRequest, identifier: str | None) -> HttpResponse:
    identifier = (identifier or "").strip()
    wants_json = _wants_json(request)
    if not identifier:
        if wants_json:
            return _vary(JsonResponse({"id": [_("Enter a unique product identifier.")]}, status=400))
        return _vary(render(request, "passports/public_lookup.html", {"identifier": ""}))
    if _malformed(identifier):
        message = _("This is not a product identifier.")
        if wants_json:
            return _vary(JsonResponse({"id": [message]}, status=400))
        context = {"identifier": "", "error": message}
        return _vary(render(request, "passports/public_lookup.html", context, status=400))
    matches = selectors.public_find(identifier)
    if len(matches) == 1:
        return _vary(redirect(reverse("public_passports:detail", kwargs={"passport_id": matches[0]})))
    if wants_json:
        return _vary(JsonResponse({"detail": _("Not found.")}, status=404))
    # The identifier is not echoed: a public page reflecting its query is a phishing aid (and would
    # make the canary crawl's look-up probes look like leaks).
    context = {"identifier": "", "not_found": True}
    return _vary(render(request, "passports/public_lookup.html", context, status=404))


@require_safe
def lookup(request: HttpRequest) -> HttpResponse:
    return _lookup(request, request.GET.get("id"))


@require_safe
def lookup_path(request: HttpRequest, identifier: str) -> HttpResponse:
    return _lookup(request, identifier)
