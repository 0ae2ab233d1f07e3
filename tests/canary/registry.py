"""Canary-crawl registry: where each capability plugs its confidential test data into the crawl.

The canary crawl (``tests/canary/test_canary_crawl.py``) proves the confidentiality promise of the
architecture guide ("Confidentiality: one declaration, enforced on every path"): company A's
non-public values must never reach a response for an audience that may not see them, whatever the
URL, format, query string or object id.

How it works
------------
1. The fixtures in ``tests/canary/conftest.py`` build one user per *audience* (see ``AUDIENCES``) and
   a ``World`` holding them and company A. Besides company A's own people, another company, a
   certification body, an authority and the operator, the audiences include two partners (one holding a
   legitimate-interest grant on a passport of company A, one on a battery model) and a second
   certification body whose review has closed: the grants and reviews that make them readers are given
   by the planters (``capabilities/passports_shared.py``), the users only exist here. Likewise company
   A's direct supplier and a customer of company A in the supplier data exchange
   (``capabilities/exchange.py`` sends and answers their requests).
2. Every registered capability *plants* company A's data. Each confidential or restricted value is a
   unique marker string (``new_marker_value("site-name")`` gives ``CANARY-site-name-1a2b3c4d``) and
   the planter returns one ``Marker`` per value: the value, a description for failure messages, and
   the audiences allowed to see it (``visible_to``).
3. Every capability may also provide *URL kwargs*: for URL parameter names (``public_id``, ``pk``,
   ``token``, ``uidb64``, ...) the ids of company A's objects, so that every audience tries to open A's
   objects directly. Parameters nobody provides get a fallback (a well-formed id that does not exist).
4. ``tests/canary/crawler.py`` enumerates every URL pattern of the resolver, every admin changelist,
   change view, search and autocomplete, and every path of the OpenAPI schema; requests each (GET,
   plus JSON and OPTIONS for API paths; never an unsafe method) as one audience; and reports every
   response (body, headers or cookies) containing a marker that audience may not see.

Plugging a capability in (e.g. passports)
-----------------------------------------
Create ``tests/canary/capabilities/passports.py``; every module of that package is imported
automatically, and the crawl then covers its URLs (found by the resolver and the OpenAPI schema)::

    from tests.canary.registry import A_MANAGERS, Marker, ParamValue, World, new_marker_value, register

    def passport_ids(world: World) -> dict[str, list[ParamValue]]:
        passport = world.objects["passport"]
        return {"public_id": [ParamValue(passport.public_id, "company A's draft passport")]}

    @register("passports", url_kwargs=passport_ids)
    def plant_passports(world: World) -> list[Marker]:
        supplier = new_marker_value("supplier-name")
        world.objects["passport"] = PassportFactory(organization=world.company_a, supplier_name=supplier)
        return [Marker(supplier, "passport supplier identity", visible_to=A_MANAGERS)]

A certifier allowed to see a passport under review is planted the same way: the planter grants the
certifier audience's user the object permission and lists ``CERTIFIER`` in ``visible_to`` (and in
``expect_seen_by``, so the crawl proves the reviewer does see it). ``extra_paths`` adds URLs the
crawl cannot guess (``?format=csv`` exports, HTML list filters). Run the crawl with
``make test PYTEST_ARGS="-q tests/canary"``; a failure names the audience, the request, the status,
the marker and where it appeared (body, header, cookies).

Rules for markers
-----------------
* Values are matched case-insensitively as plain substrings of the body, every header and every
  cookie. Keep them ASCII letters, digits and ``-`` so HTML/JSON escaping cannot hide them (e-mail
  markers are the local part: ``f"{value}@example.com"``).
* ``visible_to`` holds audience names and *bearer* names (``INVITEE``): a bearer name is granted to
  whoever requests a URL carrying a secret capability token (``ParamValue.grants``), whatever their
  login, because holding the e-mailed link is what authorises them.
* ``NOBODY`` is for secrets that must never be rendered at all (token values, hashes, TOTP seeds).
* ``expect_seen_by`` are the audiences that *must* observe the marker somewhere in the crawl (the
  positive control that keeps the test from passing vacuously). By default the operator, who sees
  everything in the admin, must see every marker visible to operators.
* Search probes (admin ``?q=``, autocomplete ``term=``, API ``?search=``) send ``canary``, a
  substring of every ``CANARY-...`` marker, so one probe finds every planted row; markers of another
  shape (identifiers, secrets) are searched by their ``search_term``: by default all but their last
  three characters, so a page that merely echoes the query cannot produce a false positive, while a
  search that finds the row shows the full value and is caught.
"""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# --- Audiences ------------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
COMPANY_A = "company_a"  # administrator of company A, the owner of the planted data
COMPANY_A_VIEWER = "company_a_viewer"  # a viewer of company A (intra-tenant role restrictions)
COMPANY_B = "company_b"  # administrator of another company (Japanese, corporate number)
CERTIFIER = "certifier"  # reviewer at a certification body (with open reviews of company A)
AUTHORITY = "authority"  # inspector at a market surveillance authority
OPERATOR = "operator"  # platform operator: staff superuser, no membership
#: Administrator of a company holding a legitimate-interest grant on one of company A's passports.
PARTNER_PASSPORT = "partner_passport"
#: Administrator of a company holding a legitimate-interest grant on one of company A's battery models.
PARTNER_MODEL = "partner_model"
#: Reviewer at a second certification body whose review of company A's application has closed (approved).
CERTIFIER_AFTER_REVIEW = "certifier_after_review"
#: Administrator of company A's direct supplier in the data exchange (it answered A's request).
EXCHANGE_SUPPLIER = "exchange_supplier"
#: Administrator of a customer of company A in the data exchange (A answered its request): the customer's
#: customer of A's supplier, who must never see what A received from upstream.
EXCHANGE_CUSTOMER = "exchange_customer"

