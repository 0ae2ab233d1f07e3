"""The certificate registry at scale (issue 18): its sort orders are served by indexes, the total is exact
when small and an estimate (said to be one) when not, and keyset pages cover exactly the ordered list of
`Certificate.objects.restrict(actor, "view")` with the registry's filters, for every audience.

Two thousand certificates in bulk, analysed; the count limit is lowered for the estimate tests so they need
no more rows. The plans are PostgreSQL's, so those tests skip elsewhere."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from rest_framework.test import APIClient

from certification import registry
from certification.models import Certificate, CertificateStatus
from certification.registry import RegistryKey, registry_filter, registry_page
from portal.tenancy.models import OrganizationKind, Role
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db

BULK = 2_000
postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="PostgreSQL's plans and estimates"
)


@pytest.fixture
def crowd(catenax, company_a, company_b, certification_body, inspector, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    other_body = OrganizationFactory(kind=OrganizationKind.CERTIFICATION_BODY, legal_name="Other Body KK")
    holders = [company_a, company_b]
    bodies = [certification_body, other_body]
    start = datetime(2023, 1, 1, tzinfo=UTC)
    rows = []
    for n in range(BULK):
        holder, body = holders[n % 2], bodies[(n // 2) % 2]
        # Some share an issue time, holder name and expiry: ties are settled by the id on every page.
        issued = start + timedelta(hours=n // 4)
        rows.append(
            Certificate(
                public_id=uuid.uuid4(),
                number=f"BULK-{n:06d}",
                scheme=catenax,
                scheme_version=catenax.version,
                holder=holder,
                holder_name=f"{holder.legal_name} {n % 7}",
                holder_country=["DE", "JP", "FR"][n % 3],
                holder_bpnl=holder.bpnl or "",
                issuing_body=body,
                issuing_body_name=body.legal_name,
                issued_at=issued,
                valid_from=issued.date(),
                valid_until=issued.date() + timedelta(days=700 + n % 30),
                status=[CertificateStatus.VALID, CertificateStatus.SUSPENDED][n % 5 == 0],
                status_changed_at=issued,
            )
        )
    Certificate.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE certification_certificate" if connection.vendor == "postgresql" else "ANALYZE"
        )
    return {
        "inspector": inspector,
        "holder": member(Role.VIEWER, company_a, username="bulk-holder"),
        "body": member(Role.LEAD, certification_body, username="bulk-lead"),
        "stranger": member(Role.ADMIN, OrganizationFactory(legal_name="Nobody GmbH"), username="bulk-nobody"),
    }


def _qs(user, query: str = ""):
    found = registry_filter(actor=user, data=QueryDict(query))
    assert found.is_valid(), found.errors
    return found.qs


def _index_names(plan) -> set[str]:
    names: set[str] = set()
    if isinstance(plan, dict):
        if "Index Name" in plan:
            names.add(plan["Index Name"])
        for value in plan.values():
            names |= _index_names(value)
    elif isinstance(plan, list):
        for value in plan:
            names |= _index_names(value)
    return names


def _sorted_rows(plan) -> list[int]:
    found: list[int] = []
    if isinstance(plan, dict):
        if plan.get("Node Type") == "Sort":
            found.append(plan["Plan Rows"])
        for value in plan.values():
            found += _sorted_rows(value)
    elif isinstance(plan, list):
        for value in plan:
            found += _sorted_rows(value)
    return found


@postgresql_only
@pytest.mark.parametrize(
    ("ordering", "index"),
    [
        ("", "certification_cert_newest_first"),
        ("issued_at", "certification_cert_newest_first"),
        ("holder_name", "certification_cert_by_holder"),
        ("-holder_name", "certification_cert_by_holder"),
        ("valid_until", "certification_cert_by_expiry"),
        ("-valid_until", "certification_cert_by_expiry"),
        ("number", "certification_certificate_number"),
    ],
)
def test_every_sort_order_is_read_from_an_index(crowd, ordering, index):
    queryset = _qs(crowd["inspector"], f"ordering={ordering}" if ordering else "")
    first = list(queryset[:25])
    key = RegistryKey(
        registry.registry_ordering(queryset),
        (getattr(first[-1], ordering.lstrip("-") or "issued_at"),),
        first[-1].pk,
    )
    for page in (queryset[:26], registry_page_queryset(queryset, key)):
        plan = json.loads(page.explain(format="json"))
        names = _index_names(plan)
        assert any(name.startswith(index) for name in names), plan
        assert all(rows <= 26 for rows in _sorted_rows(plan)), plan  # no sort of the whole table


def registry_page_queryset(queryset, key: RegistryKey):
    """The queryset `registry_page` reads a cursor page with (the same condition, for EXPLAIN)."""
    column, descending = registry.registry_sort(queryset)
    from django.db.models import Q

    before, bound = ("lt", "lte") if descending else ("gt", "gte")
    (value,) = key.values
    after = Q(**{f"{column}__{bound}": value}) & (
        Q(**{f"{column}__{before}": value}) | Q(**{column: value, f"pk__{before}": key.pk})
    )
    return queryset.filter(after)[:26]


@postgresql_only
def test_large_totals_are_estimated_and_said_to_be(crowd, monkeypatch):
    monkeypatch.setattr(registry, "EXACT_COUNT_LIMIT", 300)
    total, estimated = registry.registry_total(_qs(crowd["inspector"]))
    assert estimated and 0.5 * BULK <= total <= 2 * BULK
    total, estimated = registry.registry_total(_qs(crowd["inspector"], "q=BULK-0001"))
    assert (total, estimated) == (100, False)
    client = APIClient()
    client.force_authenticate(crowd["inspector"])
    body = client.get("/api/v1/certificates/").json()
    assert body["count_is_estimate"] is True and body["next_cursor"]
    assert (
        client.get(body["next_cursor"]).json()["results"]
        == client.get("/api/v1/certificates/", {"page": 2}).json()["results"]
    )
    assert client.get("/api/v1/certificates/", {"cursor": "nope"}).status_code == 400
    small = client.get("/api/v1/certificates/", {"q": "BULK-0001"}).json()
    assert "count_is_estimate" not in small and small["count"] == 100
    page = client.get("/api/v1/certificates/", {"page": "last", "page_size": 200}).json()
    assert page["count"] >= BULK and page["next"] is None


@postgresql_only
def test_an_estimate_is_reused_for_the_same_list_and_scope_only(crowd, monkeypatch):
    """The next pages of a large list skip counting and planning for a minute; another filter or another
    viewer's scope is another list."""
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(registry, "EXACT_COUNT_LIMIT", 300)
    monkeypatch.setattr(registry, "PAGE_AMONG_IDS_LIMIT", 100)
    client = APIClient()
    client.force_authenticate(crowd["inspector"])
    first = client.get("/api/v1/certificates/").json()
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/api/v1/certificates/", {"page": 2}).json()
    assert again["count"] == first["count"] and again["count_is_estimate"] is True
    assert not any(q["sql"].startswith(("EXPLAIN", "SELECT COUNT(*)")) for q in queries)
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/certificates/", {"country": "JP"})
    assert any(q["sql"].startswith("EXPLAIN") for q in queries)
    holder = APIClient()
    holder.force_authenticate(crowd["holder"])
    with CaptureQueriesContext(connection) as queries:
        body = holder.get("/api/v1/certificates/").json()
    assert any(q["sql"].startswith("EXPLAIN") for q in queries)
    assert body["count"] <= first["count"]


