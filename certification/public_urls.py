"""Public certificate verification under /verify/: the entry page (look-up by number, PDF upload), the
page a certificate's QR code opens (no login) and the JSON-LD contexts that certificate credentials name."""

from django.urls import path

from . import public_views as views
from .credentials import context_views

app_name = "verification"
urlpatterns = [
    # Look a certificate up by its number, or check an uploaded certificate PDF.
    path("", views.index, name="index"),
    # The certificate credential's own JSON-LD context, version 1. Issued credentials name this URL in
    # their @context: it must keep answering with the same bytes for good (a new version is a new path).
    path(
        "contexts/certificate/v1",
        context_views.jsonld_context,
        {"document": context_views.CERTIFICATE_V1},
        name="credential-context-certificate-v1",
    ),
    # Any text up to the next slash reaches the view, which answers malformed numbers with the same
    # 404 as unknown ones (and counts them against the rate limit).
    path("<str:number>/", views.verify, name="certificate"),
]
