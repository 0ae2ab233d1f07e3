"""Archiving instead of deleting certified scope (issue 15): a site or battery model a standing certificate
covers cannot be deleted (the refusal says to archive it instead) but can be archived; the certificate and
its application keep it, and no new application (nor a renewal) puts an archived one in its scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from certification import services
from certification.forms import ApplicationForm
from certification.models import Scheme
from certification.selectors import accredited_bodies
from passports import services as passport_services
from passports.selectors import battery_models_for
from portal.tenancy import services as tenancy_services
from portal.tenancy.selectors import sites_for
from tests.factories import SiteFactory

from .conftest import CATENA_X, approve_with_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(company_a):
    return SiteFactory(organization=company_a, name="Werk Salzgitter")


@pytest.fixture
def spare_model(admin_a, company_a):
    """A battery model without passports (so only the certificate keeps it from being deleted)."""
    return passport_services.battery_model_create(
        actor=admin_a,
        organization=company_a,
        values={"model_name": "Spare Pack", "manufacturer_part_id": "SP-1", "battery_category": "ev"},
    )


@pytest.fixture
def certified(draft, site, spare_model, admin_a, lead, reviewer):
    """Company A's certificate covering `scope_model`, `spare_model` and `site` (and its recognised one)."""
    services.application_update(
        actor=admin_a, application=draft, battery_models=[*draft.battery_models.all(), spare_model]
    )
    return approve_with_site(draft, site, admin=admin_a, lead=lead, reviewer=reviewer)


def test_deleting_certified_scope_says_archive_it_instead(api_client, admin_a, spare_model, site, certified):
    api_client.force_authenticate(admin_a)
    for url in (
        f"/api/v1/organizations/me/sites/{site.public_id}/",
        f"/api/v1/battery-models/{spare_model.public_id}/",
    ):
        response = api_client.delete(url)
        assert response.status_code == 409, url
        detail = response.json()["detail"]
        assert certified.number in detail
        assert all(other.number in detail for other in certified.recognised.all())
        assert detail.endswith("archive it instead: the certificate keeps it."), detail


def test_the_site_page_refusal_names_the_certificate_and_archiving(client, admin_a, site, certified):
    client.force_login(admin_a)
    page = client.post(f"/organization/sites/{site.public_id}/delete/", follow=True).content.decode()
    assert certified.number in page and "archive it instead" in page


def test_certified_scope_is_archived_and_the_certificate_keeps_it(admin_a, scope_model, site, certified):
    tenancy_services.site_archive(actor=admin_a, site=site)
    passport_services.battery_model_archive(actor=admin_a, battery_model=scope_model)
    certified.refresh_from_db()
    assert list(certified.sites.all()) == [site] and scope_model in certified.battery_models.all()
    assert site in certified.application.sites.all()
    site.refresh_from_db()
    scope_model.refresh_from_db()
    assert site.is_archived and scope_model.is_archived
    # Once archived, the refusal no longer suggests archiving (it is done), but still names the certificate.
    with pytest.raises(ValidationError) as refused:
        tenancy_services.site_delete(actor=admin_a, site=site)
    assert certified.number in refused.value.messages[0]
    assert "archive it instead" not in refused.value.messages[0]


def test_a_new_application_cannot_take_archived_scope(admin_a, accredited, catenax, scope_model, site):
    tenancy_services.site_archive(actor=admin_a, site=site)
    passport_services.battery_model_archive(actor=admin_a, battery_model=scope_model)
    with pytest.raises(ValidationError) as refused:
        services.application_create(
            actor=admin_a, scheme=catenax, body=accredited, battery_models=[scope_model], sites=[site]
        )
    assert refused.value.message_dict == {
        "battery_models": ["An archived battery model cannot be added to the scope: restore it first."],
        "sites": ["An archived site cannot be added to the scope: restore it first."],
    }


def test_an_application_keeps_what_was_archived_after_it_was_chosen(admin_a, draft, scope_model, company_a):
    kept_site, new_site = (SiteFactory(organization=company_a, name=name) for name in ("Kept", "New"))
    services.application_update(actor=admin_a, application=draft, sites=[kept_site])
    tenancy_services.site_archive(actor=admin_a, site=kept_site)
    tenancy_services.site_archive(actor=admin_a, site=new_site)
    passport_services.battery_model_archive(actor=admin_a, battery_model=scope_model)

    # Saving the scope unchanged keeps the archived site and model.
    services.application_update(
        actor=admin_a, application=draft, battery_models=[scope_model], sites=[kept_site]
    )
    assert list(draft.sites.all()) == [kept_site] and list(draft.battery_models.all()) == [scope_model]
    # Adding another archived site is refused, and the scope stays as it was.
    with pytest.raises(ValidationError) as refused:
        services.application_update(actor=admin_a, application=draft, sites=[kept_site, new_site])
    assert set(refused.value.message_dict) == {"sites"}
    assert list(draft.sites.all()) == [kept_site]


def _form(admin_a, initial=None, data=None) -> ApplicationForm:
    """The form as the application pages build it, from the applicant's scoped selectors."""
    return ApplicationForm(
        data=data,
        initial=initial,
        bodies=accredited_bodies(Scheme.objects.get(code=CATENA_X)),
        battery_models=battery_models_for(actor=admin_a),
        passports=admin_a.membership.organization.passports.all(),
        sites=sites_for(actor=admin_a),
        products=True,
    )


def test_the_application_form_offers_archived_scope_only_where_it_already_is(
    admin_a, accredited, scope_model, site, company_a
):
    spare = SiteFactory(organization=company_a, name="Spare")
    tenancy_services.site_archive(actor=admin_a, site=site)
    passport_services.battery_model_archive(actor=admin_a, battery_model=scope_model)

    new = _form(admin_a)
    assert list(new.fields["sites"].queryset) == [spare]
    assert list(new.fields["battery_models"].queryset) == []
    refused = _form(admin_a, data={"body": accredited.pk, "sites": [site.pk]})
    assert not refused.is_valid() and "sites" in refused.errors

    editing = _form(admin_a, initial={"sites": [site.pk], "battery_models": [scope_model.pk]})
    assert set(editing.fields["sites"].queryset) == {site, spare}
    assert list(editing.fields["battery_models"].queryset) == [scope_model]
    labels = [label for _value, label in editing.fields["sites"].choices]
    assert "Werk Salzgitter, " + site.city + " — archived" in labels


def test_the_application_page_does_not_offer_an_archived_model(client, admin_a, accredited, scope_model):
    passport_services.battery_model_archive(actor=admin_a, battery_model=scope_model)
    client.force_login(admin_a)
    page = client.get(f"/certification/applications/new/?scheme={CATENA_X}").content.decode()
    assert "Battery models in scope" in page
    assert scope_model.manufacturer_part_id not in page


def test_a_renewal_leaves_archived_scope_out(admin_a, scope_model, spare_model, site, certified):
    tenancy_services.site_archive(actor=admin_a, site=site)
    passport_services.battery_model_archive(actor=admin_a, battery_model=spare_model)
    renewal = services.application_renew(actor=admin_a, certificate=certified)
    assert not renewal.sites.exists() and list(renewal.battery_models.all()) == [scope_model]
    assert list(certified.sites.all()) == [site]  # the certificate itself keeps its scope
