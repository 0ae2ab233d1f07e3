"""The console e-mail of the embedded default can be read and its links followed (issue 16, item 10): no
quoted-printable line breaks or "=3D" in links, headers decoded, attachments named."""

from __future__ import annotations

import io

from django.core.mail import EmailMessage

from portal.mail_backends import ReadableConsoleBackend

from .test_settings import manage

LINK = "https://portal.example/accounts/invitation/0f8e2c4a-7b1d-4e55-9a3c-2f6d8b1e9c07/?next=/dashboard/&lang=ja"


def test_links_and_non_ascii_text_are_written_as_the_reader_sees_them():
    stream = io.StringIO()
    backend = ReadableConsoleBackend(stream=stream)
    message = EmailMessage(
        subject="Einladung zu PassBridge – 招待",
        body=f"Grüße! Open {LINK} to accept. 日本語の本文。\n",
        from_email="PassBridge <no-reply@passbridge.example>",
        to=["greta@voltwerk.example"],
    )
    message.attach("certificate.pdf", b"%PDF-1.7 test", "application/pdf")
    assert backend.send_messages([message]) == 1
    written = stream.getvalue()
    assert LINK in written and "=3D" not in written and "=\n" not in written
    assert (
        "Subject: Einladung zu PassBridge – 招待" in written
        and "Grüße!" in written
        and "日本語の本文。" in written
    )
    assert "[Attachment: certificate.pdf (application/pdf, 13 bytes)]" in written
    assert written.rstrip().endswith("-" * 79)


def test_the_embedded_default_writes_readable_e_mails_to_the_console():
    shown = "from django.conf import settings; print(settings.MAILERS['default']['BACKEND'])"
    result = manage("shell", "-c", shown, PASSBRIDGE_ENV="development", DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "portal.mail_backends.ReadableConsoleBackend"
