"""Input and output serializers of the certification API: explicit allowlists, never model serializers.

Outputs render the dicts built in `payloads` (from models and from the passport view-models); every key
a response can carry is declared here. Inputs only check the shape: ids are resolved by the views through
the caller's selectors, and the services check everything else (roles, states, completeness).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from passports.outputs import BatteryModelOutput, SupplyChainRowSerializer
from portal.api_fields import NamedChoiceField

from ..models import (
    ApplicationState,
    AssessmentMethod,
    CertificateStatus,
    SchemeOwner,
    ScopeKind,
    ValidityKind,
    VerdictValue,
)


# ---- named enums (one schema component each, so "state" or "status" of other apps never collide) ------
class SchemeOwnerField(NamedChoiceField):
    enum_name, enum_choices = "SchemeOwnerEnum", tuple(SchemeOwner.choices)


class ValidityKindField(NamedChoiceField):
    enum_name, enum_choices = "ValidityKindEnum", tuple(ValidityKind.choices)


class ScopeKindField(NamedChoiceField):
    enum_name, enum_choices = "ScopeKindEnum", tuple(ScopeKind.choices)


class AssessmentMethodField(NamedChoiceField):
    enum_name, enum_choices = "AssessmentMethodEnum", tuple(AssessmentMethod.choices)


class ApplicationStateField(NamedChoiceField):
    enum_name, enum_choices = "ApplicationStateEnum", tuple(ApplicationState.choices)


class VerdictValueField(NamedChoiceField):
    enum_name, enum_choices = "VerdictValueEnum", tuple(VerdictValue.choices)


class CertificateStatusField(NamedChoiceField):
    enum_name, enum_choices = "CertificateStatusEnum", tuple(CertificateStatus.choices)


# ---- schemes -----------------------------------------------------------------------------------------
class OrganizationRefOutput(serializers.Serializer):
    id = serializers.UUIDField()
    legal_name = serializers.CharField()


class StandardOutput(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    version = serializers.CharField()


class CriterionOutput(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    text_ja = serializers.CharField()
    text_de = serializers.CharField(allow_blank=True)
    evidence_expected = serializers.CharField()
    evidence_expected_ja = serializers.CharField(allow_blank=True)
    evidence_expected_de = serializers.CharField(allow_blank=True)
    method = AssessmentMethodField()
    mandatory = serializers.BooleanField()


class ValidityOutput(serializers.Serializer):
    kind = ValidityKindField()
    months = serializers.IntegerField(allow_null=True, help_text=_("For a fixed period from the issue date."))
    until_date = serializers.DateField(allow_null=True, help_text=_("For validity until a named date."))
    until_label = serializers.CharField(allow_blank=True, help_text=_("The named release, if any."))


class SchemeOutput(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_ja = serializers.CharField(allow_blank=True)
    name_de = serializers.CharField(allow_blank=True)
    owner = SchemeOwnerField()
    version = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    description_ja = serializers.CharField(allow_blank=True)
    description_de = serializers.CharField(allow_blank=True)
    number_format = serializers.CharField(
        help_text=_("Certificate number format, e.g. CATX-{body}-{seq:07d}.")
    )
    validity = ValidityOutput()
    scope_kind = ScopeKindField()
    open_for_applications = serializers.BooleanField()
    standards = StandardOutput(many=True)
    criteria = CriterionOutput(many=True)
    accredited_bodies = OrganizationRefOutput(
        many=True, help_text=_("Certification bodies accredited for the scheme today.")
    )


# ---- applications ------------------------------------------------------------------------------------
class SchemeRefOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    version = serializers.CharField()


class ApplicationRowOutput(serializers.Serializer):
    id = serializers.UUIDField()
    state = ApplicationStateField()
    scheme = SchemeRefOutput()
    applicant = OrganizationRefOutput()
    body = OrganizationRefOutput()
    reviewer = serializers.CharField(allow_null=True, help_text=_("Name of the assigned reviewer."))
    round = serializers.IntegerField(help_text=_("Review round: one more after every resubmission."))
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    state_changed_at = serializers.DateTimeField()


class NamedRefOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class PassportRefOutput(serializers.Serializer):
    id = serializers.UUIDField()
    unique_identifier = serializers.CharField()


class ScopeOutput(serializers.Serializer):
    battery_models = NamedRefOutput(many=True)
    passports = PassportRefOutput(many=True)
    sites = NamedRefOutput(many=True)


class DeclarationOutput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    signed_at = serializers.DateTimeField(allow_null=True)


class AnswerOutput(serializers.Serializer):
    criterion = serializers.CharField(help_text=_("Criterion code."))
    text = serializers.CharField()
    updated_at = serializers.DateTimeField()


class EvidenceOutput(serializers.Serializer):
    id = serializers.UUIDField()
    criterion = serializers.CharField(help_text=_("Criterion code."))
    file_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text=_("Bytes."))
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.URLField()


class VerdictOutput(serializers.Serializer):
    round = serializers.IntegerField()
    criterion = serializers.CharField(help_text=_("Criterion code."))
    value = VerdictValueField()
    notes = serializers.CharField(allow_blank=True)
    reviewer = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class ApplicationEventOutput(serializers.Serializer):
    round = serializers.IntegerField()
    from_state = ApplicationStateField(allow_null=True, help_text=_("Null for the creation."))
    to_state = ApplicationStateField()
    actor = serializers.CharField(
        allow_null=True,
        help_text=_(
            "A person of your organization, or the reviewer, by name; the other side's staff by the name "
            "of their organization."
        ),
    )
    message = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class ScopePassportOutput(serializers.Serializer):
    """A passport in scope as the caller may see it (the passport view-model: values already filtered)."""

    id = serializers.UUIDField()
    unique_identifier = serializers.CharField(allow_blank=True, required=False)
    version = serializers.IntegerField(allow_null=True)
    state = serializers.CharField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    values = serializers.DictField(child=serializers.JSONField(allow_null=True))
    dynamic = serializers.DictField(child=serializers.ListField(child=serializers.DictField()))
    status_history = serializers.ListField(child=serializers.DictField())
    supply_chain = SupplyChainRowSerializer(many=True, required=False)


class ScopeDataSourceField(NamedChoiceField):
    enum_name = "ScopeDataSourceEnum"
    enum_choices = (("live", _("Live")), ("snapshot", _("As reviewed")), ("published", _("Published only")))


class ScopeDataOutput(serializers.Serializer):
    source = ScopeDataSourceField(
        help_text=_(
            "live: as the passport policy shows it now (the review is open); snapshot: as the body saw it "
            "when its review closed (read-only, see recorded_at); published: the review closed before "
            "snapshots were recorded, so only published values are shown."
        ),
    )
    recorded_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When the snapshot was recorded (the review closed); null otherwise.")
    )
    battery_models = BatteryModelOutput(many=True)
    passports = ScopePassportOutput(many=True)


class ApplicationOutput(ApplicationRowOutput):
    declaration = DeclarationOutput()
    decision_reason = serializers.CharField(allow_blank=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    renewal_of = serializers.CharField(allow_null=True, help_text=_("Number of the certificate renewed."))
    scope = ScopeOutput()
    answers = AnswerOutput(many=True)
    missing_answers = serializers.ListField(
        child=serializers.CharField(), help_text=_("Codes of mandatory criteria still without an answer.")
    )
    evidence = EvidenceOutput(many=True)
    verdicts = VerdictOutput(many=True, help_text=_("Verdicts of every review round."))
    history = ApplicationEventOutput(many=True)
    certificate = serializers.CharField(allow_null=True, help_text=_("Number of the certificate issued."))
    scope_data = ScopeDataOutput(
        required=False,
        help_text=_(
            "The passport data in scope, only for the certification body: while its review is open the "
            "owner's working data with the confidential supply chain; once the application has closed, the "
            "snapshot the body reviewed (never the owner's later changes)."
        ),
    )


class ReviewerOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("Pass it as `reviewer` to the assign action."))
    username = serializers.CharField()
    name = serializers.CharField()
    is_assigned = serializers.BooleanField()


# ---- certificates ------------------------------------------------------------------------------------
class HolderRefOutput(serializers.Serializer):
    name = serializers.CharField()
    country = serializers.CharField()


class HolderOutput(HolderRefOutput):
    bpnl = serializers.CharField(allow_blank=True)
    corporate_number = serializers.CharField(allow_blank=True)
    lei = serializers.CharField(allow_blank=True)


class CertificateRowOutput(serializers.Serializer):
    number = serializers.CharField()
    scheme = SchemeRefOutput(help_text=_("The scheme, with the version certified against."))
    holder = HolderRefOutput()
    issuing_body = OrganizationRefOutput()
    issued_at = serializers.DateTimeField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    status = CertificateStatusField()
    recognised_from = serializers.CharField(
        allow_null=True, help_text=_("Number of the origin certificate this one is recognised from.")
    )
    recognised_as = serializers.ListField(
        child=serializers.CharField(), help_text=_("Numbers of the certificates recognised from this one.")
    )


class ScopeModelOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    manufacturer_part_id = serializers.CharField()
    category = serializers.CharField()


class ScopeSiteOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    bpn = serializers.CharField(allow_blank=True)
    country = serializers.CharField()
    city = serializers.CharField()


class CertifiedScopeOutput(serializers.Serializer):
    """What was certified, as it was on the day of issue."""

    organization = serializers.CharField()
    battery_models = ScopeModelOutput(many=True, required=False)
    passports = PassportRefOutput(many=True, required=False)
    sites = ScopeSiteOutput(many=True, required=False)


class CertificateEventOutput(serializers.Serializer):
    from_status = CertificateStatusField(allow_null=True, help_text=_("Null for the issue."))
    to_status = CertificateStatusField()
    reason = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class CertificateOutput(CertificateRowOutput):
    holder = HolderOutput()
    standards = StandardOutput(many=True)
    scope = CertifiedScopeOutput()
    conditions = serializers.CharField(allow_blank=True)
    reviewer = serializers.CharField(allow_blank=True)
    status_reason = serializers.CharField(allow_blank=True)
    status_changed_at = serializers.DateTimeField()
    application = serializers.UUIDField(
        allow_null=True, help_text=_("The application it was issued on, if you may open it.")
    )
    history = CertificateEventOutput(many=True)


# ---- inputs ------------------------------------------------------------------------------------------
def _text(max_length: int, **kwargs) -> serializers.CharField:
    # Blank is accepted here so that the service answers with its own message for a missing value.
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", **kwargs
    )


def _ids(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.UUIDField(), required=False, max_length=500, help_text=help_text
    )


class ApplicationCreateInput(serializers.Serializer):
    scheme = serializers.CharField(max_length=64, help_text=_("Code of the scheme."))
    body = serializers.UUIDField(help_text=_("Id of a certification body accredited for the scheme."))
    battery_models = _ids(_("Ids of your battery models in scope."))
    passports = _ids(_("Ids of your passports in scope."))
    sites = _ids(_("Ids of your sites in scope."))


class ApplicationUpdateInput(serializers.Serializer):
    body = serializers.UUIDField(required=False, help_text=_("Drafts only."))
    battery_models = _ids(_("Ids of your battery models in scope (replaces the list)."))
    passports = _ids(_("Ids of your passports in scope (replaces the list)."))
    sites = _ids(_("Ids of your sites in scope (replaces the list)."))


class AnswersInput(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.CharField(max_length=10000, allow_blank=True),
        help_text=_("Answer text by criterion code; a blank text removes the answer."),
    )


class DeclarationInput(serializers.Serializer):
    declaration_name = _text(
        200, help_text=_("Your name, signing that the application is complete and correct.")
    )


class ResubmitInput(DeclarationInput):
    message = _text(4000, help_text=_("What changed, for the reviewer."))


class AssignInput(serializers.Serializer):
    reviewer = serializers.IntegerField(
        min_value=1, help_text=_("Id of a reviewer from the application's reviewers list.")
    )


class MessageInput(serializers.Serializer):
    message = _text(4000)


class ApproveInput(serializers.Serializer):
    conditions = _text(4000, help_text=_("Conditions printed on the certificate."))
    message = _text(4000, help_text=_("A message to the applicant."))


class ReasonInput(serializers.Serializer):
    reason = _text(4000)


class VerdictInput(serializers.Serializer):
    criterion = serializers.CharField(max_length=32, help_text=_("Criterion code."))
    value = VerdictValueField()
    notes = _text(4000, help_text=_("Required when the criterion is not met."))


class VerdictsInput(serializers.Serializer):
    verdicts = VerdictInput(
        many=True,
        allow_empty=False,
        max_length=500,
        help_text=_("Verdicts of the current round, each criterion at most once."),
    )

    def validate_verdicts(self, value: list[dict]) -> list[dict]:
        codes = [item["criterion"] for item in value]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise serializers.ValidationError(
                _("Each criterion at most once: %(codes)s.") % {"codes": ", ".join(repeated)}
            )
        return value


class EvidenceUploadInput(serializers.Serializer):
    criterion = serializers.CharField(max_length=32, help_text=_("Criterion code."))
    # Presence only: every check of the content is the service's (type by magic bytes, size limit).
    file = serializers.FileField(
        allow_empty_file=True,
        use_url=False,
        help_text=_("A PDF document or a PNG, JPEG or WebP image, recognised by its content."),
    )


class RenewInput(serializers.Serializer):
    certificate = serializers.CharField(max_length=64, help_text=_("Number of your certificate to renew."))
