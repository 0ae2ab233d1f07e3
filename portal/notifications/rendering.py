"""Notification texts in the reader's language.

A notification keeps the template it was written from and its context, so that the portal can show it in
the language the reader uses now (the e-mail, sent once, is in the recipient's language of the moment).
The context holds plain values only (`services.PLAIN_VALUE_TYPES`); translatable words (lazily translated
labels, such as a certificate status) are stored by their message id and translated when shown, so a
German notice read in English says "Revoked", not "Widerrufen", and never a mix. Texts operators translate
(a scheme's name) are stored in every language they have (`StoredTexts`) and shown in the reader's."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from portal.text import StoredTexts

from .models import TITLE_MAX_LENGTH

_MSGID, _DATE, _DECIMAL, _TEXTS = "__msgid__", "__date__", "__decimal__", "__texts__"


def encode_context(context: dict[str, Any]) -> dict[str, Any]:
    encoded: dict[str, Any] = {}
    for key, value in context.items():
        if isinstance(value, Promise):
            # The source language is English: the English text is the message id.
            with translation.override("en"):
                encoded[key] = {_MSGID: str(value)}
        elif isinstance(value, datetime.date):
            encoded[key] = {_DATE: value.isoformat()}
        elif isinstance(value, Decimal):
            encoded[key] = {_DECIMAL: str(value)}
        elif isinstance(value, StoredTexts):
            encoded[key] = {_TEXTS: value.as_dict()}
        else:
            encoded[key] = value
    return encoded


def _decoded(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        if _MSGID in value:
            return gettext(value[_MSGID])
        if _DATE in value:
            return datetime.date.fromisoformat(value[_DATE])
        if _DECIMAL in value:
            return Decimal(value[_DECIMAL])
        if _TEXTS in value:
            return str(StoredTexts(**value[_TEXTS]))
    return value


def render(template: str, context: dict[str, Any], language: str | None = None) -> tuple[str, str]:
    """(title, body) of a notification template in `language` (default: the active one); `context` as
    `encode_context` stored it, or plain values."""
    with translation.override(language or translation.get_language()):
        values = {key: _decoded(value) for key, value in context.items()}
        title = render_to_string(f"notifications/{template}_title.txt", values)
        body = render_to_string(f"notifications/{template}_body.txt", values)
    title = " ".join(title.split())  # one line: it is also an e-mail subject
    if len(title) > TITLE_MAX_LENGTH:
        title = title[: TITLE_MAX_LENGTH - 1] + "…"
    return title, body.strip()
