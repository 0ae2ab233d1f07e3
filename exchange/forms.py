"""HTML forms of the supplier data exchange. They only parse what a person typed: the services validate
every figure (the same rules as the API and the file imports) and their `ValidationError` keys are put
back on the fields they name (`add_service_error`).

Every choice list (parts, materials) comes from the view, built from a selector scoped to the actor, so a
form can neither offer nor accept another company's part.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.forms import CleanTextForm, ServiceFormMixin
from portal.uploads import PDF, check_upload

from .models import AnswerFile, DeclaredUnit, Part, PartKind
from .services import CHARACTERIZATION_FACTORS, CROSS_SECTORAL_STANDARDS, PACT_QUALITY_KEYS, AnswerDetails
from .validation import parse_shares_text, plain, shares_text

STAGES = (("pre", _("pre-processing")), ("main", _("main production")))
ASPECTS = (
    ("technological", _("technological")),
    ("geographical", _("geographical")),
    ("temporal", _("temporal")),
)
RATING_CHOICES = [("", "—"), *((str(n), str(n)) for n in range(1, 6))]
DECIMAL_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


def _number(label, *, help_text: str = "", required: bool = False) -> forms.CharField:
    """A figure as typed: the service turns it into a decimal and says what is wrong with it."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=40,
        help_text=help_text,
        widget=forms.TextInput(attrs=DECIMAL_ATTRS),
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    return plain(value) if isinstance(value, Decimal) else str(value)


class ServiceForm(ServiceFormMixin, CleanTextForm):
    """Service errors on their fields; messages without a field go above the form."""

    service_field_names: dict[str, str] = {}


# --- Parts ---------------------------------------------------------------------------------------------


def quality_field_name(stage: str, aspect: str) -> str:
    return f"quality_{stage}_{aspect}"


