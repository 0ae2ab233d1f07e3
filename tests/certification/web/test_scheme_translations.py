"""Scheme names, descriptions and criteria in the reader's language (issue 16, item 5).

Every scheme and every criterion the portal has carries Japanese and German texts (the initial schemes get
them from certification/initial_schemes.py, existing rows from migration 0008); pages show the reader's
language and fall back to English only where an operator left a translation empty.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from certification.initial_schemes import CATENA_X, OURANOS, add_initial_translations
from certification.models import Criterion, Scheme
from tests.factories import SiteFactory

from ..audiences import ADMIN_A
from ..conftest import approve_with_site

TRANSLATED = ("ja", "de")


def in_language(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the language switcher's choice
    return client


def test_every_scheme_and_criterion_has_japanese_and_german(catenax):
    schemes = list(Scheme.objects.prefetch_related("criteria"))
    assert {scheme.code for scheme in schemes} >= {CATENA_X["code"], OURANOS["code"]}
    criteria = 0
    for scheme in schemes:
        for field in ("name", "description"):
            for language in TRANSLATED:
                translated = getattr(scheme, f"{field}_{language}")
                assert translated and translated != getattr(scheme, field), (scheme.code, field, language)
        for criterion in scheme.criteria.all():
            criteria += 1
            for field in ("text", "evidence_expected"):
                for language in TRANSLATED:
                    translated = getattr(criterion, f"{field}_{language}")
                    assert translated and translated != getattr(criterion, field), (
                        scheme.code,
                        criterion.code,
                        field,
                        language,
                    )
    assert criteria == Criterion.objects.count() == len(CATENA_X["criteria"]) + len(OURANOS["criteria"])


def test_migration_fills_only_empty_translations_of_unchanged_texts(catenax):
    kept, changed, emptied = catenax.criteria.order_by("position")[:3]
    shipped = {code: texts for code, *texts in CATENA_X["criteria"]}
    Criterion.objects.filter(pk=kept.pk).update(
        text_de="Eigener Text des Betreibers", evidence_expected_ja=""
    )
    Criterion.objects.filter(pk=changed.pk).update(text="An operator's new wording.", text_de="")
    Criterion.objects.filter(pk=emptied.pk).update(text_de="", evidence_expected_de="")
    Scheme.objects.filter(pk=catenax.pk).update(name_de="", description_ja="")

    add_initial_translations()

    kept.refresh_from_db()
    changed.refresh_from_db()
    emptied.refresh_from_db()
    catenax.refresh_from_db()
    assert kept.text_de == "Eigener Text des Betreibers"  # an operator's translation stays
    assert kept.evidence_expected_ja == CATENA_X["translations"][kept.code]["evidence_expected_ja"]
    assert changed.text_de == ""  # no translation of wording the row no longer has
    assert emptied.text_de == CATENA_X["translations"][emptied.code]["text_de"]
    assert emptied.evidence_expected_de == CATENA_X["translations"][emptied.code]["evidence_expected_de"]
    assert emptied.text == shipped[emptied.code][0]
    assert catenax.name_de == CATENA_X["name_de"] and catenax.description_ja == CATENA_X["description_ja"]


@pytest.mark.parametrize("language", ["en", *TRANSLATED])
def test_choosing_a_scheme_shows_its_texts_in_the_readers_language(browser, accredited, catenax, language):
    html = in_language(browser(ADMIN_A), language).get(reverse("certification:application_create"))
    html = html.content.decode()
    suffix = "" if language == "en" else f"_{language}"
    for scheme in Scheme.objects.filter(is_active=True).prefetch_related("criteria"):
        assert escape(getattr(scheme, f"name{suffix}")) in html, scheme.code
        assert escape(getattr(scheme, f"description{suffix}")) in html, scheme.code
        for criterion in scheme.criteria.all():
            assert escape(getattr(criterion, f"text{suffix}")) in html, criterion.code
            assert escape(getattr(criterion, f"evidence_expected{suffix}")) in html, criterion.code
            if language != "en":
                assert escape(criterion.evidence_expected) not in html, criterion.code


@pytest.mark.parametrize("language", TRANSLATED)
def test_self_assessment_shows_criteria_in_the_readers_language(browser, draft, language):
    url = reverse("certification:self_assessment", args=[draft.public_id])
    html = in_language(browser(ADMIN_A), language).get(url).content.decode()
    for criterion in draft.scheme.criteria.all():
        assert escape(getattr(criterion, f"text_{language}")) in html
        assert escape(getattr(criterion, f"evidence_expected_{language}")) in html


def test_an_empty_translation_falls_back_to_english(browser, draft):
    criterion = draft.scheme.criteria.get(code="CX-BP-01")
    Criterion.objects.filter(pk=criterion.pk).update(text_de="")
    url = reverse("certification:self_assessment", args=[draft.public_id])
    html = in_language(browser(ADMIN_A), "de").get(url).content.decode()
    assert escape(criterion.text) in html and escape(criterion.evidence_expected_de) in html


@pytest.mark.usefixtures("generous_verify_allowance")
def test_verification_page_names_the_scheme_in_the_readers_language(
    company_a, draft, admin_a, lead, reviewer
):
    site = SiteFactory(organization=company_a, name="Werk Salzgitter")
    certificate = approve_with_site(draft, site, admin=admin_a, lead=lead, reviewer=reviewer)
    for language, name in (
        ("en", certificate.scheme.name),
        ("ja", certificate.scheme.name_ja),
        ("de", certificate.scheme.name_de),
    ):
        html = Client().get(f"/verify/{certificate.number}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert escape(name) in html, language
