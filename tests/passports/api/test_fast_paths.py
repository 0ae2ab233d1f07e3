"""The lean read paths behind the performance targets of issue 3 give exactly what the general paths give.

- list rows come from hand-written SQL (`passports.list_query`), encoded by PostgreSQL or by a plain
  function: the same rows as the ORM statement of the rule (`list_reference`) and the same document as
  `PassportListRowOutput`, in UTC and in any other time zone;
- the list counts with its page query: the right count, 404 past the last page;
- the scope is built from EXISTS / `= ANY(ARRAY(...))` without DISTINCT: no duplicates, grants both ways,
  revocation takes effect at once;
- the public JSON comes from one lean query: a new publication and a closure show at once.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import orjson
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from passports import selectors, services
from passports.api.serializers import PassportListRowOutput, passport_list_rows
from passports.catalogue import Viewer
from passports.list_query import PassportListQuery
from passports.policies import visible_values
from portal.api import EncodedRowsJSONRenderer
from tests.factories import BEFORE_OBLIGATIONS

from .conftest import (
    AUTHORITY,
    CERTIFIER,
    DRAFT_MARK,
    OWNER_ADMIN,
    OWNER_VIEWER,
    PARTNER,
    STRANGER,
    make_passport,
)
from .list_reference import passport_rows_for

pytestmark = pytest.mark.django_db

LIST = "/api/v1/passports/"


def _rendered(data) -> object:
    return json.loads(JSONRenderer().render(data))


def _add(world, start: int, stop: int, *, publish: bool = True) -> None:
    admin = world.users[OWNER_ADMIN]
    for n in range(start, stop):
        passport = make_passport(admin, world.battery_model, f"urn:epc:fast-{n:03d}")
        if publish:
            services.passport_publish(actor=admin, passport=passport, on=BEFORE_OBLIGATIONS)


@pytest.mark.parametrize("audience", [OWNER_VIEWER, PARTNER, CERTIFIER, AUTHORITY, STRANGER])
def test_list_rows_equal_the_documented_serializer(world, audience):
    _add(world, 0, 3)
    _add(world, 3, 5, publish=False)
    rows = list(passport_rows_for(actor=world.users[audience]).order_by("unique_identifier"))
    assert _rendered(passport_list_rows(rows)) == _rendered(PassportListRowOutput(rows, many=True).data)
    response = world.client(audience).get(LIST, {"ordering": "unique_identifier", "page_size": 200})
    assert response.status_code == 200
    assert response.json()["results"] == _rendered(passport_list_rows(rows))


def test_list_rows_in_another_time_zone_are_rendered_by_the_worker(world):
    """PostgreSQL encodes times in UTC only; in any other zone the rows take the plain function's path."""
    _add(world, 0, 2)
    rows = list(passport_rows_for(actor=world.users[OWNER_VIEWER]).order_by("unique_identifier"))
    params = {"ordering": "unique_identifier"}
    utc = world.client(OWNER_VIEWER).get(LIST, params).json()["results"]
    assert utc[0]["latest_published_at"].endswith("Z")
    with timezone.override("Asia/Tokyo"):
        assert not PassportListQuery.encodes_json()
        tokyo = world.client(OWNER_VIEWER).get(LIST, params).json()["results"]
        assert tokyo == _rendered(PassportListRowOutput(rows, many=True).data)
    assert tokyo[0]["latest_published_at"].endswith("+09:00")
    assert [{**row, "latest_published_at": None} for row in tokyo] == [
        {**row, "latest_published_at": None} for row in utc
    ]


def test_encoded_rows_keep_the_serializer_key_order_and_whole_seconds(world):
    """Keys come in the documented order; a time without microseconds has no fraction, as DRF writes it."""
    version = world.passport.versions.get(number=1)
    type(version).objects.filter(pk=version.pk).update(
        published_at=datetime(2026, 11, 26, 8, 30, 5, tzinfo=UTC)
    )
    response = world.client(OWNER_VIEWER).get(LIST)
    (row,) = json.loads(response.content)["results"]
    assert list(row) == list(PassportListRowOutput().fields)
    assert row["latest_published_at"] == "2026-11-26T08:30:05Z"
    assert response["Content-Type"] == "application/json"
    indented = world.client(OWNER_VIEWER).get(LIST, headers={"Accept": "application/json; indent=2"})
    assert indented.content.startswith(b'{\n  "count": 1,') and json.loads(indented.content) == json.loads(
        response.content
    )


