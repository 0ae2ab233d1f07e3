"""Evidence files through the API: upload (PDF and images only, by content, within the size limit, and
nothing stored when refused), the checked download, and removal while the applicant may edit."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification.models import Evidence

from ..audiences import (
    ADMIN_A,
    ANONYMOUS,
    APPLICANT,
    AUDIENCES,
    BODY,
    LEAD,
    PDF,
    REVIEWER,
    VIEWER_A,
    stored_files,
)
from .conftest import EXE

pytestmark = pytest.mark.django_db


def upload(content: bytes = PDF, name: str = "report.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _post(client, application, **data):
    payload = {"criterion": "CX-BP-01", "file": upload(), **data}
    return client.post(f"/api/v1/applications/{application.public_id}/evidence/", payload, format="multipart")


def test_upload_lists_and_downloads(api, draft):
    response = _post(api(ADMIN_A), draft, file=upload(PDF, "Schema report.pdf"))
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["criterion"] == "CX-BP-01" and item["file_name"] == "Schema report.pdf"
    assert item["size"] == len(PDF) and item["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert item["content_type"] == "application/pdf"
    assert item["download_url"].startswith("http://testserver/api/v1/applications/")
    assert len(stored_files()) == 1

    listed = api(VIEWER_A).get(f"/api/v1/applications/{draft.public_id}/evidence/").json()
    assert [row["id"] for row in listed] == [item["id"]]
    detail = api(ADMIN_A).get(f"/api/v1/applications/{draft.public_id}/").json()
    assert detail["evidence"] == [item]

    download = api(VIEWER_A).get(item["download_url"], HTTP_ACCEPT="application/pdf")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]


def test_download_audiences(api, draft, admin_a, lead, reviewer):
    from certification import services

    item = _post(api(ADMIN_A), draft).json()
    url = item["download_url"]
    # A draft's evidence is the applicant's alone.
    assert api(LEAD).get(url).status_code == 404
    services.application_submit(actor=admin_a, application=draft, declaration_name="Anna Admin")
    services.application_assign(actor=lead, application=draft, reviewer=reviewer)
    for audience in AUDIENCES:
        response = api(audience).get(url)
        if audience == ANONYMOUS:
            assert response.status_code in (401, 403)
        elif audience in (*APPLICANT, *BODY):
            assert response.status_code == 200, audience
            assert b"".join(response.streaming_content) == PDF
        else:
            assert response.status_code == 404, audience
            assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (EXE, "report.pdf", "Only PDF documents and PNG, JPEG or WebP images can be uploaded."),
        (b"<html><script>alert(1)</script>", "page.pdf", "Only PDF documents and PNG, JPEG or WebP images"),
        (b"", "empty.pdf", "The file is empty."),
        (PDF, "report.png", "The file name ends in .png, but the file is a PDF file."),
    ],
)
def test_wrong_kinds_are_refused_and_nothing_is_stored(api, draft, content, name, message):
    response = _post(api(ADMIN_A), draft, file=upload(content, name))
    assert response.status_code == 400
    assert message in response.json()["file"][0]
    assert Evidence.objects.count() == 0 and stored_files() == []


def test_an_oversized_upload_is_cut_while_received_and_refused(settings, api, draft):
    settings.PASSPORT_DOCUMENT_MAX_BYTES = 1024
    response = _post(api(ADMIN_A), draft, file=upload(PDF + b"0" * 300_000, "huge.pdf"))
    assert response.status_code == 400
    assert "too large" in response.json()["file"][0]
    assert Evidence.objects.count() == 0 and stored_files() == []


def test_missing_parts_and_unknown_criteria(api, draft):
    client = api(ADMIN_A)
    no_file = client.post(
        f"/api/v1/applications/{draft.public_id}/evidence/", {"criterion": "CX-BP-01"}, format="multipart"
    )
    assert no_file.status_code == 400 and "file" in no_file.json()
    unknown = _post(client, draft, criterion="OUR-01")
    assert unknown.json() == {"criterion": ["The scheme has no criterion with this code."]}
    as_json = client.post(
        f"/api/v1/applications/{draft.public_id}/evidence/", {"criterion": "CX-BP-01"}, format="json"
    )
    assert as_json.status_code == 415
    assert stored_files() == []


@pytest.mark.parametrize("audience", [VIEWER_A, LEAD, REVIEWER])
def test_only_applicant_administrators_upload(api, audience, submitted):
    # The body sees the submitted application; the viewer sees it too; none of them may add to it.
    response = _post(api(audience), submitted)
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the applicant's administrators can add evidence."}
    assert stored_files() == []


def test_upload_after_submission_is_a_409(api, submitted):
    response = _post(api(ADMIN_A), submitted)
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"
    assert stored_files() == []


def test_delete_while_editable_only_by_administrators(api, draft, admin_a):
    from certification import services

    item = _post(api(ADMIN_A), draft).json()
    url = item["download_url"]
    assert api(VIEWER_A).delete(url).status_code == 403
    assert api(LEAD).delete(url).status_code == 404  # a draft is not the body's to see
    services.application_submit(actor=admin_a, application=draft, declaration_name="Anna Admin")
    closed = api(ADMIN_A).delete(url)
    assert closed.status_code == 409
    assert Evidence.objects.count() == 1


def test_delete_removes_row_and_file(api, draft, django_capture_on_commit_callbacks):
    item = _post(api(ADMIN_A), draft).json()
    assert len(stored_files()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = api(ADMIN_A).delete(item["download_url"])
    assert response.status_code == 204
    assert Evidence.objects.count() == 0 and stored_files() == []
    assert api(ADMIN_A).get(item["download_url"]).status_code == 404
