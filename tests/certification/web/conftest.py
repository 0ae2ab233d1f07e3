"""Browsers for the certification pages, one per audience (tests/certification/audiences.py), on top of
tests/certification/conftest.py."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certification import services

from ..audiences import ANONYMOUS, PDF

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "evidence.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def browser(users):
    """`browser(audience)`: a fresh client signed in as that audience's user (anonymous: not signed in)."""

    def make(audience: str) -> Client:
        client = Client()
        if audience != ANONYMOUS:
            client.force_login(users[audience])
        return client

    return make


@pytest.fixture
def evidence(draft, admin_a):
    criterion = draft.scheme.criteria.get(code="CX-BP-01")
    return services.evidence_add(
        actor=admin_a, application=draft, criterion=criterion, upload=pdf("report.pdf")
    )
