"""The authorities' oversight pages under /oversight/: thin shells over `selectors`.

Every page answers 404 to anyone but an authority member, refuses any query parameter but its own with
400 (no company, facility, product or date range is ever a filter), reads one finished cube version and
writes the read to the access log with that version.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import exports, presentation, selectors
from .access import is_enforcer, is_overseer
from .models import CubeBuild
from .queries import QUERY, BadQuery, parse

FORMATS = {"text/csv": "csv", exports.XLSX: "xlsx", exports.PDF: "pdf"}


def oversight_page(
    name: str, *, allowed: set[str] = QUERY, needs_build: bool = True, enforcement: bool = False
):
    """Decorate a view: 404 for non-authorities, 400 for foreign parameters or a year without a cube,
    the access log entry, and the cube build passed in."""

    def decorate(view: Callable[..., HttpResponse]):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not (is_enforcer(request.user) if enforcement else is_overseer(request.user)):
                raise Http404
            try:
                params = parse(request.GET, allowed)
            except BadQuery as exc:
                return render(request, "oversight/bad_query.html", {"message": str(exc)}, status=400)
            build = selectors.latest_build(actor=request.user, year=params.get("year"))
            if needs_build and "year" in params and build is None:
                message = _("No cube is published for %(year)s.") % {"year": params["year"]}
                return render(request, "oversight/bad_query.html", {"message": message}, status=400)
            response = view(request, *args, build=build, params=params, **kwargs)
            if response.status_code == 200:
                fmt = FORMATS.get(response.get("Content-Type", "").split(";")[0], "html")
                selectors.record_read(
                    actor=request.user,
                    view=name,
                    build=build,
                    fmt=fmt,
                    params={key: kwargs[key] for key in kwargs},
                )
            return response

        return wrapper

    return decorate


def _context(
    request: HttpRequest, build: CubeBuild | None, params: dict[str, Any], **extra
) -> dict[str, Any]:
    return {
        "build": build,
        "years": selectors.years(actor=request.user),
        "market": params["market"],
        "markets": selectors.MARKETS,
        "materials": presentation.material_choices(),
        "confidential_mark": presentation.confidential_mark(),
        "enforcer": is_enforcer(request.user),
        **extra,
    }


def _material(code: str) -> str:
    if code not in selectors.MATERIALS:
        raise Http404
    return code


@oversight_page("overview")
def overview(request: HttpRequest, *, build, params) -> HttpResponse:
    cards = (
        presentation.overview_cards(actor=request.user, build=build, market=params["market"]) if build else []
    )
    alerts = selectors.alerts_for(actor=request.user, limit=5)
    return render(
        request, "oversight/overview.html", _context(request, build, params, cards=cards, alerts=alerts)
    )


@oversight_page("material")
def material(request: HttpRequest, code: str, *, build, params) -> HttpResponse:
    code = _material(code)
    stages = presentation.origin_tables(
        actor=request.user, build=build, material=code, market=params["market"]
    )
    content = presentation.content_table(
        actor=request.user, build=build, material=code, market=params["market"]
    )
    return render(
        request,
        "oversight/material.html",
        _context(request, build, params, material=code, stages=stages, content=content),
    )


@oversight_page("concentration", allowed={"market"}, needs_build=False)
def concentration(request: HttpRequest, code: str, *, build, params) -> HttpResponse:
    code = _material(code)
    series = presentation.concentration(actor=request.user, material=code, market=params["market"])
    return render(
        request, "oversight/concentration.html", _context(request, build, params, material=code, **series)
    )


@oversight_page("flows")
def flows(request: HttpRequest, code: str, *, build, params) -> HttpResponse:
    code = _material(code)
    view = presentation.flows(actor=request.user, build=build, material=code, market=params["market"])
    return render(request, "oversight/flows.html", _context(request, build, params, material=code, **view))


@oversight_page("end_of_life")
def end_of_life(request: HttpRequest, *, build, params) -> HttpResponse:
    tables = presentation.end_of_life_tables(actor=request.user, build=build, market=params["market"])
    return render(request, "oversight/end_of_life.html", _context(request, build, params, **tables))


@oversight_page("alerts", allowed=set())
def alerts(request: HttpRequest, *, build, params) -> HttpResponse:
    rows = selectors.alerts_for(actor=request.user)
    return render(request, "oversight/alerts.html", _context(request, build, params, alerts=rows))


@oversight_page("enforcement", allowed=set(), enforcement=True)
def enforcement(request: HttpRequest, *, build, params) -> HttpResponse:
    rows = selectors.flagged_transfers(actor=request.user)
    return render(request, "oversight/enforcement.html", _context(request, build, params, transfers=rows))


@oversight_page("methodology", allowed=set(), needs_build=False)
def methodology(request: HttpRequest, *, build, params) -> HttpResponse:
    return render(
        request,
        "oversight/methodology.html",
        _context(request, build, params, references=presentation.reference_rows()),
    )


@oversight_page("export")
def export(request: HttpRequest, table: str, fmt: str, *, build, params) -> HttpResponse:
    if table not in presentation.EXPORT_TABLES or build is None:
        raise Http404
    make, content_type = {
        "csv": (exports.table_csv, exports.CSV),
        "xlsx": (exports.table_xlsx, exports.XLSX),
    }[fmt]
    body = make(actor=request.user, build=build, table=table, market=params["market"])
    return _attachment(body, content_type, exports.filename(build, table, fmt))


@oversight_page("report")
def report(request: HttpRequest, *, build, params) -> HttpResponse:
    if build is None:
        raise Http404
    body = exports.report_pdf(actor=request.user, build=build, market=params["market"])
    return _attachment(
        body, exports.PDF, exports.filename(build, f"report-{params['market'].lower()}", "pdf")
    )


def _attachment(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
