"""The hand-written list query (`passports.list_query`) lists exactly what the ORM statement of the rule
lists (`list_reference`): for every audience, both kinds of grant, every filter, search (wildcards and
case included), ordering and page; and the API reads its parameters as DRF's filters did."""

from __future__ import annotations

import itertools
import json

import pytest
from django.db import connection
from guardian.shortcuts import assign_perm
from rest_framework.renderers import JSONRenderer

from passports import services
from passports.api.serializers import passport_list_rows
from passports.list_query import PassportListFilters, PassportListQuery
from portal.tenancy.groups import organization_group
from portal.tenancy.selectors import active_organization_of
from tests.factories import BEFORE_OBLIGATIONS

from .conftest import AUTHORITY, CERTIFIER, OWNER_ADMIN, OWNER_VIEWER, PARTNER, STRANGER, make_passport
from .list_reference import filtered_rows

pytestmark = pytest.mark.django_db

LIST = "/api/v1/passports/"
LISTERS = (OWNER_VIEWER, PARTNER, STRANGER, CERTIFIER, AUTHORITY)


@pytest.fixture
def crowd(world):
    """The world plus: an LMT model with passports in every state, a stranger's passports (one granted
    directly to the partner while still a draft, one under the body's review and never published, one the
    partner holds both grants on), identifiers with LIKE wildcards and mixed case, and a repurposed passport
    with its successor."""
    admin, stranger = world.users[OWNER_ADMIN], world.users[STRANGER]
    partner = world.organizations["partner"]
    lmt = services.battery_model_create(
        actor=admin,
        organization=world.organizations["owner"],
        values={"model_name": "Scooter_Pack 5%", "manufacturer_part_id": "SP-5", "battery_category": "lmt"},
    )
    identifiers = ["urn:epc:LMT-a%1", "urn:epc:lmt-b_2", "urn:epc:lmt-bx2", "URN:EPC:LMT-D"]
    for n, identifier in enumerate(identifiers):
        passport = make_passport(admin, lmt, identifier)
        if n != 1:
            services.passport_publish(actor=admin, passport=passport, on=BEFORE_OBLIGATIONS)
        if n == 2:
            services.passport_update(actor=admin, passport=passport, values={"manufacturing_place": "Graz"})
        if n == 3:
            services.passport_change_status(
                actor=admin, passport=passport, status="repurposed", new_unique_identifier="urn:epc:lmt-d2"
            )
    services.grant_legitimate_interest(actor=admin, target=lmt, organization=partner)
    theirs = services.battery_model_create(
        actor=stranger,
        organization=world.organizations["stranger"],
        values={"model_name": "Canary Pack 75", "manufacturer_part_id": "X-1", "battery_category": "ev"},
    )
    draft_only = make_passport(stranger, theirs, "urn:epc:stranger-draft")
    services.grant_legitimate_interest(actor=stranger, target=draft_only, organization=partner)
    published = make_passport(stranger, theirs, "urn:epc:stranger-published")
    services.passport_publish(actor=stranger, passport=published, on=BEFORE_OBLIGATIONS)
    # Under review by the body, never published: the body reads it (the review's working data), nobody else.
    reviewed = make_passport(stranger, theirs, "urn:epc:stranger-in-review")
    assign_perm("view_confidential_passport", organization_group(world.organizations["body"]), reviewed)
    # Granted to the partner both ways, published: listed once, in the arm of published readable passports.
    both = make_passport(stranger, theirs, "urn:epc:stranger-both")
    services.passport_publish(actor=stranger, passport=both, on=BEFORE_OBLIGATIONS)
    services.grant_legitimate_interest(actor=stranger, target=both, organization=partner)
    assign_perm("view_confidential_passport", organization_group(partner), both)
    return {"lmt": lmt, "theirs": theirs}


def _filter_sets(crowd, world) -> list[PassportListFilters]:
    models = [None, world.battery_model.public_id, crowd["lmt"].public_id, crowd["theirs"].public_id]
    combos = [
        PassportListFilters(category=category, status=status, state=state)
        for category, status, state in itertools.product(
            ["", "ev", "lmt", "industrial"], ["", "original", "repurposed"], ["", "draft", "published"]
        )
    ]
    combos += [PassportListFilters(battery_model=model) for model in models]
    searches = [("lmt",), ("LMT", "b"), ("%",), ("_",), ("a%1",), ("canary",), ("scooter_pack",), ("zzz",)]
    combos += [PassportListFilters(search_terms=terms) for terms in searches]
    orderings = [("-created_at",), ("created_at",), ("unique_identifier",), ("-unique_identifier",)]
    combos += [PassportListFilters(ordering=ordering) for ordering in orderings]
    combos += [PassportListFilters(ordering=("unique_identifier", "-created_at"), search_terms=("urn",))]
    return combos


