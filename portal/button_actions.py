"""A POST button's action on a page (delete, archive, restore ...): the service's refusal becomes an error
message and its success a message, and either way the browser is sent back (post/redirect/get)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def button_action(
    request: HttpRequest, action: Callable[[], Any], *, done: str, then: str, **url_kwargs: Any
) -> HttpResponse:
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(then, **url_kwargs)
