"""What a standing certificate covers cannot be deleted: the site, battery model or passport in its scope
answers 409 with the certificate's number through the API, a message on the page, and stays (issue 15)."""

from __future__ import annotations

import pytest

from certification import services
from certification.models import CertificateStatus
from passports import services as passport_services
from passports.models import BatteryModel
from portal.deletion import ProtectedFromDeletion
from portal.tenancy.models import Site
from tests.factories import SiteFactory

from .conftest import approve_with_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(company_a):
    return SiteFactory(organization=company_a, name="Werk Salzgitter")


@pytest.fixture
def spare_model(admin_a, company_a):
    """A battery model without passports (so only the certificate can keep it)."""
    return passport_services.battery_model_create(
        actor=admin_a,
        organization=company_a,
        values={"model_name": "Spare Pack", "manufacturer_part_id": "SP-1", "battery_category": "ev"},
    )


@pytest.fixture
def certified(draft, site, spare_model, admin_a, lead, reviewer):
    services.application_update(
        actor=admin_a, application=draft, battery_models=[*draft.battery_models.all(), spare_model]
    )
    return approve_with_site(draft, site, admin=admin_a, lead=lead, reviewer=reviewer)


def test_a_certified_site_answers_409_with_the_certificate_numbers(api_client, admin_a, site, certified):
    api_client.force_authenticate(admin_a)
    response = api_client.delete(f"/api/v1/organizations/me/sites/{site.public_id}/")
    assert response.status_code == 409
    body = str(response.json())
    assert certified.number in body
    assert all(other.number in body for other in certified.recognised.all())  # recognised ones too
    assert Site.objects.filter(pk=site.pk).exists()


def test_a_certified_battery_model_cannot_be_deleted(api_client, admin_a, spare_model, certified):
    api_client.force_authenticate(admin_a)
    response = api_client.delete(f"/api/v1/battery-models/{spare_model.public_id}/")
    assert response.status_code == 409 and certified.number in str(response.json())
    assert BatteryModel.objects.filter(pk=spare_model.pk).exists()


def test_the_site_page_tells_why_and_keeps_the_site(client, admin_a, site, certified):
    client.force_login(admin_a)
    response = client.post(f"/organization/sites/{site.public_id}/delete/", follow=True)
    assert response.status_code == 200
    assert certified.number in response.content.decode()
    assert Site.objects.filter(pk=site.pk).exists()


def test_once_the_certificate_is_revoked_the_site_can_go(admin_a, lead, site, certified):
    services.certificate_revoke(actor=lead, certificate=certified, reason="Scope withdrawn")
    certified.refresh_from_db()
    assert certified.status == CertificateStatus.REVOKED
    from portal.tenancy import services as tenancy_services

    tenancy_services.site_delete(actor=admin_a, site=site)
    assert not Site.objects.filter(pk=site.pk).exists()


def test_a_site_outside_every_scope_is_deleted_as_before(admin_a, company_a, certified):
    from portal.tenancy import services as tenancy_services

    other = SiteFactory(organization=company_a, name="Lager")
    tenancy_services.site_delete(actor=admin_a, site=other)
    assert not Site.objects.filter(pk=other.pk).exists()
    with pytest.raises(ProtectedFromDeletion):
        tenancy_services.site_delete(actor=admin_a, site=Site.objects.get(name="Werk Salzgitter"))
