"""The Content-Security-Policy holds on every kind of page without breaking it: headless Chromium reports
no policy violation on the public pages, a company's pages, the oversight (server-drawn charts), the admin
(with its widgets) and the API documentation."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from oversight.models import CubeBuild
from portal.tenancy.models import CorporateGroup
from tests.oversight.test_oversight import YEAR, _build, _three_makers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Collects every violation the browser reports, before any script of the page runs.
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def _context(browser, live_server, user=None):
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.add_init_script(LISTEN)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "url": live_server.url,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                }
            ]
        )
    return context


def _visit(context, urls: list[str]) -> None:
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert "default-src 'self'" in (response.headers.get("content-security-policy") or ""), url
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__violations") == [], url
    assert refused == []


def test_no_page_breaks_the_content_security_policy(browser, live_server, inspector, operator):
    from passports.models import Passport

    _three_makers()
    _build()
    assert CubeBuild.objects.exists()
    passport = Passport.objects.first()
    group = CorporateGroup.objects.create(name="CSP Holding")
    company_admin = passport.organization.memberships.first().user
    pages = {
        None: ["/", "/accounts/login/", "/register/", f"/p/{passport.public_id}/", "/verify/", "/api/docs/"],
        company_admin: ["/dashboard/", "/passports/", "/exchange/parts/", "/end-of-life/transfers/new/"],
        inspector: [
            f"/oversight/materials/lithium/?year={YEAR}",
            "/oversight/materials/lithium/concentration/",
        ],
        operator: [
            "/admin/",
            f"/admin/tenancy/corporategroup/{group.pk}/change/",
            f"/admin/tenancy/organization/{passport.organization.pk}/change/",
        ],
    }
    for user, urls in pages.items():
        context = _context(browser, live_server, user)
        try:
            _visit(context, urls)
        finally:
            context.close()
