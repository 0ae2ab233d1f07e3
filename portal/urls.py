from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import api, views

admin.site.site_header = _("PassBridge administration")  # in the operator's language (admin switch)
admin.site.site_title = "PassBridge"
# The admin signs in through the portal's login, which asks for the authenticator code (the admin's own
# login form would take a password alone).
admin.site.login = views.admin_login

# The API first: Django tries patterns in order, and every failed include costs the resolver work, so the
# most requested prefixes (API, QR scans) come before the empty-prefix includes of the pages.
urlpatterns = [
    path("api/v1/", include(("portal.api_urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="swagger-ui"),
    re_path(r"^api/", api.json_not_found),
    path("p/", include("passports.public_urls")),  # QR scans
    path("verify/", include("certification.public_urls")),
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("portal.accounts.urls")),
    path("", include("portal.tenancy.urls")),
    path("passports/", include("passports.urls")),
    path("notifications/", include("portal.notifications.urls")),
    path("certification/", include("certification.urls")),
    path("exchange/", include("exchange.urls")),
    path("pact/", include("pact.urls")),
    path("oversight/", include("oversight.urls")),
    path("end-of-life/", include("endoflife.urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

handler404 = "portal.errors.not_found"
handler500 = "portal.errors.server_error"
