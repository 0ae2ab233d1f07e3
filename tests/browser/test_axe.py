"""No serious or critical WCAG 2.0/2.1 A and AA violation on the public pages and each role's home (issue 16).

axe-core comes from its package (`axe-playwright-python`, which bundles axe.min.js), never from a CDN: the
wrapper evaluates the script and `axe.run` in the page through Playwright's `page.evaluate`, which runs as
the browser's DevTools protocol and is not subject to the page's Content-Security-Policy (no inline script,
no `unsafe-eval`): the pages are checked with their real policy, no `bypass_csp`.

One demo world (`load_demo` with a recycler's login and a registration waiting for the operator, as the role
pages test builds it) is loaded once for the module and every page is checked in the module's fixture, in
one browser context per person; the tests only read what it recorded (a transactional test empties the
database when it ends), one test per page so that a failure names the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from certification.models import Certificate, CertificateStatus
from passports import selectors

from .demo_world import demo_world
from .phone import DESKTOP, user_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("axe"),
]

#: WCAG 2.0 and 2.1, levels A and AA.
OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}

#: The public pages, by name -> path (`{passport}` and `{certificate}` filled in from the demo).
PUBLIC = {
    "home": "/",
    "login": "/accounts/login/",
    "register": "/register/",
    "passport": "/p/{passport}/",
    "verify-certificate": "/verify/{certificate}/",
    "passport-lookup": "/p/lookup/",
}
#: Each role's demo person, whose home (the dashboard) is checked.
ROLES = {
    "company": "eu-maker",
    "supplier": "supplier",
    "certifier": "certifier-eu",
    "regulator": "regulator",
    "recycler": "recycler",
    "operator": "operator",
}
#: What is checked in Japanese too.
JAPANESE_PUBLIC = ["passport"]
JAPANESE_ROLES = ["company", "regulator"]

PAGES = [f"en-{name}" for name in PUBLIC] + [f"en-home-{role}" for role in ROLES]
PAGES += [f"ja-{name}" for name in JAPANESE_PUBLIC] + [f"ja-home-{role}" for role in JAPANESE_ROLES]


#: Proof that the check sees what it should, under the page's policy: grey on white (about 1.6:1) and an
#: image without a text alternative, added through the CSSOM and DOM (a style attribute in markup would be
#: refused by the policy's style-src).
PLANTED = """() => {
  const text = document.createElement('p');
  text.id = 'axe-planted-text';
  text.textContent = 'Hard to read';
  text.style.color = '#dddddd';
  text.style.backgroundColor = '#ffffff';
  const image = document.createElement('img');
  image.id = 'axe-planted-image';
  image.src = '/static/img/logo.svg';
  document.querySelector('main').append(text, image);
}"""


@dataclass
class Checked:
    status: int
    lang: str
    applied: set[str]  # the rules that found something to check on the page (passed or violated)
    violations: list[dict]


def _axe(page) -> tuple[set[str], list[dict]]:
    response = Axe().run(page, options=OPTIONS).response
    return {rule["id"] for rule in response["passes"] + response["violations"]}, response["violations"]


def _check(page, path: str) -> Checked:
    response = page.goto(path)
    applied, violations = _axe(page)
    lang = page.locator("html").get_attribute("lang") or ""
    return Checked(response.status if response else 0, lang, applied, violations)


def _anonymous_page(browser, live_server, language: str):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=DESKTOP)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    return context


def _demo_paths() -> dict[str, str]:
    passport = selectors.public_passports().order_by("created_at").first()
    certificate = Certificate.objects.filter(status=CertificateStatus.VALID).order_by("number").first()
    assert passport is not None and certificate is not None, "the demo has no public passport or certificate"
    return {
        name: path.format(passport=passport.public_id, certificate=certificate.number)
        for name, path in PUBLIC.items()
    }


@pytest.fixture(scope="module")
def results(browser, live_server, django_db_setup, django_db_blocker) -> Iterator[dict]:
    """page name -> what axe found there, checked once for the module."""
    found: dict[str, Checked] = {}
    with demo_world(live_server, django_db_blocker, ROLES.values()) as people:
        paths = _demo_paths()
        for language, names in (("en", list(PUBLIC)), ("ja", JAPANESE_PUBLIC)):
            context = _anonymous_page(browser, live_server, language)
            try:
                page = context.new_page()
                for name in names:
                    found[f"{language}-{name}"] = _check(page, paths[name])
                if language == "en":
                    page.goto("/")
                    page.evaluate(PLANTED)
                    found["planted"] = Checked(200, "en", *_axe(page))
            finally:
                context.close()
        for role, username in ROLES.items():
            for language in ["en"] + (["ja"] if role in JAPANESE_ROLES else []):
                with user_page(
                    browser, live_server, people[username], viewport=DESKTOP, language=language
                ) as page:
                    found[f"{language}-home-{role}"] = _check(page, "/dashboard/")
    yield found


def _report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [", ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        more = len(violation["nodes"]) - len(targets)
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"    {'; '.join(targets)}" + (f" (and {more} more)" if more > 0 else "")
        )
    return "\n".join(lines)


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violation(results, name):
    checked = results[name]
    assert checked.status == 200, f"{name} answered {checked.status}"
    assert checked.lang == name.split("-", 1)[0], f"{name} is served in {checked.lang!r}"
    # Guards against a vacuous pass (axe finding nothing to check): every page has text and links.
    assert {"color-contrast", "link-name", "html-has-lang", "document-title"} <= checked.applied, name
    blocking = [violation for violation in checked.violations if violation["impact"] in BLOCKING]
    assert not blocking, f"{name}: serious or critical WCAG A/AA violations:\n{_report(blocking)}"


def test_forms_are_checked_for_labels(results):
    for name in ("en-login", "en-register", "en-passport-lookup"):
        assert "label" in results[name].applied, name


def test_the_check_finds_planted_violations(results):
    """axe runs under the portal's Content-Security-Policy and reports what the tests above must refuse."""
    found = {
        (violation["id"], violation["impact"], target)
        for violation in results["planted"].violations
        for node in violation["nodes"]
        for target in node["target"]
    }
    assert ("color-contrast", "serious", "#axe-planted-text") in found, found
    assert ("image-alt", "critical", "#axe-planted-image") in found, found