class PartForm(ServiceForm):
    """A part the company makes (with its own emissions and their quality) or buys (optionally naming its
    supplier when it is created)."""

    local_id = forms.CharField(label=_("Part id"), max_length=100, help_text=_("Your own id for the part."))
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = forms.ChoiceField(
        label=_("Declared unit"),
        choices=[("", _("Choose…")), *DeclaredUnit.choices],
        help_text=_("All figures of the part are per one declared unit."),
    )
    mass_per_unit = _number(_("Mass per declared unit (kg)"))
    cn_code = forms.CharField(label=_("CN/HS code"), max_length=14, required=False)

    def __init__(self, *args, kind: str, with_supplier: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == PartKind.MADE:
            self.fields["own_pre_processing"] = _number(
                _("Own emissions, pre-processing (kg CO2e per unit)"),
                help_text=_("Raw material acquisition and pre-processing in your own processes."),
            )
            self.fields["own_main_production"] = _number(
                _("Own emissions, main production (kg CO2e per unit)")
            )
            self.fields["own_primary_share"] = _number(
                _("Primary data in own emissions (%)"), help_text=_("0 to 100.")
            )
            for stage, stage_label in STAGES:
                for aspect, aspect_label in ASPECTS:
                    self.fields[quality_field_name(stage, aspect)] = forms.ChoiceField(
                        label=_("Data quality, %(stage)s, %(aspect)s")
                        % {"stage": stage_label, "aspect": aspect_label},
                        choices=RATING_CHOICES,
                        required=False,
                        help_text=_("1 (best) to 5."),
                    )
            self.fields["own_biogenic_uptake"] = _number(
                _("Own biogenic CO2 uptake (kg CO2 per unit)"), help_text=_("Zero or negative.")
            )
            self.fields["own_biogenic_carbon"] = _number(_("Own biogenic carbon content (kg C per unit)"))
        elif with_supplier:
            self.fields["supplier_identifier"] = forms.CharField(
                label=_("Supplier"),
                max_length=40,
                required=False,
                help_text=_("The BPNL, Japanese corporate number or LEI of the company you buy it from."),
            )
        self.service_field_names = {"supplier": "supplier_identifier"}

    @classmethod
    def initial_of(cls, part: Part) -> dict[str, str]:
        initial = {
            key: _text(getattr(part, key))
            for key in (
                "local_id",
                "name",
                "unit",
                "mass_per_unit",
                "cn_code",
                "own_pre_processing",
                "own_main_production",
                "own_primary_share",
                "own_biogenic_uptake",
                "own_biogenic_carbon",
            )
        }
        for stage, _label in STAGES:
            ratings = (part.own_quality or {}).get(stage) or {}
            for aspect, _aspect_label in ASPECTS:
                initial[quality_field_name(stage, aspect)] = _text(ratings.get(aspect))
        return initial

    def clean(self):
        cleaned = super().clean()
        if self.kind == PartKind.MADE:
            for stage, _label in STAGES:
                names = [quality_field_name(stage, aspect) for aspect, _a in ASPECTS]
                given = [name for name in names if cleaned.get(name)]
                if given and len(given) < len(names):
                    for name in names:
                        if not cleaned.get(name):
                            self.add_error(name, _("Rate all three aspects of this stage, or none."))
        return cleaned

    def data_for_service(self) -> dict[str, Any]:
        data = {key: value for key, value in self.cleaned_data.items() if not key.startswith("quality_")}
        data.pop("supplier_identifier", None)
        if self.kind == PartKind.MADE:
            quality = {}
            for stage, _label in STAGES:
                ratings = {
                    aspect: self.cleaned_data.get(quality_field_name(stage, aspect)) for aspect, _a in ASPECTS
                }
                if all(ratings.values()):
                    quality[stage] = {aspect: int(value) for aspect, value in ratings.items()}
            data["own_quality"] = quality
        return data

    def quality_rows(self) -> list[dict[str, Any]]:
        """The six rating fields as a stage x aspect grid for the template."""
        return [
            {"stage": label, "fields": [self[quality_field_name(stage, aspect)] for aspect, _a in ASPECTS]}
            for stage, label in STAGES
            if self.kind == PartKind.MADE
        ]


class SupplierForm(ServiceForm):
    identifier = forms.CharField(
        label=_("Supplier's BPNL, corporate number or LEI"),
        max_length=40,
        help_text=_("The company must be registered and active on the portal."),
    )
    service_field_names = {"supplier": "identifier"}


class ComponentForm(ServiceForm):
    """One line of a made part's bill of materials: which of the company's parts, and how much of it."""

    child = forms.ChoiceField(label=_("Component"), choices=())
    quantity = _number(
        _("Quantity per declared unit"),
        required=True,
        help_text=_("In the component's own unit, per one declared unit of this part."),
    )
    service_field_names = {"parent": "child"}

    def __init__(self, *args, parts: Iterable[Part], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [("", _("Choose…"))] + [
            (
                str(part.public_id),
                f"{part.local_id} {part.name} ({part.get_kind_display()}, {part.get_unit_display()})",
            )
            for part in parts
        ]


class SharesField(forms.CharField):
    """Country shares typed as 'CL 60, AU 40'; the service checks the countries and the sum."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault(
            "help_text",
            _("ISO country codes with their share in per cent, e.g. “CL 60, AU 40”; together 100."),
        )
        super().__init__(*args, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        return parse_shares_text(text) if text else {}


class OwnMaterialForm(ServiceForm):
    material = forms.ChoiceField(label=_("Material"), choices=())
    mass_per_unit = _number(_("Mass per declared unit (kg)"), required=True)
    extraction_shares = SharesField(label=_("Countries of extraction (%)"))
    processing_shares = SharesField(label=_("Countries of processing (%)"))
    recycled_pre_consumer = _number(_("Recycled, pre-consumer (%)"))
    recycled_post_consumer = _number(_("Recycled, post-consumer (%)"))
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=500,
        required=False,
        help_text=_("Where the figures come from (a certificate, a mill report, a contract)."),
    )

    def __init__(self, *args, materials: Iterable, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["material"].choices = [("", _("Choose…"))] + [
            (material.code, material.display_name) for material in materials
        ]

    @staticmethod
    def initial_of(row) -> dict[str, str]:
        return {
            "material": row.material.code,
            "mass_per_unit": _text(row.mass_per_unit),
            "extraction_shares": shares_text(row.extraction_shares),
            "processing_shares": shares_text(row.processing_shares),
            "recycled_pre_consumer": _text(row.recycled_pre_consumer),
            "recycled_post_consumer": _text(row.recycled_post_consumer),
            "evidence": row.evidence,
        }


# --- Requests ------------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class RequestForm(ServiceForm):
    wants_footprint = forms.BooleanField(label=_("Carbon footprint"), required=False, initial=True)
    wants_materials = forms.BooleanField(label=_("Material declaration"), required=False, initial=True)
    message = forms.CharField(label=_("Message"), max_length=2000, required=False, widget=forms.Textarea)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_date"].initial = timezone.localdate() + datetime.timedelta(days=30)


class SendBackForm(ServiceForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea,
        help_text=_("The customer reads it: say what is wrong or missing."),
    )


# --- Answers -------------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of PDF files (none included), each checked by `portal.uploads.check_upload`."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,application/pdf"}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)  # check_upload says why an empty file is refused
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        single = super().clean
        items = data if isinstance(data, (list, tuple)) else [data] if data else []
        checked = []
        for item in items:
            if not item:
                continue
            upload = single(item, initial)
            try:
                checked.append((upload, check_upload(upload, kinds=(PDF,))))
            except ValidationError as error:
                raise ValidationError(
                    [f"{getattr(upload, 'name', '')[:80]}: {message}" for message in error.messages]
                ) from error
        return checked


FOOTPRINT_FIELDS = (
    "reference_period_start",
    "reference_period_end",
    "characterization_factors",
    "cross_sectoral_standards",
    "product_rules",
    "boundary_processes",
    "exempted_emissions_percent",
    "geography_country",
    *(f"quality_{key}" for key in ("coverage_percent", *PACT_QUALITY_KEYS)),
    "assurance_provider",
    "assurance_standard",
    "assurance_date",
    "assurance_files",
)


class AnswerForm(ServiceForm):
    """The PACT descriptors a supplier states with a released answer; the figures are the roll-up's."""

    supplier_part = forms.CharField(widget=forms.HiddenInput, required=False)
    reference_period_start = forms.DateField(
        label=_("Reference period from"), required=False, widget=DateInput()
    )
    reference_period_end = forms.DateField(
        label=_("Reference period until"),
        required=False,
        widget=DateInput(),
        help_text=_("The day after the last day of the period (exclusive), as PACT counts it."),
    )
    characterization_factors = forms.ChoiceField(
        label=_("IPCC characterisation factors"),
        choices=[(value, value) for value in CHARACTERIZATION_FACTORS],
        initial="AR6",
    )
    cross_sectoral_standards = forms.MultipleChoiceField(
        label=_("Cross-sectoral standards"),
        choices=[(value, value) for value in CROSS_SECTORAL_STANDARDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=["ISO 14067"],
    )
    product_rules = forms.CharField(
        label=_("Product or sector specific rules"),
        max_length=200,
        required=False,
        help_text=_("For example the Catena-X PCF Rulebook or the Battery Regulation's CFB rules."),
    )
    boundary_processes = forms.CharField(
        label=_("Boundary processes"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    exempted_emissions_percent = _number(_("Exempted emissions (%)"), help_text=_("0 to 5."))
    geography_country = forms.ChoiceField(label=_("Country of production"), required=False, choices=())
    quality_coverage_percent = _number(
        _("Coverage (%)"), help_text=_("PACT data-quality indicator, 0 to 100.")
    )
    quality_technological = _number(_("Technological DQR"), help_text=_("1 (best) to 3."))
    quality_temporal = _number(_("Temporal DQR"), help_text=_("1 (best) to 3."))
    quality_geographical = _number(_("Geographical DQR"), help_text=_("1 (best) to 3."))
    quality_completeness = _number(_("Completeness DQR"), help_text=_("1 (best) to 3."))
    quality_reliability = _number(_("Reliability DQR"), help_text=_("1 (best) to 3."))
    assurance_provider = forms.CharField(label=_("Assurance provider"), max_length=200, required=False)
    assurance_standard = forms.CharField(label=_("Assurance standard"), max_length=200, required=False)
    assurance_date = forms.DateField(label=_("Assurance date"), required=False, widget=DateInput())
    assurance_files = MultipleFileField(label=_("Assurance certificates (PDF)"))
    evidence_files = MultipleFileField(label=_("Evidence files (PDF)"))
    comment = forms.CharField(
        label=_("Comment to the customer"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = forms.CharField(label=_("Evidence"), max_length=500, required=False)

    def __init__(self, *args, footprint: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.footprint = footprint
        if footprint:
            self.fields["geography_country"].choices = [("", "—"), *countries]
        else:
            for name in FOOTPRINT_FIELDS:
                del self.fields[name]

    @staticmethod
    def initial_of(details: AnswerDetails) -> dict[str, Any]:
        initial = {
            key: getattr(details, key)
            for key in (
                "reference_period_start",
                "reference_period_end",
                "characterization_factors",
                "cross_sectoral_standards",
                "product_rules",
                "boundary_processes",
                "geography_country",
                "assurance_provider",
                "assurance_standard",
                "assurance_date",
                "comment",
                "evidence",
            )
        }
        initial["exempted_emissions_percent"] = _text(details.exempted_emissions_percent)
        for key, value in (details.quality or {}).items():
            initial[f"quality_{key}"] = _text(value)
        return initial

    def footprint_fields(self) -> list:
        return [
            self[name]
            for name in FOOTPRINT_FIELDS
            if name in self.fields and not name.startswith("assurance")
        ]

    def assurance_fields(self) -> list:
        return [
            self[name] for name in FOOTPRINT_FIELDS if name in self.fields and name.startswith("assurance")
        ]

    def general_fields(self) -> list:
        return [self[name] for name in ("evidence_files", "comment", "evidence")]

    def details(self) -> AnswerDetails:
        data = self.cleaned_data
        files = [
            (AnswerFile.Kind.ASSURANCE, upload, checked)
            for upload, checked in data.get("assurance_files", [])
        ]
        files += [
            (AnswerFile.Kind.EVIDENCE, upload, checked) for upload, checked in data.get("evidence_files", [])
        ]
        details = AnswerDetails(
            comment=data.get("comment", ""), evidence=data.get("evidence", ""), files=files
        )
        if self.footprint:
            details.reference_period_start = data.get("reference_period_start")
            details.reference_period_end = data.get("reference_period_end")
            details.characterization_factors = data.get("characterization_factors", "")
            details.cross_sectoral_standards = list(data.get("cross_sectoral_standards") or [])
            details.product_rules = data.get("product_rules", "")
            details.boundary_processes = data.get("boundary_processes", "")
            details.exempted_emissions_percent = data.get("exempted_emissions_percent") or "0"
            details.geography_country = data.get("geography_country", "")
            details.quality = {
                key: data.get(f"quality_{key}")
                for key in ("coverage_percent", *PACT_QUALITY_KEYS)
                if data.get(f"quality_{key}")
            }
            details.assurance_provider = data.get("assurance_provider", "")
            details.assurance_standard = data.get("assurance_standard", "")
            details.assurance_date = data.get("assurance_date")
        return details
