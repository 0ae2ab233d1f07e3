"""Certification schemes, accredited bodies, applications under review, certificates and recognition.

A certificate issued under a scheme that has a recognition agreement yields a recognised certificate
under the partner scheme (`Certificate.origin`). The database guarantees what must never happen twice:
one open application per organization and scheme, one certificate per application, one recognised
certificate per origin and partner scheme, and unique certificate numbers.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from portal.storage import private_storage
from portal.text import in_reader_language

from .access import ApplicationQuerySet, CertificateQuerySet, EvidenceQuerySet

# The object permission the certification body's group holds on an application while it handles it.
REVIEW_APPLICATION = "review_application"


class SchemeOwner(models.TextChoices):
    CATENA_X = "catenax", _("Catena-X")
    OURANOS = "ouranos", _("Ouranos Ecosystem")
    OTHER = "other", _("Other")


class ValidityKind(models.TextChoices):
    PERIOD = "period", _("A fixed period from the issue date")
    UNTIL_DATE = "until_date", _("Until a named date or release")


class ScopeKind(models.TextChoices):
    ORGANIZATION = "organization", _("The organization alone")
    ORGANIZATION_AND_PRODUCTS = "organization_and_products", _("The organization and its battery products")


class AssessmentMethod(models.TextChoices):
    DOCUMENT_REVIEW = "document_review", _("Document review")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    INSPECTION = "inspection", _("Inspection")
    TECHNICAL_TEST = "technical_test", _("Technical conformity test")
    INTERVIEW = "interview", _("Interview")


NUMBER_FORMAT_HELP = _(
    "Python format string with {body} (the body code), {seq} (the per-body sequence) and {year}, "
    "e.g. CATX-{body}-{seq:07d}."
)


def check_number_format(value: str) -> None:
    try:
        sample = value.format(body="ABC", seq=1, year=2026)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValidationError(_("The number format is invalid: %(error)s"), params={"error": exc}) from exc
    if "{seq" not in value or "{body" not in value or sample == value:
        raise ValidationError(_("The number format must contain {body} and {seq}."))


class Scheme(models.Model):
    """A certification scheme with its criteria; managed by operators in the admin."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    name_de = models.CharField(_("name (German)"), max_length=200, blank=True)
    owner = models.CharField(_("scheme owner"), max_length=16, choices=SchemeOwner.choices)
    version = models.CharField(_("version"), max_length=32)
    description = models.TextField(_("description"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_de = models.TextField(_("description (German)"), blank=True)
    number_format = models.CharField(
        _("certificate number format"),
        max_length=64,
        validators=[check_number_format],
        help_text=NUMBER_FORMAT_HELP,
    )
    validity_kind = models.CharField(_("validity rule"), max_length=16, choices=ValidityKind.choices)
    validity_months = models.PositiveSmallIntegerField(_("validity (months)"), null=True, blank=True)
    valid_until_date = models.DateField(_("valid until (date)"), null=True, blank=True)
    valid_until_label = models.CharField(
        _("valid until (named release)"),
        max_length=100,
        blank=True,
        help_text=_("e.g. Catena-X release 26.09"),
    )
    scope_kind = models.CharField(_("certifies"), max_length=32, choices=ScopeKind.choices)
    is_active = models.BooleanField(_("open for applications"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")
        constraints = [
            models.CheckConstraint(
                condition=(Q(validity_kind=ValidityKind.PERIOD) & Q(validity_months__gt=0))
                | (Q(validity_kind=ValidityKind.UNTIL_DATE) & Q(valid_until_date__isnull=False)),
                name="certification_scheme_validity_rule_complete",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    def clean(self) -> None:
        super().clean()
        if self.validity_kind == ValidityKind.PERIOD and not self.validity_months:
            raise ValidationError({"validity_months": _("A period rule needs the number of months.")})
        if self.validity_kind == ValidityKind.UNTIL_DATE and not self.valid_until_date:
            raise ValidationError({"valid_until_date": _("This rule needs the date.")})

    # Texts in the reader's language, English where no translation is filled in (portal.text).
    @property
    def local_name(self) -> str:
        return in_reader_language(self, "name")

    @property
    def local_description(self) -> str:
        return in_reader_language(self, "description")

    @property
    def requires_products(self) -> bool:
        return self.scope_kind == ScopeKind.ORGANIZATION_AND_PRODUCTS


class Standard(models.Model):
    """A standard (with its version) a scheme covers, e.g. CX-0160 2.0.0."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="standards")
    code = models.CharField(_("code"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    version = models.CharField(_("version"), max_length=32)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["scheme", "position", "code"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="certification_standard_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.version}"


class Criterion(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=32)
    text = models.TextField(_("requirement (English)"))
    text_ja = models.TextField(_("requirement (Japanese)"))
    text_de = models.TextField(_("requirement (German)"), blank=True)
    evidence_expected = models.TextField(_("evidence expected"))
    evidence_expected_ja = models.TextField(_("evidence expected (Japanese)"), blank=True)
    evidence_expected_de = models.TextField(_("evidence expected (German)"), blank=True)
    method = models.CharField(_("assessed by"), max_length=20, choices=AssessmentMethod.choices)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["scheme", "position", "code"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="certification_criterion_once")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def local_text(self) -> str:
        return in_reader_language(self, "text")

    @property
    def local_evidence_expected(self) -> str:
        return in_reader_language(self, "evidence_expected")


class Accreditation(models.Model):
    """An operator's accreditation of a certification body for a scheme, valid from-to (inclusive)."""

    body = models.ForeignKey(
        "tenancy.Organization",
        on_delete=models.PROTECT,
        related_name="accreditations",
        verbose_name=_("body"),
    )
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="accreditations")
    body_code = models.CharField(
        _("body code"),
        max_length=8,
        validators=[RegexValidator(r"^[A-Z0-9]{2,8}$", _("2 to 8 upper-case letters or digits."))],
        help_text=_("Short upper-case code used in certificate numbers, e.g. PNZ."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["scheme", "body_code"]
        verbose_name = _("accreditation")
        verbose_name_plural = _("accreditations")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "body_code"], name="certification_body_code_per_scheme"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="certification_accreditation_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(body_code__regex=r"^[A-Z0-9]{2,8}$"), name="certification_body_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body_code} / {self.scheme.code}"

    def clean(self) -> None:
        super().clean()
        from portal.tenancy.models import OrganizationKind

        self.body_code = (self.body_code or "").strip().upper()
        if self.body_id and self.body.kind != OrganizationKind.CERTIFICATION_BODY:
            raise ValidationError({"body": _("Only certification bodies can be accredited.")})
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end of the accreditation is before its start.")})

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class RecognitionAgreement(models.Model):
    """A certificate under `from_scheme` yields a recognised certificate under `to_scheme` (one direction;
    an agreement in both directions is two rows)."""

    from_scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="agreements_out", verbose_name=_("recognised from")
    )
    to_scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="agreements_in", verbose_name=_("recognised as")
    )
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    organization_only = models.BooleanField(
        _("narrow the scope to the organization"),
        default=False,
        help_text=_("The recognised certificate covers the organization only, not battery models or sites."),
    )
    max_validity_months = models.PositiveSmallIntegerField(
        _("maximum validity (months)"),
        null=True,
        blank=True,
        help_text=_("Shorter validity for recognised certificates; never beyond the origin's."),
    )
    conditions = models.TextField(_("conditions added to recognised certificates"), blank=True)

    class Meta:
        ordering = ["from_scheme", "to_scheme"]
        verbose_name = _("recognition agreement")
        verbose_name_plural = _("recognition agreements")
        constraints = [
            models.UniqueConstraint(fields=["from_scheme", "to_scheme"], name="certification_agreement_once"),
            models.CheckConstraint(
                condition=~Q(from_scheme=models.F("to_scheme")), name="certification_agreement_two_schemes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_scheme.code} → {self.to_scheme.code}"

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_until is None or day <= self.effective_until)


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    # A context of its own: the bare "Submitted" is the date column ("提出日"), not this state.
    SUBMITTED = "submitted", pgettext_lazy("application state", "Submitted")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATES = (
    ApplicationState.DRAFT,
    ApplicationState.SUBMITTED,
    ApplicationState.IN_REVIEW,
    ApplicationState.CHANGES_REQUESTED,
)
#: States in which the body works on an application (and holds the confidential grants).
REVIEW_STATES = (ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW, ApplicationState.CHANGES_REQUESTED)
#: States in which the applicant's administrators edit scope, answers and evidence.
EDITABLE_STATES = (ApplicationState.DRAFT, ApplicationState.CHANGES_REQUESTED)


class Application(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "tenancy.Organization",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("applicant"),
    )
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="applications")
    body = models.ForeignKey(
        "tenancy.Organization",
        on_delete=models.PROTECT,
        related_name="applications_to_review",
        verbose_name=_("certification body"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.DRAFT
    )
    battery_models = models.ManyToManyField(
        "passports.BatteryModel", blank=True, related_name="+", verbose_name=_("battery models in scope")
    )
    passports = models.ManyToManyField(
        "passports.Passport", blank=True, related_name="+", verbose_name=_("passports in scope")
    )
    sites = models.ManyToManyField(
        "tenancy.Site", blank=True, related_name="+", verbose_name=_("sites in scope")
    )
    renewal_of = models.ForeignKey(
        "Certificate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renewal of"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    round = models.PositiveSmallIntegerField(_("review round"), default=1)
    declaration_name = models.CharField(_("declared by"), max_length=200, blank=True)
    declaration_signed_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    declaration_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("reason"), blank=True, max_length=4000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("state since"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "scheme"],
                condition=Q(state__in=[s.value for s in OPEN_STATES]),
                name="certification_one_open_application",
            )
        ]
        permissions = [(REVIEW_APPLICATION, "Can review the application")]

    def __str__(self) -> str:
        return f"Application {str(self.public_id)[:8]}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ApplicationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Application, on_delete=models.CASCADE)


class ApplicationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Application, on_delete=models.CASCADE)


class Answer(models.Model):
    """The applicant's self-assessment for one criterion."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("answer"), max_length=10000)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["criterion__position", "criterion__code"]
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="certification_answer_once")
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk}"


class Evidence(models.Model):
    """A file the applicant gives as evidence for a criterion, kept in private storage."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(storage=private_storage, upload_to="evidence/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return f"Evidence {str(self.public_id)[:8]}"


class ReviewSnapshot(models.Model):
    """What the certification body saw of the passport data in scope when its review closed: the battery
    models' and passports' values, versions and supply chain as the passport policy showed them to the body
    (plain JSON). After closing the body reads this, never the owner's working data again."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="review_snapshots")
    body = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("body")
    )
    round = models.PositiveSmallIntegerField(_("review round"))
    #: The state the closing moved the application to (approved, rejected, withdrawn).
    closed_as = models.CharField(max_length=20, choices=ApplicationState.choices)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    taken_at = models.DateTimeField(_("as reviewed on"), auto_now_add=True)

    class Meta:
        ordering = ["-round", "-taken_at", "-id"]
        verbose_name = _("review snapshot")
        verbose_name_plural = _("review snapshots")
        constraints = [
            models.UniqueConstraint(fields=["application", "round"], name="certification_snapshot_once")
        ]

    def __str__(self) -> str:
        return f"Snapshot {self.application_id}/{self.round}"


class VerdictValue(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Verdict(models.Model):
    """The reviewer's verdict on a criterion in one review round (earlier rounds are kept)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="verdicts")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(_("review round"))
    value = models.CharField(_("verdict"), max_length=16, choices=VerdictValue.choices)
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round", "criterion__position", "criterion__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "round"], name="certification_verdict_once_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"Verdict {self.pk}"


class ApplicationEvent(models.Model):
    """The history of an application: every transition with its message, in order."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    round = models.PositiveSmallIntegerField()
    from_state = models.CharField(max_length=20, choices=ApplicationState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=ApplicationState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class Certificate(models.Model):
    """An issued certificate. Holder, standards and scope are copied at issue: a certificate states the
    facts as they were certified, whatever changes later."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("certificate number"), max_length=64, unique=True)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="certificates")
    scheme_version = models.CharField(_("scheme version"), max_length=32)
    holder = models.ForeignKey(
        "tenancy.Organization",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("holder"),
    )
    holder_name = models.CharField(_("holder"), max_length=200)
    holder_country = models.CharField(_("country"), max_length=2)
    holder_bpnl = models.CharField("BPNL", max_length=16, blank=True)
    holder_corporate_number = models.CharField(_("corporate number"), max_length=13, blank=True)
    holder_lei = models.CharField("LEI", max_length=20, blank=True)
    standards = models.JSONField(_("standards"), default=list)
    scope = models.JSONField(_("scope"), default=dict)
    battery_models = models.ManyToManyField("passports.BatteryModel", blank=True, related_name="+")
    sites = models.ManyToManyField("tenancy.Site", blank=True, related_name="+")
    conditions = models.TextField(_("conditions"), blank=True)
    issuing_body = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="issued_certificates"
    )
    issuing_body_name = models.CharField(_("issuing body"), max_length=200)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewer_name = models.CharField(_("reviewer"), max_length=200, blank=True)
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="certificate"
    )
    origin = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recognised",
        verbose_name=_("recognised from"),
    )
    agreement = models.ForeignKey(RecognitionAgreement, on_delete=models.PROTECT, null=True, blank=True)
    issued_at = models.DateTimeField(_("issued"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=16, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    status_reason = models.TextField(_("reason"), blank=True, max_length=4000)
    status_changed_at = models.DateTimeField(_("status since"))
    reminded_60_at = models.DateTimeField(null=True, blank=True)
    reminded_30_at = models.DateTimeField(null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "scheme"],
                condition=Q(origin__isnull=False),
                name="certification_recognised_once_per_scheme",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="certification_validity_ordered"
            ),
            models.CheckConstraint(
                condition=Q(origin__isnull=True) | Q(application__isnull=True),
                name="certification_recognised_has_no_application",
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_until"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_recognised(self) -> bool:
        return self.origin_id is not None


class CertificateEvent(models.Model):
    """Status history of a certificate (issue, suspension, reinstatement, revocation, expiry)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=CertificateStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CertificateStatus.choices)
    reason = models.TextField(blank=True, max_length=4000)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class NumberSequence(models.Model):
    """The last certificate number used per scheme and body; locked row by row, so numbers are gap-free."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey("tenancy.Organization", on_delete=models.PROTECT, related_name="+")
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scheme", "body"], name="certification_sequence_once")]

    def __str__(self) -> str:
        return f"{self.body_id}/{self.scheme_id}: {self.last_value}"
