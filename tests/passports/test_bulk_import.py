"""Bulk import (issue 17): templates from the catalogue, Catena-X JSON / JSON lines and CSV/XLSX files run as
a worker job with progress, per-row errors, both modes, resumption after a killed worker, API and pages."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from passports.bulk_import import formats, services
from passports.bulk_import.models import ImportIssue, ImportJob, ImportMode, ImportState
from passports.catalogue import attribute
from passports.models import BatteryModel, Passport
from portal.tenancy.models import Role
from tests.factories import member

from .test_catenax import corrected_example

MODEL_ROW = {
    "model_name": "Bulk Pack 60",
    "manufacturer_part_id": "BULK-60",
    "battery_category": "ev",
    "manufacturer_name": "Company A GmbH",
}


class WorkerKilled(BaseException):
    """What a killed worker looks like to the code after it: nothing runs any more (not an Exception, so
    no handler of the run records a failure)."""


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"


@pytest.fixture
def editor_a(company_a):
    return member(Role.EDITOR, company_a, username="bulk-editor-a")


def csv_file(rows: list[dict], *, name: str = "passports.csv") -> SimpleUploadedFile:
    columns = formats.csv_attributes()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([formats.column_label(a, sheet="passports") for a in columns])
    writer.writerow([a.key for a in columns])
    for row in rows:
        writer.writerow([row.get(a.key, "") for a in columns])
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def passport_rows(count: int, *, prefix: str = "urn:bulk:", with_model: bool = True) -> list[dict]:
    rows = []
    for number in range(count):
        row = {
            "manufacturer_part_id": MODEL_ROW["manufacturer_part_id"],
            "unique_identifier": f"{prefix}{number}",
        }
        if with_model:
            row.update(MODEL_ROW)
        rows.append(row)
    return rows


def document(organization, unique: str) -> dict:
    """The corrected official example, with the importing company as economic operator."""
    doc = corrected_example(unique)
    doc["metadata"]["economicOperatorId"] = organization.bpnl
    return doc


def start(actor, upload, mode=ImportMode.ALL_OR_NOTHING, django_capture_on_commit_callbacks=None, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start(actor=actor, upload=upload, mode=mode, **kwargs)
    job.refresh_from_db()
    return job


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    def run(actor, upload, mode=ImportMode.ALL_OR_NOTHING, **kwargs) -> ImportJob:
        return start(actor, upload, mode, django_capture_on_commit_callbacks, **kwargs)

    return run


# ---- templates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ja"])
def test_xlsx_template_has_a_sheet_per_level_with_labels_in_the_language_and_keys(db, language):
    with translation.override(language):
        content = formats.xlsx_template()
        expected_models = [formats.column_label(a, sheet="models") for a in formats.model_attributes()]
        expected_passports = [
            formats.column_label(a, sheet="passports") for a in formats.passport_attributes()
        ]
        title = str(translation.gettext("Battery models"))
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    assert len(workbook.sheetnames) == 3  # README, battery models, passports
    models, passports = workbook.worksheets[1], workbook.worksheets[2]
    assert models.title == title[:31]
    rows = list(models.iter_rows(min_row=1, max_row=2, values_only=True))
    assert list(rows[0]) == expected_models
    assert list(rows[1]) == [a.key for a in formats.model_attributes()]
    rows = list(passports.iter_rows(min_row=1, max_row=2, values_only=True))
    assert list(rows[0]) == expected_passports
    assert rows[1][:2] == ("manufacturer_part_id", "unique_identifier")
    if language == "ja":
        with translation.override("en"):
            english = [formats.column_label(a, sheet="models") for a in formats.model_attributes()]
        assert expected_models != english  # the catalogue's labels are translated


def test_csv_template_has_labels_and_keys(db):
    with translation.override("ja"):
        content = formats.csv_template()
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1] == [a.key for a in formats.csv_attributes()]
    assert "model_name" in rows[1] and "unique_identifier" in rows[1]


def test_template_pages_download(admin_a):
    client = Client()
    client.force_login(admin_a)
    response = client.get("/passports/import/template.xlsx")
    assert response.status_code == 200
    load_workbook(io.BytesIO(response.content), read_only=True)
    assert client.get("/passports/import/template.csv").status_code == 200


# ---- importing ------------------------------------------------------------------------------------------


def test_filled_xlsx_template_imports(admin_a, company_a, run_import):
    workbook = load_workbook(io.BytesIO(formats.xlsx_template()))
    models, passports = workbook.worksheets[1], workbook.worksheets[2]
    model_keys = [cell.value for cell in models[2]]
    models.append([MODEL_ROW.get(key) for key in model_keys])
    passport_keys = [cell.value for cell in passports[2]]
    for number in range(3):
        values = {
            "manufacturer_part_id": "BULK-60",
            "unique_identifier": f"urn:xlsx:{number}",
            "manufacturing_country": "DE",
            "manufacturing_facilities": "BPNA000000000001; BPNA000000000002",
            "serial_identifiers": json.dumps([{"key": "partInstanceId", "value": f"S-{number}"}]),
        }
        passports.append([values.get(key) for key in passport_keys])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("filled.xlsx", buffer.getvalue())
    job = run_import(admin_a, upload)
    assert job.state == ImportState.DONE, list(job.issues.values_list("row", "column", "message"))
    assert (job.imported_rows, job.models_created, job.percent) == (3, 1, 100)
    passport = Passport.objects.get(organization=company_a, unique_identifier="urn:xlsx:1")
    data = passport.versions.get().data
    assert data["manufacturing_facilities"] == ["BPNA000000000001", "BPNA000000000002"]
    assert data["serial_identifiers"] == [{"key": "partInstanceId", "value": "S-1"}]
    assert not job.file  # a file without errors is deleted at once


def test_json_lines_and_json_array_import(admin_a, company_a, run_import):
    lines = "\n".join(json.dumps(document(company_a, f"DMC-L-{n}")) for n in range(3))
    job = run_import(admin_a, SimpleUploadedFile("passports.jsonl", lines.encode()))
    assert job.state == ImportState.DONE, list(job.issues.values_list("row", "column", "message"))
    assert job.format == "catenax_jsonl" and job.imported_rows == 3
    array = json.dumps([document(company_a, f"DMC-A-{n}") for n in range(2)])
    job = run_import(admin_a, SimpleUploadedFile("passports.json", array.encode()))
    assert job.state == ImportState.DONE and job.imported_rows == 2
    assert Passport.objects.filter(organization=company_a).count() == 5
    assert BatteryModel.objects.filter(organization=company_a).count() == 1


def test_catenax_bad_line_names_line_and_path(admin_a, company_a, run_import):
    bad = document(company_a, "DMC-BAD")
    bad["operation"]["intoServiceDate"] = "2001-02-30"
    lines = [json.dumps(document(company_a, "DMC-OK")), json.dumps(bad), "{not json"]
    job = run_import(admin_a, SimpleUploadedFile("p.jsonl", "\n".join(lines).encode()))
    assert job.state == ImportState.REJECTED
    issues = list(job.issues.values_list("row", "column"))
    assert (2, "operation.intoServiceDate") in issues and (3, "$") in issues
    assert not Passport.objects.filter(organization=company_a).exists()
    job = run_import(admin_a, SimpleUploadedFile("p.jsonl", "\n".join(lines).encode()), ImportMode.VALID_ROWS)
    assert job.state == ImportState.DONE and (job.imported_rows, job.invalid_rows) == (1, 2)


def test_one_bad_row_stores_nothing_unless_valid_rows_are_chosen(admin_a, company_a, run_import):
    rows = passport_rows(4)
    rows[2]["manufacturing_country"] = "Atlantis"
    job = run_import(admin_a, csv_file(rows))
    assert job.state == ImportState.REJECTED and job.percent == 100
    assert not Passport.objects.filter(organization=company_a).exists()
    assert not BatteryModel.objects.filter(organization=company_a).exists()
    issue = job.issues.get()
    assert (issue.row, issue.column) == (5, "manufacturing_country")  # labels, keys, then data rows 3..6
    job = run_import(admin_a, csv_file(rows), ImportMode.VALID_ROWS)
    assert job.state == ImportState.DONE and job.percent == 100
    assert (job.imported_rows, job.invalid_rows) == (3, 1)
    assert set(
        Passport.objects.filter(organization=company_a).values_list("unique_identifier", flat=True)
    ) == {
        "urn:bulk:0",
        "urn:bulk:1",
        "urn:bulk:3",
    }


def test_error_report_downloads_as_csv_and_as_a_corrected_file(admin_a, run_import):
    rows = passport_rows(2)
    rows[1]["manufacturing_country"] = "=cmd"
    job = run_import(admin_a, csv_file(rows))
    client = Client()
    client.force_login(admin_a)
    response = client.get(f"/passports/import/{job.public_id}/errors.csv")
    assert response.status_code == 200
    report = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert report[0] == ["row", "sheet", "column", "message"]
    assert report[1][0] == "4" and report[1][2] == "manufacturing_country"
    assert "'=cmd" in report[1][3] or "=cmd" not in report[1][3]  # neutralised if quoted
    response = client.get(f"/passports/import/{job.public_id}/corrected/")
    assert response.status_code == 200
    corrected = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert corrected[1][0] == formats.ERROR_KEY and len(corrected) == 4  # all rows: nothing was stored
    assert "manufacturing_country" in corrected[3][0]
    # The corrected file, fixed, imports.
    corrected[3][corrected[1].index("manufacturing_country")] = "DE"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(corrected)
    job = run_import(admin_a, SimpleUploadedFile("fixed.csv", buffer.getvalue().encode()))
    assert job.state == ImportState.DONE and job.imported_rows == 2


def test_a_killed_worker_resumes_after_the_last_committed_chunk(admin_a, company_a, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    job = services.job_start(actor=admin_a, upload=csv_file(passport_rows(5)))  # no commit: not queued
    chunks = []

    def kill(resume_row: int) -> None:
        chunks.append(resume_row)
        raise WorkerKilled

    with pytest.raises(WorkerKilled):
        services.job_run(job_id=job.pk, after_chunk=kill)
    job.refresh_from_db()
    assert job.state == ImportState.RUNNING and job.resume_row == 2 and job.imported_rows == 2
    assert 0 < job.percent < 100
    assert Passport.objects.filter(organization=company_a).count() == 2
    silent_since_the_kill(job)
    job = services.job_run(job_id=job.pk)  # what the redelivered task (or the sweep) does
    assert job.state == ImportState.DONE and job.imported_rows == 5 and job.percent == 100
    identifiers = list(
        Passport.objects.filter(organization=company_a).values_list("unique_identifier", flat=True)
    )
    assert sorted(identifiers) == [f"urn:bulk:{n}" for n in range(5)]
    assert services.job_run(job_id=job.pk).imported_rows == 5  # a third delivery does nothing


def test_a_killed_catenax_import_resumes(admin_a, company_a, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    lines = "\n".join(json.dumps(document(company_a, f"DMC-K-{n}")) for n in range(5))
    job = services.job_start(actor=admin_a, upload=SimpleUploadedFile("k.jsonl", lines.encode()))

    def kill(resume_row: int) -> None:
        raise WorkerKilled

    with pytest.raises(WorkerKilled):
        services.job_run(job_id=job.pk, after_chunk=kill)
    silent_since_the_kill(job)
    job = services.job_run(job_id=job.pk)
    assert job.state == ImportState.DONE and job.imported_rows == 5
    assert Passport.objects.filter(organization=company_a).count() == 5


def silent_since_the_kill(job: ImportJob) -> None:
    """The killed run's last sign of life lies `LIVE_WITHIN` back when its task is delivered again."""
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - services.LIVE_WITHIN)