@pytest.mark.parametrize("audience", LISTERS)
def test_sql_lists_what_the_orm_rule_lists(world, crowd, audience):
    user = world.users[audience]
    organization = active_organization_of(user)
    nonempty = 0
    for filters in _filter_sets(crowd, world):
        expected = filtered_rows(actor=user, filters=filters)
        query = PassportListQuery(organization, filters)
        rows, total = query.fetch(offset=0, limit=500)
        assert rows == expected, filters
        assert total == (len(expected) or None) and query.count() == len(expected), filters
        if PassportListQuery.encodes_json():  # PostgreSQL's encoding is what `passport_list_rows` renders
            texts, json_total = query.fetch_json(offset=0, limit=500)
            assert [json.loads(text) for text in texts] == _rendered(passport_list_rows(expected)), filters
            assert json_total == total, filters
        nonempty += bool(expected)
        # Pages are slices of the same order.
        if len(expected) > 2:
            second, total = query.fetch(offset=2, limit=2)
            assert second == expected[2:4] and total == len(expected), filters
            if PassportListQuery.encodes_json():
                texts, total = query.fetch_json(offset=2, limit=2)
                assert [json.loads(text) for text in texts] == _rendered(passport_list_rows(expected[2:4]))
    assert nonempty > 10  # the combinations are not all empty


@pytest.mark.parametrize("audience", [OWNER_VIEWER, PARTNER, AUTHORITY])
def test_search_matching_more_models_than_passed_as_ids(world, crowd, audience, monkeypatch):
    """Beyond `MODEL_IDS_LIMIT` matching battery models, a term's model half is a look-up of each passport's
    model instead of a list of ids (the scale run's "bench" matched 30,000 models): the same rows, pages and
    totals."""
    from passports import list_query

    monkeypatch.setattr(list_query, "MODEL_IDS_LIMIT", 0)
    user = world.users[audience]
    organization = active_organization_of(user)
    searches = [("lmt",), ("LMT", "b"), ("scooter_pack",), ("canary",), ("zzz",), ("%",)]
    for filters in [PassportListFilters(search_terms=terms) for terms in searches]:
        expected = filtered_rows(actor=user, filters=filters)
        query = PassportListQuery(organization, filters)
        rows, total = query.fetch(offset=0, limit=500)
        assert rows == expected, filters
        assert total == (len(expected) or None) and query.count() == len(expected), filters
        if len(expected) > 2:
            assert query.fetch(offset=2, limit=2) == (expected[2:4], len(expected)), filters


def _walked(query: PassportListQuery, size: int) -> list:
    """Every row of the list, read page by page through the cursors from the first page."""
    walked, page = [], query.page(size)
    while page is not None:
        walked += page.rows
        page = query.page(size, key=page.next_key) if page.has_next else None
    return walked


@pytest.mark.parametrize("audience", [OWNER_VIEWER, PARTNER, AUTHORITY])
def test_a_broad_search_is_estimated_not_counted(world, crowd, audience, monkeypatch):
    """A term matching more than `MODEL_IDS_LIMIT` models with more than `BROAD_SEARCH_ESTIMATE` estimated
    matches is not counted: the rows, pages and cursor walks are the rule's, the total PostgreSQL's estimate
    and said to be one. Below the estimate's threshold the same search is counted."""
    from passports import list_query

    if connection.vendor != "postgresql":
        pytest.skip("planner estimates are PostgreSQL's")
    monkeypatch.setattr(list_query, "MODEL_IDS_LIMIT", 0)
    user = world.users[audience]
    organization = active_organization_of(user)
    checked = 0
    for terms in [("pack",), ("scooter_pack",), ("Pack", "5")]:
        filters = PassportListFilters(search_terms=terms)
        expected = filtered_rows(actor=user, filters=filters)
        if not expected:
            continue
        monkeypatch.setattr(list_query, "BROAD_SEARCH_ESTIMATE", 0)
        query = PassportListQuery(organization, filters)
        first = query.page(500)
        # The estimate, never below the rows the page already holds.
        assert first.rows == expected and first.estimated, filters
        assert first.total == max(query._estimate, len(expected)), filters
        assert _walked(query, 1) == expected, filters
        if len(expected) > 1:
            assert query.page(1, offset=1).rows == expected[1:2], filters
        monkeypatch.setattr(list_query, "BROAD_SEARCH_ESTIMATE", 10**9)
        counted = PassportListQuery(organization, filters).page(500)
        assert counted.rows == expected and (counted.total, counted.estimated) == (len(expected), False)
        checked += 1
    assert checked


