"""Answers that carry a company's own data or files: never kept by a shared cache, never sniffed."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header


def private[Response: HttpResponseBase](
    response: Response, filename: str | None = None, *, vary: Iterable[str] = ("Cookie",)
) -> Response:
    """`response` for its caller only, as an attachment named `filename` when one is given."""
    if filename:
        response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, tuple(vary))
    return response


def stored_file(file: FieldFile, content_type: str, filename: str) -> HttpResponse:
    """An uploaded file as a private download (404 when the file is gone). Read whole rather than streamed:
    uploads are size-capped, and no file handle outlives the request (nor fires `request_finished` twice).
    Opened directly anyway (a PDF viewer in a tab), the file runs no script and loads nothing."""
    try:
        with file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    response = private(
        HttpResponse(content, content_type=content_type), filename, vary=("Cookie", "Authorization")
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
