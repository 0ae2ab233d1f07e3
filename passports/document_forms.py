"""The upload form of passport documents: it only collects the input; every check of the file, the title and
the document kind is `document_files`' (through `services.document_upload`), so HTML and API agree."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from portal.uploads import KINDS, max_upload_bytes

from .catalogue import Audience, Level
from .catalogue.validation import DOCUMENT_HEADER_MAX_LENGTH
from .document_files import uploadable_attributes

AUDIENCE_NOTES = {
    Audience.PUBLIC: _("public"),
    Audience.LEGITIMATE_INTEREST: _("legitimate interest"),
    Audience.AUTHORITY: _("authorities only"),
    Audience.CONFIDENTIAL: _("confidential"),
}
ACCEPT = ",".join([*(e for kind in KINDS for e in kind.extensions), *(kind.content_type for kind in KINDS)])


class DocumentUploadForm(forms.Form):
    attribute = forms.ChoiceField(label=_("Document kind"))
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=DOCUMENT_HEADER_MAX_LENGTH,
        help_text=_("Shown to readers next to the link. Leave empty to use the file name."),
    )
    file = forms.FileField(
        label=_("File"),
        # Empty files reach the service, which says why they are refused like every other bad file.
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, level: Level, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attribute"].choices = [("", _("Choose…"))] + [
            (a.key, f"{a.label} ({AUDIENCE_NOTES[a.audience]})") for a in uploadable_attributes(level)
        ]
        self.fields["attribute"].help_text = _(
            "The kind decides who may download the file, as for the values of the passport."
        )
        self.fields["file"].help_text = _(
            "A PDF document or a PNG, JPEG or WebP image of at most %(limit)s."
        ) % {"limit": filesizeformat(max_upload_bytes())}

    def add_service_error(self, exc: ValidationError) -> None:
        """The service's errors next to their fields; anything else above the form."""
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.add_error(None, message)
            return
        for key, messages in exc.message_dict.items():
            self.add_error(key if key in self.fields else None, messages)
