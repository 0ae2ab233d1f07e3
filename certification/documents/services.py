"""Writing certificate documents: render and sign once, store privately, never twice.

Idempotence: the document row is created once (one-to-one), then rendered under its row lock; a second
delivery of the task waits for the lock and finds the document ready. A status change never calls this:
the signed PDF states the certificate as issued."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from portal.audit.services import audit_record
from portal.enqueue import queue_after_commit

from ..models import Certificate
from .facts import sha256_hex
from .models import CertificateDocument, DocumentStatus
from .render import render_certificate
from .signature import sign_pdf

logger = logging.getLogger(__name__)

#: The sweep gives up on a certificate after this many failed renders (an operator looks at last_error).
MAX_ATTEMPTS = 5
#: A render younger than this may still be running in a worker: the sweep leaves it alone.
SWEEP_GRACE = timedelta(minutes=10)
#: Audit action of an operator asking for a document to be rendered again.
RERENDER_REQUESTED = "certificate.document_rerender"


def _document_row(certificate_id: int) -> CertificateDocument:
    try:
        with transaction.atomic():
            document, _created = CertificateDocument.objects.get_or_create(certificate_id=certificate_id)
    except IntegrityError:  # created concurrently by another delivery of the task
        document = CertificateDocument.objects.get(certificate_id=certificate_id)
    return document


def _clear_leftover(document: CertificateDocument, filename: str) -> None:
    """Delete a file an earlier render wrote before its worker was killed (its row never committed), so
    that this render stores under the certificate's own name, not a suffixed one beside an orphan. The
    row lock is held and the document is not ready: nothing points at that file."""
    field = document.file.field
    name = field.generate_filename(document, filename)
    if field.storage.exists(name):
        logger.warning("Deleting the file an interrupted render of %s left behind", name)
        field.storage.delete(name)


def document_render(*, certificate_id: int) -> CertificateDocument | None:
    """Render, sign and store the certificate's document unless it is ready. Returns the document (None
    for an unknown certificate)."""
    if not Certificate.objects.filter(pk=certificate_id).exists():
        return None
    document = _document_row(certificate_id)
    if document.is_ready:
        return document
    CertificateDocument.objects.filter(pk=document.pk).update(
        attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    stored_name = ""
    try:
        with transaction.atomic():
            document = CertificateDocument.objects.select_for_update().get(pk=document.pk)
            if document.is_ready:
                return document
            certificate = Certificate.objects.select_related("scheme", "origin__scheme").get(
                pk=certificate_id
            )
            rendered = render_certificate(certificate)
            signed = sign_pdf(rendered.pdf)
            _clear_leftover(document, f"{certificate.number}.pdf")
            document.file.save(f"{certificate.number}.pdf", ContentFile(signed), save=False)
            stored_name = document.file.name
            document.sha256 = sha256_hex(signed)
            document.size = len(signed)
            document.data_sha256 = rendered.data_sha256
            document.rendered_at = timezone.now()
            document.status = DocumentStatus.READY
            document.last_error = ""
            document.save()
    except Exception as exc:
        if stored_name:  # the row rolled back: do not keep a file nothing points at
            CertificateDocument._meta.get_field("file").storage.delete(stored_name)
        failing = CertificateDocument.objects.filter(pk=document.pk, status=DocumentStatus.PENDING)
        failing.update(last_error=f"{type(exc).__name__}"[:200], updated_at=timezone.now())
        # Given up after MAX_ATTEMPTS: the sweep stops, an operator reads last_error and resets the status.
        failing.filter(attempts__gte=MAX_ATTEMPTS).update(status=DocumentStatus.FAILED)
        raise
    return document


def documents_enqueue(certificate_ids: list[int]) -> None:
    """Queue the rendering (after commit: the worker must see the certificate)."""
    from .. import tasks  # tasks import the services: imported late to keep the import graph acyclic

    for pk in certificate_ids:
        tasks.render_certificate_document.delay(pk)


def documents_enqueue_issued(origin_id: int) -> None:
    """The certificate just issued and every certificate recognised from it in the same transaction."""
    ids = [origin_id, *Certificate.objects.filter(origin_id=origin_id).values_list("pk", flat=True)]
    documents_enqueue(ids)


def documents_missing(*, now=None, grace: timedelta = SWEEP_GRACE) -> list[int]:
    """Certificates without a ready document, except renders younger than `grace` (they may still be
    running) and those that failed too often."""
    now = now or timezone.now()
    without = Certificate.objects.filter(document__isnull=True).values_list("pk", flat=True)
    stale = CertificateDocument.objects.filter(
        status=DocumentStatus.PENDING, updated_at__lte=now - grace, attempts__lt=MAX_ATTEMPTS
    ).values_list("certificate_id", flat=True)
    return sorted({*without, *stale})


def documents_sweep(*, grace: timedelta = SWEEP_GRACE) -> list[int]:
    missing = documents_missing(grace=grace)
    if missing:
        logger.info("Re-queueing %d certificate documents", len(missing))
    documents_enqueue(missing)
    return missing


def documents_rerender(*, actor, documents: Iterable[CertificateDocument]) -> list[int]:
    """An operator asks again for documents that are not ready (given up after MAX_ATTEMPTS, or lost): each
    starts afresh (pending, no attempts, so the sweep retries it again too) and the render task is queued
    after commit. Ready documents are left alone: a signed PDF is never rewritten. Returns the ids of the
    certificates queued."""
    with transaction.atomic():
        rows = list(
            CertificateDocument.objects.select_for_update()
            .filter(pk__in=[document.pk for document in documents])
            .exclude(status=DocumentStatus.READY)
            .order_by("pk")
        )
        CertificateDocument.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=DocumentStatus.PENDING, attempts=0, updated_at=timezone.now()
        )
        certificate_ids = [row.certificate_id for row in rows]
        for certificate in Certificate.objects.filter(pk__in=certificate_ids).select_related("holder"):
            audit_record(
                actor=actor,
                action=RERENDER_REQUESTED,
                organization=certificate.holder,
                target=certificate,
                details={"number": certificate.number},
            )
        if certificate_ids:
            queue_after_commit(partial(documents_enqueue, certificate_ids), what="certificate documents")
    return certificate_ids
