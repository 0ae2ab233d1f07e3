"""Concurrent Catena-X imports of one battery model: a client sending its requests in parallel must not have
them wait for each other, while nobody may change the model under a running import."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import pytest
from django.db import OperationalError, connection, connections

from passports import catenax
from passports.models import BatteryModel, Passport

from .test_catenax import _set, corrected_example

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def held_elsewhere(model: BatteryModel, mode: str) -> Iterator[None]:
    """Another connection (a concurrent import) holds a row lock of `mode` on the model."""
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM passports_batterymodel WHERE id = %s FOR {mode}", [model.pk])
        yield
    finally:
        other.rollback()
        other.close()


def document(unique: str) -> dict:
    found = corrected_example(unique)
    found["metadata"]["passportIdentifier"] = f"urn:uuid:{uuid.uuid4()}"
    return found


def do_import(admin, company, *documents: dict) -> list:
    return catenax.import_documents(
        actor=admin, organization=company, payload=list(documents), confirm_economic_operator=True
    )


@pytest.fixture
def lock_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")  # a wait fails the test quickly instead of hanging it
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


def test_an_import_into_a_model_as_it_is_does_not_wait_for_another_import_of_it(
    admin_a, company_a, lock_timeout
):
    (first,) = do_import(admin_a, company_a, document("PAR-1"))

    with held_elsewhere(first.battery_model, "SHARE"):  # the other import, still running
        (second,) = do_import(admin_a, company_a, document("PAR-2"))

    assert second.battery_model == first.battery_model
    assert Passport.objects.filter(battery_model=first.battery_model).count() == 2


def test_an_import_that_changes_the_model_waits_until_the_running_imports_end(
    admin_a, company_a, lock_timeout
):
    (first,) = do_import(admin_a, company_a, document("CHG-1"))
    changed = _set(document("CHG-2"), "performance.rated.voltage.nominal", 3.65)

    with held_elsewhere(first.battery_model, "SHARE"), pytest.raises(OperationalError, match="lock timeout"):
        do_import(admin_a, company_a, changed)

    assert not Passport.objects.filter(unique_identifier="CHG-2").exists()
    (later,) = do_import(admin_a, company_a, changed)  # once the other import ended
    assert later.battery_model.pk == first.battery_model.pk
    assert str(BatteryModel.objects.get(pk=first.battery_model.pk).data["voltage_nominal"]) == "3.65"


def test_an_import_does_not_add_to_a_model_someone_is_changing(admin_a, company_a, lock_timeout):
    (first,) = do_import(admin_a, company_a, document("UPD-1"))

    with held_elsewhere(first.battery_model, "UPDATE"), pytest.raises(OperationalError, match="lock timeout"):
        do_import(admin_a, company_a, document("UPD-2"))


def test_an_import_that_finds_its_new_model_created_meanwhile_adds_to_it(admin_a, company_a):
    """Two imports of one new model: the second to insert it finds it taken (its insert waited for the
    first's commit) and adds its passports to that model instead of refusing the request."""
    (first,) = do_import(admin_a, company_a, document("NEW-1"))
    values = catenax.read_document(document("NEW-2")).model_values

    model, outcome = catenax.model_for_import(
        actor=admin_a, organization=company_a, existing=None, values=values
    )

    assert (model.pk, outcome) == (first.battery_model.pk, "unchanged")
    assert BatteryModel.objects.filter(organization=company_a).count() == 1
