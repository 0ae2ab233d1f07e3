"""The certification REST API in the canary crawl: company A's applications and certificates by id.

The applications and certificates are planted by `certification_web` (answers, evidence, verdict notes,
the supply chain in scope of the open review, certificate conditions); this capability adds their API
paths to the crawl, so every audience opens them through /api/v1/ as well, and adds one application
of its own that company A withdrew after submitting it, with a marker in the withdrawal reason.

Who may see the withdrawal reason: company A's members and the body the application was submitted to
(it is part of the application's history); not another company, not the authority, not the operator.
"""

from __future__ import annotations

import uuid
from datetime import date

from certification import services
from certification.models import Accreditation, Scheme
from passports import services as passport_services

from ..registry import (
    CERTIFIER,
    COMPANY_A,
    COMPANY_A_VIEWER,
    Marker,
    World,
    new_marker_value,
    register,
)

OURANOS = "ouranos-battery-cfp-dd"
A_AND_BODY = frozenset({COMPANY_A, COMPANY_A_VIEWER, CERTIFIER})

# Read endpoints, and the write routes (a GET answers 405: the crawl sends no unsafe method).
APPLICATION_ROUTES = (
    "",
    "evidence/",
    "reviewers/",
    "answers/",
    "verdicts/",
    "submit/",
    "assign/",
    "request-changes/",
    "resubmit/",
    "approve/",
    "reject/",
    "withdraw/",
)
CERTIFICATE_ROUTES = ("", "suspend/", "reinstate/", "revoke/", "pdf/", "credential/")


def certification_api_paths(world: World, markers: list[Marker]) -> list[str]:
    """The API paths of company A's applications and certificates, given as explicit paths: as URL kwargs
    their ids would multiply with every other capability's in the crawl's bounded combinations."""
    applications = [
        world.objects.get(key)
        for key in ("cert_api_withdrawn", "cert_application_review", "cert_application_approved")
    ]
    certificates = [world.objects.get(key) for key in ("cert_certificate", "cert_recognised")]
    evidence = world.objects.get("cert_evidence")
    paths = [f"/api/v1/schemes/{code}/" for code in Scheme.objects.values_list("code", flat=True)]
    for application in filter(None, applications):
        base = f"/api/v1/applications/{application.public_id}/"
        paths += [base + route for route in APPLICATION_ROUTES]
        if evidence is not None:
            paths.append(f"{base}evidence/{evidence.public_id}/")
    for certificate in filter(None, certificates):
        paths += [f"/api/v1/certificates/{certificate.number}/{route}" for route in CERTIFICATE_ROUTES]
    paths += [
        "/api/v1/credentials/issuer/",
        "/api/v1/credentials/status/revocation/0/",
        "/api/v1/credentials/status/suspension/0/",
        "/api/v1/applications/?state=withdrawn&search=canary",
        "/api/v1/certificates/?recognised=yes&search=canary",
    ]
    return paths


@register("certification_api", extra_paths=certification_api_paths)
def plant_certification_api(world: World) -> list[Marker]:
    admin, reviewer = world.users[COMPANY_A], world.users[CERTIFIER]
    body = reviewer.membership.organization
    ouranos = Scheme.objects.get(code=OURANOS)
    # The same accreditation `certification_web` makes (it keeps an existing one).
    if not Accreditation.objects.filter(body=body, scheme=ouranos).exists():
        Accreditation.objects.create(body=body, scheme=ouranos, body_code="CNRY", valid_from=date(2025, 1, 1))
    model = passport_services.battery_model_create(
        actor=admin,
        organization=world.company_a,
        values={
            "model_name": f"Withdrawn pack {uuid.uuid4().hex[:6]}",
            "manufacturer_part_id": f"WD-{uuid.uuid4().hex[:8]}",
            "battery_category": "ev",
        },
    )
    application = services.application_create(actor=admin, scheme=ouranos, body=body, battery_models=[model])
    services.answers_save(
        actor=admin, application=application, answers={c.code: "Yes." for c in ouranos.criteria.all()}
    )
    services.application_submit(actor=admin, application=application, declaration_name="Canary Declarant")
    reason = new_marker_value("cert-withdrawal")
    services.application_withdraw(actor=admin, application=application, reason=reason)
    world.objects["cert_api_withdrawn"] = application
    return [Marker(reason, "certification API: withdrawal reason", A_AND_BODY, A_AND_BODY)]
