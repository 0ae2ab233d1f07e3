"""The demo world shows every certification state at once, and loading it twice changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from certification.models import Application, ApplicationState, Certificate, CertificateStatus
from passports.catalogue import Viewer
from passports.models import BatteryModel
from passports.policies import viewer_kind
from portal.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_every_state_is_there_once(demo):
    jp_ouranos = Certificate.objects.get(holder__legal_name__startswith="Sakura", origin__isnull=True)
    assert jp_ouranos.scheme.code == "ouranos-battery-cfp-dd" and jp_ouranos.status == CertificateStatus.VALID
    recognised = jp_ouranos.recognised.get()
    assert recognised.scheme.code == "catenax-battery-passport-provider"
    assert recognised.number.startswith("CATX-JBAI-") and recognised.status == CertificateStatus.VALID
    statuses = set(Certificate.objects.values_list("status", flat=True))
    assert {CertificateStatus.VALID, CertificateStatus.EXPIRED, CertificateStatus.REVOKED} <= statuses
    in_review = Application.objects.get(state=ApplicationState.IN_REVIEW)
    assert in_review.organization.legal_name.startswith("Elektra")
    assert in_review.reviewer.username == "certifier-eu"
    assert "Demo certificates:" in demo and recognised.number in demo


def test_certifier_eu_sees_the_supply_chain_under_review_only(demo):
    certifier = User.objects.get(username="certifier-eu")
    for model in BatteryModel.objects.all():
        expected = Viewer.CERTIFIER if model.organization.legal_name.startswith("Elektra") else Viewer.PUBLIC
        assert viewer_kind(certifier, model) == expected


def test_loading_twice_changes_nothing(demo):
    before = (Certificate.objects.count(), Application.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (Certificate.objects.count(), Application.objects.count()) == before
