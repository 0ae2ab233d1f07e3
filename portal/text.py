"""Small text helpers shared by every app."""

from __future__ import annotations

from django.utils.translation import get_language


def without_final_stop(text: str) -> str:
    """A name put at the end of a sentence ("Welcome to Voltaris Batteries B.V."): its own final full stop
    ends the sentence, so the sentence's is not doubled."""
    text = str(text)
    return text[:-1] if text.endswith(".") else text


#: The languages besides English (the source language) that stored texts may carry, as `<field>_<code>`.
TRANSLATED_LANGUAGES = ("ja", "de")


def reader_language() -> str:
    """The base code ("en", "ja", "de") of the language the current reader uses."""
    return (get_language() or "en").split("-")[0].lower()


def in_reader_language(source: object, field: str) -> str:
    """`source.<field>` in the reader's language: `<field>_ja` or `<field>_de` when the reader uses that
    language and it is filled in, else the English `<field>`. One rule for every stored text that operators
    translate (scheme names, descriptions, criteria), also for view-models that copy such fields."""
    language = reader_language()
    if language in TRANSLATED_LANGUAGES:
        translated = getattr(source, f"{field}_{language}", "")
        if translated:
            return translated
    return getattr(source, field)
