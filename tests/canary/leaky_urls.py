"""A URLconf with deliberate leaks, used only to prove the canary crawl catches them (self-test).

It is the project's URLconf plus two views that ignore the tenant: one opens any site by id (an
object-level access bug), one copies an invitation address into a response header.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from portal.tenancy.models import Invitation, Site
from portal.urls import handler404, handler500  # noqa: F401 - the same error pages
from portal.urls import urlpatterns as portal_urlpatterns

SELFTEST_PREFIX = "/canary-selftest/"


def leaky_site(request: HttpRequest, public_id) -> HttpResponse:
    site = Site.objects.filter(public_id=public_id).first()  # BUG on purpose: not scoped to the actor
    if site is None:
        raise Http404
    return HttpResponse(f"<p>{site.name}</p>")


def leaky_header(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("nothing to see here")
    invitation = Invitation.objects.order_by("pk").first()
    response["X-Debug-Invitation"] = invitation.email if invitation else ""  # BUG on purpose
    return response


urlpatterns = [
    path("canary-selftest/sites/<uuid:public_id>/", leaky_site, name="canary-selftest-site"),
    path("canary-selftest/header/", leaky_header, name="canary-selftest-header"),
    *portal_urlpatterns,
]
