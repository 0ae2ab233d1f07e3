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


class BatteryModelChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.manufacturer_part_id})"


class SiteChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}, {obj.city}"


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
        self.fields["battery_models"].queryset = battery_models
        self.fields["passports"].queryset = passports.select_related("battery_model")
        self.fields["sites"].queryset = sites
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


class VerdictForm(ServiceForm):
    value = forms.ChoiceField(label=_("Verdict"), choices=VerdictValue.choices, widget=forms.RadioSelect)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, mandatory: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if mandatory:
            self.fields["notes"].help_text = _("Required when the criterion is not met.")


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