def test_a_second_delivery_leaves_a_live_run_alone_and_looks_once_more_later(admin_a, company_a, monkeypatch):
    """A worker's start queues every unfinished import again; with several import workers an idle one would
    take a running job over from a live worker (restarting its check, using up its attempts)."""
    job = services.job_start(actor=admin_a, upload=csv_file(passport_rows(5)))
    looks: list[int] = []
    monkeypatch.setattr(services, "recheck_later", lambda job_id, seconds: looks.append(job_id))
    services._claim(job.pk, "live-run")

    again = services.job_run(job_id=job.pk)
    assert (again.run_token, again.attempts, again.imported_rows, looks) == ("live-run", 1, 0, [job.pk])

    later = services.job_run(job_id=job.pk, recheck=False)  # the look once more, the run still alive
    assert later.run_token == "live-run" and looks == [job.pk]  # no further look: the sweep remains
    silent_since_the_kill(job)
    done = services.job_run(job_id=job.pk, recheck=False)  # a look that finds the run gone takes over
    assert done.state == ImportState.DONE and done.imported_rows == 5 and done.attempts == 2


def test_japanese_company_without_bpnl_imports_a_csv(admin_b, company_b, run_import):
    assert not company_b.bpnl
    job = run_import(admin_b, csv_file(passport_rows(2)))
    assert job.state == ImportState.DONE and job.imported_rows == 2
    assert Passport.objects.filter(organization=company_b).count() == 2


