"""Secrets in request paths (invitation and password-reset tokens) never reach the logs."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from portal.log_filters import SecretPathFilter, redact


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/invitations/s3cr3t-T0ken_value/", "/invitations/[redacted]/"),
        ("/organization/invitations/abc.def/?x=1", "/organization/invitations/[redacted]/?x=1"),
        ("/accounts/password/reset/MQ/c7x-1a2b3c/", "/accounts/password/reset/MQ/[redacted]/"),
        ("/passports/", "/passports/"),
    ],
)
def test_redact(path, logged):
    assert redact(path) == logged


@pytest.mark.django_db
def test_a_404_for_an_invitation_link_logs_no_token(caplog):
    token = "unknown-invitation-token-CANARY-0123456789"
    handler_filter = SecretPathFilter()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        caplog.handler.addFilter(handler_filter)
        try:
            Client().get(f"/invitations/{token}/")
        finally:
            caplog.handler.removeFilter(handler_filter)
    assert caplog.records, "Django logs the 404"
    assert all(token not in record.getMessage() for record in caplog.records)
    assert any("/invitations/[redacted]/" in record.getMessage() for record in caplog.records)


def test_the_console_handler_uses_the_filter(settings):
    assert "secret_paths" in settings.LOGGING["handlers"]["console"]["filters"]
