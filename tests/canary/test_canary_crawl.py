"""The canary crawl: company A's planted markers appear only where the audience may see them.

Every URL pattern, admin page and OpenAPI path is requested as each audience (see
``tests/canary/registry.py`` for the framework and how a capability plugs its data in).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.tenancy.models import Organization
from portal.tenancy.services import invitation_from_token

from .crawler import build_targets, crawl
from .leaky_urls import SELFTEST_PREFIX
from .registry import (
    ANONYMOUS,
    AUDIENCES,
    COMPANY_A,
    COMPANY_A_VIEWER,
    COMPANY_B,
    EXCHANGE_CUSTOMER,
    NOBODY,
    OPERATOR,
    PARTNER_MODEL,
    PARTNER_PASSPORT,
)

pytestmark = pytest.mark.django_db

MEMBERS_PAGE = "/organization/members/"
MEMBERS_API = "/api/v1/organizations/me/members/"
LI_PUBLISHED = "shared model: legitimate-interest cathode composition (published)"


def _markers(world, *descriptions: str) -> dict[str, str]:
    by_description = {marker.description: marker.value for marker in world.markers}
    return {description: by_description[description] for description in descriptions}


@pytest.mark.parametrize("audience", AUDIENCES)
def test_planted_markers_reach_only_allowed_audiences(audience, canary_world, canary_targets):
    report = crawl(audience, canary_world.users[audience], canary_targets.targets, canary_world.markers)

    assert not report.leaks, (
        f"{len(report.leaks)} response(s) showed {audience} data it may not see:\n{report.leak_summary()}"
    )
    assert not report.server_errors, "server errors during the crawl:\n" + "\n".join(report.server_errors)
    assert not report.relogins, f"a GET ended {audience}'s session: {report.relogins}"
    assert report.requests + report.skipped == len(canary_targets.targets)
    if audience == OPERATOR:
        assert not report.skipped
    else:
        _assert_admin_turns_away(report)

    # Positive control: what this audience must see, it saw (the planted data is reachable).
    seen = report.seen_markers()
    missing = [
        m.description for m in canary_world.markers if audience in m.expect_seen_by and m.value not in seen
    ]
    assert not missing, f"{audience} never saw: {missing}"


def _assert_admin_turns_away(report) -> None:
    """Every admin view answered a user who is not staff with the admin's login page: the reason the
    admin's search and autocomplete probes are sent to staff only."""
    login = reverse("admin:login")
    let_in = {
        target.label: answer
        for target, answer in report.answers.items()
        if target.path.startswith("/admin/")
        and not target.path.startswith((login, reverse("admin:logout")))
        and not (answer[0] == 302 and answer[1].startswith(login))
    }
    assert not let_in, f"admin views that did not send {report.audience} to the login: {let_in}"
    assert sum(1 for target in report.answers if target.path.startswith("/admin/")) > 500


def test_company_a_sees_its_people_on_the_members_page(canary_world, canary_targets):
    """The positive control the crawl relies on, spelt out: the owner sees its markers on known pages.
    Only those pages are requested (the whole crawl as company A is the test above)."""
    members = [t for t in canary_targets.targets if t.path in (MEMBERS_PAGE, MEMBERS_API)]
    assert {t.path for t in members} == {MEMBERS_PAGE, MEMBERS_API}
    report = crawl(COMPANY_A, canary_world.users[COMPANY_A], members, canary_world.markers)
    people = _markers(
        canary_world,
        "company A admin's e-mail address",
        "company A viewer's e-mail address",
        "company A viewer's last name",
        "e-mail address of company A's open invitation",
    )
    assert set(people.values()) <= report.seen_on(MEMBERS_PAGE), people
    assert set(people.values()) - {people["e-mail address of company A's open invitation"]} <= report.seen_on(
        MEMBERS_API
    )


def test_company_b_opens_company_a_objects_and_sees_nothing(canary_world, canary_targets):
    """Company B requested A's objects by id, and got 404s without A's data (not just redirects)."""
    site = canary_world.objects["site"]
    site_urls = [t for t in canary_targets.targets if str(site.public_id) in t.path]
    assert any(t.path.startswith("/api/v1/") for t in site_urls)
    assert any(t.path.startswith("/organization/sites/") for t in site_urls)

    report = crawl(COMPANY_B, canary_world.users[COMPANY_B], site_urls, canary_world.markers)
    assert not report.leaks and not report.seen
    assert report.statuses.get(404, 0) >= 3, report.statuses


