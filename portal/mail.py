"""Sending e-mail in the recipient's language from a pair of templates (subject and body)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_mail(
    *, template: str, to: list[str], context: dict[str, Any], language: str = "en"
) -> None:
    with translation.override(language):
        full_context = {"site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"emails/{template}_subject.txt", full_context).strip().replace("\n", " ")
        body = render_to_string(f"emails/{template}_body.txt", full_context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
