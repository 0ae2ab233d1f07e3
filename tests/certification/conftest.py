"""A small certification world: the two schemes of the data migration, one accredited body with a lead
and a reviewer, and company A applying with a battery model (with a confidential supply chain) and a
passport in scope."""

from __future__ import annotations

from datetime import date

import pytest

from certification import services
from certification.initial_schemes import add_initial_schemes
from certification.models import Accreditation, Application, Certificate, Scheme, VerdictValue
from passports import services as passport_services
from portal.storage import private_storage
from portal.tenancy.models import OrganizationKind, Role
from tests.factories import OrganizationFactory, member

from .audiences import ADMIN_A, INSPECTOR, LEAD, OPERATOR, OTHER_BODY, OTHER_COMPANY, REVIEWER, VIEWER_A
from .registry_world import World, build_world

CATENA_X = "catenax-battery-passport-provider"
OURANOS = "ouranos-battery-cfp-dd"
SUPPLIER_MARKER = "CANARY-SUPPLIER-Quarry-7781"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Each test stores its evidence, documents and ZIPs in a directory of its own."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    assert str(tmp_path) in private_storage.location


@pytest.fixture
def other_body(catenax, ouranos):
    """A second certification body, accredited for both schemes."""
    body = OrganizationFactory(kind=OrganizationKind.CERTIFICATION_BODY, legal_name="Other Certifier KK")
    for scheme in (catenax, ouranos):
        Accreditation.objects.create(body=body, scheme=scheme, body_code="OTH", valid_from=date(2025, 1, 1))
    return body


@pytest.fixture
def users(admin_a, viewer_a, admin_b, lead, reviewer, other_body, inspector, operator, accredited) -> dict:
    """The user of each audience of tests/certification/audiences.py (anonymous has none)."""
    return {
        ADMIN_A: admin_a,
        VIEWER_A: viewer_a,
        OTHER_COMPANY: admin_b,
        LEAD: lead,
        REVIEWER: reviewer,
        OTHER_BODY: member(Role.LEAD, other_body, username="other-lead"),
        INSPECTOR: inspector,
        OPERATOR: operator,
    }


@pytest.fixture
def certificate(in_review, reviewer) -> Certificate:
    """Company A's Catena-X certificate, issued by the accredited body (with its recognised Ouranos one)."""
    return approve(in_review, reviewer, conditions="Annual surveillance audit.")


@pytest.fixture
def generous_verify_allowance(settings):
    """Public verification is rate limited per client: tests that are not about the limit look up freely
    (the root fixture empties the cache that counts)."""
    settings.CERTIFICATE_VERIFY_RATE_PER_MINUTE = 1000


@pytest.fixture
def world(catenax, ouranos, company_a, company_b, certification_body) -> World:
    """The registry's world: certificates of both schemes for two companies (tests/certification/
    registry_world.py)."""
    return build_world(
        catenax=catenax,
        ouranos=ouranos,
        company_a=company_a,
        company_b=company_b,
        certification_body=certification_body,
    )


@pytest.fixture
def catenax(db) -> Scheme:
    # A transactional test empties every table, the migration's schemes included: put them back.
    add_initial_schemes()
    return Scheme.objects.get(code=CATENA_X)


@pytest.fixture
def ouranos(catenax) -> Scheme:
    return Scheme.objects.get(code=OURANOS)


@pytest.fixture
def accredited(certification_body, catenax, ouranos):
    for scheme in (catenax, ouranos):
        Accreditation.objects.create(
            body=certification_body, scheme=scheme, body_code="CBG", valid_from=date(2025, 1, 1)
        )
    return certification_body


@pytest.fixture
def lead(certification_body):
    return member(Role.LEAD, certification_body, username="lead")


@pytest.fixture
def scope_model(admin_a, company_a):
    model = passport_services.battery_model_create(
        actor=admin_a,
        organization=company_a,
        values={
            "model_name": "Certified Pack 80",
            "manufacturer_part_id": "CP-80",
            "battery_category": "ev",
            "manufacturer_name": "Company A GmbH",
        },
    )
    passport_services.supply_chain_replace(
        actor=admin_a,
        battery_model=model,
        rows=[
            {
                "material": "cobalt",
                "country_of_origin": "CD",
                "supplier_name": SUPPLIER_MARKER,
                "procurement_amount": "1234.5",
                "procurement_unit": "t",
                "procurement_period_start": "2026-01-01",
                "procurement_period_end": "2026-12-31",
            }
        ],
    )
    return model


@pytest.fixture
def scope_passport(admin_a, scope_model):
    return passport_services.passport_create(
        actor=admin_a, battery_model=scope_model, values={"unique_identifier": "urn:epc:CERT-0001"}
    )


def answer_all(application: Application, actor) -> None:
    services.answers_save(
        actor=actor,
        application=application,
        answers={c.code: f"We meet {c.code}: see the evidence." for c in application.scheme.criteria.all()},
    )


def meet_all(application: Application, actor) -> None:
    for criterion in application.scheme.criteria.all():
        services.verdict_record(
            actor=actor, application=application, criterion=criterion, value=VerdictValue.MET
        )


def approve(application: Application, reviewer, **kwargs) -> Certificate:
    """Every criterion met, then approved: the certificate (with its recognised ones)."""
    meet_all(application, reviewer)
    return services.application_approve(actor=reviewer, application=application, **kwargs)


def approve_with_site(application: Application, site, *, admin, lead, reviewer, **kwargs) -> Certificate:
    """The draft covering `site`, submitted, assigned, every criterion met and approved."""
    services.application_update(actor=admin, application=application, sites=[site])
    services.application_submit(actor=admin, application=application, declaration_name="Anna Admin")
    services.application_assign(actor=lead, application=application, reviewer=reviewer)
    return approve(application, reviewer, **kwargs)


@pytest.fixture
def draft(admin_a, accredited, catenax, scope_model, scope_passport) -> Application:
    application = services.application_create(
        actor=admin_a,
        scheme=catenax,
        body=accredited,
        battery_models=[scope_model],
        passports=[scope_passport],
    )
    answer_all(application, admin_a)
    return application


@pytest.fixture
def submitted(draft, admin_a) -> Application:
    return services.application_submit(actor=admin_a, application=draft, declaration_name="Anna Admin")


@pytest.fixture
def in_review(submitted, lead, reviewer) -> Application:
    return services.application_assign(actor=lead, application=submitted, reviewer=reviewer)