def test_invitation_link_shows_the_invitation_to_its_holder_only(canary_world, canary_targets):
    """The bearer grant works: the valid link shows the invited address; a forged one shows nothing."""
    invitation = canary_world.objects["invitation"]
    targets = [t for t in canary_targets.targets if t.path.startswith("/invitations/")]
    # The token carries a timestamp, so find the valid one among the crawled links rather than re-signing.
    valid_links = [
        t.path for t in targets if invitation_from_token(t.path.split("/")[2], max_age=3600) == invitation
    ]
    assert len(valid_links) == 1
    valid = valid_links[0]
    assert len(targets) >= 4  # valid, signed with another salt, unsigned id, nonexistent

    report = crawl(ANONYMOUS, None, targets, canary_world.markers)
    assert not report.leaks, report.leak_summary()
    email = _markers(canary_world, "e-mail address of company A's open invitation")
    assert set(email.values()) <= report.seen_on(valid)
    assert {hit.target.path for hit in report.seen} == {valid}


def test_crawl_covers_every_url_pattern_and_api_path(canary_world, canary_targets):
    targets = canary_targets
    paths = {target.path for target in targets.targets}

    assert len(targets.patterns) > 100
    assert not targets.uncovered_patterns, (
        f"URL patterns the crawl could not build: {targets.uncovered_patterns}"
    )
    assert len(targets.schema_paths) >= 6
    assert set(targets.schema_paths) == targets.covered_schema_paths
    assert MEMBERS_API in paths and MEMBERS_PAGE in paths
    # Lists are probed with the search and ordering parameters they declare (the passports' list does);
    # one that declares neither (the members list) is requested plainly.
    assert any(target.path.startswith("/api/v1/passports/?search=") for target in targets.targets)
    assert any(target.path.startswith("/api/v1/passports/?ordering=-") for target in targets.targets)
    assert not any(target.path.startswith(MEMBERS_API + "?search=") for target in targets.targets)

    # A's objects were substituted into URLs, also into the admin's change views.
    assert sum(1 for target in targets.targets if target.substituted) >= 20
    site, token = canary_world.objects["site"], canary_world.objects["api_token"]
    assert f"/organization/sites/{site.public_id}/edit/" in paths
    assert f"/accounts/tokens/{token.pk}/revoke/" in paths
    org = Organization.objects.get(pk=canary_world.company_a.pk)
    assert f"/admin/tenancy/organization/{org.pk}/change/" in paths
    assert "/admin/" in paths and "/admin/tenancy/site/?q=canary" in paths
    assert any(target.path.startswith("/admin/autocomplete/?") for target in targets.targets)

    # Every audience in the registry, every kind of marker.
    assert {ANONYMOUS, COMPANY_A, COMPANY_A_VIEWER, COMPANY_B, OPERATOR} <= set(canary_world.users)
    assert any(marker.visible_to == NOBODY for marker in canary_world.markers)
    assert len(canary_world.markers) >= 25


def test_the_harness_catches_a_planted_leak(settings, canary_world):
    """Self-test: with two deliberately leaky views mounted, the crawl finds both leaks."""
    settings.ROOT_URLCONF = "tests.canary.leaky_urls"
    targets = build_targets(canary_world)
    selftest = [t for t in targets.targets if t.path.startswith(SELFTEST_PREFIX)]
    assert len(selftest) >= 3  # the header view, A's site by id, a nonexistent id

    report = crawl(COMPANY_B, canary_world.users[COMPANY_B], selftest, canary_world.markers)
    leaked = {(hit.marker.description, hit.where) for hit in report.leaks}
    assert ("company A's site name", "body") in leaked
    assert ("e-mail address of company A's open invitation", "header X-Debug-Invitation") in leaked
    # The object-level leak was found by substituting A's site id, which only the providers know.
    assert any("company A's site" in hit.target.substituted for hit in report.leaks if hit.where == "body")


