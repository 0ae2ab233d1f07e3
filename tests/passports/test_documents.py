"""Uploaded passport documents: checks of the file (PDF and images only, by content; size limit; safe
name), private storage with nothing left behind on failure, the services' roles, the download audiences
per catalogue attribute (HTML and API), the upload form and API errors, and the public page."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.test import Client
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

from passports import services
from passports.models import PassportDocument
from portal.audit.models import AuditEvent
from portal.storage import private_storage
from portal.tenancy.groups import organization_group
from portal.tenancy.models import OrganizationKind, Role
from portal.uploads import LimitedUploadHandler, check_upload
from tests.factories import BEFORE_OBLIGATIONS, OrganizationFactory, member

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 40

MODEL_VALUES = {
    "model_name": "Doc Pack 75",
    "manufacturer_part_id": "DP-75",
    "battery_category": "ev",
    "manufacturer_name": "Owner Co GmbH",
}
PUBLIC_TITLE = "PUBLICDOC declaration 1f2e"
LI_TITLE = "LIDOC dismantling 7a7b"
AUTH_TITLE = "AUTHDOC test report 3c4d"


def upload(
    content: bytes, name: str = "file.pdf", content_type: str = "application/pdf"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files() -> list[Path]:
    root = Path(django_settings.PRIVATE_STORAGE_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file())


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Every test stores into its own directory, so "nothing stored" is a plain directory listing."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private-media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.PRIVATE_STORAGE_ROOT


@pytest.fixture
def editor_a(company_a):
    return member(Role.EDITOR, company_a, username="editor-a")


@pytest.fixture
def model_a(admin_a, company_a):
    return services.battery_model_create(actor=admin_a, organization=company_a, values=dict(MODEL_VALUES))


def _upload(actor, target, key="eu_declaration_of_conformity", content=PDF, name="doc.pdf", title=""):
    return services.document_upload(
        actor=actor, target=target, attribute_key=key, file=upload(content, name), title=title
    )


# ---- services and validation ---------------------------------------------------------------------------
def test_upload_stores_the_file_privately_with_its_facts(editor_a, model_a, private_media):
    document = _upload(editor_a, model_a, name="EU DoC 2026.pdf", title="  Declaration  ")

    document.refresh_from_db()
    assert document.battery_model == model_a and document.passport is None
    assert (document.attribute_key, document.title) == ("eu_declaration_of_conformity", "Declaration")
    assert (document.original_name, document.content_type) == ("EU DoC 2026.pdf", "application/pdf")
    assert (document.size, document.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    assert document.uploaded_by == editor_a and document.uploaded_at is not None
    [path] = stored_files()
    assert path.read_bytes() == PDF
    assert path.is_relative_to(private_media)
    assert "EU DoC" not in str(path)  # stored under its id, never under the client's name
    assert not str(path).startswith(str(Path(django_settings.STATIC_ROOT)))
    with pytest.raises(ValueError):
        private_storage.url(document.file.name)  # no public URL exists
    event = AuditEvent.objects.get(action="document.uploaded")
    assert event.details["attribute"] == "eu_declaration_of_conformity" and "Declaration" not in str(
        event.details
    )


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (PNG, "label.png", "image/png"),
        (JPEG, "photo.jpeg", "image/jpeg"),
        (WEBP, "diagram", "image/webp"),  # no extension: named after its content
        (PDF, "report.exe", "application/pdf"),  # an extension that says nothing true: the real one added
    ],
    ids=["png", "jpeg", "webp-without-extension", "pdf-named-exe"],
)
def test_images_and_pdfs_are_recognised_by_their_content(admin_a, model_a, content, name, content_type):
    # The client claims a type it may not have; only the first bytes count.
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    document = services.document_upload(
        actor=admin_a, target=model_a, attribute_key="dismantling_information", file=file
    )
    assert document.content_type == content_type
    assert document.original_name.startswith(os.path.splitext(name)[0])
    assert os.path.splitext(document.original_name)[1] in {".png", ".jpeg", ".jpg", ".webp", ".pdf"}
    if name == "report.exe":
        assert document.original_name == "report.exe.pdf"
    if name == "diagram":
        assert document.original_name == "diagram.webp"


BAD_FILES = [
    pytest.param(b"just some text, not a PDF", "notes.pdf", "file_type", id="text-named-pdf"),
    pytest.param(EXE, "invoice.pdf", "file_type", id="executable-claiming-pdf"),
    pytest.param(PNG, "report.pdf", "extension_mismatch", id="png-with-fake-pdf-extension"),
    pytest.param(PDF, "scan.jpg", "extension_mismatch", id="pdf-with-fake-jpg-extension"),
    pytest.param(b"", "empty.pdf", "empty", id="empty"),
    pytest.param(PDF + b"0" * 2048, "big.pdf", "too_large", id="oversized"),
]


@pytest.mark.parametrize(("content", "name", "code"), BAD_FILES)
def test_bad_files_are_refused_and_nothing_is_stored(settings, admin_a, model_a, content, name, code):
    settings.PASSPORT_DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as caught:
        services.document_upload(
            actor=admin_a,
            target=model_a,
            attribute_key="test_reports",
            file=SimpleUploadedFile(name, content, content_type="application/pdf"),
        )
    assert [error.code for error in caught.value.error_dict["file"]] == [code]
    assert caught.value.message_dict["file"][0]  # a message people can read
    assert not PassportDocument.objects.exists()
    assert stored_files() == []


def test_the_size_limit_comes_from_the_settings(settings, admin_a, model_a):
    settings.PASSPORT_DOCUMENT_MAX_BYTES = len(PDF)
    assert _upload(admin_a, model_a).size == len(PDF)
    settings.PASSPORT_DOCUMENT_MAX_BYTES = len(PDF) - 1
    with pytest.raises(ValidationError, match="too large"):
        _upload(admin_a, model_a)


def test_file_names_are_sanitised():
    nasty = "..\\..\\secret/../\u202eevil\x00<script>fdp.pdf"
    checked = check_upload(upload(PDF, nasty))
    assert checked.name.endswith(".pdf")
    assert not any(char in checked.name for char in "/\\<>\x00\u202e")
    assert not checked.name.startswith(".")
    assert check_upload(upload(PDF, "東京 試験報告.pdf")).name == "東京 試験報告.pdf"  # every script stays
    assert check_upload(upload(PDF, "...")).name == "document.pdf"
    assert len(check_upload(upload(PDF, "x" * 500 + ".pdf")).name) <= 120


def test_titles_and_document_kinds_are_checked_together(admin_a, model_a):
    with pytest.raises(ValidationError) as caught:
        services.document_upload(
            actor=admin_a,
            target=model_a,
            attribute_key="cathode_composition",
            file=upload(EXE),
            title="a\x00b",
        )
    assert set(caught.value.message_dict) == {"attribute", "file", "title"}  # one round trip shows all
    for key in ("no_such_kind", "extinguishing_agents.documents", "negative_event_reports", ""):
        with pytest.raises(ValidationError) as caught:
            _upload(admin_a, model_a, key=key)
        assert set(caught.value.message_dict) == {"attribute"}, key
    with pytest.raises(ValidationError) as caught:
        _upload(admin_a, model_a, title="T" * 101)
    assert set(caught.value.message_dict) == {"title"}
    assert _upload(admin_a, model_a, name="Conformity 2026.pdf").title == "Conformity 2026"
    assert not PassportDocument.objects.filter(title="").exists()
    assert len(stored_files()) == 1


def test_only_editors_and_admins_of_the_owner_upload_and_delete(
    admin_a, editor_a, viewer_a, admin_b, model_a
):
    document = _upload(editor_a, model_a)
    for outsider in (viewer_a, admin_b):
        with pytest.raises(PermissionDenied):
            _upload(outsider, model_a)
        with pytest.raises(PermissionDenied):
            services.document_delete(actor=outsider, document=document)
    assert PassportDocument.objects.count() == 1 and len(stored_files()) == 1


def test_a_failed_database_write_leaves_no_file(admin_a, model_a):
    """The database refuses the row (a trigger, as a real failure would): the written file is removed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION pb_refuse_document() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'refused by the test'; END; $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER pb_refuse_document BEFORE INSERT ON passports_passportdocument "
            "FOR EACH ROW EXECUTE FUNCTION pb_refuse_document()"
        )
    with pytest.raises(DatabaseError):
        _upload(admin_a, model_a)
    assert not PassportDocument.objects.exists()
    assert stored_files() == []
    assert not AuditEvent.objects.filter(action="document.uploaded").exists()


