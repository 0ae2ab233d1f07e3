"""Every read of certification data, scoped to the acting user.

Applications: the applicant's members see their company's; a certification body's members see those
addressed to it once submitted. Certificates: holder, issuing body, authorities and operators. Public
verification facts are read by `certificate_public`, which returns certificate facts only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.core import ObjectPermissionChecker

from passports import selectors as passport_selectors
from portal.audit.selectors import audit_events_for
from portal.tenancy.groups import organization_group
from portal.tenancy.models import Membership, Organization, OrganizationKind
from portal.tenancy.selectors import active_organization_of

from . import policies
from .documents.download import DOWNLOADED
from .models import (
    REVIEW_APPLICATION,
    REVIEW_STATES,
    Accreditation,
    Answer,
    Application,
    ApplicationEvent,
    Certificate,
    Criterion,
    Evidence,
    ReviewSnapshot,
    Scheme,
    Verdict,
)

# --- Schemes and bodies -----------------------------------------------------------------------------


def schemes_open() -> QuerySet[Scheme]:
    return Scheme.objects.filter(is_active=True).prefetch_related("standards", "criteria")


def schemes_all() -> QuerySet[Scheme]:
    """Every scheme, open or closed (reference data: the registry filters by them)."""
    return Scheme.objects.order_by("name")


def scheme_get(code_or_id: str) -> Scheme | None:
    scheme = Scheme.objects.filter(code=code_or_id).first()
    if scheme is None:
        try:
            scheme = Scheme.objects.filter(public_id=UUID(str(code_or_id))).first()
        except ValueError:
            return None
    return scheme


def accredited_bodies(scheme: Scheme, day: date | None = None) -> QuerySet[Organization]:
    """Active certification bodies accredited for the scheme on the day."""
    day = day or timezone.localdate()
    accreditations = Accreditation.objects.filter(scheme=scheme, valid_from__lte=day).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )
    return Organization.objects.filter(
        kind=OrganizationKind.CERTIFICATION_BODY,
        status="active",
        pk__in=accreditations.values("body_id"),
    ).order_by("legal_name")


def own_accreditations(*, actor) -> QuerySet[Accreditation]:
    """The accreditations of the actor's own certification body (the operators' records about it)."""
    organization = active_organization_of(actor)
    if organization is None or organization.kind != OrganizationKind.CERTIFICATION_BODY:
        return Accreditation.objects.none()
    return Accreditation.objects.filter(body=organization).select_related("scheme").order_by("scheme__name")


def body_reviewers(body: Organization) -> QuerySet:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            membership__organization=body,
            membership__role__in=policies.BODY_ROLES,
            membership__is_active=True,
            is_active=True,
        )
        .order_by("last_name", "first_name")
    )


# --- Applications -----------------------------------------------------------------------------------


def applications_for(*, actor) -> QuerySet[Application]:
    """The applications the actor may see (`Application.objects.restrict`: the applicant's members; the
    body's leads and reviewers once submitted)."""
    return Application.objects.restrict(actor, "view").select_related(
        "scheme", "organization", "body", "reviewer"
    )


def application_get(*, actor, public_id: UUID | str) -> Application | None:
    try:
        return applications_for(actor=actor).filter(public_id=public_id).first()
    except ValueError:
        return None


def review_queue(*, actor, states: tuple[str, ...] = REVIEW_STATES) -> QuerySet[Application]:
    """The body's incoming and in-review applications, oldest first, with their age in the state."""
    organization = active_organization_of(actor)
    if organization is None or organization.kind != OrganizationKind.CERTIFICATION_BODY:
        return Application.objects.none()
    return (
        applications_for(actor=actor)
        .filter(state__in=states)
        .order_by(F("submitted_at").asc(nulls_last=True))
    )


def review_is_open(application: Application) -> bool:
    """The body's group holds the review permission (granted on assignment, removed on closing)."""
    checker = ObjectPermissionChecker(organization_group(application.body))
    return checker.has_perm(REVIEW_APPLICATION, application)


@dataclass
class CriterionRow:
    criterion: Criterion
    answer: Answer | None
    evidence: list[Evidence]
    verdict: Verdict | None
    earlier_verdicts: list[Verdict] = field(default_factory=list)


def criterion_rows(application: Application) -> list[CriterionRow]:
    """Each criterion beside the applicant's answer and evidence, this round's verdict and earlier ones."""
    answers = {a.criterion_id: a for a in application.answers.all()}
    evidence: dict[int, list[Evidence]] = {}
    for item in application.evidence.all():
        evidence.setdefault(item.criterion_id, []).append(item)
    current: dict[int, Verdict] = {}
    earlier: dict[int, list[Verdict]] = {}
    for verdict in application.verdicts.select_related("reviewer").order_by("round"):
        if verdict.round == application.round:
            current[verdict.criterion_id] = verdict
        else:
            earlier.setdefault(verdict.criterion_id, []).append(verdict)
    return [
        CriterionRow(c, answers.get(c.pk), evidence.get(c.pk, []), current.get(c.pk), earlier.get(c.pk, []))
        for c in application.scheme.criteria.all()
    ]


def application_history(application: Application) -> QuerySet[ApplicationEvent]:
    return application.events.select_related("actor")


def organizations_of_people(user_ids: set[int]) -> dict[int, int]:
    """The organization (id) each of these people acts for now: an application's history names people to
    their own side only, and the other side's by organization."""
    return dict(
        Membership.objects.filter(user_id__in=user_ids, is_active=True).values_list(
            "user_id", "organization_id"
        )
    )


def scope_passport_data(*, actor, application: Application) -> dict[str, Any]:
    """The passport data in scope as the actor may see it. The passport policy decides: while the review
    is open the body holds the confidential grant and sees the working data and the supply chain;
    afterwards it does not (and reads its `ReviewSnapshot` instead: `review_scope_for`)."""
    models = [
        passport_selectors.battery_model_view(actor=actor, battery_model=model)
        for model in application.battery_models.all()
    ]
    passports = [
        passport_selectors.passport_view(actor=actor, passport=passport)
        for passport in application.passports.select_related("battery_model", "organization")
    ]
    return {"battery_models": models, "passports": passports}


def scope_passport_plain(*, actor, application: Application) -> dict[str, list[dict[str, Any]]]:
    """`scope_passport_data` as plain JSON (what a `ReviewSnapshot` stores and what the workspace and the
    API render, live or recorded alike): values, versions and the supply chain rows the actor saw."""
    data = scope_passport_data(actor=actor, application=application)
    identifiers = {str(p.public_id): p.unique_identifier for p in application.passports.all()}
    models = [view.payload() for view in data["battery_models"]]
    passports = [
        {**view.payload(), "unique_identifier": identifiers.get(view.passport_id, "")}
        for view in data["passports"]
    ]
    # Through JSON once: dates become ISO strings, so a live view and a stored snapshot look the same.
    return json.loads(json.dumps({"battery_models": models, "passports": passports}, cls=DjangoJSONEncoder))


#: Where the passport data of a review workspace comes from.
SCOPE_LIVE = "live"  # the review is open (or not yet assigned): as the passport policy shows it now
SCOPE_SNAPSHOT = "snapshot"  # the review has closed: what the body saw when it closed
SCOPE_PUBLISHED = "published"  # closed before snapshots were recorded: published values only


@dataclass(frozen=True)
class ReviewScope:
    source: str
    recorded_at: datetime | None
    battery_models: list[dict[str, Any]]
    passports: list[dict[str, Any]]


def review_snapshot_of(application: Application) -> ReviewSnapshot | None:
    """The snapshot recorded when the body's review of the application closed (the latest round's)."""
    return ReviewSnapshot.objects.filter(application=application, body_id=application.body_id).first()


def review_scope_for(*, actor, application: Application) -> ReviewScope | None:
    """The passport data in scope as the certification body reads it: while the application is open, the
    passport policy's live view (working data and supply chain while the review is open); once closed, the
    snapshot of what the body saw, never the owner's working data again. An application closed before
    snapshots were recorded shows what the passport selectors give the body now (published values only).
    None for anyone outside the body (the applicant reads its own data on the passport pages)."""
    if not policies.is_body_member(actor, application.body_id):
        return None
    if application.is_open:
        return ReviewScope(SCOPE_LIVE, None, **scope_passport_plain(actor=actor, application=application))
    snapshot = review_snapshot_of(application)
    if snapshot is not None:
        data = snapshot.data if isinstance(snapshot.data, dict) else {}
        return ReviewScope(
            SCOPE_SNAPSHOT,
            snapshot.taken_at,
            battery_models=list(data.get("battery_models", [])),
            passports=list(data.get("passports", [])),
        )
    return ReviewScope(SCOPE_PUBLISHED, None, **scope_passport_plain(actor=actor, application=application))


def evidence_get(*, actor, application: Application, public_id: UUID | str) -> Evidence | None:
    """An evidence file of `application` the actor may see (evidence follows its application)."""
    try:
        return (
            Evidence.objects.restrict(actor, "view")
            .filter(application=application, public_id=public_id)
            .first()
        )
    except ValueError:
        return None


# --- Certificates -----------------------------------------------------------------------------------


def certificates_for(*, actor) -> QuerySet[Certificate]:
    """The certificates the actor may see (`Certificate.objects.restrict`: holder, issuing body, authorities,
    operators)."""
    return (
        Certificate.objects.restrict(actor, "view")
        .select_related("scheme", "origin", "issuing_body", "holder")
        .prefetch_related(
            Prefetch("recognised", queryset=Certificate.objects.only("pk", "number", "origin_id", "status"))
        )
    )


#: The columns `api.payloads.certificate_row` reads: a page of 50 full rows with their scheme (criteria and
#: three descriptions each) cost more to build in Python than the database took to find them.
ROW_FIELDS = (
    "number",
    "scheme_version",
    "holder_name",
    "holder_country",
    "issuing_body_name",
    "issued_at",
    "valid_from",
    "valid_until",
    "status",
    "scheme__code",
    "scheme__name",
    "issuing_body__public_id",
    "origin__number",
)


def certificate_rows_for(*, actor) -> QuerySet[Certificate]:
    """`certificates_for` with only what a list row shows (`ROW_FIELDS`)."""
    return (
        certificates_for(actor=actor)
        .prefetch_related(None)
        .select_related(None)
        .select_related("scheme", "origin", "issuing_body")
        .only(*ROW_FIELDS)
    )


def recognised_numbers(certificates: Iterable[Certificate]) -> dict[int, list[str]]:
    """The numbers of the certificates recognised from each of `certificates` (by its id), sorted: one
    query of two columns for a page of rows (prefetching built a model per recognised certificate)."""
    found: dict[int, list[str]] = {}
    origins = [certificate.pk for certificate in certificates]
    for origin_id, number in Certificate.objects.filter(origin_id__in=origins).values_list(
        "origin_id", "number"
    ):
        found.setdefault(origin_id, []).append(number)
    return {origin_id: sorted(numbers) for origin_id, numbers in found.items()}


def application_certificate_number(*, actor, application: Application) -> str | None:
    """The number of the certificate issued on `application`, if the actor may see it."""
    return (
        Certificate.objects.restrict(actor, "view")
        .filter(application=application)
        .values_list("number", flat=True)
        .first()
    )


def certificate_get(*, actor, number: str) -> Certificate | None:
    return certificates_for(actor=actor).filter(number=number).first()


def holder_certificates_expiring(*, actor, within_days: int = 60) -> QuerySet[Certificate]:
    """The holder's valid certificates ending within `within_days`, for those who renew them (its admins)."""
    today = timezone.localdate()
    return Certificate.objects.restrict(actor, "renew").filter(
        status="valid", valid_until__lte=today + timedelta(days=within_days)
    )


# --- Access log of a certificate ("who saw what") ----------------------------------------------------

#: The audit actions that are an authority seeing the certificate, with what the holder is told it was.
ACCESS_ACTIONS = {DOWNLOADED: _("PDF download")}
ACCESS_LOG_LIMIT = 50


@dataclass(frozen=True)
class CertificateAccess:
    at: datetime
    organization: str
    person: str
    what: str


@dataclass(frozen=True)
class CertificateAccessLog:
    entries: list[CertificateAccess]  # newest first, at most ACCESS_LOG_LIMIT
    total: int


def certificate_access_log(
    *, actor, certificate: Certificate, limit: int = ACCESS_LOG_LIMIT
) -> CertificateAccessLog:
    """Who among the authorities saw the certificate's document, and when: the holder's audit entries for
    this certificate, to those the policy lets read them (nothing for everyone else)."""
    if not policies.can_view_certificate_access_log(actor, certificate):
        return CertificateAccessLog(entries=[], total=0)
    events = (
        audit_events_for(actor=actor)
        .filter(
            organization_id=certificate.holder_id,
            action__in=ACCESS_ACTIONS,
            object_type=Certificate._meta.label_lower,
            object_id=str(certificate.public_id),
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    entries = [
        CertificateAccess(
            at=event.created_at,
            # As recorded at the time: the inspector may have moved on, the authority been renamed.
            organization=str((event.details or {}).get("by_organization", "")),
            person=str(event.actor) if event.actor is not None else event.actor_label,
            what=str(ACCESS_ACTIONS[event.action]),
        )
        for event in events[:limit]
    ]
    total = len(entries) if len(entries) < limit else events.count()
    return CertificateAccessLog(entries=entries, total=total)


# --- Public verification ----------------------------------------------------------------------------

#: Statuses the expiry beat turns into "expired" once the validity has ended.
_LIVE_STATUSES = ("valid", "suspended")


def public_status(certificate: Certificate, today: date | None = None) -> str:
    """The status a verifier must be told today: the beat applies expiry once an hour, but a certificate
    whose validity ended a minute ago is already expired for anyone checking it."""
    today = today or timezone.localdate()
    if certificate.status in _LIVE_STATUSES and certificate.valid_until < today:
        return "expired"
    return certificate.status


@dataclass(frozen=True)
class PublicLinkedCertificate:
    number: str
    scheme_name: str
    scheme_version: str
    status: str


@dataclass(frozen=True)
class PublicCertificate:
    """The facts anyone may verify about a certificate: the certificate's own statements (holder with its
    identifiers, scheme, standards, the battery models and sites it covers, validity, issuing body,
    recognition links) and its current status. Never answers, evidence, conditions, reviewers or passport
    data: nothing here is read from an application or a passport."""

    number: str
    status: str
    holder_name: str
    holder_country: str
    holder_bpnl: str
    holder_corporate_number: str
    holder_lei: str
    scheme_code: str
    scheme_name: str
    scheme_name_ja: str
    scheme_name_de: str
    scheme_version: str
    standards: list[dict[str, str]]
    battery_models: list[str]
    sites: list[str]
    issued_on: date
    valid_from: date
    valid_until: date
    issuing_body: str
    origin: PublicLinkedCertificate | None
    recognised: list[PublicLinkedCertificate]
    document_sha256: str


def _public_link(certificate: Certificate, today: date) -> PublicLinkedCertificate:
    return PublicLinkedCertificate(
        number=certificate.number,
        scheme_name=certificate.scheme.name,
        scheme_version=certificate.scheme_version,
        status=public_status(certificate, today),
    )


#: Certificate numbers are ASCII letters, digits and dashes (Certificate.number holds at most 64).
MAX_NUMBER_LENGTH = 64


def is_certificate_number(value: str) -> bool:
    """Whether `value` has the shape of a certificate number: anything else (NUL bytes, other characters,
    overlong input) is answered as unknown without reaching the database."""
    return (
        0 < len(value) <= MAX_NUMBER_LENGTH
        and value.isascii()
        and all(char.isalnum() or char == "-" for char in value)
    )


def certificate_public(number: str) -> PublicCertificate | None:
    """The public verification facts of the certificate with this number, for anyone (no actor: these
    facts are public by design). None for an unknown or malformed number."""
    if not isinstance(number, str) or not is_certificate_number(number):
        return None
    certificate = Certificate.objects.select_related("scheme", "origin__scheme").filter(number=number).first()
    if certificate is None:
        return None
    today = timezone.localdate()
    # Until the signed document is rendered there is simply no hash to publish.
    document = getattr(certificate, "document", None)
    if document is not None and not document.is_ready:
        document = None
    scope = certificate.scope if isinstance(certificate.scope, dict) else {}
    return PublicCertificate(
        number=certificate.number,
        status=public_status(certificate, today),
        holder_name=certificate.holder_name,
        holder_country=certificate.holder_country,
        holder_bpnl=certificate.holder_bpnl,
        holder_corporate_number=certificate.holder_corporate_number,
        holder_lei=certificate.holder_lei,
        scheme_code=certificate.scheme.code,
        scheme_name=certificate.scheme.name,
        scheme_name_ja=certificate.scheme.name_ja,
        scheme_name_de=certificate.scheme.name_de,
        scheme_version=certificate.scheme_version,
        standards=[
            {key: str(item.get(key, "")) for key in ("code", "title", "version")}
            for item in certificate.standards
            if isinstance(item, dict)
        ],
        battery_models=[str(m.get("name", "")) for m in scope.get("battery_models", []) if m.get("name")],
        sites=[str(s.get("name", "")) for s in scope.get("sites", []) if s.get("name")],
        issued_on=timezone.localdate(certificate.issued_at),
        valid_from=certificate.valid_from,
        valid_until=certificate.valid_until,
        issuing_body=certificate.issuing_body_name,
        origin=_public_link(certificate.origin, today) if certificate.origin else None,
        recognised=[
            _public_link(item, today)
            for item in certificate.recognised.select_related("scheme").order_by("number")
        ],
        document_sha256=str(getattr(document, "sha256", "") or "") if document is not None else "",
    )