def test_an_estimated_total_is_never_below_the_rows_already_passed(world, crowd, monkeypatch):
    """An estimate lower than what the pages have shown (a sample's, the planner's) is raised to the rows
    passed, plus the one that tells another page follows."""
    from passports import list_query

    if connection.vendor != "postgresql":
        pytest.skip("planner estimates are PostgreSQL's")
    monkeypatch.setattr(list_query, "MODEL_IDS_LIMIT", 0)
    monkeypatch.setattr(list_query, "BROAD_SEARCH_ESTIMATE", 0)
    monkeypatch.setattr(PassportListQuery, "_estimate", property(lambda self: 1))
    user = world.users["authority"]
    filters = PassportListFilters(search_terms=("pack",))
    expected = filtered_rows(actor=user, filters=filters)
    assert len(expected) > 3
    organization = active_organization_of(user)
    third = PassportListQuery(organization, filters).page(1, offset=2)
    assert third.rows == expected[2:3] and third.estimated and third.total == 4
    last = PassportListQuery(organization, filters).page(1, offset=len(expected) - 1)
    assert last.rows == expected[-1:] and last.total == len(expected) and not last.has_next


@pytest.mark.parametrize("spread", ["clustered", "spread", "probed"])
@pytest.mark.parametrize("walk", [1, 3, 10**6])
@pytest.mark.parametrize("cap", [0, 1, 3])
@pytest.mark.parametrize("audience", [OWNER_VIEWER, PARTNER, AUTHORITY])
def test_a_search_pages_from_its_matches_or_from_the_table(
    world, crowd, audience, cap, walk, spread, monkeypatch
):
    """A search reads each arm's matches once, up to `EXACT_COUNT_LIMIT` + 1 (or, spread over the table, its
    first `SEARCH_FIRST_MATCHES` + 1; or, for an authority's term frequent among the newest passports, none),
    and takes the arm's page from them when they are all there; when not, from a walk of up to
    `SEARCH_WALK_LIMIT` passports down the list's order when that finds the whole page, else from the table:
    the same rows every way, on the first page, at an offset and walked by cursor in both directions."""
    from passports import list_query

    monkeypatch.setattr(list_query, "EXACT_COUNT_LIMIT", cap)
    monkeypatch.setattr(list_query, "SEARCH_WALK_LIMIT", walk)
    if spread == "spread":  # every arm's first match already counts as spread: the count stops there
        monkeypatch.setattr(list_query, "SEARCH_FIRST_MATCHES", 0)
        monkeypatch.setattr(list_query, "SEARCH_CLUSTERED_BLOCKS", 0)
    elif spread == "probed":  # one match among the newest three passports: the index is not read
        monkeypatch.setattr(list_query, "SEARCH_PROBE_ROWS", 3)
        monkeypatch.setattr(list_query, "SEARCH_PROBE_MIN", 1)
        monkeypatch.setattr(list_query, "SEARCH_PROBE_MAX_SHARE", 1.0)
    user = world.users[audience]
    organization = active_organization_of(user)
    searches = [("lmt",), ("LMT", "b"), ("urn",), ("canary",), ("zzz",), ("%",)]
    orderings = [("-created_at",), ("unique_identifier", "-created_at")]
    for filters in [PassportListFilters(search_terms=t, ordering=o) for t in searches for o in orderings]:
        expected = filtered_rows(actor=user, filters=filters)
        query = PassportListQuery(organization, filters)
        first = query.page(500)
        assert (first.rows if first else []) == expected, filters
        if len(expected) > 2:
            assert query.page(2, offset=2).rows == expected[2:4], filters
        assert _walked(query, 2) == expected, filters
        if len(expected) > 2:
            last = query.page(2, key=query.page(2, offset=len(expected) - 2).previous_key)
            assert last.rows == expected[-4:-2], filters


