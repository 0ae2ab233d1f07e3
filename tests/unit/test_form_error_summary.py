"""The error summary names each field once (issue 16: "Manufacturer e-mail address: Manufacturer e-mail
address: Enter a valid ...")."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string

from portal.templatetags.portal_forms import labelled


def test_a_message_that_names_its_field_keeps_a_single_label():
    label = "Manufacturer e-mail address"
    assert (
        labelled(f"{label}: enter a valid e-mail address.", label)
        == f"{label}: enter a valid e-mail address."
    )
    assert labelled("Enter a valid e-mail address.", label) == f"{label}: Enter a valid e-mail address."


class _Form(forms.Form):
    email = forms.EmailField(label="Manufacturer e-mail address")


def test_the_summary_of_a_form_shows_each_label_once():
    form = _Form({"email": "nope"})
    form.is_valid()
    form.add_error("email", "Manufacturer e-mail address: use the company's domain.")
    html = render_to_string("includes/form_errors.html", {"form": form})
    assert html.count("Manufacturer e-mail address:") == 2  # one per message, never doubled
    assert "Manufacturer e-mail address: Manufacturer e-mail address" not in html


def test_a_name_ending_a_sentence_does_not_double_its_full_stop():
    from portal.text import without_final_stop

    assert without_final_stop("Voltaris Batteries B.V.") + "." == "Voltaris Batteries B.V."
    assert without_final_stop("Elektra GmbH") + "." == "Elektra GmbH."
