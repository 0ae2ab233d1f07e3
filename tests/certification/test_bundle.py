"""Certificate ZIPs: the build (ready PDFs in, the others listed in a README), idempotence and take-over of a
lost run, the requester's scope re-checked by the worker, failures, the access log written when an
authority downloads the ZIP, the sweep, the queue routing, and the whole journey through a real Celery
worker on Redis with the progress endpoint polled as the page does."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certification.bundles import services as bundle_services
from certification.bundles.models import BundleStatus, CertificateBundle
from certification.bundles.services import bundle_build, bundle_request, bundles_sweep
from certification.documents.download import DOWNLOADED
from certification.models import Certificate
from portal.audit.models import AuditEvent
from portal.celery import app as celery_app
from portal.storage import private_storage

from .registry_world import attach_document, build_world, fake_pdf


def queued(callback):
    """What an on-commit hook of `portal.enqueue.queue_after_commit` queues."""
    return callback.args[0].func


@pytest.fixture
def documents(world):
    """Ready documents for CX1 and OU2; none for OU1; CX2's stored file no longer matches its hash."""
    attach_document(world.cx1)
    attach_document(world.ou2)
    corrupted = attach_document(world.cx2)
    Path(corrupted.file.path).write_bytes(b"%PDF-1.7 altered on disk")
    return world


def new_bundle(user, certificates: list[Certificate], **fields) -> CertificateBundle:
    """A bundle row as the request leaves it (without the request's checks, to test the worker's)."""
    now = timezone.now()
    return CertificateBundle.objects.create(
        requested_by=user,
        certificate_ids=[c.pk for c in certificates],
        total=len(certificates),
        updated_at=now,
        expires_at=now + timedelta(hours=24),
        **fields,
    )


def stored_zips() -> list[Path]:
    root = Path(private_storage.location) / "bundles"
    return sorted(root.glob("*.zip")) if root.exists() else []


def zip_of(bundle: CertificateBundle) -> zipfile.ZipFile:
    with bundle.file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The build -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_zip_holds_the_ready_pdfs_and_names_the_others(documents, inspector):
    w = documents
    bundle = new_bundle(inspector, w.all)
    bundle = bundle_build(bundle_id=bundle.pk)
    assert bundle.status == BundleStatus.READY and bundle.done == bundle.total == 4 and bundle.percent == 100
    assert sorted(bundle.included) == sorted([w.cx1.pk, w.ou2.pk])
    assert bundle.missing == sorted([w.ou1.number, w.cx2.number])
    assert bundle.attempts == 1 and bundle.error == "" and bundle.finished_at
    assert bundle.expires_at > bundle.finished_at
    archive = zip_of(bundle)
    assert sorted(archive.namelist()) == sorted(["README.txt", f"{w.cx1.number}.pdf", f"{w.ou2.number}.pdf"])
    assert archive.read(f"{w.cx1.number}.pdf") == fake_pdf(w.cx1)
    assert archive.testzip() is None
    readme = archive.read("README.txt").decode()
    assert f"{w.ou1.number}: document not ready yet" in readme
    assert f"{w.cx2.number}: stored document failed its integrity check" in readme
    assert w.cx1.document.sha256 in readme
    assert bundle.size == bundle.file.size


@pytest.mark.django_db
def test_a_second_delivery_does_nothing(documents, inspector):
    bundle = bundle_build(bundle_id=new_bundle(inspector, documents.all).pk)
    again = bundle_build(bundle_id=bundle.pk)
    assert again.file.name == bundle.file.name and again.attempts == 1
    assert len(stored_zips()) == 1
    assert bundle_build(bundle_id=999_999) is None


@pytest.mark.django_db
def test_a_lost_run_is_taken_over(documents, inspector):
    bundle = new_bundle(
        inspector, documents.all, status=BundleStatus.RUNNING, run_token="lost-worker", attempts=1, done=2
    )
    bundle = bundle_build(bundle_id=bundle.pk)
    assert bundle.status == BundleStatus.READY and bundle.attempts == 2 and bundle.run_token != "lost-worker"
    assert len(stored_zips()) == 1


@pytest.mark.django_db
def test_the_zip_a_killed_run_wrote_is_deleted_when_the_takeover_finishes(documents, inspector):
    """A run killed between writing its ZIP and recording it left a file nothing points at."""
    bundle = new_bundle(inspector, documents.all, status=BundleStatus.RUNNING, run_token="killed", attempts=1)
    orphan = private_storage.save(f"bundles/{bundle.public_id}-killed.zip", io.BytesIO(b"PK partial"))
    other = private_storage.save("bundles/another-bundle-killed.zip", io.BytesIO(b"PK other"))
    bundle = bundle_build(bundle_id=bundle.pk)
    assert bundle.status == BundleStatus.READY
    assert not private_storage.exists(orphan) and private_storage.exists(other)
    assert [path.name for path in stored_zips()] == sorted([Path(bundle.file.name).name, Path(other).name])


