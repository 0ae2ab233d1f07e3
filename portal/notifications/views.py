"""HTML pages of a person's notifications: thin shells over selectors and services."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .links import is_portal_path

PAGE_SIZE = 25


@login_required
@require_http_methods(["GET", "HEAD"])
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(actor=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_open(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Mark one notification read and go where it points (GET too: it is the link in the e-mail)."""
    notification = selectors.notification_get(actor=request.user, public_id=public_id)
    if notification is None:
        raise Http404
    services.notification_mark_read(actor=request.user, notification=notification)
    # Checked again here, not only when stored: a redirect must never leave the portal.
    if is_portal_path(notification.url):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")
