"""Canary crawler: every URL the project has, requested as one audience, checked for planted markers.

What is requested (``build_targets``):

* every URL pattern of ``django.urls.get_resolver()``, recursively (namespaces, ``path()`` converters
  and ``re_path()`` regexes alike), each parameter substituted with company A's object ids from the
  registry's URL kwargs providers, plus a well-formed id that does not exist; admin views of a model
  get every row of that model (``object_id``) and app indexes every admin app label;
* the admin: ``?q=<term>`` on every changelist with search fields, and the autocomplete endpoint for
  every autocomplete field (also of inlines), for every search term (``search_terms``: ``canary``,
  which matches every ``CANARY-...`` marker at once, plus the term of each marker of another shape,
  such as identifiers and secrets). These probes are sent only as staff: for anyone else the admin
  answers every view with a redirect to its login before it reads a query string, which the crawl of
  the plain admin URLs shows for every view (``test_the_admin_turns_away_everyone_but_staff``);
* every parameterless HTML page also with ``?q=canary&search=canary`` (search boxes to come);
* every path of the OpenAPI schema (``/api/schema/?format=json``, fetched as the operator), with
  ``{param}`` substituted the same way; list endpoints also with ``?search=<term>&ordering=<field>``,
  ``?ordering=-<field>`` for each field of the item schema, and every declared query parameter (with
  the provider's values for that name, or a search term);
* the capabilities' extra paths.

Each path is requested with GET and a browser ``Accept`` header; ``/api/`` paths also with GET and
OPTIONS as ``application/json`` (their query-string probes as JSON only, and DRF views whose answer does
not depend on it as JSON only: see ``ignores_accept``). Only safe methods are sent;
redirects are not followed (the target of a redirect is a URL of its own in the crawl). ``crawl``
checks every response's body, headers and cookies for every marker and returns a ``CrawlReport`` with
the leaks, the server errors and what was observed.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter, UUIDConverter
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from portal.api import AnyAccept

from .registry import NOBODY, OPERATOR, Marker, ParamValue, World

HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
JSON_ACCEPT = "application/json"
SCHEMA_PATH = "/api/schema/?format=json"
#: Rows per admin model whose change/history/delete views are opened (A's objects are few; keep it fast).
MAX_ADMIN_OBJECTS = 40
#: Parameter combinations per URL pattern form that become targets (the product of candidates is capped).
MAX_COMBINATIONS = 60
#: Combinations tried per form: values that do not apply to the view are skipped without counting.
MAX_TRIED = 2000
#: Query parameters of list endpoints that are not filters.
NON_FILTER_PARAMS = {"page", "page_size", "limit", "offset", "format", "search", "ordering", "cursor"}


# --- URL patterns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatternInfo:
    """One endpoint of the resolver tree, with its full regex from the root."""

    regex: str
    name: str | None  # qualified: "namespace:name"
    converters: dict[str, Any]
    callback: Callable[..., Any]
    lookup_str: str

    @property
    def label(self) -> str:
        return f"{self.name or self.lookup_str} ^{self.regex}"


def _strip_anchors(regex: str) -> str:
    if regex.startswith("^"):
        regex = regex[1:]
    for end in ("\\Z", "$"):
        if regex.endswith(end) and not regex.endswith("\\" + end):
            regex = regex[: -len(end)]
            break
    return regex


def url_patterns(
    resolver: URLResolver | None = None,
    prefix: str = "",
    namespaces: tuple[str, ...] = (),
    converters: dict[str, Any] | None = None,
) -> list[PatternInfo]:
    """Every endpoint pattern, recursively, with its namespaces and converters."""
    resolver = resolver or get_resolver()
    converters = converters or {}
    found: list[PatternInfo] = []
    for entry in resolver.url_patterns:
        regex = prefix + _strip_anchors(entry.pattern.regex.pattern)
        entry_converters = {**converters, **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            child_namespaces = (*namespaces, entry.namespace) if entry.namespace else namespaces
            found.extend(url_patterns(entry, regex, child_namespaces, entry_converters))
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            found.append(PatternInfo(regex, name, entry_converters, entry.callback, entry.lookup_str))
    return found


def model_admin_of(callback: Callable[..., Any]) -> BaseModelAdmin | None:
    """The ModelAdmin behind an admin view (``ModelAdmin.get_urls`` wrappers or custom admin views)."""
    model_admin = getattr(callback, "model_admin", None)
    if model_admin is not None:
        return model_admin
    seen = 0
    while callback is not None and seen < 10:
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, BaseModelAdmin):
            return owner
        callback = getattr(callback, "__wrapped__", None)
        seen += 1
    return None


_FALLBACKS: dict[type, Any] = {
    UUIDConverter: uuid.UUID("00000000-0000-4000-8000-00000000ca7a"),
    IntConverter: 2147480000,
    SlugConverter: "canary-nonexistent",
    StringConverter: "canary-nonexistent",
    PathConverter: "canary/nonexistent",
}


def fallback_value(converter: Any) -> ParamValue:
    for kind, value in _FALLBACKS.items():
        if isinstance(converter, kind):
            return ParamValue(value, "nonexistent")
    return ParamValue("canary-nonexistent", "nonexistent")


# --- Targets --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    path: str  # with query string
    method: str = "GET"
    accept: str = HTML_ACCEPT
    source: str = ""
    grants: frozenset[str] = NOBODY
    substituted: tuple[str, ...] = ()  # notes of the provider values in the path
    #: A query-string probe of an admin view: only sent as staff (see ``crawl``).
    staff_only: bool = False

    @property
    def label(self) -> str:
        kind = "json" if self.accept == JSON_ACCEPT else "html"
        return f"{self.method} {self.path} [{kind}]"


@dataclass
class TargetSet:
    targets: list[Target] = field(default_factory=list)
    patterns: list[PatternInfo] = field(default_factory=list)
    covered_patterns: set[str] = field(default_factory=set)  # PatternInfo.label
    schema_paths: list[str] = field(default_factory=list)
    covered_schema_paths: set[str] = field(default_factory=set)
    _seen: set[tuple[str, str, str]] = field(default_factory=set)

    def add(
        self,
        path: str,
        *,
        source: str,
        grants=NOBODY,
        substituted: Iterable[str] = (),
        probe: bool = False,
        staff_only: bool = False,
    ) -> None:
        """Add ``path`` in every format; a ``probe`` (a query-string variant) of an API path as JSON only."""
        variants = [("GET", HTML_ACCEPT)]
        if path.startswith("/api/"):
            if probe:
                variants = [("GET", JSON_ACCEPT)]
            elif ignores_accept(path):
                variants = [("GET", JSON_ACCEPT), ("OPTIONS", JSON_ACCEPT)]
            else:
                variants = [*variants, ("GET", JSON_ACCEPT), ("OPTIONS", JSON_ACCEPT)]
        for method, accept in variants:
            key = (path, method, accept)
            if key in self._seen:
                continue
            self._seen.add(key)
            self.targets.append(
                Target(path, method, accept, source, frozenset(grants), tuple(substituted), staff_only)
            )

    @property
    def uncovered_patterns(self) -> list[str]:
        return sorted(p.label for p in self.patterns if p.label not in self.covered_patterns)


def ignores_accept(path: str) -> bool:
    """Whether ``path`` is a DRF view whose answer does not depend on ``Accept``: a download that sends its
    file whatever is accepted (``AnyAccept``), or a view that renders JSON alone with the default content
    negotiation, which answers a browser's ``Accept`` (``*/*`` included) exactly as ``application/json``.
    The crawl then sends the JSON request only (no middleware of the portal reads ``Accept``)."""
    try:
        func = resolve(path.split("?", 1)[0]).func
    except Resolver404:
        return False
    cls = getattr(func, "cls", None)
    if cls is None or not issubclass(cls, APIView):
        return False
    initkwargs = getattr(func, "initkwargs", {}) or {}
    renderers = initkwargs.get("renderer_classes", cls.renderer_classes)
    negotiation = initkwargs.get("content_negotiation_class", cls.content_negotiation_class)
    dynamic = any(
        getattr(cls, name) is not getattr(APIView, name)
        for name in ("get_renderers", "get_content_negotiator", "perform_content_negotiation")
    )
    if dynamic:
        return False
    if negotiation is AnyAccept:
        return True
    return (
        negotiation is DefaultContentNegotiation
        and bool(renderers)
        and all(issubclass(renderer, JSONRenderer) for renderer in renderers)
    )


def _param_candidates(pattern: PatternInfo, param: str, world: World) -> list[ParamValue]:
    converter = pattern.converters.get(param)
    model_admin = model_admin_of(pattern.callback)
    candidates: list[ParamValue] = []
    if model_admin is not None and param in {"object_id", "pk"}:
        model = model_admin.model
        for obj in model._default_manager.order_by("pk")[:MAX_ADMIN_OBJECTS]:
            candidates.append(ParamValue(obj.pk, f"{model._meta.label} #{obj.pk}"))
    elif param == "app_label" and (pattern.name or "").startswith("admin:"):
        labels = sorted({model._meta.app_label for model in admin.site._registry})
        candidates.extend(ParamValue(label, f"admin app {label}") for label in labels)
    else:
        candidates.extend(v for v in world.url_kwargs.get(param, []) if v.applies_to(pattern.name))
    candidates.append(fallback_value(converter))
    return candidates


def _to_url(converter: Any, value: Any) -> str:
    text = converter.to_url(value) if converter is not None else str(value)
    return quote(str(text), safe="/~:@!$&'()*+,;=")


def _expand_pattern(pattern: PatternInfo, world: World, targets: TargetSet) -> None:
    forms = {(fmt, tuple(params)) for fmt, params in normalize(pattern.regex)}
    for fmt, params in sorted(forms):
        choices = [_param_candidates(pattern, param, world) for param in params]
        for combination in itertools.islice(itertools.product(*choices), MAX_COMBINATIONS):
            values = {
                param: _to_url(pattern.converters.get(param), choice.value)
                for param, choice in zip(params, combination, strict=True)
            }
            path = "/" + fmt % values
            try:
                match = resolve(path)
            except Resolver404:
                continue
            if match.func is not pattern.callback:
                continue  # e.g. an app label the admin does not know falls through to the catch-all
            targets.covered_patterns.add(pattern.label)
            grants = frozenset().union(*(c.grants for c in combination)) if combination else NOBODY
            notes = tuple(c.note for c in combination if c.note != "nonexistent")
            source = f"resolver:{pattern.name or pattern.lookup_str}"
            targets.add(path, source=source, grants=grants, substituted=notes)
            if not params and not path.startswith(("/admin/", "/api/")):
                targets.add(f"{path}?q=canary&search=canary", source=source, probe=True)


def search_terms(markers: list[Marker]) -> list[str]:
    """What search probes send: ``canary`` (a substring of every ``CANARY-...`` marker, so one probe
    finds every row carrying one) and the search term of each marker of another form (identifiers)."""
    terms = ["canary"]
    for marker in markers:
        if not marker.value.lower().startswith("canary") and marker.search_term not in terms:
            terms.append(marker.search_term)
    return terms


def _admin_probes(markers: list[Marker], targets: TargetSet) -> None:
    autocomplete = reverse("admin:autocomplete")
    terms = search_terms(markers)
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        if model_admin.search_fields:
            for term in terms:
                targets.add(f"{changelist}?{urlencode({'q': term})}", source="admin-search", staff_only=True)
        sources = [(model, model_admin.autocomplete_fields)]
        sources += [(inline.model, inline.autocomplete_fields) for inline in model_admin.inlines]
        for source_model, fields in sources:
            for field_name in fields:
                for term in terms:
                    query = {
                        "app_label": source_model._meta.app_label,
                        "model_name": source_model._meta.model_name,
                        "field_name": field_name,
                        "term": term,
                    }
                    targets.add(
                        f"{autocomplete}?{urlencode(query)}", source="admin-autocomplete", staff_only=True
                    )


# --- OpenAPI --------------------------------------------------------------------------------------


def fetch_schema(operator) -> dict[str, Any]:
    client = Client()
    client.force_login(operator)
    response = client.get(SCHEMA_PATH, HTTP_ACCEPT=JSON_ACCEPT)
    assert response.status_code == 200, f"OpenAPI schema: HTTP {response.status_code}"
    return json.loads(response.content)


def _deref(schema: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _schema_fallback(param_schema: dict[str, Any]) -> ParamValue:
    if param_schema.get("format") == "uuid":
        return fallback_value(UUIDConverter())
    if param_schema.get("type") == "integer":
        return fallback_value(IntConverter())
    return fallback_value(StringConverter())


def _item_fields(schema: dict[str, Any], operation: dict[str, Any]) -> list[str]:
    """Property names of a list endpoint's items (paginated or plain array)."""
    response = operation.get("responses", {}).get("200", {})
    node = _deref(schema, response.get("content", {}).get("application/json", {}).get("schema", {}))
    if isinstance(node, dict) and "results" in node.get("properties", {}):
        node = _deref(schema, node["properties"]["results"])
    if isinstance(node, dict) and node.get("type") == "array":
        node = _deref(schema, node.get("items", {}))
    return sorted(node.get("properties", {})) if isinstance(node, dict) else []