@pytest.mark.django_db
def test_a_run_that_was_taken_over_writes_nothing(documents, inspector, monkeypatch):
    bundle = new_bundle(inspector, documents.all)
    real = bundle_services.document_bytes

    def taken_over(document):
        # Meanwhile the sweep gave the bundle to another run.
        CertificateBundle.objects.filter(pk=bundle.pk).update(run_token="another-run")
        return real(document)

    monkeypatch.setattr(bundle_services, "document_bytes", taken_over)
    monkeypatch.setattr(bundle_services, "PROGRESS_INTERVAL", 0)
    result = bundle_build(bundle_id=bundle.pk)
    assert result.status == BundleStatus.RUNNING and result.run_token == "another-run"
    assert stored_zips() == []


@pytest.mark.django_db
def test_the_worker_rechecks_the_requesters_scope(documents, admin_a):
    """Even a bundle row naming every certificate yields only what its requester may see."""
    w = documents
    bundle = bundle_build(bundle_id=new_bundle(admin_a, w.all).pk)
    assert bundle.status == BundleStatus.READY
    assert bundle.included == [w.cx1.pk]
    names = zip_of(bundle).namelist()
    assert f"{w.cx1.number}.pdf" in names
    assert not any(n.startswith(("OUR-OTH", "CATX-OTH")) for n in names)
    readme = zip_of(bundle).read("README.txt").decode()
    assert f"{w.ou2.number}: no longer visible to you" in readme


@pytest.mark.django_db
def test_a_failing_build_is_marked_failed_and_keeps_no_file(documents, inspector, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(bundle_services.private_storage, "save", broken)
    bundle = bundle_build(bundle_id=new_bundle(inspector, documents.all).pk)
    assert bundle.status == BundleStatus.FAILED and bundle.error == "OSError" and not bundle.file
    assert stored_zips() == []


@pytest.mark.django_db
def test_a_bundle_that_keeps_failing_is_given_up(documents, inspector):
    bundle = new_bundle(inspector, documents.all, attempts=bundle_services.MAX_ATTEMPTS)
    bundle = bundle_build(bundle_id=bundle.pk)
    assert bundle.status == BundleStatus.FAILED and "could not be built" in bundle.error


# --- The request ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_request_is_scoped_bounded_and_queued_after_commit(
    world, inspector, admin_a, settings, django_capture_on_commit_callbacks
):
    everything = Certificate.objects.all()
    with pytest.raises(PermissionDenied):
        bundle_request(actor=admin_a, certificates=everything)
    settings.CERTIFICATE_BUNDLE_MAX = 3
    with pytest.raises(ValidationError) as refused:
        bundle_request(actor=inspector, certificates=everything)
    assert refused.value.code == "too_many" and refused.value.count == 4
    with django_capture_on_commit_callbacks() as callbacks:
        bundle = bundle_request(actor=inspector, certificates=everything.filter(holder_country="DE"))
    assert [queued(c) for c in callbacks] == [bundle_services.bundle_enqueue]
    assert bundle.total == 2 and bundle.status == BundleStatus.QUEUED
    assert not CertificateBundle.objects.exclude(pk=bundle.pk).exists()


# --- Download and the access log -----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_authority_download_logs_each_pdf_in_the_zip(documents, inspector, company_a, company_b):
    w = documents
    bundle = bundle_build(bundle_id=new_bundle(inspector, w.all).pk)
    url = reverse("certification:bundle_download", args=[bundle.public_id])
    assert not AuditEvent.objects.filter(action=DOWNLOADED).exists()  # building is not seeing
    response = login(inspector).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="certificates-')
    assert response["Cache-Control"] == "private, no-store"
    content = b"".join(response.streaming_content)
    assert sorted(zipfile.ZipFile(io.BytesIO(content)).namelist())[0] == "CATX-CBG-0000001.pdf"
    events = AuditEvent.objects.filter(action=DOWNLOADED).order_by("object_label")
    assert [(e.object_label, e.organization, e.actor) for e in events] == [
        (w.cx1.number, company_a, inspector),
        (w.ou2.number, company_b, inspector),
    ]
    assert events[0].details["document_sha256"] == w.cx1.document.sha256
    assert events[0].details["by_organization"] == "Market Surveillance"
    # Each download hands the PDFs over again: logged again.
    b"".join(login(inspector).get(url).streaming_content)
    assert AuditEvent.objects.filter(action=DOWNLOADED).count() == 4


