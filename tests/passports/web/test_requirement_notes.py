"""The legal notes of the completeness box are written for users (issue 16, item 5).

Every note comes from the translated catalogue in passports/catalogue/notes.py, keyed from
passports/requirements.json; developer remarks stay in the file's `comment`, never on a page. A Japanese
or German reader sees the notes in their language, with dates in their date format.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape, strip_tags

from passports.catalogue import Category, Condition, load_requirements, requirements
from passports.catalogue.notes import CONDITION_NOTES, REQUIREMENT_NOTES
from passports.views.display import completeness_panel

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# What developers write and users must never read: instructions, status values, code identifiers.
DEVELOPER_TEXT = (
    re.compile(r"\bin_force\b"),
    re.compile(r"once confirmed", re.IGNORECASE),
    re.compile(r"\bswitch to\b", re.IGNORECASE),
    re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b"),  # ALL_CAPS identifiers (RECYCLED_CONTENT_TARGETS)
    re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b"),  # snake_case keys (in_service, due_diligence)
    re.compile(r"\bcheck [a-z ]+ when the act is adopted\b", re.IGNORECASE),
)


def developer_text_in(text: str) -> list[str]:
    return [match.group(0) for pattern in DEVELOPER_TEXT for match in pattern.finditer(text)]


def rendered_box(category: Category, language: str) -> str:
    """The completeness box of a battery of `category` with no value at all (every missing, conditional
    and pending attribute listed, each with its note), as the reader sees it."""
    model = SimpleNamespace(category=category.value, data={})
    with translation.override(language):
        panel = completeness_panel(None, model, {}, can_edit=False)
        return render_to_string("passports/includes/completeness.html", {"panel": panel})


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("category", list(Category))
def test_completeness_box_shows_no_developer_text(category, language):
    html = rendered_box(category, language)
    text = strip_tags(html)
    assert developer_text_in(text) == []
    if category.value in {"ev", "lmt", "industrial", "stationary"}:
        assert "completeness-list" in html  # the box really lists attributes with their notes


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_note_is_user_text_in_every_language(language):
    with translation.override(language):
        texts = {key: str(text) for key, text in {**REQUIREMENT_NOTES, **CONDITION_NOTES}.items()}
    for key, text in texts.items():
        assert text.strip(), key
        assert developer_text_in(text) == [], (key, text)
        assert "%(" not in text, (key, text)  # every placeholder filled


@pytest.mark.parametrize("language", ["ja", "de"])
def test_every_note_is_translated(language):
    for key, text in {**REQUIREMENT_NOTES, **CONDITION_NOTES}.items():
        with translation.override("en"):
            english = str(text)
        with translation.override(language):
            assert str(text) != english, f"{key} has no {language} translation"


def test_every_pending_and_conditional_requirement_has_a_user_note():
    for key, requirement in requirements().items():
        if requirement.pending:
            assert requirement.note_key in REQUIREMENT_NOTES, key
            assert str(requirement.note), key
        if requirement.condition is not None:
            assert str(requirement.condition_note), key
    assert set(CONDITION_NOTES) == {condition.value for condition in Condition}


def test_recycled_content_note_takes_its_dates_from_the_targets():
    with translation.override("ja"):
        note = str(requirements()["cobalt_recycled_share"].note)
    assert "2028年8月18日" in note and "2031年8月18日" in note
    with translation.override("de"):
        assert "18. August 2031" in str(requirements()["cobalt_recycled_share"].note)


def _write(tmp_path: Path, entry: dict) -> Path:
    path = tmp_path / "requirements.json"
    path.write_text(json.dumps({"version": 1, "attributes": {"rated_capacity": entry}}), encoding="utf-8")
    return path


def test_a_note_must_name_a_translated_text(tmp_path):
    prose = {
        "categories": ["ev"],
        "status": "pending",
        "note": "Awaiting the act; switch to in_force with a 'from' date once confirmed.",
    }
    with pytest.raises(ImproperlyConfigured, match="REQUIREMENT_NOTES"):
        load_requirements(_write(tmp_path, prose))
    keyed = {**prose, "note": "due_diligence", "comment": "Switch to in_force once confirmed."}
    loaded = load_requirements(_write(tmp_path, keyed))["rated_capacity"]
    assert loaded.note is REQUIREMENT_NOTES["due_diligence"]
    with pytest.raises(ImproperlyConfigured, match="'comment'"):
        load_requirements(_write(tmp_path, {**keyed, "comment": 1}))


# ---- the passport page in each language ---------------------------------------------------------------
def page(login, user, passport, language: str) -> str:
    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the language switcher's choice
    response = client.get(f"/passports/{passport.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_passport_page_shows_the_notes_in_the_readers_language(login, admin_a, passport, language):
    html = page(login, admin_a, passport, language)
    box = html[html.index('class="card completeness"') :]
    box = box[: box.index("</section>")]
    assert developer_text_in(strip_tags(box)) == []
    # (carbon_footprint_class belongs to a row of the carbon footprint group, listed by its group)
    for key in ("carbon_footprint", "due_diligence", "recycled_content"):
        with translation.override(language):
            assert escape(str(REQUIREMENT_NOTES[key])) in box, key
    with translation.override(language):
        assert escape(str(CONDITION_NOTES["if_applicable"])) in box
    if language != "en":
        with translation.override("en"):
            english = escape(str(REQUIREMENT_NOTES["due_diligence"]))
        assert english not in box


def test_japanese_and_german_notes_read_as_such(login, admin_a, passport):
    japanese = page(login, admin_a, passport, "ja")
    assert "デューディリジェンス" in japanese and "2027年8月18日" in japanese
    german = page(login, admin_a, passport, "de")
    assert "Sorgfaltspflichten" in german and "18. August 2027" in german