def test_the_encoded_rows_renderer_leaves_other_documents_to_drf():
    renderer, plain = EncodedRowsJSONRenderer(), JSONRenderer()
    for data in ({"detail": "Invalid page."}, {"count": 0, "results": []}, [1, 2], {"results": [{"a": "ü"}]}):
        assert renderer.render(data) == plain.render(data)
    page = {"count": 1, "next": None, "previous": None, "results": [orjson.Fragment('{"id":"ü"}')]}
    assert renderer.render(page) == '{"count":1,"next":null,"previous":null,"results":[{"id":"ü"}]}'.encode()


def test_list_rows_show_version_facts_and_own_drafts_only(world):
    owner = world.client(OWNER_VIEWER).get(LIST).json()["results"]
    (row,) = owner
    assert row["id"] == str(world.passport.public_id)
    assert row["latest_published_version"] == 1 and row["latest_published_at"]
    assert row["draft_version"] == 2 and row["is_own"] is True
    assert row["battery_model"] == {"id": str(world.battery_model.public_id), "name": "Canary Pack 75"}
    assert row["category"] == "ev"
    (partner_row,) = world.client(PARTNER).get(LIST).json()["results"]
    assert partner_row["draft_version"] is None and partner_row["is_own"] is False
    assert {k: v for k, v in partner_row.items() if k not in ("draft_version", "is_own")} == {
        k: v for k, v in row.items() if k not in ("draft_version", "is_own")
    }


def test_count_comes_with_the_page(world):
    _add(world, 0, 11)  # 12 passports with the world's own
    client = world.client(OWNER_VIEWER)
    first = client.get(LIST, {"page_size": 5}).json()
    assert first["count"] == 12 and len(first["results"]) == 5 and first["previous"] is None
    last = client.get(LIST, {"page_size": 5, "page": 3}).json()
    assert last["count"] == 12 and len(last["results"]) == 2 and last["next"] is None
    assert client.get(LIST, {"page_size": 5, "page": "last"}).json() == last
    for page in (4, 0, -1, "x", "1.5"):
        response = client.get(LIST, {"page_size": 5, "page": page})
        assert response.status_code == 404 and response.json() == {"detail": "Invalid page."}, page
    empty = client.get(LIST, {"search": "no-such-passport"}).json()
    assert empty == {"count": 0, "next": None, "previous": None, "results": []}
    # Filters and search count what they keep.
    found = client.get(LIST, {"search": "fast-00", "page_size": 3}).json()
    assert found["count"] == 10 and len(found["results"]) == 3


def test_no_duplicates_without_distinct(world):
    """Several published versions and both kinds of grant never repeat a passport (no DISTINCT any more)."""
    admin = world.users[OWNER_ADMIN]
    services.passport_publish(actor=admin, passport=world.passport, on=BEFORE_OBLIGATIONS)  # v2 published too
    services.passport_update(actor=admin, passport=world.passport, values={"manufacturing_place": "Y"})
    services.passport_publish(actor=admin, passport=world.passport, on=BEFORE_OBLIGATIONS)  # v3
    for audience in (OWNER_VIEWER, PARTNER, CERTIFIER, AUTHORITY):
        user = world.users[audience]
        assert selectors.passports_for(actor=user).count() == 1, audience
        assert passport_rows_for(actor=user).count() == 1, audience
        (row,) = world.client(audience).get(LIST).json()["results"]
        assert row["latest_published_version"] == 3
        models = selectors.battery_models_for(actor=user)
        assert list(models.values_list("pk", flat=True)) == [world.battery_model.pk], audience
    assert selectors.passports_for(actor=world.users[STRANGER]).count() == 0
    assert not selectors.battery_models_for(actor=world.users[STRANGER]).exists()


def test_grant_on_the_model_covers_its_published_passports_and_revocation_is_immediate(world):
    admin, partner = world.users[OWNER_ADMIN], world.organizations["partner"]
    _add(world, 0, 2)
    _add(world, 2, 3, publish=False)
    services.revoke_legitimate_interest(actor=admin, target=world.passport, organization=partner)
    client = world.client(PARTNER)
    ids = {row["id"] for row in client.get(LIST).json()["results"]}
    assert len(ids) == 3 and str(world.passport.public_id) in ids  # published ones, through the model
    services.revoke_legitimate_interest(actor=admin, target=world.battery_model, organization=partner)
    assert client.get(LIST).json()["count"] == 0
    assert client.get(f"{LIST}{world.passport.public_id}/").status_code == 404
    services.grant_legitimate_interest(actor=admin, target=world.passport, organization=partner)
    (row,) = client.get(LIST).json()["results"]
    assert row["id"] == str(world.passport.public_id)
    assert client.get(f"{LIST}{world.passport.public_id}/").status_code == 200