@postgresql_only
def test_the_total_reads_ids_only_for_small_results_and_counts_in_the_database_up_to_the_limit(
    crowd, monkeypatch
):
    """Up to `PAGE_AMONG_IDS_LIMIT` matches the page is read among their ids, sent as one array parameter;
    above it the rows are counted in the database (exact up to `EXACT_COUNT_LIMIT`), no id list at all."""
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(registry, "PAGE_AMONG_IDS_LIMIT", 150)
    client = APIClient()
    client.force_authenticate(crowd["inspector"])
    with CaptureQueriesContext(connection) as queries:
        small = client.get("/api/v1/certificates/", {"q": "BULK-0001"}).json()
    assert small["count"] == 100 and "count_is_estimate" not in small
    page = next(q["sql"] for q in queries if "ANY(" in q["sql"])
    assert len(page) < 4_000, "the ids travel as one array parameter, not one placeholder each"
    with CaptureQueriesContext(connection) as queries:
        whole = client.get("/api/v1/certificates/").json()
    assert whole["count"] == registry.registry_total(_qs(crowd["inspector"]))[0]
    assert whole["count"] == Certificate.objects.count() and "count_is_estimate" not in whole
    assert not any("ANY(" in q["sql"] for q in queries)
    assert any(q["sql"].startswith("SELECT COUNT(*) FROM (SELECT") for q in queries)
    assert [row["number"] for row in whole["results"]] == list(
        _qs(crowd["inspector"]).values_list("number", flat=True)[:50]
    )


def test_the_api_list_reads_only_the_columns_of_its_rows(crowd):
    """A page of rows does not load the scheme's criteria and descriptions nor the certificate's scope."""
    from django.test.utils import CaptureQueriesContext

    client = APIClient()
    client.force_authenticate(crowd["inspector"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/certificates/").status_code == 200
    page = next(q["sql"] for q in queries if "LIMIT 50" in q["sql"] and "certification_scheme" in q["sql"])
    assert '"certification_scheme"."description"' not in page
    assert '"certification_certificate"."scope"' not in page


ORDERINGS = ("", "issued_at", "-holder_name", "holder_name", "valid_until", "-number")
QUERIES = ("", "country=JP", "status=suspended", "q=bulk-0001", "country=FR&ordering=-valid_until")


@pytest.mark.parametrize("audience", ["inspector", "holder", "body", "stranger"])
def test_keyset_pages_list_exactly_the_ordered_registry(crowd, audience):
    user = crowd[audience]
    for query in (*QUERIES, *(f"ordering={o}" for o in ORDERINGS)):
        queryset = _qs(user, query)
        expected = list(queryset.values_list("pk", flat=True))
        rows = list(queryset[:97])
        walked = [c.pk for c in rows]
        key = registry.registry_key_after(queryset, rows[-1], 2) if len(rows) == 97 else None
        last = None
        while key is not None:
            found = registry_page(queryset, 97, key)
            walked += [c.pk for c in found.rows]
            last, key = found, found.next_key
        assert walked == expected, query
        if last is not None and last.previous_key is not None:
            back = registry_page(queryset, 97, last.previous_key)
            end = len(expected) - len(last.rows)
            assert [c.pk for c in back.rows] == expected[end - 97 : end], query


def test_browser_registry_offers_cursors_past_the_first_pages(crowd, client):
    client.force_login(crowd["inspector"])
    deep = client.get("/certification/certificates/", {"page": 40})
    nav = deep.context["page"]
    assert "cursor=" in nav.next_query()
    after = client.get(f"/certification/certificates/?{nav.next_query()}")
    by_number = client.get("/certification/certificates/", {"page": 41})
    assert after.context["page"].number == 41
    assert [r["number"] for r in after.context["rows"]] == [r["number"] for r in by_number.context["rows"]]
