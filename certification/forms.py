"""HTML forms of the certification pages. They only collect input: the services decide (the same rules for
API and browser) and their `ValidationError` keys are put back on the fields they name.

Every choice list is built by the view from a selector scoped to the actor (accredited bodies of the
scheme, the applicant's own battery models, passports and sites, the body's reviewers), so a form can
neither offer nor accept another tenant's object.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from portal.archiving import offered_for_new
from portal.forms import CleanTextForm, ServiceFormMixin
from portal.uploads import KINDS, max_upload_bytes

from .models import Criterion, VerdictValue

ACCEPT = ",".join([*(e for kind in KINDS for e in kind.extensions), *(kind.content_type for kind in KINDS)])
TEXT_MAX = 4000


class ServiceForm(ServiceFormMixin, CleanTextForm):
    """Service errors on their fields; messages the form has no field for go above the form."""

    service_field_names: dict[str, str] = {}


# ---- applying ---------------------------------------------------------------------------------------
class PassportChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.unique_identifier} ({obj.battery_model.name})"


def _archived_mark(obj) -> str:
    """An archived model or site is offered only where it is already in scope: say why it stands out."""
    return f" — {_('archived')}" if obj.archived_at is not None else ""


class BatteryModelChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.manufacturer_part_id}){_archived_mark(obj)}"


class SiteChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}, {obj.city}{_archived_mark(obj)}"


class BodyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.legal_name} ({obj.country.name})"


class ApplicationForm(ServiceForm):
    """Body and scope of an application; `scheme` is fixed by the view (chosen on the step before)."""

    body = BodyChoiceField(
        label=_("Certification body"),
        queryset=None,
        empty_label=_("Choose…"),
        help_text=_("Bodies accredited for this scheme today."),
    )
    battery_models = BatteryModelChoiceField(
        label=_("Battery models in scope"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    passports = PassportChoiceField(
        label=_("Passports in scope"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sites = SiteChoiceField(
        label=_("Sites in scope"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args,
        bodies: QuerySet,
        battery_models: QuerySet,
        passports: QuerySet,
        sites: QuerySet,
        products: bool,
        body_editable: bool = True,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        # Archived models and sites are not offered, except those already in this application's scope.
        self.fields["battery_models"].queryset = offered_for_new(
            battery_models, self.initial.get("battery_models") or ()
        )
        self.fields["passports"].queryset = passports.select_related("battery_model")
        self.fields["sites"].queryset = offered_for_new(sites, self.initial.get("sites") or ())
        if not products:
            del self.fields["battery_models"]
            del self.fields["passports"]
        if not body_editable:
            del self.fields["body"]

    def scope(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "battery_models": list(data.get("battery_models") or []),
            "passports": list(data.get("passports") or []),
            "sites": list(data.get("sites") or []),
        }


# ---- self-assessment --------------------------------------------------------------------------------
class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (none included); every check of a file is the service's."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        # Empty files reach the service, which says why they are refused like every other bad file.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def answer_field_name(criterion: Criterion) -> str:
    return f"answer_{criterion.code}"


def evidence_field_name(criterion: Criterion) -> str:
    return f"evidence_{criterion.code}"


class SelfAssessmentForm(ServiceForm):
    """One answer (text) and any number of evidence files per criterion of the scheme."""

    def __init__(self, *args, criteria: Iterable[Criterion], answers: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        limit = filesizeformat(max_upload_bytes())
        for criterion in self.criteria:
            self.fields[answer_field_name(criterion)] = forms.CharField(
                label=_("Your answer to %(code)s") % {"code": criterion.code},
                required=False,
                max_length=10000,
                initial=answers.get(criterion.code, ""),
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            # A draft may be saved half answered, but a mandatory criterion's answer is needed to submit:
            # the field is not marked "(optional)".
            self.fields[answer_field_name(criterion)].required_to_submit = criterion.mandatory
            self.fields[evidence_field_name(criterion)] = MultipleFileField(
                label=_("Add evidence for %(code)s") % {"code": criterion.code},
                help_text=_("PDF documents or PNG, JPEG or WebP images of at most %(limit)s each.")
                % {"limit": limit},
            )

    def answers(self) -> dict[str, str]:
        return {c.code: self.cleaned_data.get(answer_field_name(c), "") for c in self.criteria}

    def uploads(self) -> list[tuple[Criterion, Any]]:
        return [
            (criterion, upload)
            for criterion in self.criteria
            for upload in self.cleaned_data.get(evidence_field_name(criterion)) or []
        ]

    def add_criterion_error(self, criterion: Criterion, error: ValidationError) -> None:
        """A service error about one criterion's answer or file, next to that criterion's input."""
        messages = error.messages
        if hasattr(error, "error_dict") and set(error.error_dict) <= {"answers"}:
            self.add_error(answer_field_name(criterion), messages)
        else:
            self.add_error(evidence_field_name(criterion), messages)


# ---- declaration, withdrawal ------------------------------------------------------------------------
class DeclarationForm(ServiceForm):
    declaration_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        help_text=_("You sign the declaration below with your name; the time is recorded."),
    )
    confirm = forms.BooleanField(
        label=_(
            "I declare that this application and its self-assessment are complete and correct to the best "
            "of my knowledge."
        ),
        required=True,
        error_messages={"required": _("Tick the box to confirm the declaration.")},
    )
    message = forms.CharField(
        label=_("Message to the reviewer"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you changed since the last round."),
    )

    def __init__(self, *args, resubmission: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not resubmission:
            del self.fields["message"]


class WithdrawForm(ServiceForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


# ---- review -----------------------------------------------------------------------------------------
class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class AssignForm(ServiceForm):
    prefix = "assign"
    reviewer = ReviewerChoiceField(label=_("Reviewer"), queryset=None, empty_label=_("Choose…"))

    def __init__(self, *args, reviewers: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers


def verdict_prefix(code: str) -> str:
    """The prefix of a criterion's verdict fields ("verdict-CX-BP-01-value"): the same in the per-criterion
    form and in the form of all verdicts, so a script posting to either sends the same names."""
    return f"verdict-{code}"


class VerdictForm(ServiceForm):
    value = forms.ChoiceField(label=_("Verdict"), choices=VerdictValue.choices, widget=forms.RadioSelect)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args, code: str = "", mandatory: bool = True, value_required: bool = True, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        if code:  # several criteria on a page: each control and error names its criterion
            self.fields["value"].label = _("Verdict on %(code)s") % {"code": code}
            self.fields["notes"].label = _("Notes on %(code)s") % {"code": code}
        if mandatory:
            self.fields["notes"].help_text = _("Required when the criterion is not met.")
        if not value_required:
            # In the form of all verdicts a criterion may be left for later, but approval needs a verdict
            # on every criterion: the field is not marked "(optional)".
            self.fields["value"].required = False
            self.fields["value"].required_to_submit = True

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("value") and (cleaned.get("notes") or "").strip() and "value" not in self.errors:
            self.add_error("value", _("Choose a verdict to go with your notes."))
        return cleaned


class VerdictsForm:
    """Every criterion's verdict of the current round in one form: a `VerdictForm` per criterion (prefix
    `verdict_prefix(code)`), pre-filled with this round's verdicts. A criterion left without a verdict is
    allowed (the review is saved as it goes); its recorded verdict, if any, stays."""

    def __init__(
        self,
        data=None,
        *,
        criteria: Iterable[Criterion],
        recorded: dict[str, tuple[str, str]],
    ) -> None:
        self.criteria = {c.code: c for c in criteria}
        self.general_errors: list[str] = []
        self.forms: dict[str, VerdictForm] = {}
        for code, criterion in self.criteria.items():
            value, notes = recorded.get(code, (None, ""))
            self.forms[code] = VerdictForm(
                data,
                initial={"value": value, "notes": notes},
                code=code,
                mandatory=criterion.mandatory,
                value_required=False,
                prefix=verdict_prefix(code),
            )

    def __getitem__(self, code: str) -> VerdictForm:
        return self.forms[code]

    def put(self, code: str, form: VerdictForm) -> None:
        """Show `form` (the per-criterion form with its errors) in place of the criterion's own."""
        self.forms[code] = form

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.forms.values()])  # a list: every form is checked

    @property
    def errors(self) -> bool:
        return bool(self.general_errors) or any(form.errors for form in self.forms.values())

    def error_rows(self) -> list[tuple[str, Any, Any]]:
        """(criterion code, bound field or None, message) of every error, for the form's error summary."""
        rows: list[tuple[str, Any, Any]] = [("", None, error) for error in self.general_errors]
        for code, form in self.forms.items():
            rows += [(code, None, error) for error in form.non_field_errors()]
            rows += [(code, field, error) for field in form for error in field.errors]
        return rows

    def verdicts(self) -> dict[Criterion, tuple[str, str]]:
        """The criteria given a verdict, with (value, notes)."""
        return {
            self.criteria[code]: (form.cleaned_data["value"], form.cleaned_data["notes"])
            for code, form in self.forms.items()
            if form.cleaned_data.get("value")
        }

    def add_service_error(self, error: ValidationError) -> None:
        """Put the errors of `services.verdicts_record` ("<code>.<field>") on the criterion's field; any
        other goes above the form."""
        if not hasattr(error, "error_dict"):
            self.general_errors += error.messages
            return
        for key, messages in error.message_dict.items():
            code, _dot, field = key.rpartition(".")
            form = self.forms.get(code)
            if form is None:
                self.general_errors += messages
            else:
                form.add_error(field if field in form.fields else None, messages)


class RequestChangesForm(ServiceForm):
    prefix = "changes"  # the decision forms share a page: prefixes keep their ids apart
    message = forms.CharField(
        label=_("What the applicant must change"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your notes per criterion are shown with this message."),
    )


class ApproveForm(ServiceForm):
    prefix = "approve"
    conditions = forms.CharField(
        label=_("Conditions of the certificate"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed on the certificate (and on the certificates recognised from it)."),
    )
    message = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(ServiceForm):
    prefix = "reject"
    reason = forms.CharField(
        label=_("Reasons for the rejection"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


# ---- certificates -----------------------------------------------------------------------------------
class CertificateStatusForm(ServiceForm):
    """Suspend, reinstate or revoke (the action is the URL's): the reason is required except to reinstate."""

    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