AUDIENCES: tuple[str, ...] = (
    ANONYMOUS,
    COMPANY_A,
    COMPANY_A_VIEWER,
    COMPANY_B,
    CERTIFIER,
    AUTHORITY,
    OPERATOR,
    PARTNER_PASSPORT,
    PARTNER_MODEL,
    CERTIFIER_AFTER_REVIEW,
    EXCHANGE_SUPPLIER,
    EXCHANGE_CUSTOMER,
)

#: Bearer audience: whoever holds a valid invitation link (the invitee, not logged in as anyone of A).
INVITEE = "invitee"

NOBODY: frozenset[str] = frozenset()
EVERYONE: frozenset[str] = frozenset(AUDIENCES)
#: Company A's members of any role, and the operator.
A_SIDE: frozenset[str] = frozenset({COMPANY_A, COMPANY_A_VIEWER, OPERATOR})
#: Company A's managers (administrators) and the operator.
A_MANAGERS: frozenset[str] = frozenset({COMPANY_A, OPERATOR})


def new_marker_value(purpose: str) -> str:
    """A unique marker: ``CANARY-<purpose>-<8 hex>``; ``purpose`` should be short ASCII with dashes."""
    return f"CANARY-{purpose}-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Marker:
    value: str
    description: str
    visible_to: frozenset[str]
    expect_seen_by: frozenset[str] | None = None
    search_term: str = ""

    def __post_init__(self) -> None:
        if len(self.value) < 8:
            raise ValueError(f"marker {self.value!r} is too short to be unique")
        object.__setattr__(self, "visible_to", frozenset(self.visible_to))
        if self.expect_seen_by is None:
            object.__setattr__(
                self, "expect_seen_by", frozenset({OPERATOR}) if OPERATOR in self.visible_to else NOBODY
            )
        else:
            object.__setattr__(self, "expect_seen_by", frozenset(self.expect_seen_by))
        if not self.expect_seen_by <= self.visible_to:
            raise ValueError(f"{self.description}: expect_seen_by must be a subset of visible_to")
        if not self.search_term:
            object.__setattr__(self, "search_term", _default_search_term(self.value))

    def allowed_for(self, audience: str, grants: frozenset[str] = NOBODY) -> bool:
        return audience in self.visible_to or bool(grants & self.visible_to)


def _default_search_term(value: str) -> str:
    # CANARY-<purpose>-<hex>: the hex part; anything else: all but the last three characters.
    # (A search for the whole value would be echoed in the page: a false positive.)
    head, _sep, tail = value.rpartition("-")
    if head.upper().startswith("CANARY") and len(tail) >= 6:
        return tail
    return value[:-3]


