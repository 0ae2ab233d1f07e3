"""Notifications read in the reader's language: the text a German recipient was notified in reads in
English when they use the portal in English, translatable words included ("Revoked", never a mix)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from certification.models import CertificateStatus
from portal.notifications.models import Notification
from portal.notifications.services import notify
from portal.text import StoredTexts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def german_reader():
    return UserFactory(username="leser", preferred_language="de")


def _notice(user) -> Notification:
    (notification,) = notify(
        recipients=[user],
        event="certificate.status_changed",
        template="certificate_status_changed",
        context={
            "number": "CATX-2026-000001",
            "scheme": "Catena-X",
            "holder": "Company A GmbH",
            "valid_until": "2029-12-31",
            "status": CertificateStatus.REVOKED.label,
            "reason": "Site closed.",
        },
        url="/certification/certificates/CATX-2026-000001/",
    )
    return notification


def test_stored_in_the_recipients_language_shown_in_the_readers(german_reader):
    notification = Notification.objects.get(pk=_notice(german_reader).pk)
    assert "Widerrufen" in notification.title  # the e-mail went out in German
    with translation.override("en"):
        assert (
            Notification.objects.get(pk=notification.pk).display_title
            == "Certificate CATX-2026-000001: Revoked"
        )
    with translation.override("ja"):
        title = Notification.objects.get(pk=notification.pk).display_title
        assert "CATX-2026-000001" in title and "Revoked" not in title and "Widerrufen" not in title


def test_the_page_and_the_api_follow_the_readers_choice(german_reader):
    _notice(german_reader)
    german_reader.preferred_language = "en"
    german_reader.save(update_fields=["preferred_language"])
    page = Client()
    page.force_login(german_reader)
    html = page.get("/notifications/").content.decode()
    assert "Certificate CATX-2026-000001: Revoked" in html and "Widerrufen" not in html
    api = APIClient()
    api.force_authenticate(german_reader)
    (row,) = api.get("/api/v1/notifications/").json()["results"]
    assert row["title"] == "Certificate CATX-2026-000001: Revoked"


def test_notifications_from_before_keep_their_stored_texts(german_reader):
    notification = _notice(german_reader)
    Notification.objects.filter(pk=notification.pk).update(template="", context={})
    with translation.override("en"):
        assert "Widerrufen" in Notification.objects.get(pk=notification.pk).display_title


def test_a_schemes_name_is_shown_in_the_readers_language(german_reader):
    """Scheme names are operators' texts, not message ids: the notice keeps each language's name."""
    scheme = StoredTexts(
        en="Ouranos battery carbon footprint", ja="ウラノス 電池CFP", de="Ouranos Batterie-CFP"
    )
    (notification,) = notify(
        recipients=[german_reader],
        event="application.approved",
        template="application_approved",
        context={"scheme": scheme, "applicant": "A", "body": "B", "reference": "ab12cd34", "number": "N-1"},
    )
    assert "Ouranos Batterie-CFP" in notification.title  # the e-mail, in German
    for language, name in (("en", scheme.en), ("ja", scheme.ja), ("de", scheme.de)):
        with translation.override(language):
            stored = Notification.objects.get(pk=notification.pk)
            assert name in stored.display_title and name in stored.display_body, language
    with translation.override("ja"):
        assert "Ouranos battery" not in Notification.objects.get(pk=notification.pk).display_title
