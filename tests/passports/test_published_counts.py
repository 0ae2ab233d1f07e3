"""Each company's count of published passports (passports.published_counts), kept by PostgreSQL triggers,
equals a fresh count of the version table after every way versions are written: the publication service, a
new version, bulk inserts and COPY, updates of state or passport, deletions, a passport moved to another
company, a rolled-back transaction. PostgreSQL only: the triggers exist only there."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, transaction
from django.utils import timezone

from passports import published_counts, services
from passports.models import Passport, PassportVersion, PublishedPassportCount, VersionState
from portal.sql_rows import insert_instances
from portal.tenancy.models import Role
from tests.factories import OrganizationFactory, member
from tests.passports.completion import complete_passport, fill_missing

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the triggers are PostgreSQL's"),
]


def _kept() -> dict[int, int]:
    return {
        row.organization_id: row.passports
        for row in PublishedPassportCount.objects.all()
        if row.passports  # a company whose last published passport went keeps a row of 0
    }


def _assert_kept_equals_counted() -> dict[int, int]:
    counted = published_counts.counted()
    assert _kept() == counted
    return counted


def _bare(battery_model, identifier: str) -> Passport:
    return Passport(
        public_id=uuid.uuid4(),
        organization=battery_model.organization,
        battery_model=battery_model,
        unique_identifier=identifier,
    )


def _version(passport: Passport, number: int, published: bool) -> PassportVersion:
    return PassportVersion(
        passport=passport,
        number=number,
        state=VersionState.PUBLISHED if published else VersionState.DRAFT,
        published_at=timezone.now() if published else None,
    )


def test_the_services_count_a_passport_once_at_its_first_publication(admin_a, company_a):
    passport = complete_passport(admin_a, company_a, "urn:count:1")
    assert _assert_kept_equals_counted() == {}  # a draft counts for nothing
    services.passport_publish(actor=admin_a, passport=passport)
    assert _assert_kept_equals_counted() == {company_a.pk: 1}
    services.passport_update(actor=admin_a, passport=passport, values={"manufacturing_date": "2024-01-10"})
    services.passport_publish(actor=admin_a, passport=passport)  # a second version: still one passport
    assert passport.versions.filter(state=VersionState.PUBLISHED).count() == 2
    assert _assert_kept_equals_counted() == {company_a.pk: 1}
    second = services.passport_create(
        actor=admin_a, battery_model=passport.battery_model, values={"unique_identifier": "urn:count:2"}
    )
    services.passport_publish(actor=admin_a, passport=fill_missing(admin_a, second))
    assert _assert_kept_equals_counted() == {company_a.pk: 2}


def test_other_companies_keep_their_own_counts(admin_a, company_a):
    other = OrganizationFactory(legal_name="Other Cells SE")
    admin_other = member(Role.ADMIN, other, username="admin-other")
    services.passport_publish(actor=admin_a, passport=complete_passport(admin_a, company_a, "urn:count:A"))
    services.passport_publish(
        actor=admin_other, passport=complete_passport(admin_other, other, "urn:count:O")
    )
    assert _assert_kept_equals_counted() == {company_a.pk: 1, other.pk: 1}


@pytest.mark.parametrize("write", ["bulk_create", "copy"])
def test_many_versions_in_one_statement(company_a, battery_model, write):
    passports = Passport.objects.bulk_create([_bare(battery_model, f"urn:bulk:{n}") for n in range(30)])
    # Passports with two published versions, one published and a draft, a draft only: in one statement.
    versions = [_version(p, 1, published=n % 3 != 2) for n, p in enumerate(passports)]
    versions += [_version(p, 2, published=n % 3 == 0) for n, p in enumerate(passports) if n % 3 != 2]
    if write == "copy":
        insert_instances(versions)
    else:
        PassportVersion.objects.bulk_create(versions)
    assert _assert_kept_equals_counted() == {company_a.pk: 20}


def test_updates_of_state_and_passport(company_a, battery_model):
    first, second, third = Passport.objects.bulk_create(
        [_bare(battery_model, f"urn:upd:{n}") for n in range(3)]
    )
    PassportVersion.objects.bulk_create(
        [
            _version(first, 1, False),
            _version(second, 1, True),
            _version(second, 2, True),
            _version(third, 1, False),
        ]
    )
    assert _assert_kept_equals_counted() == {company_a.pk: 1}
    # A draft published by an UPDATE (not through the service): counted.
    PassportVersion.objects.filter(passport=first).update(
        state=VersionState.PUBLISHED, published_at=timezone.now()
    )
    assert _assert_kept_equals_counted() == {company_a.pk: 2}
    # One of two published versions back to draft: the passport still has one.
    PassportVersion.objects.filter(passport=second, number=2).update(
        state=VersionState.DRAFT, published_at=None
    )
    assert _assert_kept_equals_counted() == {company_a.pk: 2}
    # A published version moved to a passport that had only a draft: one passport loses it, one gains it.
    PassportVersion.objects.filter(passport=second, number=1).update(passport=third, number=2)
    assert _assert_kept_equals_counted() == {company_a.pk: 2}
    # Edits that change neither state nor passport (a draft's values): nothing to count.
    PassportVersion.objects.filter(passport=second).update(data={"note": "edited"})
    assert _assert_kept_equals_counted() == {company_a.pk: 2}


def test_deletions(company_a, battery_model):
    first, second = Passport.objects.bulk_create([_bare(battery_model, f"urn:del:{n}") for n in range(2)])
    PassportVersion.objects.bulk_create(
        [_version(first, 1, True), _version(first, 2, True), _version(second, 1, True)]
    )
    assert _assert_kept_equals_counted() == {company_a.pk: 2}
    PassportVersion.objects.filter(passport=first, number=2).delete()  # one published version is left
    assert _assert_kept_equals_counted() == {company_a.pk: 2}
    second.delete()  # its versions go first, then the passport
    assert _assert_kept_equals_counted() == {company_a.pk: 1}


def test_a_passport_moved_to_another_company_takes_its_count(company_a, company_b, battery_model):
    moved, draft = Passport.objects.bulk_create([_bare(battery_model, f"urn:move:{n}") for n in range(2)])
    PassportVersion.objects.bulk_create([_version(moved, 1, True), _version(draft, 1, False)])
    Passport.objects.filter(pk__in=[moved.pk, draft.pk]).update(organization=company_b)
    counted = _assert_kept_equals_counted()
    assert counted == {company_b.pk: 1}


def test_a_rolled_back_publication_leaves_the_count(admin_a, company_a):
    passport = complete_passport(admin_a, company_a, "urn:count:rollback")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.passport_publish(actor=admin_a, passport=passport)
        assert _kept() == {company_a.pk: 1}
        raise RuntimeError
    assert _assert_kept_equals_counted() == {}


def test_recount_repairs_counts_written_around_the_triggers(company_a, battery_model):
    passports = Passport.objects.bulk_create([_bare(battery_model, f"urn:seed:{n}") for n in range(5)])
    with connection.cursor() as cursor:  # as benchmarks/seed_fast.py loads: no trigger fires
        cursor.execute("SET LOCAL session_replication_role = replica")
        PassportVersion.objects.bulk_create([_version(p, 1, True) for p in passports])
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert _kept() == {}
    published_counts.recount()
    assert _assert_kept_equals_counted() == {company_a.pk: 5}


def test_the_command_counts_anew(company_a, battery_model):
    from io import StringIO

    from django.core.management import call_command

    passports = Passport.objects.bulk_create([_bare(battery_model, f"urn:cmd:{n}") for n in range(3)])
    PassportVersion.objects.bulk_create([_version(p, 1, True) for p in passports])
    PublishedPassportCount.objects.all().delete()  # as a restore without triggers would leave it
    out = StringIO()
    call_command("recount_published_passports", stdout=out)
    assert out.getvalue().strip() == "Published passports counted anew: 3 (companies with any: 1)."
    assert _assert_kept_equals_counted() == {company_a.pk: 3}


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_publications_of_one_company_both_count(company_a, battery_model):
    """Two transactions publish a first version for the company at once: the second waits for the first's
    commit on the company's row, then adds to the committed count (no update is lost)."""
    import threading

    from django.db import connections

    first, second = Passport.objects.bulk_create([_bare(battery_model, f"urn:race:{n}") for n in range(2)])
    insert = (
        "INSERT INTO passports_passportversion (passport_id, number, state, data, created_at, updated_at, "
        "published_at) VALUES (%s, 1, 'published', '{}', now(), now(), now())"
    )
    other = connections.create_connection("default")
    other.set_autocommit(False)
    waited = threading.Event()
    try:
        with other.cursor() as cursor:
            cursor.execute(insert, [first.pk])  # uncommitted: holds the company's count row

        def publish_second() -> None:
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(insert, [second.pk])  # waits for `other` on the count row
                waited.set()
            finally:
                connection.close()

        racer = threading.Thread(target=publish_second)
        racer.start()
        racer.join(timeout=1)
        assert racer.is_alive() and not waited.is_set()  # queued behind the first transaction
        other.commit()
        racer.join(timeout=10)
        assert waited.is_set()
    finally:
        other.close()
    assert _assert_kept_equals_counted() == {company_a.pk: 2}