def test_partners_read_published_values_of_the_shared_model_only(canary_world, canary_targets):
    """The partner audiences' controls spelt out on the pages of issue 12's first leak: the passport page
    shows the published legitimate-interest value, and none of the three pages (the battery model API
    included) shows a value saved after the publication. Only those pages are requested."""
    model, passport = canary_world.objects["shared_model"], canary_world.objects["shared_published"]
    paths = {
        f"/passports/{passport.public_id}/",
        f"/api/v1/passports/{passport.public_id}/",
        f"/api/v1/battery-models/{model.public_id}/",
    }
    targets = [t for t in canary_targets.targets if t.path in paths and t.method == "GET"]
    assert {t.path for t in targets} == paths
    published = _markers(canary_world, LI_PUBLISHED)[LI_PUBLISHED]
    for audience in (PARTNER_PASSPORT, PARTNER_MODEL):
        report = crawl(audience, canary_world.users[audience], targets, canary_world.markers)
        assert not report.leaks, report.leak_summary()
        assert published in report.seen_on(f"/passports/{passport.public_id}/"), audience


def test_a_customer_of_company_a_reads_its_answer_and_nothing_from_upstream(canary_world, canary_targets):
    """The exchange's one-up/one-down promise spelt out: A's customer opens the answer A released to it
    (and sees its comment), while every URL naming the answer A received from its supplier, A's request to
    that supplier or A's parts answers it 404 without a marker it may not see. Only those URLs are crawled."""
    objects = canary_world.objects
    released, received = objects["xc_answer_down"], objects["xc_answer_up"]
    upstream_ids = [str(received.public_id), str(objects["xc_request_up"].public_id)]
    upstream_ids += [
        str(objects[key].public_id) for key in ("xc_bought", "xc_quiet", "xc_product", "xc_secret")
    ]
    upstream = [
        t for t in canary_targets.targets if any(i in t.path for i in upstream_ids) and t.method == "GET"
    ]
    answer_page = f"/exchange/answers/{released.public_id}/"
    own = [t for t in canary_targets.targets if t.path == answer_page]
    assert own and len(upstream) >= 10

    report = crawl(
        EXCHANGE_CUSTOMER, canary_world.users[EXCHANGE_CUSTOMER], own + upstream, canary_world.markers
    )
    assert not report.leaks, report.leak_summary()
    comment = _markers(canary_world, "exchange: comment of the answer A released")
    assert set(comment.values()) <= report.seen_on(answer_page)
    assert not any(hit.target.path != answer_page for hit in report.seen if "xc-" in hit.marker.value.lower())
    # Only A's answer page opens; every upstream URL is not found (GET) or not a GET endpoint at all.
    assert report.statuses.get(200, 0) == len(own) and set(report.statuses) <= {200, 404, 405}, (
        report.statuses
    )
    assert report.statuses.get(404, 0) >= 10, report.statuses


def test_views_that_ignore_accept_answer_a_browser_as_they_answer_json(canary_world, canary_targets):
    """The crawl sends DRF views whose answer cannot depend on ``Accept`` (``ignores_accept``) JSON only;
    spelt out here for a JSON-only list, a detail and a file download, as company A and as company B."""
    from django.test import Client

    from .crawler import HTML_ACCEPT, JSON_ACCEPT, ignores_accept

    passport = canary_world.objects["shared_published"]
    paths = [
        "/api/v1/passports/",
        f"/api/v1/passports/{passport.public_id}/",
        *sorted({t.path for t in canary_targets.targets if t.path.endswith("/download/")})[:6],
    ]
    assert all(ignores_accept(path) for path in paths)
    assert not ignores_accept("/api/schema/")
    for audience in (COMPANY_A, COMPANY_B):
        client = Client()
        client.force_login(canary_world.users[audience])
        for path in paths:
            as_browser, as_json = (
                client.get(path, HTTP_ACCEPT=accept) for accept in (HTML_ACCEPT, JSON_ACCEPT)
            )
            assert as_browser.status_code == as_json.status_code, path
            assert as_browser.get("Content-Type") == as_json.get("Content-Type"), path
            body = b"".join(as_browser.streaming_content) if as_browser.streaming else as_browser.content
            other = b"".join(as_json.streaming_content) if as_json.streaming else as_json.content
            assert body == other, path
