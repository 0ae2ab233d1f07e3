"""Log filters: tokens in paths never reach the logs.

Django logs the path of every 404 and 403 ("Not Found: /invitations/<token>/"), and an invitation or
password-reset link carries its secret in the path: anyone reading the logs could accept the invitation.
The filter rewrites those path segments before any handler formats the record."""

from __future__ import annotations

import logging
import re

_SECRET_PATHS = re.compile(
    r"(?P<prefix>/invitations/|/password/reset/[^/\s]+/)(?P<secret>[^/\s?#]+)", flags=re.IGNORECASE
)


def redact(text: str) -> str:
    return _SECRET_PATHS.sub(r"\g<prefix>[redacted]", text)


class SecretPathFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True
