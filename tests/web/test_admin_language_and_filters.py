"""Operators read the Django admin in their language and filter its lists by the countries that occur.

Every admin page carries a language switch (a plain form, no script) that posts to the portal's
`set_language` view and comes back to the same page, now in the chosen language; the choice is kept on the
account as in the portal. The country filters of the organization and site lists offer only the countries
of the rows, by their names in the operator's language, instead of all 249 of ISO 3166-1.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from portal.admin_filters import CountryFilter
from portal.tenancy.models import Organization
from tests.factories import OrganizationFactory, SiteFactory, UserFactory, make_bpn

pytestmark = pytest.mark.django_db

ORGANIZATIONS = "/admin/tenancy/organization/"
SITES = "/admin/tenancy/site/"
SWITCH = re.compile(r'<form class="admin-language-switch"[^>]*>(.*?)</form>', re.S)


@pytest.fixture
def operator_client(operator) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def _bpn_without(text: str) -> str:
    while text in (bpn := make_bpn()):
        pass
    return bpn


@pytest.fixture
def two_countries(db):
    """Two German organizations and a Japanese one, each with a site in its own country."""
    # The search below looks for "jp" in every searched field, BPNLs included: theirs must not hold it by
    # chance (the factory's BPNLs follow a counter, so whether one does depended on the tests run before).
    germans = [
        OrganizationFactory(legal_name=f"Werk {n} GmbH", country="DE", bpnl=_bpn_without("JP"))
        for n in (1, 2)
    ]
    japanese = OrganizationFactory(legal_name="Sakura Denchi K.K.", country="JP")
    for organization in [*germans, japanese]:
        SiteFactory(organization=organization, country=organization.country)
    return germans, japanese


def switch_of(html: str) -> dict:
    """The language switch of an admin page: where it posts, its `next`, its languages and labels."""
    forms = SWITCH.findall(html)
    assert len(forms) == 1, "one language switch per page"
    form = forms[0]
    action = re.search(r'<form class="admin-language-switch"[^>]*action="([^"]+)"', html).group(1)
    return {
        "action": action,
        "method": re.search(r'<form class="admin-language-switch"[^>]*method="([^"]+)"', html).group(1),
        "next": unescape(re.search(r'<input name="next" type="hidden" value="([^"]*)"', form).group(1)),
        "csrf": 'name="csrfmiddlewaretoken"' in form,
        "options": [
            (code, label.strip())
            for code, label in re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', form)
        ],
        "selected": re.findall(r'<option value="([^"]+)"[^>]*\bselected\b', form),
        "submit": '<button type="submit"' in form,
        "script": "<script" in form or re.search(r"\son\w+=", form) is not None,
    }


def country_filter(response) -> tuple[CountryFilter, list[dict]]:
    """The changelist's country filter and the choices it offers (as the template renders them)."""
    changelist = response.context["cl"]
    (spec,) = [spec for spec in changelist.filter_specs if isinstance(spec, CountryFilter)]
    return spec, list(spec.choices(changelist))


def offered(choices: list[dict]) -> list[str]:
    return [str(choice["display"]) for choice in choices[1:]]  # the first is "All"


def listed_names(response) -> set[str]:
    return {str(row) for row in response.context["cl"].result_list}


class TestLanguageSwitch:
    @pytest.mark.parametrize(
        "path",
        [
            "/admin/",
            ORGANIZATIONS,
            ORGANIZATIONS + "?status__exact=active&o=1",
            "/admin/tenancy/",
            "/admin/accounts/user/",
        ],
    )
    def test_every_admin_page_has_the_switch_back_to_itself(self, operator_client, path):
        response = operator_client.get(path)

        assert response.status_code == 200
        switch = switch_of(response.content.decode())
        assert switch["action"] == reverse("set_language") and switch["method"] == "post"
        assert switch["next"] == path
        assert switch["csrf"] and switch["submit"] and not switch["script"]
        assert switch["options"] == [("en", "English"), ("ja", "日本語"), ("de", "Deutsch")]
        assert [code for code, _label in switch["options"]] == [code for code, _ in settings.LANGUAGES]
        assert switch["selected"] == ["en"]

    def test_the_change_form_has_it_too(self, operator_client, two_countries):
        _germans, japanese = two_countries
        path = reverse("admin:tenancy_organization_change", args=[japanese.pk])

        switch = switch_of(operator_client.get(path).content.decode())

        assert switch["next"] == path

    def test_japanese_makes_the_admin_japanese_and_is_kept_on_the_account(self, operator_client, operator):
        response = operator_client.post(reverse("set_language"), {"language": "ja", "next": "/admin/"})

        assert response.status_code == 302 and response["Location"] == "/admin/"
        page = operator_client.get("/admin/")
        html = page.content.decode()
        assert page["Content-Language"] == "ja"
        assert '<html lang="ja"' in html
        assert "サイト管理" in html  # Django's own "Site administration"
        assert "組織" in html and "ようこそ" in html  # the project's "organizations", Django's "Welcome,"
        assert "Site administration" not in html
        assert switch_of(html)["selected"] == ["ja"]
        operator.refresh_from_db()
        assert operator.preferred_language == "ja"

        # The other pages follow, and German is one more switch away.
        assert "組織" in operator_client.get(ORGANIZATIONS).content.decode()
        operator_client.post(reverse("set_language"), {"language": "de", "next": ORGANIZATIONS})
        html = operator_client.get("/admin/").content.decode()
        assert "Website-Verwaltung" in html and '<html lang="de"' in html

    def test_the_switch_returns_to_the_filtered_list(self, operator_client):
        target = ORGANIZATIONS + "?status__exact=active"

        response = operator_client.post(reverse("set_language"), {"language": "de", "next": target})

        assert response.status_code == 302 and response["Location"] == target

    def test_an_operator_s_saved_language_applies_to_the_admin(self, db):
        """No switch used in this browser yet: the language saved on the account, as in the portal."""
        client = Client()
        client.force_login(
            UserFactory(username="nakamura", is_staff=True, is_superuser=True, preferred_language="ja")
        )

        html = client.get("/admin/").content.decode()

        assert "サイト管理" in html and switch_of(html)["selected"] == ["ja"]


