"""Sites are archived instead of deleted (issue 15): who may archive and restore (whoever may delete: the
organization's administrators and editors), the organization page and the site API leave archived sites out
unless asked, and every change is in the audit log."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from portal.audit.models import AuditEvent
from portal.exceptions import InvalidTransition
from portal.tenancy import selectors, services
from portal.tenancy.models import Role, Site
from tests.factories import SiteFactory, member

pytestmark = pytest.mark.django_db

SITES_API = "/api/v1/organizations/me/sites/"


@pytest.fixture
def editor_a(company_a):
    return member(Role.EDITOR, company_a, username="editor-a")


@pytest.fixture
def lead(certification_body):
    return member(Role.LEAD, certification_body, username="lead")


@pytest.fixture
def plant(company_a) -> Site:
    return SiteFactory(organization=company_a, name="Werk Braunschweig", city="Braunschweig")


@pytest.fixture
def warehouse(company_a, admin_a) -> Site:
    site = SiteFactory(organization=company_a, name="Lager Peine", city="Peine")
    return services.site_archive(actor=admin_a, site=site)


def _api(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


# ---- services ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["admin_a", "editor_a"])
def test_administrators_and_editors_archive_and_restore_with_audit_rows(request, who, plant):
    actor = request.getfixturevalue(who)
    archived = services.site_archive(actor=actor, site=plant)
    assert archived.archived_at is not None and Site.objects.get(pk=plant.pk).is_archived
    services.site_restore(actor=actor, site=plant)
    assert Site.objects.get(pk=plant.pk).archived_at is None
    events = AuditEvent.objects.filter(object_id=str(plant.public_id)).order_by("pk")
    assert [(e.action, e.actor, e.organization_id) for e in events] == [
        ("site.archived", actor, plant.organization_id),
        ("site.restored", actor, plant.organization_id),
    ]


def test_archiving_twice_or_restoring_a_site_in_use_is_refused(admin_a, plant, warehouse):
    with pytest.raises(InvalidTransition, match="already archived"):
        services.site_archive(actor=admin_a, site=warehouse)
    with pytest.raises(InvalidTransition, match="not archived"):
        services.site_restore(actor=admin_a, site=plant)


@pytest.mark.parametrize("who", ["viewer_a", "admin_b", "reviewer", "lead", "inspector"])
def test_others_may_neither_archive_nor_restore(request, who, plant, warehouse):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.site_archive(actor=actor, site=plant)
    with pytest.raises(PermissionDenied):
        services.site_restore(actor=actor, site=warehouse)
    assert not Site.objects.get(pk=plant.pk).is_archived
    assert Site.objects.get(pk=warehouse.pk).is_archived
    assert not AuditEvent.objects.filter(action__in=["site.restored"]).exists()


def test_selectors_list_sites_in_use_or_archived(admin_a, plant, warehouse):
    assert list(selectors.sites_for(actor=admin_a, archived=False)) == [plant]
    assert list(selectors.sites_for(actor=admin_a, archived=True)) == [warehouse]
    assert selectors.site_get(actor=admin_a, public_id=warehouse.public_id) == warehouse


# ---- pages -------------------------------------------------------------------------------------------
def test_the_organization_page_shows_archived_sites_only_on_request(client, admin_a, plant, warehouse):
    client.force_login(admin_a)
    default = client.get("/organization/").content.decode()
    assert plant.name in default and warehouse.name not in default
    assert "Show archived sites (1)" in default
    assert f"/organization/sites/{plant.public_id}/archive/" in default

    archived = client.get("/organization/?archived=1").content.decode()
    assert warehouse.name in archived and plant.name not in archived
    assert 'class="badge badge-inactive">Archived<' in archived
    assert f"/organization/sites/{warehouse.public_id}/restore/" in archived


def test_a_viewer_sees_no_archive_buttons_and_is_refused(client, viewer_a, plant, warehouse):
    client.force_login(viewer_a)
    page = client.get("/organization/?archived=1").content.decode()
    assert warehouse.name in page and "/restore/" not in page
    assert client.post(f"/organization/sites/{plant.public_id}/archive/").status_code == 403
    assert client.post(f"/organization/sites/{warehouse.public_id}/restore/").status_code == 403
    assert not Site.objects.get(pk=plant.pk).is_archived


def test_another_company_gets_404(client, admin_b, plant, warehouse):
    client.force_login(admin_b)
    assert client.post(f"/organization/sites/{plant.public_id}/archive/").status_code == 404
    assert client.post(f"/organization/sites/{warehouse.public_id}/restore/").status_code == 404
    assert warehouse.name not in client.get("/organization/?archived=1").content.decode()


def test_the_administrator_archives_and_restores_on_the_page(client, admin_a, plant):
    client.force_login(admin_a)
    archive = f"/organization/sites/{plant.public_id}/archive/"
    assert client.get(archive).status_code == 405
    response = client.post(archive, follow=True)
    assert response.redirect_chain[-1][0] == "/organization/"
    assert "Site archived." in response.content.decode()
    assert Site.objects.get(pk=plant.pk).is_archived
    assert "This site is already archived." in client.post(archive, follow=True).content.decode()
    client.post(f"/organization/sites/{plant.public_id}/restore/")
    assert not Site.objects.get(pk=plant.pk).is_archived


def test_the_edit_page_of_an_archived_site_shows_the_badge(client, admin_a, warehouse):
    client.force_login(admin_a)
    page = client.get(f"/organization/sites/{warehouse.public_id}/edit/").content.decode()
    assert 'class="badge badge-inactive">Archived<' in page


# ---- API ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "expected"),
    [("admin_a", 200), ("editor_a", 200), ("viewer_a", 403), ("admin_b", 404), ("lead", 404), (None, 401)],
)
def test_api_archive_and_restore_by_audience(request, who, expected, plant, warehouse):
    client = _api(request.getfixturevalue(who) if who else None)
    archived = client.post(f"{SITES_API}{plant.public_id}/archive/")
    restored = client.post(f"{SITES_API}{warehouse.public_id}/restore/")
    assert (archived.status_code, restored.status_code) == (expected, expected)
    assert Site.objects.get(pk=plant.pk).is_archived is (expected == 200)
    assert Site.objects.get(pk=warehouse.pk).is_archived is (expected != 200)
    if expected == 200:
        assert archived.json()["archived_at"] is not None and restored.json()["archived_at"] is None


def test_api_answers_409_and_lists_archived_sites_on_request(admin_a, plant, warehouse):
    client = _api(admin_a)
    again = client.post(f"{SITES_API}{warehouse.public_id}/archive/")
    assert again.status_code == 409
    assert again.json() == {"detail": "This site is already archived.", "code": "invalid_state"}
    assert client.post(f"{SITES_API}{plant.public_id}/restore/").status_code == 409

    def ids(query: str = "") -> list[str]:
        return [row["id"] for row in client.get(f"{SITES_API}{query}").json()["results"]]

    assert ids() == ids("?archived=false") == [str(plant.public_id)]
    assert ids("?archived=true") == [str(warehouse.public_id)]
    detail = client.get(f"{SITES_API}{warehouse.public_id}/").json()
    assert detail["archived_at"] is not None
    # `archived_at` is the services' to set, never an input.
    client.patch(f"{SITES_API}{plant.public_id}/", {"archived_at": "2026-01-01T00:00:00Z"}, format="json")
    assert not Site.objects.get(pk=plant.pk).is_archived