def _view_name(path: str) -> str | None:
    try:
        return resolve(path.split("?", 1)[0]).view_name
    except Resolver404:
        return None


def _schema_targets(schema: dict[str, Any], world: World, targets: TargetSet) -> None:
    markers = world.markers
    for template, item in sorted(schema.get("paths", {}).items()):
        targets.schema_paths.append(template)
        operations = {m: op for m, op in item.items() if m in {"get", "put", "patch", "delete", "post"}}
        params = list(item.get("parameters", []))
        for op in operations.values():
            params.extend(op.get("parameters", []))
        path_params: dict[str, dict[str, Any]] = {}
        query_params: dict[str, dict[str, Any]] = {}
        for param in params:
            param = _deref(schema, param)
            bucket = path_params if param.get("in") == "path" else query_params
            if param.get("in") in {"path", "query"}:
                bucket[param["name"]] = param.get("schema", {})
        names = sorted(path_params)
        choices = [[*world.url_kwargs.get(name, []), _schema_fallback(path_params[name])] for name in names]
        get = operations.get("get")
        is_list = get is not None and (
            "page" in query_params or str(get.get("operationId", "")).endswith("_list")
        )
        fields = _item_fields(schema, get) if is_list else []
        accepted = 0
        for combination in itertools.islice(itertools.product(*choices), MAX_TRIED):
            if accepted >= MAX_COMBINATIONS:
                break
            path = template
            for name, choice in zip(names, combination, strict=True):
                path = path.replace("{" + name + "}", quote(str(choice.value), safe=":@-._~"))
            view_name = _view_name(path)
            if not all(choice.applies_to(view_name) for choice in combination):
                continue
            accepted += 1
            grants = frozenset().union(*(c.grants for c in combination)) if combination else NOBODY
            notes = tuple(c.note for c in combination if c.note != "nonexistent")
            source = f"openapi:{template}"
            targets.add(path, source=source, grants=grants, substituted=notes)
            targets.covered_schema_paths.add(template)
            if not is_list:
                continue
            probe = {"source": source, "grants": grants, "substituted": notes, "probe": True}
            terms = search_terms(markers)
            # A view ignores a query parameter it does not declare: such a probe would only repeat the
            # plain list (and, with 700 list paths, cost minutes of the suite), so probe what is declared.
            orderable = fields if "ordering" in query_params else []
            if "search" in query_params or orderable:
                for index, term in enumerate(terms):
                    query = {"search": term} if "search" in query_params else {}
                    if orderable:
                        query["ordering"] = orderable[index % len(orderable)]
                    targets.add(f"{path}?{urlencode(query)}", **probe)
            for field_name in orderable:
                targets.add(f"{path}?ordering=-{field_name}", **probe)
            for index, (name, param_schema) in enumerate(sorted(query_params.items())):
                if name in NON_FILTER_PARAMS:
                    continue
                values = [v.value for v in world.url_kwargs.get(name, [])]
                if param_schema.get("type", "string") == "string":
                    values.append(terms[index % len(terms)])
                for value in values:
                    targets.add(f"{path}?{urlencode({name: str(value)})}", **probe)


