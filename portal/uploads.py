"""Checks on uploaded files, shared by every app (passport documents, certification evidence, the
certificate check): PDF documents and PNG, JPEG or WebP images only, recognised by their first bytes and
never by the client's content type or file name; within a size limit (by default
`settings.PASSPORT_DOCUMENT_MAX_BYTES`); with a safe file name. What a file is attached to (a catalogue
attribute, a criterion) stays with the app that stores it.

Every problem is a `ValidationError` keyed "file", so the API answers 400 with field messages and forms
show them next to the field. `limit_uploads` caps what the request parser keeps of an oversized body.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_NAME_LENGTH = 120
SNIFF_BYTES = 16


@dataclass(frozen=True)
class FileKind:
    content_type: str
    label: str
    extensions: tuple[str, ...]  # the first one is given to names without a fitting extension


PDF = FileKind("application/pdf", "PDF", (".pdf",))
PNG = FileKind("image/png", "PNG", (".png",))
JPEG = FileKind("image/jpeg", "JPEG", (".jpg", ".jpeg"))
WEBP = FileKind("image/webp", "WebP", (".webp",))
KINDS: tuple[FileKind, ...] = (PDF, PNG, JPEG, WEBP)
CONTENT_TYPES: frozenset[str] = frozenset(kind.content_type for kind in KINDS)
_KNOWN_EXTENSIONS = {extension: kind for kind in KINDS for extension in kind.extensions}


def sniff(head: bytes) -> FileKind | None:
    """The kind of file these first bytes start, or None (magic numbers, not what the client claims)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def max_upload_bytes() -> int:
    return int(settings.PASSPORT_DOCUMENT_MAX_BYTES)


def _file_error(message: str, code: str) -> ValidationError:
    return ValidationError({"file": [ValidationError(message, code=code)]})


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # sanitised, ending in an extension of its real kind
    kind: FileKind
    size: int
    sha256: str


def split_name(name: str) -> tuple[str, str]:
    """The name without its extension, and the extension in lower case (".pdf")."""
    stem, extension = os.path.splitext(name)
    return stem, extension.lower()


def safe_file_name(raw: Any) -> str:
    """The last path segment without control or formatting characters (bidi overrides hide a real
    extension), path separators or leading dots; letters of every script are kept."""
    base = re.split(r"[\\/]", str(raw or ""))[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(
        char for char in base if not unicodedata.category(char).startswith(("C", "Z")) or char == " "
    )
    base = re.sub(r"[^\w.\- ()]+", "_", base)
    return re.sub(r"\s+", " ", base).strip(" ._")


def _type_message(kinds: tuple[FileKind, ...]) -> str:
    if set(kinds) == set(KINDS):
        return _("Only PDF documents and PNG, JPEG or WebP images can be uploaded.")
    return _("Only %(kinds)s files can be uploaded.") % {"kinds": ", ".join(kind.label for kind in kinds)}


def check_upload(
    upload: Any, *, kinds: tuple[FileKind, ...] = KINDS, limit: int | None = None, keeps_name: bool = True
) -> CheckedUpload:
    """Check an uploaded file (Django `File`/`UploadedFile`); raise `ValidationError` keyed "file".

    `kinds` and `limit` let other uploads narrow the defaults of passport documents (PDF only, within
    a limit of their own). An upload that is only read, never stored or served under its name
    (`keeps_name=False`), is judged by its content alone: an extension that contradicts it is no error."""
    if upload is None or not hasattr(upload, "read"):
        raise _file_error(_("Choose a file to upload."), "required")
    size = upload.size or 0
    if size == 0:
        raise _file_error(_("The file is empty."), "empty")
    limit = limit if limit is not None else max_upload_bytes()
    if size > limit:
        message = _("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(limit)}
        raise _file_error(message, "too_large")
    upload.seek(0)
    kind = sniff(upload.read(SNIFF_BYTES))
    if kind is None or kind not in kinds:
        raise _file_error(_type_message(kinds), "file_type")
    stem, extension = split_name(safe_file_name(getattr(upload, "name", "")))
    claimed = _KNOWN_EXTENSIONS.get(extension)
    if claimed is not None and claimed is not kind and keeps_name:
        message = _("The file name ends in %(extension)s, but the file is a %(kind)s file.") % {
            "extension": extension,
            "kind": kind.label,
        }
        raise _file_error(message, "extension_mismatch")
    if claimed is not kind:  # no extension, or one that says nothing true about the content: name it after it
        stem, extension = f"{stem}{extension}".strip(" ._"), kind.extensions[0]
    stem = stem[: MAX_NAME_LENGTH - len(extension)].strip(" ._") or "document"
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(name=f"{stem}{extension}", kind=kind, size=size, sha256=digest.hexdigest())


class LimitedUploadHandler(FileUploadHandler):
    """Passes at most limit + 1 bytes of each file on to the next handlers and drops the rest, so an
    oversized upload never fills memory or disk yet still fails the size check with a clear message."""

    def __init__(self, request: HttpRequest | None = None, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = limit if limit is not None else max_upload_bytes()
        self.received = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        room = self.limit + 1 - self.received
        self.received += len(raw_data)
        if room <= 0:
            return None
        return raw_data[:room]

    def file_complete(self, file_size: int) -> None:
        return None


def limit_uploads(request: HttpRequest, limit: int | None = None) -> None:
    """Install `LimitedUploadHandler` before the request body is parsed (then it is too late); `limit`
    defaults to the passport document limit."""
    request.upload_handlers.insert(0, LimitedUploadHandler(request, limit=limit))