def test_rows_naming_an_unknown_model_are_errors(admin_a, run_import):
    job = run_import(admin_a, csv_file(passport_rows(1, with_model=False)))
    assert job.state == ImportState.REJECTED
    assert job.issues.get().column == "manufacturer_part_id"


# ---- API ------------------------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_answers_202_then_status_and_404_for_another_company(
    admin_a, admin_b, company_a, django_capture_on_commit_callbacks
):
    upload = csv_file(passport_rows(2))
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin_a).post(
            "/api/v1/passports/imports/", {"file": upload, "mode": "valid"}, format="multipart"
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert {"id", "state", "progress", "url"} <= set(body)
    detail = api(admin_a).get(body["url"])
    assert detail.status_code == 200
    assert detail.json()["state"] == "done" and detail.json()["progress"] == 100
    assert detail.json()["imported_rows"] == 2
    assert api(admin_b).get(body["url"]).status_code == 404
    assert api(admin_b).get(body["url"] + "errors/").status_code == 404
    assert api(admin_a).get(body["url"] + "errors/").status_code == 200
    listed = api(admin_b).get("/api/v1/passports/imports/").json()
    assert listed == []


def test_api_error_list_and_report_link(admin_a, django_capture_on_commit_callbacks):
    rows = passport_rows(2)
    rows[0]["battery_category"] = "spaceship"
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin_a).post(
            "/api/v1/passports/imports/", {"file": csv_file(rows)}, format="multipart"
        )
    detail = api(admin_a).get(response.json()["url"]).json()
    assert detail["state"] == "rejected" and detail["error_count"] >= 1
    assert detail["errors"][0]["row"] == 3 and detail["errors"][0]["column"] == "battery_category"
    assert detail["error_report_url"].endswith("/errors/")


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("empty.csv", b""),
        SimpleUploadedFile("document.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
        SimpleUploadedFile("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        SimpleUploadedFile("fake.xlsx", b"PK\x03\x04 not really a zip"),
    ],
    ids=["empty", "pdf", "png", "broken-xlsx"],
)
def test_api_refuses_bad_uploads(admin_a, upload):
    response = api(admin_a).post("/api/v1/passports/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()
    assert not ImportJob.objects.exists()


def test_api_refuses_viewers(viewer_a):
    response = api(viewer_a).post(
        "/api/v1/passports/imports/", {"file": csv_file(passport_rows(1))}, format="multipart"
    )
    assert response.status_code == 403


# ---- pages and access -----------------------------------------------------------------------------------


def test_page_renders_and_upload_works(admin_a, company_a, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(admin_a)
    page = client.get("/passports/import/")
    assert page.status_code == 200 and b'enctype="multipart/form-data"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/passports/import/", {"file": csv_file(passport_rows(2)), "mode": "all"})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == f"/passports/import/{job.public_id}/"
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and b"passports.csv" in detail.content
    status = client.get(f"/passports/import/{job.public_id}/status/").json()
    assert status["state"] == "done" and status["progress"] == 100
    assert Passport.objects.filter(organization=company_a).count() == 2
    bad = client.post(
        "/passports/import/", {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 x"), "mode": "all"}
    )
    assert bad.status_code == 400


def test_only_the_company_members_see_its_jobs(admin_a, viewer_a, admin_b, company_a, run_import):
    job = run_import(admin_a, csv_file(passport_rows(1)))
    viewer = Client()
    viewer.force_login(viewer_a)
    assert viewer.get(f"/passports/import/{job.public_id}/").status_code == 200
    assert b"passports.csv" in viewer.get("/passports/import/").content
    assert viewer.post("/passports/import/", {"file": csv_file(passport_rows(1))}).status_code == 403
    other = Client()
    other.force_login(admin_b)
    for path in ("", "status/", "errors.csv", "corrected/"):
        assert other.get(f"/passports/import/{job.public_id}/{path}").status_code == 404
    assert b"passports.csv" not in other.get("/passports/import/").content
    assert ImportJob.objects.restrict(admin_b, "view").count() == 0
    assert ImportJob.objects.restrict(viewer_a, "view").count() == 1
    assert ImportJob.objects.restrict(viewer_a, "change").count() == 0
    assert ImportJob.objects.restrict(None, "view").count() == 0


def test_issues_are_deleted_with_the_job(admin_a, run_import):
    rows = passport_rows(1)
    rows[0]["manufacturing_country"] = "XX"
    job = run_import(admin_a, csv_file(rows))
    assert ImportIssue.objects.filter(job=job).exists()
    assert attribute("manufacturing_country")  # the column the report names is a catalogue key
    job.delete()
    assert not ImportIssue.objects.exists()


def test_beat_schedules_the_import_sweep(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "passports.tasks.sweep_passport_imports" in tasks
