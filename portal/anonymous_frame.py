"""A page's frame rendered once per language for anonymous visitors, the request's own values put in.

The public passport page is a cached body inside `base.html`'s frame: header, menu, language form, footer.
For an anonymous visitor with no pending messages that frame is the same for everyone of a language but
for three values: the CSRF token of the language form, the page's own path (its `next` field) and the CSP
nonce. Rendering it took about 1.2 ms of a page's 5 (benchmarks/README.md, session 15), on every request,
the cached ones included. Here it is rendered once per language and process with a marker in place of each
of those values and of the body; a request then only joins the pieces with its own values, escaped as the
template would have escaped them. Logged-in visitors (their menu) and visitors with messages get the
template rendered as usual. Tests compare both renderings (tests/passports/test_public_frame.py).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.csp import CONTEXT_KEY as NONCE_KEY
from django.utils.html import escape
from django.utils.translation import get_language

# Markers of letters and digits only: escaping leaves them as they are wherever the template puts them.
_SEED = secrets.token_hex(8)
BODY, TOKEN, PATH, NONCE = (f"pbframe{_SEED}{name}" for name in ("body", "token", "path", "nonce"))
_MARKERS = re.compile(f"({BODY}|{TOKEN}|{PATH}|{NONCE})")


class _FrameRequest:
    """The request as the frame's template sees it, its path replaced by a marker."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def get_full_path(self) -> str:
        return PATH

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


_frames: dict[tuple[str, str | None], tuple[str, ...]] = {}


@receiver(setting_changed)
def _forget_frames(**kwargs: Any) -> None:
    """A frame rendered under other settings (tests override them) is rendered again."""
    _frames.clear()


def _frame(request: HttpRequest, template_name: str) -> tuple[str, ...]:
    """The frame of `template_name` for the active language, split at its markers (the markers kept as
    pieces of their own)."""
    key = (template_name, get_language())
    pieces = _frames.get(key)
    if pieces is None:
        context = {"body": BODY, "csrf_token": TOKEN, NONCE_KEY: NONCE}
        text = render_to_string(template_name, {**context, "request": _FrameRequest(request)}, request)
        pieces = _frames[key] = tuple(_MARKERS.split(text))
    return pieces


def _values(request: HttpRequest, body: str) -> dict[str, Callable[[], str]]:
    return {
        BODY: lambda: body,
        TOKEN: lambda: escape(get_token(request)),
        PATH: lambda: escape(request.get_full_path()),
        NONCE: lambda: escape(get_nonce(request)),
    }


def shared_frame_applies(request: HttpRequest) -> bool:
    """Whether the request sees the frame every anonymous visitor of its language sees."""
    return not request.user.is_authenticated and not len(messages.get_messages(request))


def render_in_frame(request: HttpRequest, template_name: str, body: str) -> HttpResponse:
    """`render(request, template_name, {"body": body})`, the frame taken from the language's rendering when
    the visitor is anonymous and has no messages. `template_name` may use nothing of the view but `body`."""
    if not shared_frame_applies(request):
        return render(request, template_name, {"body": body})
    values = _values(request, body)
    pieces = _frame(request, template_name)
    return HttpResponse("".join(values[piece]() if piece in values else piece for piece in pieces))
