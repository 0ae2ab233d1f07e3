"""Sending e-mail in the recipient's language from a pair of templates (subject and body)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def one_line(text: str) -> str:
    """A header-safe line: every run of whitespace, including CR, LF and U+2028/U+2029 (which a company
    name may carry), becomes one space, so Django never refuses the header after the work was saved."""
    return " ".join(text.split())


def send_templated_mail(
    *, template: str, to: list[str], context: dict[str, Any], language: str = "en"
) -> None:
    with translation.override(language):
        full_context = {"site_url": settings.SITE_URL, **context}
        subject = one_line(render_to_string(f"emails/{template}_subject.txt", full_context))
        body = render_to_string(f"emails/{template}_body.txt", full_context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
