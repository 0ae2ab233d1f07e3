"""Lossless round trip of BatteryPass 6.1.0: a document imported and exported again says what it said,
leaf by leaf (metadata, identifier spelling, version strings, time offsets), checked on the official
example and on generated variants of it; the economic operator changes only when the caller confirms."""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest

from passports import catenax, services
from passports.models import Passport
from tests.factories import BEFORE_OBLIGATIONS

from .test_catenax import client_for, corrected_example, leaves, nothing_stored, post, schema_valid

pytestmark = pytest.mark.django_db

#: The one deliberate change: the example labels EC number 201-004-7 "CAS"; it is imported as EC with a
#: warning, because the portal does not store a value under a scheme it fails.
RELABELLED = {
    "materials.active.other[0].materialIdentification[0].type",
    "materials.hazardous.other[0].materialIdentification[0].type",
    "materials.composition[0].id[0].type",
}
OFFSETS = ["Z", "+01:00", "+09:00", "-05:30", "+05:45", "-10:00"]


def _differences(given: dict, exported: dict, *, ignore: set[str] = frozenset()) -> list[str]:
    before, after = dict(leaves(given)), dict(leaves(exported))
    return [
        f"{path}: {before.get(path, '<missing>')!r} -> {after.get(path, '<missing>')!r}"
        for path in sorted(set(before) | set(after))
        if path not in ignore and before.get(path, "<missing>") != after.get(path, "<missing>")
    ]


def _import_and_export(client, document: dict, *, confirm: bool = False) -> tuple[dict, dict]:
    response = post(client, document, confirm=confirm)
    assert response.status_code == 201, response.json()
    created = response.json()["passports"][0]
    exported = client.get(f"/api/v1/passports/{created['id']}/catenax/")
    assert exported.status_code == 200, exported.content
    schema_valid(exported.json())
    return created, exported.json()


def _set(document: dict, dotted: str, value: Any) -> None:
    node = document
    keys = dotted.split(".")
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value


def _times(document: dict) -> list[str]:
    return [path for path, _value in leaves(document) if path.endswith(".time")]


def test_the_official_example_comes_back_as_given(admin_a, company_a):
    client = client_for(admin_a)
    document = corrected_example()
    document["metadata"]["economicOperatorId"] = company_a.bpnl  # the importing company's own passport
    created, exported = _import_and_export(client, document)

    assert _differences(document, exported, ignore=RELABELLED) == []
    assert exported["metadata"]["passportIdentifier"] == "urn:uuid:550e8400-e29b-41d4-a716-446655440000"
    assert exported["metadata"]["version"] == "1.0.0"
    assert exported["metadata"]["registrationIdentifier"] == "https://dummy.link/ID8283746239078"
    assert exported["performance"]["dynamic"]["fullCycles"]["time"] == "2023-12-07T10:39:13.576+01:00"
    assert exported["operation"]["manufacturer"]["manufacturer"] == "BPNLLJMv5rieVicu"
    assert any("EC number" in warning for warning in created["warnings"])


@pytest.mark.parametrize("seed", range(8))
def test_generated_variants_come_back_as_given(admin_a, company_a, seed):
    """Variants of the example: other identifiers and spellings, metadata, versions and time offsets."""
    rng = random.Random(seed)
    document = corrected_example(f"VARIANT-{seed}")
    metadata = document["metadata"]
    metadata.update(
        passportIdentifier=f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        version=rng.choice(["1.0.0", "2", "3.1.4-beta", "v7"]),
        status=rng.choice(["draft", "approved", "invalid", "expired"]),
        issueDate=f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        lastModification=f"2026-0{rng.randint(1, 9)}-2{rng.randint(0, 8)}",
        expirationDate=f"20{rng.randint(30, 45)}-12-31",
        registrationIdentifier=f"https://registry.example/{rng.getrandbits(40):x}",
        backupReference=f"https://backup.example/{rng.getrandbits(40):x}",
        economicOperatorId=company_a.bpnl,
    )
    for path in _times(document):
        offset = rng.choice(OFFSETS)
        millis = f".{rng.randint(0, 999):03d}" if rng.random() < 0.7 else ""
        day = f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        clock = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        _set(document, path, f"{day}T{clock}{millis}{offset}")
    lower = "".join(rng.choice("abcdefghjk") for _ in range(4))
    document["operation"]["manufacturer"]["manufacturer"] = f"BPNL1234{lower}5678"

    _created, exported = _import_and_export(client_for(admin_a), document)

    assert _differences(document, exported, ignore=RELABELLED) == []


def test_another_economic_operator_is_refused_unless_confirmed(admin_a, company_a):
    client = client_for(admin_a)
    document = corrected_example("OPERATOR-1")
    response = post(client, document, confirm=False)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["document"], e["path"]) for e in errors] == [(0, "metadata.economicOperatorId")]
    assert "BPNL0123456789ZZ" in errors[0]["message"] and company_a.legal_name in errors[0]["message"]
    assert nothing_stored()

    _created, exported = _import_and_export(client, document, confirm=True)
    assert exported["metadata"]["economicOperatorId"] == company_a.bpnl
    differences = _differences(document, exported, ignore=RELABELLED | {"metadata.economicOperatorId"})
    assert differences == []


def test_a_passport_identifier_the_portal_has_is_not_taken_twice(admin_a, company_a):
    client = client_for(admin_a)
    first = corrected_example("TWICE-1")
    first["metadata"]["economicOperatorId"] = company_a.bpnl
    second = {**first, "identification": {**first["identification"], "idDmc": "TWICE-2"}}
    response = post(client, [first, second])
    assert response.status_code == 201, response.json()
    kept, renamed = response.json()["passports"]
    assert kept["id"] == "550e8400-e29b-41d4-a716-446655440000"
    assert renamed["id"] != kept["id"]
    assert any("already a passport" in warning for warning in renamed["warnings"])
    assert not any("already a passport" in warning for warning in kept["warnings"])


def test_lasting_metadata_survives_publication_and_later_versions(admin_a, company_a):
    client = client_for(admin_a)
    document = corrected_example("LASTING-1")
    document["metadata"]["economicOperatorId"] = company_a.bpnl
    created, _exported = _import_and_export(client, document)
    passport = Passport.objects.get(public_id=created["id"])

    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    services.passport_update(actor=admin_a, passport=passport, values={"manufacturing_place": "Kyoto"})
    services.passport_publish(actor=admin_a, passport=passport, on=BEFORE_OBLIGATIONS)
    metadata = client.get(f"/api/v1/passports/{passport.public_id}/catenax/").json()["metadata"]

    # Publication here makes the version, status and dates the portal's own; the rest stays.
    assert metadata["version"] == "2" and metadata["status"] == "approved"
    assert metadata["registrationIdentifier"] == document["metadata"]["registrationIdentifier"]
    assert metadata["backupReference"] == document["metadata"]["backupReference"]
    assert metadata["expirationDate"] == document["metadata"]["expirationDate"]


def test_editing_an_imported_draft_dates_its_last_modification_today(admin_a, company_a):
    from django.utils import timezone

    document = corrected_example("EDITED-1")
    document["metadata"]["economicOperatorId"] = company_a.bpnl
    created, _exported = _import_and_export(client_for(admin_a), document)
    passport = Passport.objects.get(public_id=created["id"])
    services.passport_update(actor=admin_a, passport=passport, values={"manufacturing_place": "Kyoto"})
    exported = catenax.passport_document(actor=admin_a, passport=passport)
    assert exported["metadata"]["lastModification"] == timezone.localdate().isoformat()
    assert exported["metadata"]["version"] == "1.0.0"  # still the document's until published here
