from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .services import check_callback_url


class PactClientForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("The partner system, e.g. its product name.")
    )
    callback_url = forms.CharField(
        label=_("Callback URL"),
        max_length=300,
        help_text=_(
            "The partner's PACT base URL (https). Events are sent to its /3/events, and only events from "
            "this host are accepted."
        ),
    )

    def clean_callback_url(self) -> str:
        try:
            return check_callback_url(self.cleaned_data["callback_url"])
        except ValidationError as error:
            raise ValidationError(error.messages) from None
