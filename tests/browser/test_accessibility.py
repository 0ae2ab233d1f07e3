"""Accessibility smoke test of the public pages: labelled form controls, one <h1>, a page language."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

UNLABELLED_CONTROLS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter((el) => !['hidden', 'submit', 'button', 'reset', 'image'].includes((el.type || '').toLowerCase()))
  .filter((el) => el.name !== 'csrfmiddlewaretoken')
  .filter((el) => {
    const labelText = Array.from(el.labels || []).map((label) => label.textContent.trim()).join('');
    const ariaLabel = (el.getAttribute('aria-label') || '').trim();
    const labelledBy = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
      .map((id) => (document.getElementById(id) || {}).textContent || '').join('').trim();
    return !(labelText || ariaLabel || labelledBy);
  })
  .map((el) => el.outerHTML.slice(0, 200))
"""
CONTROL_COUNT = "() => document.querySelectorAll('input:not([type=hidden]), select, textarea').length"


@pytest.mark.parametrize(
    ("path", "min_controls"),
    [("/", 1), ("/accounts/login/", 3), ("/register/", 15)],
    ids=["home", "login", "register"],
)
def test_public_page_basics(page: Page, path: str, min_controls: int):
    response = page.goto(path)
    assert response is not None and response.status == 200

    assert page.evaluate(UNLABELLED_CONTROLS) == []
    # The count guards against a vacuous pass (the language switcher is on every page).
    assert page.evaluate(CONTROL_COUNT) >= min_controls
    assert page.locator("h1").count() == 1
    assert page.locator("h1").inner_text().strip()
    lang = page.locator("html").get_attribute("lang")
    assert lang == "en"
    assert page.title().strip()
