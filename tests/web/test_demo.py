"""The demo world: `load_demo` is idempotent and every documented login works."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from oversight.demo import COMPANIES as OVERSIGHT_COMPANIES
from passports.models import Passport
from portal.accounts.models import User
from portal.tenancy.demo import DEMO_PASSWORD, DEMO_USERS
from portal.tenancy.models import Membership, Organization, OrganizationStatus, Site

from .helpers import is_logged_in

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = [spec["username"] for spec in DEMO_USERS]
EXPECTED_DASHBOARD = {
    "eu-maker": "dashboards/company.html",
    "jp-maker": "dashboards/company.html",
    "supplier": "dashboards/company.html",
    "refiner": "dashboards/company.html",
    "certifier-eu": "dashboards/certifier.html",
    "certifier-jp": "dashboards/certifier.html",
    "regulator": "dashboards/authority.html",
}


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "organizations": Organization.objects.count(),
        "memberships": Membership.objects.count(),
        "sites": Site.objects.count(),
    }


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=StringIO())


def test_load_demo_twice_creates_everything_once(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    first = counts()
    call_command("load_demo", stdout=StringIO())

    assert counts() == first
    # The documented logins, and the oversight's statistical world: companies whose members cannot log in.
    statistical = User.objects.exclude(username__in=DEMO_USERNAMES)
    assert sorted(
        User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
    ) == sorted(DEMO_USERNAMES)
    assert statistical.count() == len(OVERSIGHT_COMPANIES)
    assert not any(user.has_usable_password() for user in statistical)
    assert first["memberships"] == len(DEMO_USERS) - 1 + len(OVERSIGHT_COMPANIES)  # the operator has none
    assert set(Organization.objects.values_list("status", flat=True)) == {OrganizationStatus.ACTIVE}
    output = out.getvalue()
    assert DEMO_PASSWORD in output
    for username in DEMO_USERNAMES:
        assert username in output


def test_second_run_does_not_reset_changed_passwords(demo):
    user = User.objects.get(username="eu-maker")
    user.set_password("changed-by-the-user-1")
    user.save()
    call_command("load_demo", stdout=StringIO())
    user.refresh_from_db()
    assert user.check_password("changed-by-the-user-1")


def test_demo_organizations_pass_validation(demo):
    for organization in Organization.objects.all():
        organization.full_clean()
    for site in Site.objects.all():
        site.full_clean()


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_each_demo_login_works(client, demo, username):
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})

    assert response.status_code == 302, username
    assert is_logged_in(client)
    dashboard = client.get("/dashboard/")
    if username == "operator":
        assert dashboard.status_code == 200
        assert dashboard.templates[0].name == "dashboards/operator.html"
        assert client.get("/admin/").status_code == 200
    else:
        assert dashboard.status_code == 200
        assert dashboard.templates[0].name == EXPECTED_DASHBOARD[username]


def test_demo_company_admin_can_use_the_api(client, demo):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "jp-maker", "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    me = client.get("/api/v1/organizations/me/", HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert me.json()["corporate_number"] == "5301001077777"


def test_the_regulator_finds_passports_from_the_dashboard_and_the_menu(client, demo):
    """The regulator's look-up card searches the passports authorities may read (every published one), and
    the main menu leads to their list, where the dashboard used to say look-up was unavailable."""
    client.force_login(User.objects.get(username="regulator"))
    page = client.get("/dashboard/").content.decode()
    assert "Available when battery passports exist." not in page
    assert 'id="lookup-q" name="q"' in page and 'action="/passports/"' in page
    assert '<a href="/passports/"' in page  # the menu entry
    identifier = Passport.objects.filter(versions__state="published").first().unique_identifier
    found = client.get("/passports/", {"q": identifier})
    assert found.status_code == 200 and identifier in found.content.decode()


def test_the_suppliers_dashboard_counts_the_passports_shared_with_it(client, demo):
    client.force_login(User.objects.get(username="supplier"))
    page = client.get("/dashboard/").content.decode()
    assert "No battery passports yet." not in page
    assert "Shared with your company" in page
