"""The forms of the public verification pages: look a certificate up by its number, or upload its PDF."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from portal.forms import CleanTextForm

from . import selectors
from .documents import verify_upload
from .selectors import MAX_NUMBER_LENGTH


class CertificateNumberForm(CleanTextForm):
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=MAX_NUMBER_LENGTH,
        help_text=_("As printed on the certificate, for example CATX-CBG-0000001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        if not selectors.is_certificate_number(number):
            raise ValidationError(
                _("A certificate number has only letters, digits and dashes."), code="malformed"
            )
        return number


class DocumentUploadForm(forms.Form):
    """A PDF to verify. `pdf` holds its bytes once the form is valid; every check of the file is the
    service's (`verify_upload.read_upload`), so the page and the API give the same messages."""

    file = forms.FileField(
        label=_("Certificate PDF"),
        # Empty files reach the service, which says why they are refused like every other bad file.
        allow_empty_file=True,
        error_messages={"required": _("Choose the certificate PDF to check.")},
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pdf: bytes = b""
        self.fields["file"].help_text = _(
            "The PDF you received or downloaded, unchanged, of at most %(limit)s."
        ) % {"limit": filesizeformat(verify_upload.max_upload_bytes())}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.pdf = verify_upload.read_upload(upload)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict.get("file", exc.messages)) from None
        return upload