def test_delete_removes_the_row_and_then_the_file(admin_a, model_a, django_capture_on_commit_callbacks):
    document = _upload(admin_a, model_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(actor=admin_a, document=document)
    assert not PassportDocument.objects.exists()
    assert stored_files() == []
    assert AuditEvent.objects.filter(action="document.deleted").exists()


def test_deleting_a_battery_model_removes_its_files(admin_a, model_a, django_capture_on_commit_callbacks):
    _upload(admin_a, model_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.battery_model_delete(actor=admin_a, battery_model=model_a)
    assert stored_files() == []


def test_the_sweep_removes_orphaned_files_only(admin_a, model_a):
    kept = _upload(admin_a, model_a)
    orphan = Path(django_settings.PRIVATE_STORAGE_ROOT) / "passport-documents" / "ab" / "orphan.pdf"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(PDF)
    young = orphan.with_name("young.pdf")
    young.write_bytes(PDF)
    old = 1_000_000_000
    os.utime(orphan, (old, old))
    os.utime(Path(kept.file.path), (old, old))
    assert services.document_files_sweep() == 1
    assert sorted(p.name for p in stored_files()) == sorted([Path(kept.file.name).name, "young.pdf"])


def test_the_upload_handler_keeps_one_byte_more_than_the_limit():
    handler = LimitedUploadHandler(limit=10)
    handler.new_file("file", "big.pdf", "application/pdf", 100)
    passed = [handler.receive_data_chunk(b"x" * 8, 0), handler.receive_data_chunk(b"y" * 8, 8)]
    assert passed == [b"x" * 8, b"yyy"]
    assert handler.receive_data_chunk(b"z" * 8, 16) is None


def test_battery_documents_belong_to_one_passport(admin_a, model_a):
    passport = services.passport_create(
        actor=admin_a, battery_model=model_a, values={"unique_identifier": "urn:epc:doc-1"}
    )
    document = _upload(admin_a, passport, key="negative_event_reports", content=PNG, name="event.png")
    assert (document.passport, document.battery_model) == (passport, model_a)
    with pytest.raises(ValidationError) as caught:
        _upload(admin_a, passport, key="eu_declaration_of_conformity")  # a model-level kind
    assert set(caught.value.message_dict) == {"attribute"}
    services.passport_change_status(actor=admin_a, passport=passport, status="waste", recycled=True)
    passport.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        _upload(admin_a, passport, key="negative_event_reports")


# ---- who may download what -----------------------------------------------------------------------------
OWNER_ADMIN, OWNER_EDITOR, OWNER_VIEWER = "owner_admin", "owner_editor", "owner_viewer"
PARTNER, PASSPORT_PARTNER, CERTIFIER = "partner", "passport_partner", "certifier"
AUTHORITY, STRANGER, ANONYMOUS = "authority", "stranger", "anonymous"
OWNERS = (OWNER_ADMIN, OWNER_EDITOR, OWNER_VIEWER)
AUDIENCES = (*OWNERS, PARTNER, PASSPORT_PARTNER, CERTIFIER, AUTHORITY, STRANGER, ANONYMOUS)
# Spelled out independently of the policy: the catalogue audience of each document kind.
SEES = {
    "public": set(AUDIENCES),
    "li": {*OWNERS, PARTNER, PASSPORT_PARTNER, CERTIFIER, AUTHORITY},
    "authority": {*OWNERS, CERTIFIER, AUTHORITY},
}


@dataclass
class World:
    model: object
    passport: object
    users: dict
    documents: dict = field(default_factory=dict)

    def client(self, audience: str, api: bool = False):
        client = APIClient() if api else Client()
        if audience != ANONYMOUS:
            client.force_login(self.users[audience])
        return client


@pytest.fixture
def world(db) -> World:
    """Owner Co publishes a passport of a model with a public, a legitimate-interest and an authority-only
    document; Partner holds a grant on the model, PassportPartner on the passport only; a certification
    body holds the confidential grant of an open review; Stranger has nothing."""
    owner = OrganizationFactory(legal_name="Owner Co GmbH")
    partner, passport_partner, stranger = (OrganizationFactory() for _ in range(3))
    body = OrganizationFactory(kind=OrganizationKind.CERTIFICATION_BODY)
    authority = OrganizationFactory(kind=OrganizationKind.AUTHORITY)
    users = {
        OWNER_ADMIN: member(Role.ADMIN, owner, username="owner-admin"),
        OWNER_EDITOR: member(Role.EDITOR, owner, username="owner-editor"),
        OWNER_VIEWER: member(Role.VIEWER, owner, username="owner-viewer"),
        PARTNER: member(Role.ADMIN, partner, username="partner"),
        PASSPORT_PARTNER: member(Role.ADMIN, passport_partner, username="passport-partner"),
        CERTIFIER: member(Role.REVIEWER, body, username="reviewer"),
        AUTHORITY: member(Role.INSPECTOR, authority, username="inspector"),
        STRANGER: member(Role.ADMIN, stranger, username="stranger"),
    }
    admin = users[OWNER_ADMIN]
    model = services.battery_model_create(actor=admin, organization=owner, values=dict(MODEL_VALUES))
    passport = services.passport_create(
        actor=admin, battery_model=model, values={"unique_identifier": "urn:epc:docs-0001"}
    )
    services.passport_publish(actor=admin, passport=passport, on=BEFORE_OBLIGATIONS)
    services.grant_legitimate_interest(actor=admin, target=model, organization=partner)
    services.grant_legitimate_interest(actor=admin, target=passport, organization=passport_partner)
    assign_perm("view_confidential_batterymodel", organization_group(body), model)
    world = World(model=model, passport=passport, users=users)
    for audience, key, title in (
        ("public", "eu_declaration_of_conformity", PUBLIC_TITLE),
        ("li", "dismantling_information", LI_TITLE),
        ("authority", "test_reports", AUTH_TITLE),
    ):
        content = PDF + f"% {title}\n".encode()
        world.documents[audience] = _upload(
            admin, model, key=key, content=content, name=f"{audience}.pdf", title=title
        )
    return world


def _download_url(document) -> str:
    return f"/passports/documents/{document.public_id}/download/"


@pytest.mark.parametrize("audience", AUDIENCES)
def test_downloads_follow_the_catalogue_audience(world, audience):
    client = world.client(audience)
    for kind, document in world.documents.items():
        response = client.get(_download_url(document))
        if audience in SEES[kind]:
            assert response.status_code == 200, kind
            assert response.content == document.file.open("rb").read()
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"] == f'attachment; filename="{kind}.pdf"'
            assert response["X-Content-Type-Options"] == "nosniff"
            assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
        else:
            assert response.status_code == 404, kind
            assert document.title.encode() not in response.content


def test_restricted_downloads_by_others_are_logged(world):
    world.client(AUTHORITY).get(_download_url(world.documents["authority"]))
    world.client(OWNER_VIEWER).get(_download_url(world.documents["authority"]))
    world.client(ANONYMOUS).get(_download_url(world.documents["public"]))
    [event] = AuditEvent.objects.filter(action="document.downloaded")
    assert event.actor == world.users[AUTHORITY]
    assert event.details == {"attribute": "test_reports", "viewer": "authority"}


def test_before_publication_only_owner_and_certifier_see_documents(
    admin_a, company_a, reviewer, certification_body, inspector
):
    model = services.battery_model_create(actor=admin_a, organization=company_a, values=dict(MODEL_VALUES))
    document = _upload(admin_a, model)  # public kind, but nothing is published yet
    assign_perm("view_confidential_batterymodel", organization_group(certification_body), model)
    url = _download_url(document)
    assert Client().get(url).status_code == 404
    for user, expected in ((inspector, 404), (admin_a, 200), (reviewer, 200)):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == expected


@pytest.mark.parametrize("audience", AUDIENCES)
def test_api_lists_and_downloads_follow_the_audience(world, audience):
    client = world.client(audience, api=True)
    base = f"/api/v1/battery-models/{world.model.public_id}/documents/"
    response = client.get(base)
    if audience == ANONYMOUS:
        assert response.status_code == 401
        return
    in_scope = audience not in (STRANGER, PASSPORT_PARTNER)  # the model's API is theirs to open or not
    if not in_scope:
        assert response.status_code == 404
        assert all(d.title not in response.content.decode() for d in world.documents.values())
    else:
        assert response.status_code == 200
        titles = {row["title"] for row in response.json()}
        assert titles == {d.title for kind, d in world.documents.items() if audience in SEES[kind]}
    for kind, document in world.documents.items():
        detail = client.get(f"{base}{document.public_id}/")
        download = client.get(f"{base}{document.public_id}/download/", HTTP_ACCEPT="application/pdf")
        expected = 200 if in_scope and audience in SEES[kind] else 404
        assert (detail.status_code, download.status_code) == (expected, expected), kind
        if expected == 200:
            assert detail.json()["audience"] == {"public": "public", "li": "legitimate_interest"}.get(
                kind, "authority"
            )
            assert detail.json()["download_url"].endswith(f"{base}{document.public_id}/download/")
            assert download["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("audience", [*OWNERS, PARTNER, PASSPORT_PARTNER, AUTHORITY, STRANGER])
def test_passport_api_lists_its_models_documents(world, audience):
    response = world.client(audience, api=True).get(
        f"/api/v1/passports/{world.passport.public_id}/documents/"
    )
    if audience == STRANGER:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    rows = response.json()
    assert {row["title"] for row in rows} == {
        d.title for k, d in world.documents.items() if audience in SEES[k]
    }
    assert {row["level"] for row in rows} == {"model"}
    download = world.client(audience, api=True).get(rows[0]["download_url"])
    assert download.status_code == 200


def test_public_page_lists_only_public_documents(world):
    page = Client().get(f"/p/{world.passport.public_id}/", HTTP_ACCEPT="text/html").content.decode()
    assert PUBLIC_TITLE in page and _download_url(world.documents["public"]) in page
    assert LI_TITLE not in page and AUTH_TITLE not in page
    assert _download_url(world.documents["li"]) not in page


# ---- the API: uploads, errors, deletes -------------------------------------------------------------------
def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_api_upload_list_and_delete(admin_a, model_a):
    base = f"/api/v1/battery-models/{model_a.public_id}/documents/"
    client = _api(admin_a)
    response = client.post(
        base,
        {"attribute": "test_reports", "title": "Cell test 2026", "file": upload(PDF, "cells.pdf")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["attribute"] == "test_reports" and created["audience"] == "authority"
    assert created["sha256"] == hashlib.sha256(PDF).hexdigest() and created["size"] == len(PDF)
    assert (created["file_name"], created["content_type"], created["level"]) == (
        "cells.pdf",
        "application/pdf",
        "model",
    )
    assert [row["id"] for row in client.get(base).json()] == [created["id"]]
    assert client.get(created["download_url"]).content == PDF
    assert client.delete(f"{base}{created['id']}/").status_code == 204
    assert client.get(base).json() == []


API_BAD = [
    *BAD_FILES,
    pytest.param(None, None, "required", id="no-file"),
]


@pytest.mark.parametrize(("content", "name", "code"), API_BAD)
def test_api_refuses_bad_uploads_with_field_messages(settings, admin_a, model_a, content, name, code):
    settings.PASSPORT_DOCUMENT_MAX_BYTES = 1024
    data = {"attribute": "eu_declaration_of_conformity"}
    if content is not None:
        data["file"] = upload(content, name)
    response = _api(admin_a).post(
        f"/api/v1/battery-models/{model_a.public_id}/documents/", data, format="multipart"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["file"] and response.json()["file"][0]
    assert not PassportDocument.objects.exists()
    assert stored_files() == []


def test_api_refuses_unknown_kinds_and_bad_titles(admin_a, model_a):
    response = _api(admin_a).post(
        f"/api/v1/battery-models/{model_a.public_id}/documents/",
        {"attribute": "negative_event_reports", "title": "x" * 101, "file": upload(PDF)},
        format="multipart",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"attribute", "title"}
    assert stored_files() == []


def test_api_oversized_upload_is_cut_while_received(settings, admin_a, model_a):
    """Through the real multipart parser: the handler drops what exceeds the limit; the check refuses."""
    settings.PASSPORT_DOCUMENT_MAX_BYTES = 1024
    response = _api(admin_a).post(
        f"/api/v1/battery-models/{model_a.public_id}/documents/",
        {"attribute": "test_reports", "file": upload(PDF + b"0" * 300_000, "huge.pdf")},
        format="multipart",
    )
    assert response.status_code == 400 and "too large" in response.json()["file"][0]
    assert stored_files() == []


def test_api_writes_by_others_answer_404_and_viewers_403(admin_a, viewer_a, admin_b, model_a):
    document = _upload(admin_a, model_a)
    base = f"/api/v1/battery-models/{model_a.public_id}/documents/"
    payload = {"attribute": "eu_declaration_of_conformity", "file": upload(PDF)}
    assert _api(admin_b).post(base, payload, format="multipart").status_code == 404
    assert _api(admin_b).delete(f"{base}{document.public_id}/").status_code == 404
    assert _api(viewer_a).post(base, {**payload, "file": upload(PDF)}, format="multipart").status_code == 403
    assert _api(viewer_a).delete(f"{base}{document.public_id}/").status_code == 403
    assert PassportDocument.objects.count() == 1


def test_documents_are_in_the_openapi_schema(admin_a):
    schema = _api(admin_a).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    model_docs = "/api/v1/battery-models/{public_id}/documents/"
    assert {"get", "post"} <= set(paths[model_docs])
    assert "multipart/form-data" in paths[model_docs]["post"]["requestBody"]["content"]
    assert {"get", "delete"} <= set(paths[model_docs + "{document_id}/"])
    download = paths[model_docs + "{document_id}/download/"]["get"]["responses"]["200"]["content"]
    assert {"application/pdf", "image/png", "image/jpeg", "image/webp"} == set(download)
    assert "/api/v1/passports/{public_id}/documents/" in paths


# ---- the browser pages -------------------------------------------------------------------------------------
def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_owner_uploads_and_deletes_on_the_documents_page(editor_a, model_a):
    url = f"/passports/models/{model_a.public_id}/documents/"
    browser = _browser(editor_a)
    page = browser.get(url)
    assert page.status_code == 200 and b'enctype="multipart/form-data"' in page.content
    response = browser.post(
        url, {"attribute": "safety_measures", "title": "Safety sheet", "file": upload(JPEG, "sheet.jpg")}
    )
    assert response.status_code == 302
    document = PassportDocument.objects.get()
    page = browser.get(url).content.decode()
    assert "Safety sheet" in page and _download_url(document) in page
    assert browser.post(f"/passports/documents/{document.public_id}/delete/").status_code == 302
    assert not PassportDocument.objects.exists()
    assert (
        f"/passports/models/{model_a.public_id}/documents/".encode()
        in browser.get(f"/passports/models/{model_a.public_id}/").content
    )


@pytest.mark.parametrize(("content", "name", "code"), BAD_FILES)
def test_the_form_shows_file_errors_and_stores_nothing(settings, editor_a, model_a, content, name, code):
    settings.PASSPORT_DOCUMENT_MAX_BYTES = 1024
    url = f"/passports/models/{model_a.public_id}/documents/"
    response = _browser(editor_a).post(
        url, {"attribute": "eu_declaration_of_conformity", "file": upload(content, name)}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert b'class="field-error"' in response.content
    assert not PassportDocument.objects.exists()
    assert stored_files() == []


def test_documents_page_for_readers_and_outsiders(world):
    url = f"/passports/models/{world.model.public_id}/documents/"
    partner_page = world.client(PARTNER).get(url)
    assert partner_page.status_code == 200
    body = partner_page.content.decode()
    assert PUBLIC_TITLE in body and LI_TITLE in body and AUTH_TITLE not in body
    assert "multipart/form-data" not in body  # readers get no upload form
    assert world.client(PARTNER).post(url, {"attribute": "test_reports"}).status_code == 403
    assert world.client(STRANGER).get(url).status_code == 404
    assert world.client(OWNER_VIEWER).post(url, {"attribute": "test_reports"}).status_code == 403
    passport_page = world.client(PASSPORT_PARTNER).get(f"/passports/{world.passport.public_id}/documents/")
    assert passport_page.status_code == 200 and LI_TITLE in passport_page.content.decode()
    assert AUTH_TITLE not in passport_page.content.decode()
