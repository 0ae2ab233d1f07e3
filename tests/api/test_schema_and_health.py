"""OpenAPI schema, the self-hosted API docs and the health check."""

from __future__ import annotations

import re

import pytest

from portal import views
from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db


class TestSchema:
    def test_schema_is_an_openapi_3_document_with_the_api(self, client):
        response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

        assert response.status_code == 200
        schema = response.json()
        assert schema["openapi"].startswith("3.")
        assert schema["info"]["title"] == "PassBridge API"
        paths = schema["paths"]
        assert "post" in paths["/api/v1/auth/token/"]
        assert {"get", "patch"} <= set(paths["/api/v1/organizations/me/"])
        assert "/api/v1/organizations/me/members/{public_id}/" in paths
        assert "/api/v1/organizations/me/sites/" in paths
        assert "tokenAuth" in schema["components"]["securitySchemes"]

    def test_schema_in_yaml_by_default(self, client):
        response = client.get("/api/schema/")
        assert response.status_code == 200
        assert b"openapi: 3." in response.content

    def test_docs_use_only_local_static_files(self, client):
        response = client.get("/api/docs/")

        assert response.status_code == 200
        html = response.content.decode()
        assert "swagger-ui" in html
        assert "/static/drf_spectacular_sidecar/" in html
        external = re.findall(r"https?://[^\s\"'<>]+", html)
        assert external == []
        for match in re.findall(r"""(?:src|href)=["']([^"']+)["']""", html):
            assert match.startswith("/"), match


@pytest.fixture
def queued_tasks():
    """Tasks go to the broker (Redis) as in production; the suite's default is in-process."""
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


class TestHealth:
    def test_healthz_reports_database_and_broker(self, client):
        response = client.get("/healthz")

        assert response.status_code == 200
        assert response.json() == {
            "status": "ok",
            "database": "ok",
            "broker": "in-process",
            "cache": "in-process",
        }
        assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]

    def test_healthz_checks_the_real_broker_when_tasks_are_queued(self, client, queued_tasks):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json()["broker"] == "ok"

    def test_unreachable_broker_makes_the_check_fail(self, client, queued_tasks, monkeypatch):
        def broken(*args, **kwargs):
            raise ConnectionError("no broker")

        monkeypatch.setattr(views.celery_app, "connection_for_write", broken)
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["broker"] == "error"
        assert response.json()["status"] == "error"
