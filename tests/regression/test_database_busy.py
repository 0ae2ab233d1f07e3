"""A lock held elsewhere turns into a clear 503 with Retry-After, not a stalled worker or a 500 (issue 15).

The web's lock timeout is set on the request's connection as settings do for gunicorn workers
(`PASSBRIDGE_WEB`); a second connection holds the row lock meanwhile."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import override_settings

from portal.middleware import is_database_busy
from portal.tenancy.models import Role
from tests.factories import member


@pytest.fixture
def other_connection():
    """A second session on the test database, outside Django (it holds the lock while Django waits)."""
    import psycopg

    settings = connection.settings_dict
    session = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )
    try:
        yield session
    finally:
        session.close()


def test_the_web_settings_set_lock_and_statement_timeouts(monkeypatch):
    import importlib

    import portal.settings as portal_settings

    monkeypatch.setenv("PASSBRIDGE_WEB", "1")
    monkeypatch.setenv("DB_LOCK_TIMEOUT_MS", "1234")
    try:
        reloaded = importlib.reload(portal_settings)
        options = reloaded.DATABASES["default"]["OPTIONS"]["options"]
        assert "-c lock_timeout=1234" in options and "-c statement_timeout=20000" in options
    finally:
        monkeypatch.delenv("PASSBRIDGE_WEB")
        importlib.reload(portal_settings)


@pytest.mark.django_db(transaction=True)
def test_a_locked_row_answers_503_with_retry_after(client, other_connection):
    admin = member(Role.ADMIN)
    organization = admin.membership.organization
    client.force_login(admin)
    with other_connection.cursor() as locker:
        locker.execute("BEGIN")
        locker.execute("SELECT id FROM tenancy_organization WHERE id = %s FOR UPDATE", [organization.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        with override_settings(DEBUG=False):
            response = client.patch(
                "/api/v1/organizations/me/", {"city": "Kassel"}, content_type="application/json"
            )
        locker.execute("ROLLBACK")
    assert response.status_code == 503, response.content[:300]
    assert response["Retry-After"] == "5"
    assert "try again" in response.json()["detail"]
    organization.refresh_from_db()
    assert organization.city != "Kassel"


def test_other_database_errors_are_not_disguised():
    from django.db import OperationalError

    assert not is_database_busy(OperationalError("connection refused"))
    assert not is_database_busy(ValueError("x"))