@dataclass(frozen=True)
class ParamValue:
    """A value to substitute for a URL parameter.

    ``value`` goes through the pattern's converter (``to_url``) when there is one. ``grants`` are
    bearer names given to whoever requests a URL built with this value (a signed invitation link);
    ``url_names`` restricts the value to these qualified URL names (``"tenancy:invitation_accept"``),
    or shell-style patterns of them (``"passports:*"``, ``"api:passport-*"``), ``None`` meaning every
    pattern with a parameter of that name. Restricting an object's id to the URLs that name objects of
    its kind keeps the crawl's size in check: every id is multiplied by every pattern it applies to, and
    a site's id on a passport URL can only ever answer 404 (the fallback id tests that already).
    """

    value: Any
    note: str
    grants: frozenset[str] = NOBODY
    url_names: frozenset[str] | None = None

    def applies_to(self, url_name: str | None) -> bool:
        if self.url_names is None:
            return True
        if url_name is None:
            return False
        return url_name in self.url_names or any(
            fnmatch.fnmatchcase(url_name, pattern) for pattern in self.url_names if "*" in pattern
        )


@dataclass
class World:
    """What planters and providers work on: company A, one user per audience, shared objects."""

    company_a: Any
    users: dict[str, Any]  # audience -> User (None for anonymous)
    objects: dict[str, Any] = field(default_factory=dict)
    markers: list[Marker] = field(default_factory=list)
    url_kwargs: dict[str, list[ParamValue]] = field(default_factory=dict)
    extra_paths: list[str] = field(default_factory=list)


Planter = Callable[[World], Iterable[Marker]]
UrlKwargsProvider = Callable[[World], Mapping[str, Iterable[ParamValue]]]
ExtraPathsProvider = Callable[[World, list[Marker]], Iterable[str]]


@dataclass(frozen=True)
class Capability:
    name: str
    plant: Planter
    url_kwargs: UrlKwargsProvider | None = None
    #: Extra paths (with query strings) the generic crawl cannot guess: filters of HTML list views,
    #: export formats, ... Called after every planter ran, with all markers.
    extra_paths: ExtraPathsProvider | None = None


_REGISTRY: dict[str, Capability] = {}


def register(
    name: str,
    *,
    url_kwargs: UrlKwargsProvider | None = None,
    extra_paths: ExtraPathsProvider | None = None,
) -> Callable[[Planter], Planter]:
    """Decorator registering a planter (and optionally its URL kwargs and extra paths) as ``name``."""

    def decorator(plant: Planter) -> Planter:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.plant.__qualname__ != plant.__qualname__:
            raise ValueError(f"canary capability {name!r} registered twice")
        _REGISTRY[name] = Capability(name, plant, url_kwargs, extra_paths)
        return plant

    return decorator


def autodiscover() -> None:
    """Import every module of ``tests.canary.capabilities`` (each registers itself)."""
    package = importlib.import_module("tests.canary.capabilities")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")


def capabilities() -> list[Capability]:
    autodiscover()
    # The foundation plants first; the others in name order, so a later one can use its objects.
    return sorted(_REGISTRY.values(), key=lambda cap: (cap.name != "foundation", cap.name))


def plant_all(world: World) -> World:
    """Run every planter, then every provider; fills ``world.markers``, ``url_kwargs``, ``extra_paths``."""
    caps = capabilities()
    for cap in caps:
        planted = list(cap.plant(world))
        if not planted:
            raise AssertionError(f"canary capability {cap.name!r} planted no marker")
        world.markers.extend(planted)
    values = [m.value.lower() for m in world.markers]
    duplicates = {v for v in values if values.count(v) > 1}
    if duplicates:
        raise AssertionError(f"marker values must be unique: {sorted(duplicates)}")
    for cap in caps:
        if cap.url_kwargs is not None:
            for name, params in cap.url_kwargs(world).items():
                world.url_kwargs.setdefault(name, []).extend(params)
        if cap.extra_paths is not None:
            world.extra_paths.extend(cap.extra_paths(world, world.markers))
    return world