@pytest.mark.parametrize("walked", [False, True])
@pytest.mark.parametrize("many_models", [False, True])
@pytest.mark.parametrize("audience", [OWNER_VIEWER, PARTNER, AUTHORITY])
def test_a_search_with_common_trigrams_lists_what_the_rule_lists(
    world, crowd, audience, many_models, walked, monkeypatch
):
    """With trigrams every identifier holds (`urn`, `epc`, ...), the index is asked for the term's other parts
    and the term checked on what it returns (`portal.trigram_search`): the same rows, pages and totals, beside
    a model name, with LIKE's wildcards and case."""
    from passports import list_query
    from portal import trigram_search

    if connection.vendor != "postgresql":
        pytest.skip("the trigram index is PostgreSQL's")
    common = trigram_search.value_trigrams("urn:epc")
    monkeypatch.setattr(trigram_search, "common_trigrams", lambda index: frozenset(common))
    if many_models:
        monkeypatch.setattr(list_query, "MODEL_IDS_LIMIT", 0)
    user = world.users[audience]
    organization = active_organization_of(user)
    searches = [
        ("urn:epc:lmt-b_2",),
        ("URN:EPC:LMT-A%1",),
        ("epc:lmt-bx",),
        ("urn:epc:stranger",),
        ("urn:", "d2"),
    ]
    cut = 0
    for filters in [PassportListFilters(search_terms=terms) for terms in searches]:
        expected = filtered_rows(actor=user, filters=filters)
        query = PassportListQuery(organization, filters)
        cut += "strpos" in query._filtered[0].text
        rows, total = query.fetch(offset=0, limit=500)
        assert rows == expected, filters
        assert total == (len(expected) or None) and query.count() == len(expected), filters
        assert _walked(query, 1) == expected, filters
    assert cut >= 4  # the index was asked for parts of these terms, not for them whole


@pytest.mark.parametrize("companies_read", ["each", "walked", "looked up"])
@pytest.mark.parametrize("audience", LISTERS)
def test_manufacturer_and_country_filters_list_what_the_rule_lists(
    world, crowd, audience, companies_read, monkeypatch
):
    """`manufacturer` (a BPNL) and `country` narrow the list to the passports of those companies, with and
    without the other filters, on every page: each company's rows read from its own index and merged (up to
    `COMPANY_PAGES_LIMIT` companies), the companies passed as ids to a walk down the list's order (up to
    `MODEL_IDS_LIMIT`), or each walked passport's company looked up."""
    from passports import list_query

    if companies_read != "each":
        monkeypatch.setattr(list_query, "COMPANY_PAGES_LIMIT", 0)
    if companies_read == "looked up":
        monkeypatch.setattr(list_query, "MODEL_IDS_LIMIT", 0)
    owner, stranger = world.organizations["owner"], world.organizations["stranger"]
    type(stranger).objects.filter(pk=stranger.pk).update(country="JP")
    user = world.users[audience]
    organization = active_organization_of(user)
    combos = [
        {"manufacturer": owner.bpnl},
        {"manufacturer": stranger.bpnl},
        {"manufacturer": world.organizations["partner"].bpnl},  # a company without passports
        {"country": "JP"},
        {"country": "DE"},
        {"country": "FR"},  # no company there
        {"country": "DE", "manufacturer": stranger.bpnl},  # both: nothing
        {"country": "JP", "search_terms": ("stranger",), "state": "published"},
        {"manufacturer": owner.bpnl, "category": "lmt", "ordering": ("unique_identifier",)},
    ]
    listed = 0
    for combo in combos:
        filters = PassportListFilters(**combo)
        expected = filtered_rows(actor=user, filters=filters)
        query = PassportListQuery(organization, filters)
        rows, total = query.fetch(offset=0, limit=500)
        assert rows == expected, combo
        assert total == (len(expected) or None) and query.count() == len(expected), combo
        assert _walked(query, 2) == expected, combo
        listed += bool(expected)
    assert listed >= 2 or audience == STRANGER


def test_partner_sees_granted_published_passports_only(world, crowd):
    rows, _total = PassportListQuery(
        active_organization_of(world.users[PARTNER]), PassportListFilters(ordering=("unique_identifier",))
    ).fetch(offset=0, limit=100)
    listed = {row["unique_identifier"] for row in rows}
    # The LMT model grant covers its published passports; the directly granted draft is not listed yet.
    assert listed == {
        "urn:epc:canary-0001",
        "urn:epc:LMT-a%1",
        "urn:epc:lmt-bx2",
        "URN:EPC:LMT-D",
        "urn:epc:stranger-both",
    }
    assert all(row["draft_number"] is None and row["is_own"] is False for row in rows)


def _rendered(data) -> object:
    return json.loads(JSONRenderer().render(data))


def test_no_organization_lists_nothing():
    assert PassportListQuery(None, PassportListFilters()).fetch(offset=0, limit=10) == ([], None)
    assert PassportListQuery(None, PassportListFilters()).fetch_json(offset=0, limit=10) == ([], None)
    assert PassportListQuery(None, PassportListFilters()).count() == 0