@pytest.mark.django_db
def test_an_operator_download_is_not_an_authority_access(documents, operator):
    bundle = bundle_build(bundle_id=new_bundle(operator, documents.all).pk)
    response = login(operator).get(reverse("certification:bundle_download", args=[bundle.public_id]))
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action=DOWNLOADED).exists()


@pytest.mark.django_db
def test_an_expired_or_failed_bundle_cannot_be_downloaded(documents, inspector):
    bundle = bundle_build(bundle_id=new_bundle(inspector, documents.all).pk)
    url = reverse("certification:bundle_download", args=[bundle.public_id])
    CertificateBundle.objects.filter(pk=bundle.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert login(inspector).get(url).status_code == 404
    CertificateBundle.objects.filter(pk=bundle.pk).update(
        expires_at=timezone.now() + timedelta(hours=1), status=BundleStatus.FAILED
    )
    assert login(inspector).get(url).status_code == 404
    assert not AuditEvent.objects.filter(action=DOWNLOADED).exists()


# --- Sweep, routing, admin -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_deletes_expired_bundles_and_requeues_lost_ones(documents, inspector):
    expired = bundle_build(bundle_id=new_bundle(inspector, documents.all).pk)
    expired_file = Path(expired.file.path)
    CertificateBundle.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    lost = new_bundle(inspector, documents.all, status=BundleStatus.RUNNING, run_token="gone", attempts=1)
    CertificateBundle.objects.filter(pk=lost.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    fresh = new_bundle(inspector, documents.all)  # just queued: its task is on its way
    result = bundles_sweep()
    assert result == {"deleted": 1, "requeued": 1}
    assert not CertificateBundle.objects.filter(pk=expired.pk).exists() and not expired_file.exists()
    lost.refresh_from_db()
    assert lost.status == BundleStatus.READY  # tasks run in-process in this test
    fresh.refresh_from_db()
    assert fresh.status == BundleStatus.QUEUED
    # When a worker starts, nothing unfinished is thought to be still running (portal/resume.py).
    assert bundles_sweep(stuck_after=timedelta(0)) == {"deleted": 0, "requeued": 1}
    fresh.refresh_from_db()
    assert fresh.status == BundleStatus.READY


def test_the_bundle_task_goes_to_the_queue_the_workers_consume():
    route = celery_app.amqp.router.route({}, "certification.tasks.build_certificate_bundle", args=(1,))
    assert route["queue"].name == settings.CELERY_TASK_DEFAULT_QUEUE == "default"
    assert "certification.tasks.sweep_certificate_bundles" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


@pytest.mark.django_db
def test_the_admin_lists_bundles_read_only(documents, inspector, operator):
    bundle = bundle_build(bundle_id=new_bundle(inspector, documents.all).pk)
    client = login(operator)
    listing = client.get(reverse("admin:certification_certificatebundle_changelist"))
    assert listing.status_code == 200 and str(bundle.public_id)[:8] in listing.content.decode()
    change = client.get(reverse("admin:certification_certificatebundle_change", args=[bundle.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert client.get(reverse("admin:certification_certificatebundle_add")).status_code == 403


# --- Through a real worker -----------------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_zip_is_built_by_a_real_worker_and_downloaded(
    catenax, ouranos, company_a, company_b, certification_body, inspector, live_celery_worker
):
    w = build_world(
        catenax=catenax,
        ouranos=ouranos,
        company_a=company_a,
        company_b=company_b,
        certification_body=certification_body,
    )
    for certificate in (w.cx1, w.ou1, w.ou2):
        attach_document(certificate)
    client = login(inspector)
    page = client.post(
        reverse("certification:bundle_create"), {"mode": "all", "query": "issued_from=2025-01-01"}
    )
    assert page.status_code == 302
    bundle = CertificateBundle.objects.get()
    status_url = reverse("certification:bundle_status", args=[bundle.public_id])
    assert page["Location"] == reverse("certification:bundle_detail", args=[bundle.public_id])

    def ready():
        state = client.get(status_url).json()
        return state if state["status"] == "ready" else None

    state = live_celery_worker.wait_for(ready, timeout=30)
    assert state["done"] == state["total"] == 3 and state["percent"] == 100 and state["missing"] == []
    (run,) = [r for r in live_celery_worker.runs if r.name == "certification.tasks.build_certificate_bundle"]
    assert run.args == (bundle.pk,) and run.retval == "ready"  # ids only in the task's arguments
    download = client.get(state["download_url"])
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert sorted(names) == sorted(["README.txt", *(f"{c.number}.pdf" for c in (w.cx1, w.ou1, w.ou2))])
    logged = set(AuditEvent.objects.filter(action=DOWNLOADED).values_list("object_label", flat=True))
    assert logged == {w.cx1.number, w.ou1.number, w.ou2.number}
