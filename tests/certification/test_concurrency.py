"""Two approvals at the same moment, from two connections: one certificate, one number, and numbers of
one body stay unique and gap-free when different applications are approved concurrently."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from certification import services
from certification.models import Application, Certificate, NumberSequence
from passports import services as passport_services
from portal.exceptions import InvalidTransition
from portal.tenancy.models import Role
from tests.factories import OrganizationFactory, member

from .conftest import answer_all, meet_all

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls) -> list:
    """Run the calls in threads released together; return each call's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the test inspects what each side got
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_double_approval_issues_one_certificate(in_review, reviewer):
    meet_all(in_review, reviewer)
    results = _race(
        *(
            lambda: services.application_approve(
                actor=reviewer, application=Application.objects.get(pk=in_review.pk)
            )
            for _ in range(2)
        )
    )
    certificates = [r for r in results if isinstance(r, Certificate)]
    refusals = [r for r in results if isinstance(r, InvalidTransition)]
    assert len(certificates) == 1 and len(refusals) == 1, results
    assert Certificate.objects.filter(origin__isnull=True).count() == 1
    assert Certificate.objects.filter(origin__isnull=False).count() == 1  # one recognition, not two


def test_concurrent_approvals_of_one_body_get_distinct_consecutive_numbers(
    accredited, catenax, lead, reviewer
):
    applications = []
    for index in range(3):
        company = OrganizationFactory(legal_name=f"Racer {index} AG")
        admin = member(Role.ADMIN, company, username=f"racer-{index}")
        model = passport_services.battery_model_create(
            actor=admin,
            organization=company,
            values={
                "model_name": f"R{index}",
                "manufacturer_part_id": f"R-{index}",
                "battery_category": "ev",
            },
        )
        application = services.application_create(
            actor=admin, scheme=catenax, body=accredited, battery_models=[model]
        )
        answer_all(application, admin)
        services.application_submit(actor=admin, application=application, declaration_name="R")
        services.application_assign(actor=lead, application=application, reviewer=reviewer)
        meet_all(application, reviewer)
        applications.append(application)
    results = _race(
        *(
            lambda pk=application.pk: services.application_approve(
                actor=reviewer, application=Application.objects.get(pk=pk)
            )
            for application in applications
        )
    )
    assert all(isinstance(r, Certificate) for r in results), results
    numbers = sorted(r.number for r in results)
    assert numbers == ["CATX-CBG-0000001", "CATX-CBG-0000002", "CATX-CBG-0000003"]
    assert NumberSequence.objects.get(scheme=catenax, body=accredited).last_value == 3


def _approvable(scheme, body, lead, reviewer, name: str) -> Application:
    company = OrganizationFactory(legal_name=f"{name} AG")
    admin = member(Role.ADMIN, company, username=name)
    model = passport_services.battery_model_create(
        actor=admin,
        organization=company,
        values={"model_name": name, "manufacturer_part_id": name, "battery_category": "ev"},
    )
    application = services.application_create(actor=admin, scheme=scheme, body=body, battery_models=[model])
    answer_all(application, admin)
    services.application_submit(actor=admin, application=application, declaration_name=name)
    services.application_assign(actor=lead, application=application, reviewer=reviewer)
    meet_all(application, reviewer)
    return application


def test_approvals_under_partner_schemes_at_one_instant_never_deadlock(
    accredited, catenax, ouranos, lead, reviewer
):
    """Each approval numbers its own scheme and its partner's (recognition): both lock the two sequences,
    always in the same order, so the second waits instead of deadlocking (issue 15)."""
    for round_ in range(4):
        pair = [
            _approvable(scheme, accredited, lead, reviewer, f"pair-{round_}-{scheme.code}")
            for scheme in (catenax, ouranos)
        ]
        results = _race(
            *(
                lambda pk=application.pk: services.application_approve(
                    actor=reviewer, application=Application.objects.get(pk=pk)
                )
                for application in pair
            )
        )
        assert all(isinstance(r, Certificate) for r in results), results
    numbers = list(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 16  # 8 origins, 8 recognitions
