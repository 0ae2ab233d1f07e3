from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language as django_set_language

from portal.accounts.services import user_set_language
from portal.celery import app as celery_app
from portal.tenancy import policies, selectors
from portal.tenancy.operator_views import operator_dashboard


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    kind = policies.dashboard_kind(request.user)
    if kind == "operator":
        return operator_dashboard(request)
    membership = selectors.membership_of(request.user)
    context = {"membership": membership, "organization": membership.organization if membership else None}
    if kind == "company":
        context["members"] = selectors.members_for(actor=request.user)
        context["sites"] = selectors.sites_for(actor=request.user, archived=False)  # sites in use
        context["can_manage"] = policies.can_manage_members(request.user, membership.organization)
    return render(request, f"dashboards/{kind}.html", context)


#: Every check of /healthz answers within this, so the whole answer comes within 2 s even when a
#: dependency hangs instead of refusing (the load balancer's probe must not stall a worker).
HEALTH_CHECK_SECONDS = 1.5


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return "error"
    finally:
        connection.close()  # the check's own thread: never leave its connection behind
    return "ok"


def _broker_status() -> str:
    if celery_app.conf.task_always_eager:
        return "in-process"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
            conn.default_channel.client.ping()
    except Exception:
        return "error"
    return "ok"


def _cache_status() -> str:
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        return "in-process"
    from django.core.cache import cache

    try:
        client = cache._cache.get_client()  # the raw client: the portal's cache hides failures by design
        client.ping()
    except Exception:
        return "error"
    return "ok"


def _within_deadline(checks: dict[str, Callable[[], str]]) -> dict[str, str]:
    """Run the checks side by side, each in a daemon thread; one still running at the deadline is
    reported as "timeout" and left behind (it ends with its own socket timeout)."""
    results: dict[str, str] = {}

    def run(name: str, check: Callable[[], str]) -> None:
        results[name] = check()

    threads = {
        name: threading.Thread(target=run, args=(name, check), daemon=True) for name, check in checks.items()
    }
    for thread in threads.values():
        thread.start()
    deadline = time.monotonic() + HEALTH_CHECK_SECONDS
    for thread in threads.values():
        thread.join(max(0.0, deadline - time.monotonic()))
    return {name: results.get(name, "timeout") for name in checks}


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembered on the account so e-mails follow the user's choice."""
    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = _within_deadline(
        {"database": _database_status, "broker": _broker_status, "cache": _cache_status}
    )
    healthy = all(value not in ("error", "timeout") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """The admin's login page sends to the portal's login (password, then the authenticator code), and
    back to where the operator was going: only a path inside the portal is followed."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None) or not target.startswith("/"):
        target = "/admin/"
    if request.user.is_authenticated:
        # Signed in without access to the admin: say so (sending to the login would loop back here).
        if not request.user.is_staff:
            return render(request, "403.html", status=403)
        return redirect(target)
    return redirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': target})}")
