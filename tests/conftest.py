from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.utils import translation
from rest_framework.test import APIClient

from portal.celery import app as celery_app
from portal.tenancy.models import OrganizationKind, Role

from .factories import OrganizationFactory, member

# The real Celery worker fixture, for every test package that needs one.
pytest_plugins = ["tests.live_worker"]


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each test process takes its own Redis database: a test that publishes or purges
    the default queue must not touch what a real worker in the other process is waiting for."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker or not settings.REDIS_URL:
        return
    url = urlsplit(settings.REDIS_URL)
    number = (int(url.path.strip("/") or 0) - 1 - int(worker.removeprefix("gw"))) % 16
    settings.REDIS_URL = settings.CELERY_BROKER_URL = url._replace(path=f"/{number}").geturl()
    celery_app.conf.broker_url = settings.CELERY_BROKER_URL


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests with a real Celery worker purge and consume one Redis queue: under pytest-xdist (`make test`
    runs two processes) they all run in the same process (`--dist loadgroup`), one after the other."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if item.get_closest_marker("celery_worker") or "live_celery_worker" in fixtures:
            item.add_marker(pytest.mark.xdist_group("celery-redis-queue"))


@pytest.fixture(autouse=True)
def _isolated_state(settings):
    """Tasks run in-process unless a test starts a real worker; caches (throttles) start empty."""
    celery_app.conf.task_always_eager = True
    settings.PASSBRIDGE_ENFORCE_2FA = False
    cache.clear()
    caches["ratelimit"].clear()
    # A request through the test client leaves its language active in this thread; start each test in English.
    translation.activate("en")
    yield
    translation.deactivate()
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def company_a(db):
    return OrganizationFactory(legal_name="Company A GmbH")


@pytest.fixture
def company_b(db):
    return OrganizationFactory(
        legal_name="Company B KK", country="JP", bpnl=None, corporate_number="1180301018771"
    )


@pytest.fixture
def admin_a(company_a):
    return member(Role.ADMIN, company_a, username="admin-a")


@pytest.fixture
def viewer_a(company_a):
    return member(Role.VIEWER, company_a, username="viewer-a")


@pytest.fixture
def admin_b(company_b):
    return member(Role.ADMIN, company_b, username="admin-b")


@pytest.fixture
def certification_body(db):
    return OrganizationFactory(kind=OrganizationKind.CERTIFICATION_BODY, legal_name="Cert Body GmbH")


@pytest.fixture
def reviewer(certification_body):
    return member(Role.REVIEWER, certification_body, username="reviewer")


@pytest.fixture
def authority(db):
    return OrganizationFactory(kind=OrganizationKind.AUTHORITY, legal_name="Market Surveillance")


@pytest.fixture
def inspector(authority):
    return member(Role.INSPECTOR, authority, username="inspector")


@pytest.fixture
def operator(db):
    from .factories import UserFactory

    return UserFactory(username="operator", is_staff=True, is_superuser=True)


@pytest.fixture
def exchange_materials(db):
    """The material list a migration loads; a transactional test empties every table, so put it back."""
    from exchange.models import Material
    from exchange.reference_data import load_materials

    if not Material.objects.exists():
        load_materials(Material)