def build_targets(world: World, schema: dict[str, Any] | None = None) -> TargetSet:
    """Every request of the crawl, for every audience alike (the crawl must not depend on who asks)."""
    targets = TargetSet()
    targets.patterns = url_patterns()
    for pattern in targets.patterns:
        _expand_pattern(pattern, world, targets)
    _admin_probes(world.markers, targets)
    if schema is None:
        schema = fetch_schema(world.users[OPERATOR])
    _schema_targets(schema, world, targets)
    for path in world.extra_paths:
        targets.add(path, source="capability")
    return targets


# --- Crawl ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    audience: str
    target: Target
    status: int
    marker: Marker
    where: str  # "body", "header Location", "cookie"

    def describe(self) -> str:
        return (
            f"{self.audience}: {self.target.label} -> HTTP {self.status}: {self.marker.description} "
            f"({self.marker.value}) in {self.where} [source {self.target.source}]"
        )


@dataclass
class CrawlReport:
    audience: str
    requests: int = 0
    skipped: int = 0  # staff-only probes not sent for a user who is not staff
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    answers: dict[Target, tuple[int, str]] = field(default_factory=dict)  # status and Location
    leaks: list[Hit] = field(default_factory=list)
    seen: list[Hit] = field(default_factory=list)  # allowed observations (positive controls)
    server_errors: list[str] = field(default_factory=list)
    relogins: list[str] = field(default_factory=list)  # targets that ended the session

    def seen_markers(self) -> set[str]:
        return {hit.marker.value for hit in self.seen}

    def seen_on(self, path: str) -> set[str]:
        return {hit.marker.value for hit in self.seen if hit.target.path == path}

    def leak_summary(self, limit: int = 60) -> str:
        lines = [hit.describe() for hit in self.leaks[:limit]]
        if len(self.leaks) > limit:
            lines.append(f"... and {len(self.leaks) - limit} more")
        return "\n".join(lines)


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        # The test client closes the response once its content is consumed; closing it again would send
        # request_finished a second time, which closes the test's database connection.
        if not hasattr(response, "_canary_body"):
            response._canary_body = b"".join(response.streaming_content)
        return response._canary_body
    return response.content


