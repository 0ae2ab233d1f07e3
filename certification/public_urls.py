"""Public certificate verification under /verify/: the entry page (look-up by number, PDF upload) and the
page a certificate's QR code opens (no login)."""

from django.urls import path

from . import public_views as views

app_name = "verification"
urlpatterns = [
    # Look a certificate up by its number, or check an uploaded certificate PDF.
    path("", views.index, name="index"),
    # Any text up to the next slash reaches the view, which answers malformed numbers with the same
    # 404 as unknown ones (and counts them against the rate limit).
    path("<str:number>/", views.verify, name="certificate"),
]
