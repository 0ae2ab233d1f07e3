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

    partner_client_id = forms.CharField(
        label=_("Client id the partner gave you"),
        max_length=200,
        required=False,
        help_text=_(
            "Optional: when the partner's system wants the portal to authenticate, events carry its token."
        ),
    )
    partner_client_secret = forms.CharField(
        label=_("Client secret the partner gave you"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Kept encrypted; shown to nobody."),
    )

    def clean_callback_url(self) -> str:
        try:
            return check_callback_url(self.cleaned_data["callback_url"])
        except ValidationError as error:
            raise ValidationError(error.messages) from None
