"""The certification pages' canary data: company A's Catena-X application in its second review round at the
certifier audience's body (assigned to that reviewer), and an approved Ouranos application whose certificate
was recognised under Catena-X.

Who may see what (the certification decisions):

* The self-assessment (answer text, evidence file names) and the review's exchange (the reviewer's notes per
  criterion, the request for changes, the applicant's message on resubmission): company A's members and the
  reviewing body. Not the operator: the admin lists applications by their public facts only.
* The confidential supply chain of the battery model in scope: company A's members and, while the review is
  open, the reviewing body (need to know). Here the review is open, so the certifier must see it (in the
  workspace); company A reads its supply chain on the passport pages, which this capability does not crawl.
* A certificate's conditions: its holder, its issuing body, authorities and the operator.

Applying discloses company A's identity to the body it applies to, and a certificate names its holder with
its identifiers to whoever may read the certificate (issuing body, authorities, operator): this planter
widens the foundation's legal name, BPNL and LEI markers to the certifier and the authority accordingly
(keeping their descriptions, which other planters look them up by).
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from certification import services
from certification.models import Accreditation, Scheme, VerdictValue
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

CATENA_X = "catenax-battery-passport-provider"
OURANOS = "ouranos-battery-cfp-dd"
A_MEMBERS = frozenset({COMPANY_A, COMPANY_A_VIEWER})
A_AND_BODY = A_MEMBERS | {CERTIFIER}
CERTIFICATE_READERS = A_AND_BODY | {AUTHORITY, OPERATOR}
#: Foundation markers a certificate or an application shows to the body and to authorities.
HOLDER_FACTS = ("company A's legal name", "company A's BPNL", "company A's LEI")

APPLICATION_URLS = frozenset(
    f"certification:{name}"
    for name in (
        "application_detail",
        "application_edit",
        "self_assessment",
        "application_submit",
        "application_withdraw",
        "assign",
        "review",
        "verdict",
        "request_changes",
        "approve",
        "reject",
        "evidence_download",
        "evidence_delete",
    )
)
CERTIFICATE_URLS = frozenset(
    f"certification:{name}"
    for name in ("certificate_detail", "certificate_renew", "certificate_status", "certificate_pdf")
)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")


def certification_url_kwargs(world: World) -> dict[str, list[ParamValue]]:
    review, approved = world.objects["cert_application_review"], world.objects["cert_application_approved"]
    origin, recognised = world.objects["cert_certificate"], world.objects["cert_recognised"]
    return {
        "public_id": [
            ParamValue(review.public_id, "company A's application in review", url_names=APPLICATION_URLS),
            ParamValue(approved.public_id, "company A's approved application", url_names=APPLICATION_URLS),
        ],
        "evidence_id": [
            ParamValue(world.objects["cert_evidence"].public_id, "evidence of A's application in review")
        ],
        "number": [
            ParamValue(origin.number, "company A's Ouranos certificate", url_names=CERTIFICATE_URLS),
            ParamValue(recognised.number, "company A's recognised certificate", url_names=CERTIFICATE_URLS),
        ],
    }


def certification_extra_paths(world: World, markers: list[Marker]) -> list[str]:
    origin = world.objects["cert_certificate"]
    return [
        "/certification/queue/?reviewer=none",
        "/certification/queue/?state=in_review&q=canary",
        "/certification/certificates/?kind=recognised",
        "/certification/certificates/?status=valid&q=canary",
        f"/certification/certificates/?q={origin.number}",
    ]


def _widen_holder_facts(world: World) -> None:
    for index, marker in enumerate(world.markers):
        if marker.description in HOLDER_FACTS:
            world.markers[index] = dataclasses.replace(
                marker, visible_to=marker.visible_to | {CERTIFIER, AUTHORITY}
            )


def _accredit(body) -> None:
    for scheme in Scheme.objects.filter(code__in=[CATENA_X, OURANOS]):
        if not Accreditation.objects.filter(body=body, scheme=scheme).exists():
            Accreditation.objects.create(
                body=body, scheme=scheme, body_code="CNRY", valid_from=date(2025, 1, 1)
            )


@register("certification_web", url_kwargs=certification_url_kwargs, extra_paths=certification_extra_paths)
def plant_certification(world: World) -> list[Marker]:
    admin, reviewer = world.users[COMPANY_A], world.users[CERTIFIER]
    body = reviewer.membership.organization
    _accredit(body)
    lead = member(Role.LEAD, body, username=f"canary-cert-lead-{uuid.uuid4().hex[:6]}")
    catenax, ouranos = Scheme.objects.get(code=CATENA_X), Scheme.objects.get(code=OURANOS)

    supplier = new_marker_value("cert-supplier")
    model = passport_services.battery_model_create(
        actor=admin,
        organization=world.company_a,
        values={
            "model_name": f"Certified pack {uuid.uuid4().hex[:6]}",
            "manufacturer_part_id": f"CERT-{uuid.uuid4().hex[:8]}",
            "battery_category": "ev",
        },
    )
    passport_services.supply_chain_replace(
        actor=admin,
        battery_model=model,
        rows=[
            {
                "material": "nickel",
                "country_of_origin": "ID",
                "supplier_name": supplier,
                "procurement_amount": "42.5",
                "procurement_unit": "t",
                "procurement_period_start": "2026-01-01",
                "procurement_period_end": "2026-12-31",
            }
        ],
    )

    # The Ouranos application, approved: a certificate and its recognised Catena-X certificate.
    conditions = new_marker_value("cert-conditions")
    approved = services.application_create(actor=admin, scheme=ouranos, body=body, battery_models=[model])
    services.answers_save(
        actor=admin, application=approved, answers={c.code: "Yes." for c in ouranos.criteria.all()}
    )
    services.application_submit(actor=admin, application=approved, declaration_name="Canary Declarant")
    services.application_assign(actor=lead, application=approved, reviewer=reviewer)
    for criterion in ouranos.criteria.all():
        services.verdict_record(
            actor=reviewer, application=approved, criterion=criterion, value=VerdictValue.MET
        )
    certificate = services.application_approve(actor=reviewer, application=approved, conditions=conditions)

    # The Catena-X application: answered with evidence, sent back for changes once, resubmitted.
    answer = new_marker_value("cert-answer")
    evidence_name = new_marker_value("cert-evidence")
    notes = new_marker_value("cert-verdict-notes")
    changes = new_marker_value("cert-changes")
    resubmit = new_marker_value("cert-resubmit")
    review = services.application_create(actor=admin, scheme=catenax, body=body, battery_models=[model])
    first, *others = list(catenax.criteria.all())
    services.answers_save(
        actor=admin,
        application=review,
        answers={first.code: f"We meet it: {answer}", **{c.code: "Yes." for c in others}},
    )
    evidence = services.evidence_add(
        actor=admin, application=review, criterion=first, upload=_pdf(f"{evidence_name}.pdf")
    )
    services.application_submit(actor=admin, application=review, declaration_name="Canary Declarant")
    services.application_assign(actor=lead, application=review, reviewer=reviewer)
    services.verdict_record(
        actor=reviewer, application=review, criterion=first, value=VerdictValue.NOT_MET, notes=notes
    )
    services.application_request_changes(actor=reviewer, application=review, message=changes)
    services.application_resubmit(
        actor=admin, application=review, declaration_name="Canary Declarant", message=resubmit
    )

    world.objects.update(
        cert_application_review=review,
        cert_application_approved=approved,
        cert_evidence=evidence,
        cert_certificate=certificate,
        cert_recognised=certificate.recognised.get(),
    )
    _widen_holder_facts(world)
    return [
        Marker(answer, "certification: self-assessment answer", A_AND_BODY, A_AND_BODY),
        Marker(evidence_name, "certification: evidence file name", A_AND_BODY, A_AND_BODY),
        Marker(notes, "certification: reviewer's verdict notes", A_AND_BODY, A_AND_BODY),
        Marker(changes, "certification: request for changes", A_AND_BODY, A_AND_BODY),
        Marker(resubmit, "certification: applicant's resubmission message", A_AND_BODY, A_AND_BODY),
        Marker(supplier, "certification: supply chain in scope of the open review", A_AND_BODY, {CERTIFIER}),
        Marker(conditions, "certification: certificate conditions", CERTIFICATE_READERS, CERTIFICATE_READERS),
    ]
