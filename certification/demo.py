"""The certification part of the demo world (idempotent), so every state can be seen at once:

- jp-maker holds a valid Ouranos certificate (issued by the Japan Battery Assurance Institute) and the
  Catena-X certificate recognised from it;
- eu-maker's Catena-X application is in review by certifier-eu;
- eu-maker's first Catena-X certificate has expired (with what was recognised from it), and its Ouranos
  certificate was revoked.

Everything goes through the services, as a user would, except the back-dating of the expired one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from passports.models import BatteryModel
from portal.tenancy.models import Organization, Site

from . import services
from .initial_schemes import CATENA_X, OURANOS, add_initial_schemes
from .models import Accreditation, Application, Certificate, Scheme, VerdictValue

BODY_EU = "Prüfstelle Nord Zertifizierung GmbH"
BODY_JP = "Japan Battery Assurance Institute"
EU_MAKER = "Elektra Batteriewerk GmbH"
JP_MAKER = "Sakura Denchi Kabushiki Kaisha"
ACCREDITATIONS = ((BODY_EU, "PNZ"), (BODY_JP, "JBAI"))

User = get_user_model()


def _approved(application: Application, *, applicant, lead, conditions: str = "") -> Certificate:
    """Walk an application through the whole review, as applicant and body would."""
    services.answers_save(
        actor=applicant,
        application=application,
        answers={
            criterion.code: f"{criterion.evidence_expected} In the data room, section {criterion.code}."
            for criterion in application.scheme.criteria.all()
        },
    )
    application = services.application_submit(
        actor=applicant, application=application, declaration_name=applicant.get_full_name()
    )
    application = services.application_assign(actor=lead, application=application, reviewer=lead)
    for criterion in application.scheme.criteria.all():
        services.verdict_record(
            actor=lead,
            application=application,
            criterion=criterion,
            value=VerdictValue.MET,
            notes="Evidence reviewed on site." if criterion.method == "inspection" else "",
        )
    return services.application_approve(actor=lead, application=application, conditions=conditions)


def _apply(applicant, scheme: Scheme, body: Organization) -> Application:
    organization = applicant.membership.organization
    return services.application_create(
        actor=applicant,
        scheme=scheme,
        body=body,
        battery_models=BatteryModel.objects.filter(organization=organization),
        sites=Site.objects.filter(organization=organization),
    )


@transaction.atomic
def load_demo_certification() -> list[str]:
    add_initial_schemes()
    catena_x = Scheme.objects.get(code=CATENA_X["code"])
    ouranos = Scheme.objects.get(code=OURANOS["code"])
    bodies = {name: Organization.objects.get(legal_name=name) for name, _code in ACCREDITATIONS}
    for name, code in ACCREDITATIONS:
        for scheme in (catena_x, ouranos):
            Accreditation.objects.get_or_create(
                body=bodies[name], scheme=scheme, defaults={"body_code": code, "valid_from": date(2025, 1, 1)}
            )
    eu, jp = Organization.objects.get(legal_name=EU_MAKER), Organization.objects.get(legal_name=JP_MAKER)
    eu_maker, jp_maker = User.objects.get(username="eu-maker"), User.objects.get(username="jp-maker")
    certifier_eu, certifier_jp = (
        User.objects.get(username="certifier-eu"),
        User.objects.get(username="certifier-jp"),
    )

    if not Certificate.objects.filter(holder=jp, scheme=ouranos, origin__isnull=True).exists():
        _approved(
            _apply(jp_maker, ouranos, bodies[BODY_JP]),
            applicant=jp_maker,
            lead=certifier_jp,
            conditions="Carbon footprint re-verified at every change of cell supplier.",
        )
    if not Certificate.objects.filter(holder=eu, scheme=catena_x, origin__isnull=True).exists():
        expired = _approved(
            _apply(eu_maker, catena_x, bodies[BODY_EU]), applicant=eu_maker, lead=certifier_eu
        )
        # Issued in 2023 and ended in 2026: back-dated, as no clock is moved for a demo.
        issued = datetime(2023, 6, 1, 9, 0, tzinfo=UTC)
        Certificate.objects.filter(pk=expired.pk).update(
            issued_at=issued, valid_from=issued.date(), valid_until=date(2026, 5, 31)
        )
        Certificate.objects.filter(origin=expired).update(
            issued_at=issued, valid_from=issued.date(), valid_until=date(2025, 5, 31)
        )
        services.certificates_expire(today=timezone.localdate())
    if not Certificate.objects.filter(holder=eu, scheme=ouranos, origin__isnull=True).exists():
        revoked = _approved(_apply(eu_maker, ouranos, bodies[BODY_JP]), applicant=eu_maker, lead=certifier_jp)
        services.certificate_revoke(
            actor=certifier_jp,
            certificate=revoked,
            reason="The verifier of the carbon footprint study withdrew its statement.",
        )
    if not Application.objects.filter(organization=eu, scheme=catena_x, state="in_review").exists():
        application = _apply(eu_maker, catena_x, bodies[BODY_EU])
        services.answers_save(
            actor=eu_maker,
            application=application,
            answers={c.code: f"See {c.evidence_expected.lower()}" for c in catena_x.criteria.all()},
        )
        services.application_submit(actor=eu_maker, application=application, declaration_name="Lena Krüger")
        services.application_assign(actor=certifier_eu, application=application, reviewer=certifier_eu)

    lines = []
    for certificate in Certificate.objects.select_related("scheme").order_by(
        "holder_name", "issued_at", "pk"
    ):
        origin = f", recognised from {certificate.origin.number}" if certificate.origin_id else ""
        lines.append(
            f"{certificate.number}: {certificate.holder_name}, {certificate.scheme.name}, "
            f"{certificate.status}{origin}"
        )
    open_reviews = Application.objects.filter(state="in_review").count()
    lines.append(f"Applications in review: {open_reviews}")
    return lines
