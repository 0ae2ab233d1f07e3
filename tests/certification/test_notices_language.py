"""Certification notices name the scheme in each reader's language (issue 16, item 4): the scheme's name is
an operator's text with Japanese and German fields, stored with the notice in every language it has."""

from __future__ import annotations

import pytest
from django.utils import translation

from portal.notifications.models import Notification

from .conftest import approve

pytestmark = pytest.mark.django_db


def test_notices_name_the_scheme_in_each_readers_language(in_review, reviewer, admin_a, catenax):
    names = {
        "en": "Catena-X battery passport",
        "ja": "Catena-X 電池パスポート",
        "de": "Catena-X Batteriepass",
    }
    catenax.name, catenax.name_ja, catenax.name_de = names["en"], names["ja"], names["de"]
    catenax.save(update_fields=["name", "name_ja", "name_de"])
    approve(in_review, reviewer)
    notice = Notification.objects.get(recipient=admin_a, event="application.approved")
    for language, name in names.items():
        with translation.override(language):
            title = Notification.objects.get(pk=notice.pk).display_title
        assert name in title, (language, title)
        assert [other for other in names.values() if other != name and other in title] == [], language
