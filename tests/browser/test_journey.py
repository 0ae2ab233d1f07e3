"""The foundation journey in a real browser: register, approval by an operator, language, invitation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import Page, expect

from portal.tenancy.models import Membership, Organization, OrganizationStatus, Role
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, UserFactory, make_bpn

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

LEGAL_NAME = "Browser Batteries GmbH"
ADMIN_USERNAME = "bb-admin"
ADMIN_EMAIL = "admin@browser-batteries.example"
COLLEAGUE_EMAIL = "colleague@browser-batteries.example"
INVITATION_LINK = re.compile(r"https?://\S+/invitations/[^\s/]+/")


def _ja_catalog_compiled() -> bool:
    return (Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.mo").exists()


def _register(page: Page, bpnl: str) -> None:
    page.goto("/register/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register your company")
    page.get_by_label("Your company is").select_option("economic_operator")
    page.get_by_label("Legal name").fill(LEGAL_NAME)
    page.get_by_label("Street and number").fill("Batteriestraße 7")
    page.get_by_label("Postal code").fill("38440")
    page.get_by_label("City").fill("Wolfsburg")
    page.get_by_label("Country").select_option("DE")
    page.get_by_label("Data spaces").select_option("catenax")
    page.get_by_label("BPNL").fill(bpnl)
    page.get_by_label("First name").fill("Berta")
    page.get_by_label("Last name").fill("Akku")
    page.get_by_label("Work e-mail address").fill(ADMIN_EMAIL)
    page.get_by_label("Username").fill(ADMIN_USERNAME)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_label("I am authorised to register this company").check()
    with page.expect_navigation(url=re.compile(r"/dashboard/$")):
        page.get_by_role("button", name="Register", exact=True).click()


def _approve_in_admin(page: Page) -> None:
    page.goto("/admin/")
    # The admin signs in through the portal's login (which asks for an authenticator code where required).
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fadmin%2F"))
    page.locator("#id_username").fill("operator")
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation(url=re.compile(r"/admin/$")):
        page.locator("form:has(#id_password) [type=submit]").click()

    page.goto("/admin/tenancy/organization/?status__exact=pending")
    page.get_by_role("checkbox", name=f"Select this object for an action - {LEGAL_NAME}").check()
    page.get_by_role("combobox", name=re.compile(r"^Action")).select_option(
        label="Approve selected organizations"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("1 organization approved.")).to_be_visible()


def _switch_language(page: Page, code: str) -> None:
    """Pick the language in the header switcher: it submits itself with JavaScript, or via its button."""
    page.locator("select#language-select").select_option(code)
    html = page.locator("html")
    try:
        expect(html).to_have_attribute("lang", code, timeout=3_000)
    except AssertionError:
        with page.expect_navigation():
            page.locator("form:has(select#language-select) [type=submit]").click()
    expect(html).to_have_attribute("lang", code)


def test_register_approve_switch_language_and_invite(new_page, live_server, settings, tmp_path):
    settings.SITE_URL = live_server.url  # links in e-mails point at the live server
    UserFactory(username="operator", is_staff=True, is_superuser=True)
    bpnl = make_bpn()

    # (1) An anonymous visitor registers the company and sees that it is pending.
    visitor = new_page()
    _register(visitor, bpnl)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Registration status")
    expect(visitor.get_by_text("Pending approval")).to_be_visible()
    expect(visitor.get_by_text("Your registration was received.")).to_be_visible()
    org = Organization.objects.get(legal_name=LEGAL_NAME)
    assert org.status == OrganizationStatus.PENDING
    assert org.bpnl == bpnl
    assert Membership.objects.get(organization=org).role == Role.ADMIN
    visitor.context.close()

    # (2) A platform operator approves it with the admin action.
    operator = new_page()
    _approve_in_admin(operator)
    org.refresh_from_db()
    assert org.status == OrganizationStatus.ACTIVE
    assert org.decision_notified_at is not None
    assert [m.to for m in mail.outbox if LEGAL_NAME in m.subject and "approved" in m.subject] == [
        [ADMIN_EMAIL]
    ]

    # (3) The new administrator logs in, sees the company dashboard and switches to Japanese.
    admin = new_page()
    log_in(admin, ADMIN_USERNAME, PASSWORD)
    expect(admin.get_by_role("heading", level=1)).to_have_text(LEGAL_NAME)
    expect(admin.locator("html")).to_have_attribute("lang", "en")
    expect(admin.get_by_role("link", name="Dashboard", exact=True)).to_be_visible()
    _switch_language(admin, "ja")
    expect(admin).to_have_url(re.compile(r"/dashboard/$"))
    expect(admin.locator("select#language-select")).to_have_value("ja")
    expect(admin.get_by_role("heading", level=1)).to_have_text(LEGAL_NAME)
    if _ja_catalog_compiled():
        expect(admin.get_by_role("link", name="ダッシュボード", exact=True)).to_be_visible()
        expect(admin.get_by_role("link", name="Dashboard", exact=True)).to_have_count(0)

    # (4) The administrator invites a colleague (the page is in Japanese now: select by field ids).
    admin.goto("/organization/members/")
    expect(admin.locator("html")).to_have_attribute("lang", "ja")
    invite_form = admin.locator("form:has(#id_email)")
    invite_form.locator("#id_email").fill(COLLEAGUE_EMAIL)
    invite_form.locator("#id_role").select_option(Role.EDITOR)
    with admin.expect_navigation(url=re.compile(r"/organization/members/")):
        invite_form.locator("button[type=submit]").click()
    expect(admin.get_by_role("row").filter(has_text=COLLEAGUE_EMAIL)).to_have_count(1)  # open invitations

    [invitation_mail] = [m for m in mail.outbox if m.to == [COLLEAGUE_EMAIL]]
    assert LEGAL_NAME in invitation_mail.subject
    link = INVITATION_LINK.search(invitation_mail.body).group(0)
    assert link.startswith(live_server.url)

    colleague = new_page()
    colleague.goto(link)
    expect(colleague.get_by_role("heading", level=1)).to_have_text(f"Join {LEGAL_NAME}")
    colleague.get_by_label("First name").fill("Carl")
    colleague.get_by_label("Last name").fill("Kollege")
    colleague.get_by_label("Username").fill("bb-colleague")
    colleague.get_by_label("Password", exact=True).fill(PASSWORD)
    colleague.get_by_label("Repeat the password").fill(PASSWORD)
    with colleague.expect_navigation(url=re.compile(r"/dashboard/$")):
        colleague.get_by_role("button", name="Create account and join").click()
    expect(colleague.get_by_role("heading", level=1)).to_have_text(LEGAL_NAME)
    expect(colleague.get_by_text(f"Welcome to {LEGAL_NAME}.")).to_be_visible()
    membership = Membership.objects.select_related("user").get(user__username="bb-colleague")
    assert membership.organization_id == org.pk
    assert membership.role == Role.EDITOR
    assert membership.user.email == COLLEAGUE_EMAIL

    # The administrator's members page lists the colleague; the invitation is no longer open.
    admin.goto("/organization/members/")
    member_rows = admin.get_by_role("row").filter(has_text=COLLEAGUE_EMAIL)
    expect(member_rows).to_have_count(1)
    expect(member_rows).to_contain_text("Carl Kollege")

    screenshot = tmp_path / "members.png"
    admin.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 5_000
