"""The demo world for browser tests that look at many pages of many roles once per module.

It is written outside a test's transaction, as a transactional test writes, so that the live server sees
it; the end of the module's first test empties the database again. Tasks run in-process meanwhile, and the
live server's host is allowed."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.core.management import call_command
from django.test.utils import modify_settings, override_settings
from django.utils import translation

from portal.accounts.models import User
from portal.celery import app as celery_app
from portal.tenancy.models import Organization, OrganizationKind, OrganizationStatus, Role
from tests.factories import OrganizationFactory, member


@contextmanager
def demo_world(live_server, django_db_blocker, usernames: Iterable[str]) -> Iterator[dict[str, User]]:
    """`manage.py load_demo` plus what the demo lacks (a recycler login, a registration waiting for the
    operator); yields the demo people named in `usernames` by username."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    host = urlsplit(live_server.url).hostname
    try:
        with (
            django_db_blocker.unblock(),
            translation.override("en"),
            override_settings(PASSBRIDGE_ENFORCE_2FA=False),
            modify_settings(ALLOWED_HOSTS={"append": host}),
        ):
            yield _demo_people(set(usernames))
    finally:
        celery_app.conf.task_always_eager = eager


def _demo_people(usernames: set[str]) -> dict[str, User]:
    call_command("load_demo", stdout=io.StringIO())
    people = {user.username: user for user in User.objects.filter(username__in=usernames)}
    # The demo's recyclers are companies without logins: give the first one a member.
    recycler = Organization.objects.filter(kind=OrganizationKind.RECYCLER).order_by("legal_name").first()
    assert recycler is not None, "the demo has no recycler"
    people["recycler"] = member(
        Role.ADMIN, recycler, username="recycler", first_name="Rika", last_name="Kreis"
    )
    # The operator's queue is empty in the demo: one registration waits, with long words in it.
    waiting = OrganizationFactory(
        legal_name="Niedersächsische Batteriezellenfertigungsgesellschaft mbH & Co. KG",
        status=OrganizationStatus.PENDING,
    )
    member(
        Role.ADMIN,
        waiting,
        username="registrant",
        first_name="Friederike",
        last_name="Zellfabrikverantwortliche",
        email="registrierung.verantwortliche@batteriezellenfertigungsgesellschaft.example",
    )
    missing = usernames - set(people)
    assert not missing, f"demo logins missing: {missing}"
    return people