@pytest.mark.parametrize(
    ("params", "filters"),
    [
        ({}, PassportListFilters()),
        ({"category": "lmt", "status": "original"}, PassportListFilters(category="lmt", status="original")),
        ({"state": "draft"}, PassportListFilters(state="draft")),
        ({"search": "lmt, b"}, PassportListFilters(search_terms=("lmt", "b"))),
        ({"search": '"lmt b"'}, PassportListFilters(search_terms=("lmt b",))),
        ({"ordering": "unique_identifier"}, PassportListFilters(ordering=("unique_identifier",))),
        ({"ordering": "-unique_identifier,created_at"},
         PassportListFilters(ordering=("-unique_identifier", "created_at"))),
        ({"ordering": "status"}, PassportListFilters()),  # not an ordering field: ignored, as DRF does
        ({"ordering": "unique_identifier,secret"}, PassportListFilters(ordering=("unique_identifier",))),
    ],
)  # fmt: skip
def test_api_reads_parameters_as_drf_filters_did(world, crowd, params, filters):
    user = world.users[OWNER_VIEWER]
    expected = filtered_rows(actor=user, filters=filters)
    response = world.client(OWNER_VIEWER).get(LIST, {**params, "page_size": 200})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(expected)
    assert body["results"] == _rendered(passport_list_rows(expected))


def test_model_filter_by_id_and_bad_parameters(world, crowd):
    client = world.client(OWNER_VIEWER)
    lmt = client.get(LIST, {"battery_model": str(crowd["lmt"].public_id)}).json()
    assert lmt["count"] == 5 and {row["category"] for row in lmt["results"]} == {"lmt"}
    response = client.get(LIST, {"category": "bike", "battery_model": "nope", "state": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"category", "battery_model", "state"}
    assert response.json()["battery_model"] == ["Enter a valid UUID."]


def test_manufacturer_and_country_parameters(world, crowd):
    """The API reads `manufacturer` as a BPNL (any case, separators allowed, normalised) and `country` as an
    ISO code (any case); anything else is a 400 on its field."""
    from passports.models import Passport

    owner = world.organizations["owner"]
    client = world.client(AUTHORITY)
    spaced = f"{owner.bpnl[:4].lower()} {owner.bpnl[4:]}"
    theirs = client.get(LIST, {"manufacturer": spaced, "country": "de", "page_size": 200})
    assert theirs.status_code == 200, theirs.content
    published = Passport.objects.filter(organization=owner, versions__state="published").distinct()
    assert {row["id"] for row in theirs.json()["results"]} == {str(p.public_id) for p in published}
    assert published.exists() and client.get(LIST, {"country": "JP"}).json()["count"] == 0
    response = client.get(LIST, {"manufacturer": "BPNL0000", "country": "Germany"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"manufacturer", "country"}
    assert "business partner number" in body["manufacturer"][0]
    assert body["country"] == ["Select a valid choice. Germany is not one of the available choices."]


def test_prepared_and_plain_cursors_give_the_same_page(world, crowd, settings):
    """PostgreSQL prepares the hot queries (server-side binding); turned off, the same rows come back."""
    organization = active_organization_of(world.users[PARTNER])
    filters = PassportListFilters(search_terms=("lmt",), ordering=("unique_identifier",))
    pages = [PassportListQuery(organization, filters) for _ in range(3)]
    prepared = [(query.fetch(offset=0, limit=10), query.fetch_json(offset=0, limit=10)) for query in pages]
    settings.PREPARED_HOT_QUERIES = False
    query = PassportListQuery(organization, filters)
    plain = (query.fetch(offset=0, limit=10), query.fetch_json(offset=0, limit=10))
    assert prepared[0] == prepared[1] == prepared[2] == plain
    assert plain[0][1] == plain[1][1] == 3


def test_reviewing_body_lists_its_unpublished_review_passport(world, crowd):
    rows, _total = PassportListQuery(
        active_organization_of(world.users[CERTIFIER]), PassportListFilters(ordering=("unique_identifier",))
    ).fetch(offset=0, limit=100)
    listed = {row["unique_identifier"]: row for row in rows}
    assert (
        "urn:epc:stranger-in-review" in listed
        and listed["urn:epc:stranger-in-review"]["latest_published_number"] is None
    )
    partner_rows, _total = PassportListQuery(
        active_organization_of(world.users[PARTNER]), PassportListFilters()
    ).fetch(offset=0, limit=100)
    assert "urn:epc:stranger-in-review" not in {row["unique_identifier"] for row in partner_rows}
