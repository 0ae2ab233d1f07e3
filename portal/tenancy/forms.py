from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from portal.forms import CleanTextForm, ServiceFormMixin
from portal.identifiers import check_bpn, check_corporate_number, check_lei

from .models import SELF_REGISTRATION_KINDS, DataSpace, Organization, OrganizationKind, Role

# Evaluated per request so the help text follows the user's language.
PASSWORD_HELP = lazy(password_validators_help_text_html, str)()


def _country_field():
    """A country choice with an empty first option, so nobody is silently placed in Afghanistan."""
    return Organization._meta.get_field("country").formfield(label=_("Country"))


#: The box a person ticks to keep a BPN whose check characters do not match (offered only then).
KEEP_BPN = "keep_bpn"
_TICKED = {"on", "true", "1", "yes"}


def checked_bpn(form: forms.Form, name: str, value: str, kinds: str) -> str:
    """The normalised BPN of field `name`. Its check characters not matching is a typing mistake more often
    than not, but some BPNs were issued so: the form refuses it once, on the field, and offers a box right
    below it to keep it as entered; kept knowingly, the warning is said once more after saving."""
    checked = check_bpn(value, kinds=kinds)
    if not checked.warnings:
        return checked.value
    box = forms.BooleanField(
        required=False,
        label=_("Keep %(bpn)s as entered: it was issued with these check characters.")
        % {"bpn": checked.value},
    )
    fields = list(form.fields.items())
    position = next(index for index, (key, _field) in enumerate(fields) if key == name) + 1
    form.fields = dict([*fields[:position], (KEEP_BPN, box), *fields[position:]])
    if str(form.data.get(form.add_prefix(KEEP_BPN), "")).lower() in _TICKED:
        form.identifier_warnings.extend(checked.warnings)  # type: ignore[attr-defined]
        return checked.value
    raise ValidationError(
        [*checked.warnings, _("Correct it, or tick the box below it to keep it as entered.")],
        code="bpn_check_characters",
    )


class IdentifierFieldsMixin:
    """Normalises BPNL / corporate number / LEI; a BPNL with wrong check characters is confirmed or
    corrected (`checked_bpn`)."""

    identifier_warnings: list[str]

    def _clean_identifier(self, name: str, checker):
        value = (self.cleaned_data.get(name) or "").strip()  # type: ignore[attr-defined]
        if not value:
            return None
        checked = checker(value)
        self.identifier_warnings.extend(checked.warnings)
        return checked.value

    def clean_bpnl(self):
        value = (self.cleaned_data.get("bpnl") or "").strip()  # type: ignore[attr-defined]
        return checked_bpn(self, "bpnl", value, kinds="L") if value else None  # type: ignore[arg-type]

    def clean_corporate_number(self):
        return self._clean_identifier("corporate_number", check_corporate_number)

    def clean_lei(self):
        return self._clean_identifier("lei", check_lei)

    def clean_identifiers_present(self, cleaned: dict) -> None:
        if not any(cleaned.get(name) for name in ("bpnl", "corporate_number", "lei")) and not any(
            name in self.errors
            for name in ("bpnl", "corporate_number", "lei")  # type: ignore[attr-defined]
        ):
            raise ValidationError(_("Enter at least one identifier: BPNL, corporate number or LEI."))