def test_a_statement_probes_the_tables_it_touches_whatever_the_statistics(company_a, battery_model):
    """A trigger's statement looks each touched passport up by its keys: never a hash or a scan of the
    version or passport table, which PostgreSQL chose with statistics gathered when the tables were small
    (during `seed_fast.py`, one publication took 0.9 s at half a million versions)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {published_counts.VERSIONS}, {published_counts.PASSPORTS}")  # nearly empty
        cursor.execute(
            f"INSERT INTO {published_counts.PASSPORTS} (public_id, organization_id, battery_model_id, "
            "unique_identifier, status, created_at) SELECT gen_random_uuid(), %s, %s, 'urn:stale:' || n, "
            "'original', now() FROM generate_series(1, 3000) n",
            [company_a.pk, battery_model.pk],
        )
        cursor.execute(
            f"INSERT INTO {published_counts.VERSIONS} (passport_id, number, state, data, created_at, "
            f"updated_at, published_at) SELECT id, 1, 'published', '{{}}', now(), now(), now() "
            f"FROM {published_counts.PASSPORTS}"
        )
        # The transition tables of an update of one version, as plain tables of the same names.
        cursor.execute(
            f"CREATE TEMP TABLE old_versions AS SELECT * FROM {published_counts.VERSIONS} "
            "ORDER BY id DESC LIMIT 1"
        )
        cursor.execute("CREATE TEMP TABLE new_versions AS SELECT * FROM old_versions")
        cursor.execute("UPDATE old_versions SET state = 'draft'")
        plans = []
        for statement in published_counts.FUNCTIONS.values():
            cursor.execute(f"EXPLAIN {statement.rstrip(';')}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert _assert_kept_equals_counted() == {company_a.pk: 3000}
    for plan in plans:
        assert "Seq Scan on passports_passport" not in plan, plan  # the passport and the version table
