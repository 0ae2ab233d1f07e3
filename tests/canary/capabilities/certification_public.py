"""Public certificate verification in the canary crawl: `/verify/<number>/` and `/api/v1/verify/<number>/`
for company A's certificates, and `/api/v1/certificates/<number>/catenax/`.

The verification pages are public by design: anyone may read a certificate's holder name and identifiers
(company A's legal name, BPNL and LEI) there. Those markers are widened to the bearer name `VERIFIER`, which
only the verification URLs grant, so the crawl still catches them anywhere else. Everything else stays as
confidential on the verification pages as everywhere: the supply chain in scope, the answers and reviewer
notes (planted by `certification_web`), and this capability's own certificate conditions and suspension
reason, which only the certificate's readers (holder, issuing body, authority, operator) may see.

Registered as `certification_web_public` so that it plants after `certification_web` (planters run in
name order) and can widen the holder facts that capability already widened for the body and authority.
"""

from __future__ import annotations

import dataclasses
import uuid

from certification import services
from certification.models import Scheme, VerdictValue
from passports import services as passport_services
from portal.tenancy.models import Role
from tests.factories import member

from ..registry import (
    AUTHORITY,
    CERTIFIER,
    COMPANY_A,
    COMPANY_A_VIEWER,
    OPERATOR,
    Marker,
    ParamValue,
    World,
    new_marker_value,
    register,
)
from .certification_web import CERTIFICATE_URLS, HOLDER_FACTS, OURANOS

#: Bearer name: whoever opens a public verification URL may read the holder's public facts there.
VERIFIER = "certificate-verifier"
VERIFIER_GRANT = frozenset({VERIFIER})
VERIFY_URLS = frozenset({"verification:certificate", "api:certificate-verify"})
CERTIFICATE_READERS = frozenset({COMPANY_A, COMPANY_A_VIEWER, CERTIFIER, AUTHORITY, OPERATOR})
CERTIFICATE_KEYS = ("cert_certificate", "cert_recognised", "cert_public_suspended", "cert_public_recognised")


def _numbers(world: World) -> list[tuple[str, str]]:
    return [(key, world.objects[key].number) for key in CERTIFICATE_KEYS if key in world.objects]


def verification_url_kwargs(world: World) -> dict[str, list[ParamValue]]:
    values = [
        ParamValue(
            number,
            f"company A's certificate ({key}) on its public verification",
            grants=VERIFIER_GRANT,
            url_names=VERIFY_URLS,
        )
        for key, number in _numbers(world)
    ]
    suspended = world.objects["cert_public_suspended"]
    values.append(
        ParamValue(suspended.number, "company A's suspended certificate", url_names=CERTIFICATE_URLS)
    )
    return {"number": values}


def verification_extra_paths(world: World, markers: list[Marker]) -> list[str]:
    return [f"/api/v1/certificates/{number}/catenax/" for _key, number in _numbers(world)]


def _widen_holder_facts(world: World) -> None:
    for index, marker in enumerate(world.markers):
        if marker.description in HOLDER_FACTS:
            world.markers[index] = dataclasses.replace(marker, visible_to=marker.visible_to | {VERIFIER})


@register(
    "certification_web_public", url_kwargs=verification_url_kwargs, extra_paths=verification_extra_paths
)
def plant_certification_public(world: World) -> list[Marker]:
    admin, reviewer = world.users[COMPANY_A], world.users[CERTIFIER]
    body = reviewer.membership.organization  # accredited by `certification_web`
    lead = member(Role.LEAD, body, username=f"canary-verify-lead-{uuid.uuid4().hex[:6]}")
    ouranos = Scheme.objects.get(code=OURANOS)
    model = passport_services.battery_model_create(
        actor=admin,
        organization=world.company_a,
        values={
            "model_name": f"Verified pack {uuid.uuid4().hex[:6]}",
            "manufacturer_part_id": f"VER-{uuid.uuid4().hex[:8]}",
            "battery_category": "ev",
        },
    )
    application = services.application_create(actor=admin, scheme=ouranos, body=body, battery_models=[model])
    services.answers_save(
        actor=admin, application=application, answers={c.code: "Yes." for c in ouranos.criteria.all()}
    )
    services.application_submit(actor=admin, application=application, declaration_name="Canary Declarant")
    services.application_assign(actor=lead, application=application, reviewer=reviewer)
    for criterion in ouranos.criteria.all():
        services.verdict_record(
            actor=reviewer, application=application, criterion=criterion, value=VerdictValue.MET
        )
    conditions = new_marker_value("verify-conditions")
    reason = new_marker_value("verify-suspension")
    certificate = services.application_approve(actor=reviewer, application=application, conditions=conditions)
    services.certificate_suspend(actor=lead, certificate=certificate, reason=reason)
    world.objects.update(
        cert_public_suspended=certificate, cert_public_recognised=certificate.recognised.get()
    )
    _widen_holder_facts(world)
    readers_seen = frozenset({COMPANY_A, AUTHORITY})
    return [
        Marker(conditions, "verification: certificate conditions", CERTIFICATE_READERS, readers_seen),
        Marker(reason, "verification: suspension reason", CERTIFICATE_READERS, readers_seen),
    ]