class TestCountryFilter:
    def test_organizations_offer_only_the_present_countries_by_name(self, operator_client, two_countries):
        response = operator_client.get(ORGANIZATIONS)

        spec, choices = country_filter(response)
        assert offered(choices) == ["Germany", "Japan"]
        assert [choice["query_string"] for choice in choices[1:]] == [
            "?country__exact=DE",
            "?country__exact=JP",
        ]
        assert choices[0]["selected"] and spec.title == "country"
        html = response.content.decode()
        assert html.count("country__exact=") == 2
        assert "France" not in html and "Zimbabwe" not in html and "Afghanistan" not in html

    def test_filtering_lists_the_country_s_rows(self, operator_client, two_countries):
        germans, japanese = two_countries

        response = operator_client.get(ORGANIZATIONS + "?country__exact=JP")
        assert response.status_code == 200
        assert listed_names(response) == {str(japanese)}
        _spec, choices = country_filter(response)
        assert [choice["selected"] for choice in choices] == [False, False, True]

        response = operator_client.get(ORGANIZATIONS + "?country__exact=DE")
        assert listed_names(response) == {str(org) for org in germans}

    def test_names_in_the_operator_s_language_sorted_by_them(self, operator_client, two_countries):
        OrganizationFactory(legal_name="Oy Nordic", country="FI")
        operator_client.post(reverse("set_language"), {"language": "de", "next": "/admin/"})

        _spec, choices = country_filter(operator_client.get(ORGANIZATIONS))
        assert offered(choices) == ["Deutschland", "Finnland", "Japan"]

        operator_client.post(reverse("set_language"), {"language": "ja", "next": "/admin/"})
        response = operator_client.get(ORGANIZATIONS)
        _spec, choices = country_filter(response)
        assert sorted(offered(choices)) == ["ドイツ", "フィンランド", "日本"]
        assert offered(choices) == sorted(offered(choices))
        assert 'data-filter-title="国"' in response.content.decode()

    def test_facet_counts(self, operator_client, two_countries):
        _spec, choices = country_filter(operator_client.get(ORGANIZATIONS + "?_facets=True"))

        assert offered(choices) == ["Germany (2)", "Japan (1)"]

    def test_the_filter_combines_with_the_others_and_the_search(self, operator_client, two_countries):
        germans, _japanese = two_countries
        Organization.objects.filter(pk=germans[0].pk).update(status="suspended")

        response = operator_client.get(ORGANIZATIONS + "?country__exact=DE&status__exact=active")
        assert listed_names(response) == {str(germans[1])}
        # The country is searchable by its code or its (English) name.
        assert listed_names(operator_client.get(ORGANIZATIONS + "?q=jp")) == {"Sakura Denchi K.K."}
        assert listed_names(operator_client.get(ORGANIZATIONS + "?q=japan")) == {"Sakura Denchi K.K."}

    def test_one_country_needs_no_filter(self, operator_client):
        OrganizationFactory(country="DE")
        OrganizationFactory(country="DE")

        response = operator_client.get(ORGANIZATIONS)

        assert "country__exact=" not in response.content.decode()

    def test_sites_too(self, operator_client, two_countries):
        response = operator_client.get(SITES)

        _spec, choices = country_filter(response)
        assert offered(choices) == ["Germany", "Japan"]
        response = operator_client.get(SITES + "?country__exact=JP")
        assert {site.organization.legal_name for site in response.context["cl"].result_list} == {
            "Sakura Denchi K.K."
        }

    def test_no_admin_list_filter_offers_every_country(self):
        """Django's default filter of a CountryField lists every country: no admin page may use it."""
        from django.contrib import admin
        from django_countries.fields import CountryField

        for model, model_admin in admin.site._registry.items():
            for entry in model_admin.list_filter:
                name = entry[0] if isinstance(entry, tuple) else entry
                if isinstance(name, str) and isinstance(_final_field(model, name), CountryField):
                    assert isinstance(entry, tuple) and entry[1] is CountryFilter, (model, name)


def _final_field(model, path: str):
    field = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        model = field.related_model or model
    return field
