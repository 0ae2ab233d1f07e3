from __future__ import annotations

from functools import cache

from django.http import HttpRequest

from .selectors import unread_count


def unread(request: HttpRequest) -> dict:
    """The unread badge of the navigation: one COUNT, and only when a template actually shows it.

    The template engine calls the function when the variable is used (the admin's pages never do);
    `cache` keeps it to one query however often a page shows the number.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": cache(lambda: unread_count(actor=user))}
