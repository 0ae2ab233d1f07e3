"""Error pages: JSON under /api/, HTML elsewhere; never a traceback or a data value."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

from portal.api import json_not_found


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return HttpResponse('{"detail": "Server error."}', status=500, content_type="application/json")
    return HttpResponse(loader.get_template("500.html").render(), status=500)
