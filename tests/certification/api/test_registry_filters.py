"""The certificate list API shares the registry's filters and sorting with the page: every filter and sort
key, the historical parameter names, 400 with field messages for values that cannot be read, and the
caller's scope under every filter."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from ..conftest import CATENA_X, OURANOS
from ..registry_world import LEI_A

pytestmark = pytest.mark.django_db

URL = "/api/v1/certificates/"


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def numbers(client: APIClient, query: str = "") -> list[str]:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200, (query, response.content)
    return [row["number"] for row in response.json()["results"]]


def test_every_filter(world, inspector, company_b):
    client = client_of(inspector)
    w = world
    cases = {
        "q=company+a": {w.cx1, w.ou1},
        "search=company+a": {w.cx1, w.ou1},
        f"search={LEI_A}": {w.cx1, w.ou1},
        f"q={company_b.corporate_number}": {w.ou2},
        "status=expired": {w.cx2},
        f"scheme={OURANOS}": {w.ou1, w.ou2},
        "kind=recognised": {w.ou1},
        "recognised=no": {w.cx1, w.ou2, w.cx2},
        "country=FR": {w.cx2},
        "issued_from=2025-03-01&issued_to=2025-12-31": {w.cx1, w.ou1},
        "expires_from=2028-01-01": {w.cx1, w.ou2},
        f"issuing_body={w.body2.public_id}": {w.ou2, w.cx2},
        f"scheme={CATENA_X}&status=valid": {w.cx1},
    }
    for query, expected in cases.items():
        assert set(numbers(client, query)) == {c.number for c in expected}, query


def test_every_sort_key(world, inspector):
    client = client_of(inspector)
    w = world
    assert numbers(client) == [c.number for c in (w.ou2, w.ou1, w.cx1, w.cx2)]
    assert numbers(client, "ordering=number") == sorted(c.number for c in w.all)
    assert numbers(client, "ordering=-number") == sorted((c.number for c in w.all), reverse=True)
    assert numbers(client, "ordering=issued_at") == [c.number for c in (w.cx2, w.cx1, w.ou1, w.ou2)]
    assert numbers(client, "ordering=valid_until") == [c.number for c in (w.cx2, w.ou1, w.cx1, w.ou2)]
    assert numbers(client, "ordering=-valid_until") == [c.number for c in (w.ou2, w.cx1, w.ou1, w.cx2)]
    assert numbers(client, f"ordering=holder_name&scheme={OURANOS}") == [w.ou1.number, w.ou2.number]
    assert numbers(client, f"ordering=-holder_name&scheme={OURANOS}") == [w.ou2.number, w.ou1.number]
    paged = client.get(f"{URL}?ordering=number&page_size=3&page=2").json()
    assert [r["number"] for r in paged["results"]] == [sorted(c.number for c in w.all)[3]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=lost", "status"),
        ("scheme=no-such-scheme", "scheme"),
        ("scheme=a%00b", "scheme"),
        ("kind=maybe", "kind"),
        ("country=XX", "country"),
        ("issued_from=yesterday", "issued_from"),
        ("issued_from=2026-01-01&issued_to=2025-01-01", "issued_to"),
        ("expires_to=2025-02-30", "expires_to"),
        ("issuing_body=x", "issuing_body"),
        ("ordering=conditions", "ordering"),
        ("ordering=-reviewer_name", "ordering"),
        ("q=a%00b", "q"),
        ("search=a%1bb", "search"),
        ("search=" + "y" * 201, "search"),
    ],
)
def test_invalid_values_answer_400_on_their_field(world, inspector, query, field):
    response = client_of(inspector).get(f"{URL}?{query}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == [field], body
    assert body[field] and all(isinstance(message, str) and message for message in body[field])


def test_filters_never_reach_beyond_the_callers_scope(world, admin_a, admin_b):
    w = world
    for user, visible in ((admin_a, {w.cx1, w.ou1}), (admin_b, {w.ou2}), (w.admin_c, {w.cx2})):
        client = client_of(user)
        mine = {c.number for c in visible}
        assert set(numbers(client)) == mine
        for query in ("country=JP", "country=FR", f"issuing_body={w.body2.public_id}", "status=suspended"):
            assert set(numbers(client, query)) <= mine, (user, query)
        assert set(numbers(client, "q=OUR-OTH")) == mine & {w.ou2.number}


def test_a_search_with_common_trigrams_finds_what_icontains_finds(world, inspector, monkeypatch):
    """With trigrams every holder's name and number hold (`com`, `our`, ...), the index is asked for the
    term's other parts and the term checked on what it returns (`portal.trigram_search`): the certificates
    `icontains` finds in any of the five columns."""
    from django.db import connection
    from django.db.models import Q

    from certification.models import Certificate
    from certification.registry import SEARCH_INDEXES, registry_filter
    from portal import trigram_search

    if connection.vendor != "postgresql":
        pytest.skip("the trigram index is PostgreSQL's")
    common = trigram_search.value_trigrams("company our catx 000")
    monkeypatch.setattr(trigram_search, "common_trigrams", lambda index: frozenset(common))
    client = client_of(inspector)
    cut = 0
    terms = [
        "company a",
        "OUR-OTH",
        "our-cbg-2025",
        "CATX-OTH-0000002",
        "0000001",
        LEI_A[2:12],
        "catx-cbg",
        "nobody",
    ]
    for term in terms:
        anywhere = Q()
        for name in SEARCH_INDEXES:
            anywhere |= Q(**{f"{name}__icontains": term})
        expected = set(Certificate.objects.filter(anywhere).values_list("number", flat=True))
        listed = set(numbers(client, f"q={term}"))
        assert listed == expected & set(numbers(client)), term
        registry = registry_filter(actor=inspector, data={"q": term})
        assert registry.is_valid()
        cut += "strpos" in str(registry.qs.query)
    assert cut >= 3  # parts of these terms were asked for, not the terms whole
