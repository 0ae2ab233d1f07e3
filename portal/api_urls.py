"""The /api/v1/ router: the composition root names every app's API."""

from django.urls import include, path

from portal.accounts.api.views import ObtainTokenView

urlpatterns = [
    # Passports first: the most requested endpoints resolve without trying the other apps' patterns.
    path("", include("passports.api.catenax_urls")),
    path("", include("passports.api.urls")),
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("", include("portal.tenancy.api.urls")),
    path("", include("portal.notifications.api.urls")),
    path("", include("certification.api.urls")),
    path("", include("exchange.api.urls")),
    path("", include("oversight.api_urls")),
]
