"""Small text helpers shared by every app."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class StoredTexts:
    """A stored text in English and each language an operator filled in, kept as plain strings where it
    is shown later to readers of any language (a notification's scheme name): `str()` gives the reader's
    language, as `in_reader_language` does for the row itself."""

    en: str
    ja: str = ""
    de: str = ""

    def __str__(self) -> str:
        language = reader_language()
        return (getattr(self, language, "") if language in TRANSLATED_LANGUAGES else "") or self.en

    def as_dict(self) -> dict[str, str]:
        return {"en": self.en, "ja": self.ja, "de": self.de}


def stored_texts(source: object, field: str) -> StoredTexts:
    """`source.<field>` with its `_ja` and `_de` translations."""
    return StoredTexts(
        en=getattr(source, field),
        **{language: getattr(source, f"{field}_{language}", "") or "" for language in TRANSLATED_LANGUAGES},
    )
