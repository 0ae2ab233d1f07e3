from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from .models import Condition, Content, RecoveredMaterial, Treatment


def _countries() -> list[tuple[str, str]]:
    """The country names in the reader's language: `countries` itself would be read once, at import, in
    English (Django keeps a non-callable choices list as it was first iterated)."""
    return list(countries)


class TransferForm(forms.Form):
    """The fields of a transfer; the service validates them together (`clean_transfer`)."""

    content = forms.ChoiceField(label=_("What is handed over"), choices=Content.choices)
    passport = forms.UUIDField(label=_("Passport identifier (one battery)"), required=False)
    battery_count = forms.IntegerField(label=_("Number of batteries (a lot)"), required=False, min_value=1)
    mass_kg = forms.DecimalField(
        label=_("Mass (kg)"),
        required=False,
        max_digits=14,
        decimal_places=3,
        help_text=_("For one battery, its model's weight is used when left empty."),
    )
    lithium_based = forms.BooleanField(label=_("Lithium-based"), required=False, initial=True)
    recipient = forms.CharField(
        label=_("Recipient on the portal: BPNL, corporate number or LEI"), required=False, max_length=24
    )
    recipient_name = forms.CharField(
        label=_("Or a recipient outside the portal"), required=False, max_length=200
    )
    destination_country = LazyTypedChoiceField(label=_("Destination country"), choices=_countries)
    condition = forms.ChoiceField(label=_("Used or waste"), choices=Condition.choices)
    waste_code = forms.CharField(
        label=_("List-of-Waste code"),
        required=False,
        max_length=12,
        help_text=_("Six digits in pairs, an asterisk for hazardous waste: 16 06 01*."),
    )
    treatment = forms.ChoiceField(label=_("Treatment"), choices=Treatment.choices)
    annex_xiv_evidence = forms.CharField(
        label=_("Evidence that the battery is not waste (Annex XIV)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a used battery shipped abroad: test report, state of health, packaging, contract."),
    )
    shipped_on = forms.DateField(label=_("Shipped on"), widget=forms.DateInput(attrs={"type": "date"}))


class RecoveredOutputForm(forms.Form):
    lot_reference = forms.CharField(label=_("Lot reference"), max_length=100)
    year = forms.IntegerField(label=_("Year"), min_value=1990)
    quarter = forms.ChoiceField(label=_("Quarter"), choices=[(q, f"Q{q}") for q in range(1, 5)])
    material = forms.ChoiceField(label=_("Material"), choices=RecoveredMaterial.choices)
    mass_kg = forms.DecimalField(label=_("Recovered mass (kg)"), max_digits=14, decimal_places=3)
    facility_country = LazyTypedChoiceField(label=_("Country of the recycling facility"), choices=_countries)
