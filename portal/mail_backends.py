"""The console e-mail backend of the embedded default, writing each e-mail as its reader would see it.

Django writes the raw MIME message, whose UTF-8 text is quoted-printable: a link breaks at 76 characters
with a trailing "=" and every "=" in a query string becomes "=3D", so the demo's invitation and password
reset links cannot be followed from the console. Here the headers are decoded and each text part is
written decoded; attachments are named with their size. SMTP and the file backend keep the raw message.
"""

from __future__ import annotations

from django.core.mail.backends import console

SHOWN_HEADERS = ("From", "To", "Cc", "Reply-To", "Date", "Subject")


def readable(message) -> str:
    """An `email.message.EmailMessage` as text: headers decoded, text parts decoded, attachments named."""
    lines = [f"{name}: {message[name]}" for name in SHOWN_HEADERS if message[name] is not None]
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename is None and part.get_content_type() == "text/plain":
            lines += ["", part.get_content().rstrip("\n")]
        elif filename is None and part.get_content_type() == "text/html":
            lines += ["", "[HTML alternative of the text above]"]
        else:
            size = len(part.get_payload(decode=True) or b"")
            lines += ["", f"[Attachment: {filename} ({part.get_content_type()}, {size} bytes)]"]
    return "\n".join(lines)


class ReadableConsoleBackend(console.EmailBackend):
    def write_message(self, message) -> None:
        self.stream.write(readable(message.message()) + "\n")
        self.stream.write("-" * 79 + "\n")
