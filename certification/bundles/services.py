"""Writing certificate ZIPs: the request (bounded, queued after commit), the build in a worker (idempotent,
with progress), the access log when the requester downloads it, and the sweep of expired and stuck ones.

The web process never builds a ZIP: it counts, stores the certificate ids and queues the task.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import uuid
import zipfile
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from portal.enqueue import queue_after_commit
from portal.storage import private_storage
from portal.tenancy.selectors import membership_of

from .. import policies, selectors
from ..documents.download import record_downloads
from ..documents.models import CertificateDocument, DocumentStatus
from ..documents.selectors import document_bytes
from ..models import Certificate
from .models import OPEN_STATUSES, BundleStatus, CertificateBundle

logger = logging.getLogger(__name__)

#: A bundle still queued or running this long after its last sign of life lost its worker: queue it again.
STUCK_AFTER = timedelta(minutes=15)
#: Where the ZIPs are stored in private storage (the model's upload_to).
BUNDLE_DIR = "bundles"
#: Builds tried before the bundle is given up as failed.
MAX_ATTEMPTS = 3
#: Seconds between two progress updates written by the worker.
PROGRESS_INTERVAL = 0.5


def bundle_max() -> int:
    return int(settings.CERTIFICATE_BUNDLE_MAX)


def _lifetime() -> timedelta:
    return timedelta(hours=int(settings.CERTIFICATE_BUNDLE_TTL_HOURS))


class BundleTooLarge(ValidationError):
    """More certificates than one ZIP may hold: the requester narrows the filter."""

    def __init__(self, count: int) -> None:
        super().__init__(
            _(
                "%(count)s certificates match, but a ZIP holds at most %(max)s. Narrow the filter (for "
                "example by scheme, country, status or issue date) and try again."
            ),
            code="too_many",
            params={
                "count": number_format(count, force_grouping=True),
                "max": number_format(bundle_max(), force_grouping=True),
            },
        )
        self.count = count


def bundle_request(*, actor, certificates: QuerySet[Certificate]) -> CertificateBundle:
    """Ask for a ZIP of these certificates' PDFs. They are re-scoped to what the actor may see; at most
    CERTIFICATE_BUNDLE_MAX, and a few open requests per person, so nobody can queue unbounded work."""
    if not policies.can_bundle_certificates(actor):
        raise PermissionDenied(_("You may not download certificates as a ZIP."))
    limit = bundle_max()
    visible = selectors.certificates_for(actor=actor).filter(pk__in=certificates.values("pk"))
    ids = list(visible.order_by("number").values_list("pk", flat=True)[: limit + 1])
    if not ids:
        raise ValidationError(_("No certificates to put in the ZIP."), code="empty")
    if len(ids) > limit:
        raise BundleTooLarge(visible.count())
    open_requests = CertificateBundle.objects.filter(requested_by=actor, status__in=OPEN_STATUSES).count()
    if open_requests >= int(settings.CERTIFICATE_BUNDLE_OPEN_PER_USER):
        raise ValidationError(
            _("You already have %(count)s ZIPs being prepared. Wait until they are ready, then try again."),
            code="busy",
            params={"count": open_requests},
        )
    membership = membership_of(actor)
    now = timezone.now()
    with transaction.atomic():
        bundle = CertificateBundle.objects.create(
            requested_by=actor,
            organization=membership.organization if membership else None,
            certificate_ids=ids,
            total=len(ids),
            updated_at=now,
            expires_at=now + _lifetime(),
        )
        queue_after_commit(partial(bundle_enqueue, bundle.pk), what="a certificate bundle")
    return bundle


def bundle_enqueue(bundle_id: int) -> None:
    from .. import tasks  # tasks import the services: imported late to keep the import graph acyclic

    tasks.build_certificate_bundle.delay(bundle_id)


# --- The build (in a worker) ---------------------------------------------------------------------------


def _claim(bundle_id: int, token: str) -> CertificateBundle | None:
    """Take the bundle for this run, or None when there is nothing (more) to do: a redelivered task finds
    it ready or failed and stops; a run that took over from a lost one owns it from now on."""
    with transaction.atomic():
        bundle = CertificateBundle.objects.select_for_update().filter(pk=bundle_id).first()
        if bundle is None or not bundle.is_open:
            return None
        now = timezone.now()
        if bundle.attempts >= MAX_ATTEMPTS:
            bundle.status = BundleStatus.FAILED
            bundle.error = _("The ZIP could not be built. Please ask again.")[:200]
            bundle.finished_at = now
            bundle.save(update_fields=["status", "error", "finished_at"])
            return None
        bundle.status = BundleStatus.RUNNING
        bundle.run_token = token
        bundle.attempts += 1
        bundle.done = 0
        bundle.updated_at = now
        bundle.save(update_fields=["status", "run_token", "attempts", "done", "updated_at"])
        return bundle


def _owned(bundle: CertificateBundle, token: str) -> QuerySet[CertificateBundle]:
    return CertificateBundle.objects.filter(pk=bundle.pk, run_token=token, status=BundleStatus.RUNNING)


def _readme(
    bundle: CertificateBundle, included: list[tuple[str, str]], missing: list[tuple[str, str]]
) -> str:
    lines = [
        "PassBridge certificate documents",
        "================================",
        "",
        f"Prepared: {timezone.now():%Y-%m-%d %H:%M} UTC",
        f"Certificates requested: {bundle.total}",
        f"Documents included: {len(included)}",
        "",
        "Each PDF is signed by the platform (PAdES). It states the certificate as issued; the current",
        "status (valid, suspended, revoked, expired) is on the public verification page: /verify/<number>/",
        "",
    ]
    if included:
        lines += ["Included (file, SHA-256):", *(f"  {number}.pdf  {sha}" for number, sha in included), ""]
    if missing:
        lines += ["Not included:", *(f"  {number}: {reason}" for number, reason in missing), ""]
    return "\n".join(lines) + "\n"


def _archive_name(number: str) -> str:
    # Numbers are letters, digits and dashes; anything else is replaced so no entry can leave the folder.
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch == "-") else "_" for ch in number) + ".pdf"


def _delete_leftovers(bundle: CertificateBundle, *, keep: str) -> None:
    """Delete the ZIPs earlier runs of this bundle wrote before their worker was killed (each run writes
    under its own token, so a run that died between writing and recording left a file nothing points at)."""
    prefix = f"{bundle.public_id}-"
    try:
        _dirs, files = private_storage.listdir(BUNDLE_DIR)
    except FileNotFoundError:
        return
    for name in files:
        path = f"{BUNDLE_DIR}/{name}"
        if name.startswith(prefix) and path != keep:
            private_storage.delete(path)


def bundle_build(*, bundle_id: int) -> CertificateBundle | None:
    """Write the ZIP of the bundle's ready PDFs to private storage, updating the progress as it goes.

    Idempotent: a second delivery of the task finds the bundle ready and does nothing; a run that lost
    its worker is taken over (a new run token) and the stale run can no longer write anything."""
    token = uuid.uuid4().hex
    bundle = _claim(bundle_id, token)
    if bundle is None:
        return CertificateBundle.objects.filter(pk=bundle_id).first()
    stored_name = ""
    try:
        # The requester's scope again: access may have changed since the request.
        certificates = list(
            selectors.certificates_for(actor=bundle.requested_by)
            .filter(pk__in=bundle.certificate_ids)
            .prefetch_related(None)
            .order_by("number")
        )
        seen = {c.pk for c in certificates}
        documents = {
            d.certificate_id: d
            for d in CertificateDocument.objects.filter(certificate_id__in=seen, status=DocumentStatus.READY)
        }
        included: list[tuple[str, str]] = []
        included_ids: list[int] = []
        missing: list[tuple[str, str]] = [
            (number, "no longer visible to you")
            for number in Certificate.objects.filter(pk__in=set(bundle.certificate_ids) - seen)
            .order_by("number")
            .values_list("number", flat=True)
        ]
        last_progress = 0.0
        with tempfile.TemporaryFile(prefix="pb-bundle-") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as archive:
                for position, certificate in enumerate(certificates, start=1):
                    document = documents.get(certificate.pk)
                    content = document_bytes(document) if document is not None else None
                    if content is None:
                        missing.append((certificate.number, "document not ready yet"))
                    elif hashlib.sha256(content).hexdigest() != document.sha256:
                        logger.error(
                            "Stored document of certificate %s does not match its hash", certificate.pk
                        )
                        missing.append((certificate.number, "stored document failed its integrity check"))
                    else:
                        archive.writestr(_archive_name(certificate.number), content)
                        included.append((certificate.number, document.sha256))
                        included_ids.append(certificate.pk)
                    now = timezone.now()
                    if position == len(certificates) or now.timestamp() - last_progress >= PROGRESS_INTERVAL:
                        last_progress = now.timestamp()
                        if not _owned(bundle, token).update(done=position, updated_at=now):
                            return CertificateBundle.objects.filter(pk=bundle_id).first()  # taken over
                archive.writestr(
                    "README.txt", _readme(bundle, included, missing), compress_type=zipfile.ZIP_DEFLATED
                )
            size = handle.tell()
            handle.seek(0)
            stored_name = private_storage.save(f"{BUNDLE_DIR}/{bundle.public_id}-{token}.zip", File(handle))
        now = timezone.now()
        finished = _owned(bundle, token).update(
            status=BundleStatus.READY,
            file=stored_name,
            size=size,
            done=bundle.total,
            included=included_ids,
            missing=[number for number, _reason in missing],
            error="",
            finished_at=now,
            updated_at=now,
            expires_at=now + _lifetime(),
        )
        if not finished:  # another run owns the bundle now: keep its file, not ours
            private_storage.delete(stored_name)
        else:
            _delete_leftovers(bundle, keep=stored_name)
    except Exception as exc:
        if stored_name:
            private_storage.delete(stored_name)
        _delete_leftovers(bundle, keep="")
        logger.exception("Certificate ZIP %s failed", bundle.pk)
        _owned(bundle, token).update(
            status=BundleStatus.FAILED,
            error=f"{type(exc).__name__}"[:200],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return CertificateBundle.objects.filter(pk=bundle_id).first()


# --- Download ------------------------------------------------------------------------------------------


def bundle_downloaded(*, actor, bundle: CertificateBundle) -> int:
    """Who saw what: each PDF in the ZIP is logged like a single download (for authorities).

    Logged when the ZIP is downloaded rather than when it is built: the build only prepares a file, and
    a requester who never fetches it has seen nothing; every fetch hands over every PDF again, exactly
    like fetching each PDF on its own. Returns the number of PDFs handed over."""
    documents = CertificateDocument.objects.filter(
        certificate_id__in=bundle.included, status=DocumentStatus.READY
    ).select_related("certificate__holder")
    with transaction.atomic():
        record_downloads(actor=actor, documents=documents)
    return len(bundle.included)


# --- Periodic sweep ------------------------------------------------------------------------------------


def bundles_sweep(*, now: datetime | None = None, stuck_after: timedelta = STUCK_AFTER) -> dict[str, int]:
    """Delete expired bundles with their files; queue again those not finished `stuck_after` after their
    last progress (their worker was lost)."""
    now = now or timezone.now()
    expired = list(CertificateBundle.objects.filter(expires_at__lt=now))
    for bundle in expired:
        if bundle.file:
            private_storage.delete(bundle.file.name)
        _delete_leftovers(bundle, keep="")
        bundle.delete()
    stuck = list(
        CertificateBundle.objects.filter(
            status__in=OPEN_STATUSES, updated_at__lte=now - stuck_after
        ).values_list("pk", flat=True)
    )
    CertificateBundle.objects.filter(pk__in=stuck).update(updated_at=now)
    for pk in stuck:
        bundle_enqueue(pk)
    return {"deleted": len(expired), "requeued": len(stuck)}