def test_authority_lists_every_published_passport_and_no_draft(world):
    _add(world, 0, 2)
    _add(world, 2, 4, publish=False)
    rows = world.client(AUTHORITY).get(LIST).json()
    assert rows["count"] == 3
    assert all(row["latest_published_version"] for row in rows["results"])


def _public(passport) -> dict:
    response = Client().get(f"/p/{passport.public_id}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture(params=[0, 3600], ids=["not-kept", "kept"])
def public_cache(request, settings):
    """The public JSON without and with its cache (tests have a per-process cache: kept only on request)."""
    settings.PUBLIC_PASSPORT_CACHE_SECONDS = request.param
    cache.clear()
    yield request.param
    cache.clear()


def test_public_json_follows_publications_and_closure_at_once(
    world, public_cache, django_capture_on_commit_callbacks
):
    admin, passport = world.users[OWNER_ADMIN], world.passport
    first = _public(passport)
    assert first["version"] == 1 and first["status"] == "active"
    assert DRAFT_MARK not in json.dumps(first)  # the open draft v2 is not public

    with django_capture_on_commit_callbacks(execute=True):  # the cache forgets after the commit
        # the draft v2 becomes public
        services.passport_publish(actor=admin, passport=passport, on=BEFORE_OBLIGATIONS)
    second = _public(passport)
    assert second["version"] == 2
    version = passport.versions.get(number=2)
    assert second["published_at"] == DjangoJSONEncoder().default(version.published_at)
    assert DRAFT_MARK in json.dumps(second)  # manufacturing place is public, and v2 carries the new one
    assert second["values"] == _rendered(visible_values(Viewer.PUBLIC, version.data))
    view = selectors.passport_view(actor=AnonymousUser(), passport=passport)
    assert second["values"] == _rendered(view.values)

    with django_capture_on_commit_callbacks(execute=True):
        successor = services.passport_change_status(
            actor=admin, passport=passport, status="repurposed", new_unique_identifier="urn:epc:fast-next"
        )
    assert _public(passport)["status"] == "active"
    unpublished = Client().get(f"/p/{successor.public_id}/", HTTP_ACCEPT="application/json")
    assert unpublished.status_code == 404  # published below: this answer must not be kept
    with django_capture_on_commit_callbacks(execute=True):
        services.passport_publish(actor=admin, passport=successor, on=BEFORE_OBLIGATIONS)
    assert _public(successor)["status"] == "active"
    with django_capture_on_commit_callbacks(execute=True):
        services.passport_change_status(actor=admin, passport=successor, status="waste", recycled=True)
    assert _public(successor)["status"] == "closed"


def test_kept_public_json_is_the_same_document_without_a_query(world, settings, django_assert_num_queries):
    url = f"/p/{world.passport.public_id}/"
    settings.PUBLIC_PASSPORT_CACHE_SECONDS = 0
    fresh = Client().get(url, HTTP_ACCEPT="application/json")
    settings.PUBLIC_PASSPORT_CACHE_SECONDS = 3600
    cache.clear()
    Client().get(url, HTTP_ACCEPT="application/json")  # encodes and keeps it
    with django_assert_num_queries(0):
        kept = Client().get(url, HTTP_ACCEPT="application/json")
    assert kept.content == fresh.content
    assert kept["Content-Type"] == fresh["Content-Type"] == "application/json"
    assert kept["Cache-Control"] == fresh["Cache-Control"] and kept["Vary"] == fresh["Vary"]
    cache.clear()


def test_public_publication_selector(world):
    publication = selectors.public_publication(world.passport.public_id)
    assert publication is not None and publication.number == 1 and publication.closed is False
    assert publication.values == visible_values(Viewer.PUBLIC, world.passport.versions.get(number=1).data)
    assert "cathode_composition" not in publication.values  # legitimate interest
    assert "test_reports" not in publication.values  # authority
    draft_only = make_passport(world.users[OWNER_ADMIN], world.battery_model, "urn:epc:fast-draft")
    assert selectors.public_publication(draft_only.public_id) is None
    assert selectors.public_publication("not-a-uuid") is None
    assert selectors.public_publication(str(world.battery_model.public_id)) is None
