"""Public passport pages under /p/: the page a battery's QR code opens, the QR code itself, look-ups."""

from django.urls import path

from . import public_views as views

app_name = "public_passports"
urlpatterns = [
    path("lookup/", views.lookup, name="lookup"),
    path("id/<path:identifier>/", views.lookup_path, name="lookup_path"),
    path("<uuid:passport_id>/", views.detail, name="detail"),
    path("<uuid:passport_id>/qr.svg", views.qr_svg, name="qr_svg"),
    path("<uuid:passport_id>/qr.png", views.qr_png, name="qr_png"),
]
