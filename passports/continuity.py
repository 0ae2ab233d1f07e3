"""Registry and continuity: what a company needs to register its passports in the EU passport registry,
and a back-up copy of every published passport that it can download as one archive and import again.

* The registry record of a passport (Regulation (EU) 2023/1542, Art. 78, and the registry's data set):
  the battery's unique identifier, the passport identifier, the resolver address its data carrier points
  to (the public page the QR code encodes), the economic operator and the commodity code (CN). The
  catalogue has no commodity code of its own: it is derived from the battery chemistry (CN heading 8507,
  "electric accumulators"), with the rule in `commodity_code`.
* The back-up archive: a ZIP with each published passport as its owner's BatteryPass 6.1.0 document
  (`<unique identifier>.json`) and `manifest.json` (format, counts, SHA-256 of each file, and the
  passports that have no document, e.g. without a BPNL). It is written while it is sent, so its size does
  not weigh on memory. `read_archive` checks an uploaded archive against its manifest before its
  documents go through the ordinary Catena-X import (`catenax.import_documents`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

from portal.exports import EchoWriter, neutralise_csv

from . import catenax
from .models import Passport, PassportVersion, VersionState
from .qr import passport_url
from .selectors import passports_for

ARCHIVE_FORMAT = "passbridge-passport-backup/1"
MANIFEST = "manifest.json"
#: Documents one archive import takes in one transaction (all or nothing); larger back-ups go through the
#: bulk import's JSON lines.
MAX_ARCHIVE_DOCUMENTS = 5000
REGISTRY_COLUMNS = (
    "unique_identifier",
    "passport_identifier",
    "resolver_address",
    "economic_operator",
    "commodity_code",
    "battery_category",
    "published_version",
    "published_at",
)
#: CN subheadings of 8507 by chemistry (first match wins); anything else is 8507 80 00 ("other").
_COMMODITY_CODES = (
    (re.compile(r"lead", re.IGNORECASE), "8507 20 00"),
    (re.compile(r"nickel[- ]?cadmium|\bni-?cd\b", re.IGNORECASE), "8507 30 00"),
    (re.compile(r"nickel[- ]?metal[- ]?hydride|\bni-?mh\b", re.IGNORECASE), "8507 50 00"),
    (re.compile(r"lithium|\bli-?ion\b|\b(nmc|ncm|nca|lfp|lmfp|lmo|lto|lco)\b", re.IGNORECASE), "8507 60 00"),
)
OTHER_ACCUMULATORS = "8507 80 00"


def commodity_code(chemistry: str | None) -> str:
    """The CN code of an accumulator of this chemistry (8507 60 00 lithium-ion, 8507 20 00 lead-acid ...)."""
    for pattern, code in _COMMODITY_CODES:
        if chemistry and pattern.search(chemistry):
            return code
    return OTHER_ACCUMULATORS


def published_passports(*, actor, organization) -> QuerySet[Passport]:
    """The organization's own passports that have a published version, as the actor may read them."""
    published = PassportVersion.objects.filter(passport=OuterRef("pk"), state=VersionState.PUBLISHED)
    return (
        passports_for(actor=actor)
        .filter(organization=organization)
        .filter(Exists(published))
        .order_by("unique_identifier", "pk")
    )


def _latest_published(passport_ids: list[int]) -> dict[int, PassportVersion]:
    latest: dict[int, PassportVersion] = {}
    versions = PassportVersion.objects.filter(passport_id__in=passport_ids, state=VersionState.PUBLISHED)
    for version in versions.order_by("passport_id", "-number").only(
        "passport_id", "number", "data", "published_at"
    ):
        latest.setdefault(version.passport_id, version)
    return latest


def registry_records(*, actor, organization, chunk: int = 1000) -> Iterator[dict[str, Any]]:
    """One record per published passport of `organization`, in unique-identifier order."""
    passports = published_passports(actor=actor, organization=organization)
    last = ""
    while True:
        page = list(passports.filter(unique_identifier__gt=last)[:chunk]) if last else list(passports[:chunk])
        if not page:
            return
        versions = _latest_published([passport.pk for passport in page])
        for passport in page:
            version = versions[passport.pk]
            data = {**passport.battery_model.data, **version.data}
            yield {
                "unique_identifier": passport.unique_identifier,
                "passport_identifier": f"urn:uuid:{passport.public_id}",
                "resolver_address": passport_url(passport.public_id),
                "economic_operator": data.get("economic_operator_id") or "",
                "commodity_code": commodity_code(data.get("chemistry")),
                "battery_category": passport.battery_model.category,
                "published_version": version.number,
                "published_at": version.published_at.isoformat() if version.published_at else "",
            }
        last = page[-1].unique_identifier