class OrganizationFieldsForm(IdentifierFieldsMixin, ServiceFormMixin, CleanTextForm):
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    country = _country_field()
    street = forms.CharField(label=_("Street and number"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)
    website = forms.URLField(label=_("Website"), max_length=200, required=False, assume_scheme="https")
    data_spaces = forms.ChoiceField(
        label=_("Data spaces"), choices=DataSpace.choices, initial=DataSpace.CATENA_X
    )
    bpnl = forms.CharField(
        label=_("BPNL (Catena-X)"),
        max_length=24,
        required=False,
        help_text=_("BPNL followed by 12 letters or digits."),
    )
    corporate_number = forms.CharField(
        label=_("Corporate number (Japan)"),
        max_length=20,
        required=False,
        help_text=_("13 digits (法人番号)."),
    )
    lei = forms.CharField(
        label=_("LEI"), max_length=24, required=False, help_text=_("20 characters (ISO 17442).")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.identifier_warnings = []

    def clean(self):
        cleaned = super().clean()
        self.clean_identifiers_present(cleaned)
        return cleaned


class NewAccountForm(ServiceFormMixin, CleanTextForm):
    """The fields a person fills in to create their own account (sign-up and invitation)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_("Letters, digits and @/./+/-/_ only."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=PASSWORD_HELP,
    )
    password2 = forms.CharField(
        label=_("Repeat the password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned

    def account_data(self, language: str) -> dict:
        data = {key: self.cleaned_data[key] for key in ("username", "first_name", "last_name")}
        languages = {code for code, _name in settings.LANGUAGES}
        return {
            **data,
            "password": self.cleaned_data["password1"],
            "preferred_language": language if language in languages else "en",
        }


class RegistrationForm(OrganizationFieldsForm, NewAccountForm):
    kind = forms.ChoiceField(
        label=_("Your company is"),
        choices=[(kind.value, kind.label) for kind in SELF_REGISTRATION_KINDS],
        initial=OrganizationKind.ECONOMIC_OPERATOR,
    )
    email = forms.EmailField(label=_("Work e-mail address"), max_length=254)
    accept_terms = forms.BooleanField(
        label=_("I am authorised to register this company and accept the terms of use.")
    )

    field_order = [
        "kind",
        "legal_name",
        "country",
        "street",
        "postal_code",
        "city",
        "website",
        "data_spaces",
        "bpnl",
        "corporate_number",
        "lei",
        "first_name",
        "last_name",
        "email",
        "username",
        "password1",
        "password2",
        "accept_terms",
    ]

    def organization_data(self) -> dict:
        keys = (
            "kind",
            "legal_name",
            "country",
            "street",
            "postal_code",
            "city",
            "website",
            "data_spaces",
            "bpnl",
            "corporate_number",
            "lei",
        )
        return {
            key: self.cleaned_data.get(key) or (None if key in ("bpnl", "corporate_number", "lei") else "")
            for key in keys
        }

    def admin_data(self, language: str) -> dict:
        return {**self.account_data(language), "email": self.cleaned_data["email"]}


class OrganizationEditForm(OrganizationFieldsForm):
    def organization_data(self) -> dict:
        return {
            key: (self.cleaned_data.get(key) or None)
            if key in ("bpnl", "corporate_number", "lei")
            else self.cleaned_data.get(key, "")
            for key in self.fields
            if key != KEEP_BPN
        }


class SiteForm(ServiceFormMixin, CleanTextForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    street = forms.CharField(label=_("Street and number"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)
    country = _country_field()
    bpn = forms.CharField(
        label=_("BPNS or BPNA"),
        max_length=24,
        required=False,
        help_text=_("Catena-X site (BPNS…) or address (BPNA…) number."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.identifier_warnings: list[str] = []

    def clean_bpn(self):
        value = (self.cleaned_data.get("bpn") or "").strip()
        if not value:
            return None
        return checked_bpn(self, "bpn", value, kinds="SA")


class InvitationForm(ServiceFormMixin, CleanTextForm):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=())

    def __init__(self, *args, roles: tuple[str, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]
        # The least powerful role is offered first: a slip of the mouse must not invite an administrator.
        # (ROLES_BY_KIND lists each kind's roles from the most to the least powerful.)
        if roles:
            self.fields["role"].initial = roles[-1]


class MembershipRoleForm(ServiceFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=())

    def __init__(self, *args, roles: tuple[str, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]


class InvitationAcceptForm(NewAccountForm):
    pass