def _jose_segments(body: bytes) -> str:
    """The decoded header and payload of a compact JWS (a signed credential): base64url would hide a
    marker from a plain text search."""
    decoded = []
    for segment in body.strip().split(b".")[:2]:
        try:
            decoded.append(base64.urlsafe_b64decode(segment + b"=" * (-len(segment) % 4)).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
    return "\n".join(decoded)


def _regions(response) -> list[tuple[str, str]]:
    regions = [("body", _body(response).decode("utf-8", errors="replace").lower())]
    if response.get("Content-Type", "").startswith("application/vc+jwt"):
        regions.append(("decoded JWS", _jose_segments(_body(response)).lower()))
    regions += [(f"header {name}", f"{value}".lower()) for name, value in response.items()]
    if response.cookies:
        regions.append(("cookies", response.cookies.output().lower()))
    return regions


def _request(client: Client, target: Target):
    if target.method == "OPTIONS":
        return client.options(target.path, HTTP_ACCEPT=target.accept)
    assert target.method in {"GET", "HEAD"}, "the crawl sends safe methods only"
    return client.generic(target.method, target.path, HTTP_ACCEPT=target.accept)


@contextmanager
def _quiet_request_logs():
    """4xx responses by the thousand would flood the captured log; server errors are still logged."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security", "axes")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def crawl(audience: str, user, targets: Iterable[Target], markers: list[Marker]) -> CrawlReport:
    """Request every target as ``audience`` (``user`` None: anonymous) and check every marker."""
    with _quiet_request_logs():
        return _crawl(audience, user, targets, markers)


def _crawl(audience: str, user, targets: Iterable[Target], markers: list[Marker]) -> CrawlReport:
    report = CrawlReport(audience)
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    needles = [(marker, marker.value.lower()) for marker in markers]
    started = time.monotonic()
    is_staff = user is not None and user.is_staff
    for target in targets:
        if target.staff_only and not is_staff:
            report.skipped += 1
            continue
        response = _request(client, target)
        report.requests += 1
        report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
        report.answers[target] = (response.status_code, response.get("Location", ""))
        if response.status_code >= 500:
            report.server_errors.append(f"{target.label} -> HTTP {response.status_code}")
        for where, text in _regions(response):
            for marker, needle in needles:
                if needle in text:
                    hit = Hit(audience, target, response.status_code, marker, where)
                    allowed = marker.allowed_for(audience, target.grants)
                    (report.seen if allowed else report.leaks).append(hit)
        session = getattr(getattr(response, "wsgi_request", None), "session", None)
        if user is not None and session is not None and SESSION_KEY not in session:
            report.relogins.append(target.label)
            client.force_login(user)
    report.seconds = time.monotonic() - started
    return report
