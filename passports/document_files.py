"""Checks on uploaded passport documents, in one place (services call them; forms and the API only pass the
file on): the file itself is checked by `portal.uploads` (PDF documents and PNG, JPEG or WebP images only,
recognised by their first bytes; within `settings.PASSPORT_DOCUMENT_MAX_BYTES`; with a safe file name);
here, its title and the document attribute of the field catalogue it is attached to, whose audience decides
who may download it.

Every problem is a `ValidationError` keyed by the input field ("file", "title", "attribute"), so the API
answers 400 with field messages and forms show them next to the field.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.uploads import split_name as _split

from .catalogue import Attribute, FieldType, Level, attribute
from .catalogue.validation import DOCUMENT_HEADER_MAX_LENGTH


def check_title(title: Any, fallback: str) -> str:
    """The document's title (the Catena-X `header`): given, or the file name without its extension."""
    text = unicodedata.normalize("NFC", str(title or "")).strip()
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") for char in text):
        raise ValidationError({"title": [_("The title contains characters that are not allowed.")]})
    if len(text) > DOCUMENT_HEADER_MAX_LENGTH:
        message = _("A document title has at most %(limit)d characters.") % {
            "limit": DOCUMENT_HEADER_MAX_LENGTH
        }
        raise ValidationError({"title": [message]})
    return text or _split(fallback)[0][:DOCUMENT_HEADER_MAX_LENGTH] or _("Document")


def uploadable_attributes(level: Level) -> tuple[Attribute, ...]:
    """Document attributes of the catalogue a file can be uploaded for at this level (not rows of a group,
    not platform metadata)."""
    from .catalogue import ATTRIBUTES

    return tuple(
        a
        for a in ATTRIBUTES
        if a.type is FieldType.DOCUMENT and a.group is None and not a.system and a.level is level
    )


def check_attribute(key: Any, level: Level) -> Attribute:
    """The catalogue document attribute `key` names, which must belong to `level`."""
    try:
        found = attribute(str(key or ""))
    except LookupError:
        found = None
    if found is None or found not in uploadable_attributes(level):
        raise ValidationError({"attribute": [_("Choose one of the document kinds of this form.")]})
    return found
