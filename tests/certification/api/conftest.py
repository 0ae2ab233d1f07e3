"""Callers of the certification API, one per audience (tests/certification/audiences.py), on top of
tests/certification/conftest.py."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from certification import services
from certification.models import Certificate

from ..audiences import ANONYMOUS
from ..conftest import answer_all, approve

EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 40


@pytest.fixture
def api(users):
    """`api(audience)`: a client signed in as that audience's user (a session, as in a browser)."""

    def client(audience: str) -> APIClient:
        api_client = APIClient()
        if audience != ANONYMOUS:
            api_client.force_login(users[audience])
        return api_client

    return client


def issue_another(admin, lead, reviewer, scheme, **scope) -> Certificate:
    """One more application of the admin's company, through every step, up to its certificate."""
    application = services.application_create(
        actor=admin, scheme=scheme, body=lead.membership.organization, **scope
    )
    answer_all(application, admin)
    services.application_submit(actor=admin, application=application, declaration_name="Anna Admin")
    services.application_assign(actor=lead, application=application, reviewer=reviewer)
    return approve(application, reviewer)
