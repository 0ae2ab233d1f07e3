"""Registry records and the back-up archive: what a company needs for the EU passport registry, and every
published passport as one archive that imports again (checked with zipfile, hashlib and jsonschema, not
with the code that wrote them)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.conf import settings
from django.test import Client
from jsonschema import Draft4Validator

from passports import catenax, services
from passports.continuity import commodity_code
from passports.models import Passport
from portal.tenancy.models import Role
from tests.factories import BEFORE_OBLIGATIONS, OrganizationFactory, member

from .test_catenax import client_for, corrected_example, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(admin_a, company_a) -> list[Passport]:
    documents = []
    for unique in ("BACKUP-1", "BACKUP-2", "BACKUP-DRAFT"):
        document = corrected_example(unique)
        document["metadata"]["economicOperatorId"] = company_a.bpnl
        documents.append(document)
    response = post(client_for(admin_a), documents)
    assert response.status_code == 201, response.json()
    passports = [Passport.objects.get(public_id=row["id"]) for row in response.json()["passports"]]
    for passport in passports[:2]:
        services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    return passports[:2]


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_registry_records_name_what_the_registry_needs(admin_a, company_a, published):
    response = _browser(admin_a).get("/passports/registry-records.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row["unique_identifier"] for row in rows] == ["BACKUP-1", "BACKUP-2"]  # drafts are not placed
    first = rows[0]
    assert first["passport_identifier"] == f"urn:uuid:{published[0].public_id}"
    assert first["resolver_address"] == f"{settings.SITE_URL}/p/{published[0].public_id}/"
    assert first["economic_operator"] == company_a.bpnl
    assert first["commodity_code"] == "8507 60 00"  # the example's NCM chemistry: lithium-ion


def test_the_api_gives_the_same_records_as_json_lines_and_csv(admin_a, published):
    api = client_for(admin_a)
    response = api.get("/api/v1/passports/registry-records/")
    assert response.status_code == 200 and response["Content-Type"] == "application/x-ndjson"
    records = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert [r["unique_identifier"] for r in records] == ["BACKUP-1", "BACKUP-2"]
    as_csv = api.get("/api/v1/passports/registry-records/?as=csv")
    assert b"".join(as_csv.streaming_content).decode("utf-8-sig").count("BACKUP-") == 2


@pytest.mark.parametrize(
    ("chemistry", "code"),
    [
        ("Nickel Cobalt Manganese (NCM)", "8507 60 00"),
        ("LFP", "8507 60 00"),
        ("Lithium iron phosphate", "8507 60 00"),
        ("Lead-acid", "8507 20 00"),
        ("Nickel-metal hydride", "8507 50 00"),
        ("NiCd", "8507 30 00"),
        ("Sodium-ion", "8507 80 00"),
        (None, "8507 80 00"),
    ],
)
def test_commodity_code(chemistry, code):
    assert commodity_code(chemistry) == code


def _archive(user) -> bytes:
    response = _browser(user).get("/passports/backup.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return b"".join(response.streaming_content)


def test_the_backup_holds_every_published_passport_as_a_valid_document(admin_a, published):
    content = _archive(admin_a)
    validator = Draft4Validator(json.loads(catenax.SCHEMA_PATH.read_text(encoding="utf-8")))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["passports"] == 2 and manifest["skipped"] == []
        for entry in manifest["files"]:
            raw = archive.read(entry["file"])
            assert hashlib.sha256(raw).hexdigest() == entry["sha256"]
            document = json.loads(raw)
            assert list(validator.iter_errors(document)) == []
            assert document["metadata"]["passportIdentifier"] == entry["passport_identifier"]
    assert {e["unique_identifier"] for e in manifest["files"]} == {"BACKUP-1", "BACKUP-2"}


def test_the_backup_imports_again_on_a_new_company(admin_a, published):
    content = _archive(admin_a)
    successor = OrganizationFactory(legal_name="Successor GmbH")
    admin = member(Role.ADMIN, successor, username="successor-admin")
    response = client_for(admin).post(
        "/api/v1/passports/import/archive/", data=content, content_type="application/zip"
    )
    assert response.status_code == 201, response.json()
    assert sorted(p["unique_identifier"] for p in response.json()["passports"]) == ["BACKUP-1", "BACKUP-2"]
    assert Passport.objects.filter(organization=successor).count() == 2


def test_a_changed_archive_is_refused_and_nothing_stored(admin_a, published):
    content = _archive(admin_a)
    changed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(changed, "w") as target:
        for name in source.namelist():
            raw = source.read(name)
            if name.startswith("BACKUP-1"):
                raw = raw.replace(b'"BACKUP-1"', b'"BACKUP-X"')
            target.writestr(name, raw)
    successor = OrganizationFactory(legal_name="Successor GmbH")
    admin = member(Role.ADMIN, successor, username="successor-admin")
    api = client_for(admin)
    response = api.post(
        "/api/v1/passports/import/archive/", data=changed.getvalue(), content_type="application/zip"
    )
    assert response.status_code == 400
    assert [e["file"] for e in response.json()["errors"]] == ["BACKUP-1.json"]
    assert not Passport.objects.filter(organization=successor).exists()
    not_zip = api.post("/api/v1/passports/import/archive/", data=b"PK-not", content_type="application/zip")
    assert not_zip.status_code == 400 and "ZIP" in not_zip.json()["errors"][0]["message"]
    wrong_type = api.post("/api/v1/passports/import/archive/", data=b"{}", content_type="application/json")
    assert wrong_type.status_code == 415


def test_only_the_company_itself_gets_its_records(published, admin_b, inspector):
    assert b"BACKUP" not in b"".join(
        _browser(admin_b).get("/passports/registry-records.csv").streaming_content
    )
    with zipfile.ZipFile(io.BytesIO(_archive(admin_b))) as archive:
        assert json.loads(archive.read("manifest.json"))["passports"] == 0
    assert _browser(inspector).get("/passports/backup.zip").status_code == 403
    assert client_for(inspector).get("/api/v1/passports/registry-records/").status_code == 403
