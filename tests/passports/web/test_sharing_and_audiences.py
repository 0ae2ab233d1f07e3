"""Sharing page (grant/revoke legitimate interest) and what partners, authorities and strangers get."""

from __future__ import annotations

import pytest

from passports import services
from portal.tenancy.models import Role
from tests.factories import BEFORE_OBLIGATIONS, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(admin_a, passport):
    services.supply_chain_replace(
        actor=admin_a,
        battery_model=passport.battery_model,
        rows=[
            {
                "material": "cobalt",
                "country_of_origin": "CD",
                "supplier_name": "CANARY-SUPPLIER",
                "procurement_amount": "77.7",
                "procurement_unit": "t",
                "procurement_period_start": "2026-01-01",
                "procurement_period_end": "2026-02-01",
            }
        ],
    )
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    return passport


def test_grant_and_revoke_through_the_sharing_page(login, admin_a, admin_b, company_b, published):
    browser = login(admin_a)
    sharing = f"/passports/{published.public_id}/sharing/"
    assert login(admin_b).get(f"/passports/{published.public_id}/").status_code == 404

    found = browser.get(sharing, {"q": "Company B"})
    assert found.status_code == 200
    assert "Company B KK" in found.content.decode()
    browser.post(sharing, {"action": "grant", "organization": str(company_b.public_id)})
    listed = browser.get(sharing).content.decode()
    assert "Company B KK" in listed and "Revoke" in listed
    assert login(admin_b).get(f"/passports/{published.public_id}/").status_code == 200

    revoked = browser.post(
        sharing, {"action": "revoke", "organization": str(company_b.public_id)}, follow=True
    )
    assert "Access of Company B KK revoked." in [str(m) for m in revoked.context["messages"]]
    assert revoked.context["grantees"] == []
    assert login(admin_b).get(f"/passports/{published.public_id}/").status_code == 404


def test_only_owner_admins_manage_sharing(
    login, editor_a, admin_a, admin_b, company_b, battery_model, published
):
    assert login(editor_a).get(f"/passports/{published.public_id}/sharing/").status_code == 403
    assert login(admin_b).get(f"/passports/{published.public_id}/sharing/").status_code == 404
    assert login(admin_b).get(f"/passports/models/{battery_model.public_id}/sharing/").status_code == 404
    services.grant_legitimate_interest(actor=admin_a, target=published, organization=company_b)
    assert login(admin_b).get(f"/passports/{published.public_id}/sharing/").status_code == 403
    model_sharing = login(admin_a).get(f"/passports/models/{battery_model.public_id}/sharing/")
    assert model_sharing.status_code == 200


def test_partner_sees_legitimate_interest_values_no_supply_chain_no_edit(
    login, admin_a, admin_b, company_b, published
):
    services.grant_legitimate_interest(actor=admin_a, target=published, organization=company_b)
    response = login(admin_b).get(f"/passports/{published.public_id}/")
    html = response.content.decode()
    assert response.context["viewer"] == "partner"
    assert "LI-CATHODE-MARKER" in html  # cathode materials: legitimate interest
    assert "CANARY-SUPPLIER" not in html and "77.7" not in html
    main = html.split("<main", 1)[1]  # the menu has a "Supply chain" entry (the exchange) for every company
    assert "Supply chain" not in main
    assert "/edit/" not in html and "/review/" not in html and "/sharing/" not in html
    assert "csrfmiddlewaretoken" not in html.split("<main", 1)[1]  # no forms at all
    assert login(admin_b).get(f"/passports/{published.public_id}/review/").status_code == 404
    assert (
        login(admin_b).post(f"/passports/{published.public_id}/status/", {"status": "waste"}).status_code
        == 403
    )
    # The list shows the shared passport, without the owner's draft or completeness facts.
    listing = login(admin_b).get("/passports/")
    (row,) = listing.context["rows"]
    assert row["has_draft"] is None and row["missing"] is None and row["shared"] is True
    assert "Company A GmbH" not in listing.content.decode()


def test_authority_sees_published_values_but_no_supply_chain(login, inspector, published):
    response = login(inspector).get(f"/passports/{published.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["viewer"] == "authority"
    assert "LI-CATHODE-MARKER" in html and "CANARY-SUPPLIER" not in html


def test_strangers_get_404_everywhere(login, published):
    stranger = login(member(Role.ADMIN))
    for suffix in ("", "review/", "diff/", "edit/general/", "sharing/"):
        assert stranger.get(f"/passports/{published.public_id}/{suffix}").status_code == 404
    assert stranger.post(f"/passports/{published.public_id}/publish/").status_code == 404
    assert stranger.get(f"/passports/models/{published.battery_model.public_id}/").status_code == 404
