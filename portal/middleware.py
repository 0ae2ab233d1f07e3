"""A database that is busy answers 503 with Retry-After, not 500.

Web connections carry `lock_timeout` and `statement_timeout` (settings): PostgreSQL then cancels a
statement that waits on a lock (SQLSTATE 55P03) or runs too long (57014). Nothing was saved (the request's
transaction is rolled back), so "try again in a moment" is the true answer.
"""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger("portal.database")

BUSY_SQLSTATES = frozenset({"55P03", "57014"})  # lock_not_available, query_canceled
RETRY_AFTER_SECONDS = 5


def is_database_busy(exc: BaseException) -> bool:
    cause = getattr(exc, "__cause__", None)
    return isinstance(exc, OperationalError) and getattr(cause, "sqlstate", None) in BUSY_SQLSTATES


class DatabaseBusyMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not is_database_busy(exc):
            return None
        logger.warning("Database busy on %s %s: %s", request.method, request.path, exc)
        message = _("The portal is busy. Nothing was saved; please try again in a few seconds.")
        if request.path.startswith(("/api/", "/pact/")):
            response: HttpResponse = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(
                render_to_string("503.html", {"message": message}, request=request), status=503
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