def registry_csv_lines(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(EchoWriter(), quoting=csv.QUOTE_ALL)
    yield "\ufeff" + writer.writerow(REGISTRY_COLUMNS)
    for record in records:
        yield writer.writerow([neutralise_csv(str(record[column])) for column in REGISTRY_COLUMNS])


def json_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def streamed_download(chunks: Iterator[Any], content_type: str, filename: str) -> StreamingHttpResponse:
    """A file sent while it is written; private: it holds the company's own records."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def export_filename(kind: str, extension: str) -> str:
    return f"passports-{kind}-{datetime.now(UTC):%Y-%m-%d}.{extension}"


# ---- the back-up archive ---------------------------------------------------------------------------------


class _Spool(io.RawIOBase):
    """A write-only stream whose bytes are taken out as they come: zipfile writes into it, the response
    sends what it holds (zipfile supports unseekable output by writing data descriptors)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data


def _file_name(passport: Passport, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", passport.unique_identifier).strip("._") or str(passport.public_id)
    name = f"{base[:120]}.json"
    if name in taken:  # identifiers that differ only in characters a file name cannot keep
        name = f"{base[:80]}-{passport.public_id}.json"
    taken.add(name)
    return name


def backup_archive(*, actor, organization) -> Iterator[bytes]:
    """The ZIP, chunk by chunk: every published passport's BatteryPass 6.1.0 document, then the manifest."""
    spool = _Spool()
    files: list[dict[str, str]] = []
    skipped: list[dict[str, str]] = []
    taken: set[str] = set()
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for passport in published_passports(actor=actor, organization=organization).iterator(chunk_size=500):
            try:
                document = catenax.passport_document(actor=actor, passport=passport)
            except catenax.CatenaxExportUnavailable as refused:
                skipped.append({"unique_identifier": passport.unique_identifier, "reason": refused.message})
                continue
            if document is None:
                continue
            content = json.dumps(document, ensure_ascii=False, indent=1).encode()
            name = _file_name(passport, taken)
            archive.writestr(name, content)
            files.append(
                {
                    "file": name,
                    "unique_identifier": passport.unique_identifier,
                    "passport_identifier": f"urn:uuid:{passport.public_id}",
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
            )
            yield spool.take()
        manifest = {
            "format": ARCHIVE_FORMAT,
            "specVersion": catenax.SPEC_VERSION,
            "organization": organization.legal_name,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "passports": len(files),
            "files": files,
            "skipped": skipped,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    yield spool.take()


@dataclass
class ArchiveInvalid(Exception):
    errors: list[dict[str, Any]]


def read_archive(content: bytes) -> list[dict[str, Any]]:
    """The documents of a back-up archive, in manifest order, each checked against its SHA-256.
    Raises `ArchiveInvalid` with every problem (file, message) found."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise ArchiveInvalid([{"file": None, "message": _("This is not a ZIP archive.")}]) from None
    with archive:
        try:
            manifest = json.loads(archive.read(MANIFEST))
        except (KeyError, ValueError):
            message = _("The archive has no readable manifest.json: is it a PassBridge back-up?")
            raise ArchiveInvalid([{"file": MANIFEST, "message": message}]) from None
        if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
            message = _("The archive is not a PassBridge passport back-up (format %(format)s).")
            raise ArchiveInvalid([{"file": MANIFEST, "message": message % {"format": ARCHIVE_FORMAT}}])
        entries = manifest.get("files") if isinstance(manifest.get("files"), list) else []
        if len(entries) > MAX_ARCHIVE_DOCUMENTS:
            message = _(
                "The archive holds %(count)d passports; import at most %(limit)d at once, or use the bulk "
                "import with JSON lines."
            )
            raise ArchiveInvalid(
                [{"file": None, "message": message % {"count": len(entries), "limit": MAX_ARCHIVE_DOCUMENTS}}]
            )
        documents, errors = [], []
        names = set(archive.namelist())
        for entry in entries:
            name = entry.get("file") if isinstance(entry, dict) else None
            if not isinstance(name, str) or name not in names:
                errors.append({"file": name, "message": _("Listed in the manifest but missing.")})
                continue
            raw = archive.read(name)
            if hashlib.sha256(raw).hexdigest() != entry.get("sha256"):
                errors.append({"file": name, "message": _("Changed since the back-up was made (SHA-256).")})
                continue
            try:
                documents.append(json.loads(raw))
            except ValueError as exc:
                errors.append(
                    {"file": name, "message": _("Malformed JSON: %(error)s") % {"error": str(exc)[:200]}}
                )
    if errors:
        raise ArchiveInvalid(errors)
    return documents


def _shifted(index: int | None, start: int) -> int | None:
    return None if index is None else start + index


def import_archive(*, actor, organization, content: bytes) -> list[catenax.ImportedPassport]:
    """Import a back-up archive: all its passports or none. The economic operator is confirmed: a back-up
    is imported by the company it belongs to (or, on a new platform, by its successor, who says so by
    importing it)."""
    documents = read_archive(content)
    if not documents:
        raise ArchiveInvalid([{"file": MANIFEST, "message": _("The archive holds no passports.")}])
    imported: list[catenax.ImportedPassport] = []
    with transaction.atomic():
        for start in range(0, len(documents), catenax.MAX_DOCUMENTS):
            batch = documents[start : start + catenax.MAX_DOCUMENTS]
            try:
                results = catenax.import_documents(
                    actor=actor, organization=organization, payload=batch, confirm_economic_operator=True
                )
            except catenax.CatenaxImportError as exc:
                raise catenax.CatenaxImportError(
                    [{**error, "document": _shifted(error.get("document"), start)} for error in exc.errors]
                ) from None
            imported.extend(results)
    return imported
