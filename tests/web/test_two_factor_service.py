"""Turning two-factor authentication off is refused by the service itself when the person's role requires
it, whoever calls it (the page is only one caller)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import services
from portal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.fixture
def enforce(settings):
    settings.PASSBRIDGE_ENFORCE_2FA = True


@pytest.mark.parametrize("person", ["reviewer", "inspector"])
def test_a_role_that_requires_it_cannot_turn_it_off(request, enforce, person):
    user = request.getfixturevalue(person)
    device = confirmed_device(user)

    with pytest.raises(ValidationError, match="cannot be turned off"):
        services.totp_disable(actor=user)

    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()
    assert not AuditEvent.objects.filter(action="two_factor.disabled").exists()


def test_a_company_admin_turns_it_off(enforce, admin_a):
    device = confirmed_device(admin_a)
    services.totp_disable(actor=admin_a)
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(action="two_factor.disabled", actor=admin_a).exists()


def test_without_enforcement_a_reviewer_may_turn_it_off(reviewer):
    confirmed_device(reviewer)
    services.totp_disable(actor=reviewer)
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
