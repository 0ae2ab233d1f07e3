"""Small text helpers shared by every app."""

from __future__ import annotations


def without_final_stop(text: str) -> str:
    """A name put at the end of a sentence ("Welcome to Voltaris Batteries B.V."): its own final full stop
    ends the sentence, so the sentence's is not doubled."""
    text = str(text)
    return text[:-1] if text.endswith(".") else text
