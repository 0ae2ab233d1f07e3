"""Every certification page for every audience: who reads it, who is refused (403), for whom the object does
not exist (404), and that anonymous visitors are sent to the login page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from ..audiences import (
    ADMIN_A,
    ANONYMOUS,
    AUDIENCES,
    INSPECTOR,
    LEAD,
    OPERATOR,
    OTHER_BODY,
    OTHER_COMPANY,
    REVIEWER,
    VIEWER_A,
)

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _status(browser, audience: str, url: str) -> int:
    response = browser(audience).get(url)
    if response.status_code == 302 and audience == ANONYMOUS:
        assert response["Location"].startswith(LOGIN), response["Location"]
    return response.status_code


def _check(browser, url: str, expected: dict[str, int]) -> None:
    got = {audience: _status(browser, audience, url) for audience in expected}
    assert got == expected, url


def test_application_list(browser, in_review):
    url = reverse("certification:application_list")
    _check(
        browser,
        url,
        {
            ADMIN_A: 200,
            VIEWER_A: 200,
            OTHER_COMPANY: 200,
            LEAD: 302,
            REVIEWER: 302,
            OTHER_BODY: 302,
            INSPECTOR: 404,
            ANONYMOUS: 302,
        },
    )
    reference = str(in_review.public_id)
    assert reference in browser(ADMIN_A).get(url).content.decode()
    assert reference in browser(VIEWER_A).get(url).content.decode()
    assert reference not in browser(OTHER_COMPANY).get(url).content.decode()
    assert browser(LEAD).get(url)["Location"] == reverse("certification:queue")


def test_apply_pages(browser, accredited):
    _check(
        browser,
        reverse("certification:application_create"),
        {
            ADMIN_A: 200,
            VIEWER_A: 403,
            OTHER_COMPANY: 200,
            LEAD: 403,
            REVIEWER: 403,
            OTHER_BODY: 403,
            INSPECTOR: 403,
            ANONYMOUS: 302,
        },
    )
    assert (
        browser(ADMIN_A).get(reverse("certification:application_create") + "?scheme=nope").status_code == 404
    )


def test_application_page(browser, in_review):
    _check(
        browser,
        reverse("certification:application_detail", args=[in_review.public_id]),
        {
            ADMIN_A: 200,
            VIEWER_A: 200,
            OTHER_COMPANY: 404,
            LEAD: 200,
            REVIEWER: 200,
            OTHER_BODY: 404,
            INSPECTOR: 404,
            ANONYMOUS: 302,
        },
    )
    assert (
        browser(OPERATOR)
        .get(reverse("certification:application_detail", args=[in_review.public_id]))
        .status_code
        == 404
    )


def test_a_draft_is_the_applicants_only(browser, draft):
    """The body sees an application once it is submitted; the draft's pages answer 404 to it."""
    for name in ("application_detail", "self_assessment", "application_edit", "application_submit"):
        expected = {ADMIN_A: 200, VIEWER_A: 403, OTHER_COMPANY: 404, LEAD: 404, REVIEWER: 404, ANONYMOUS: 302}
        if name in ("application_detail", "self_assessment"):
            expected[VIEWER_A] = 200  # read-only
        _check(browser, reverse(f"certification:{name}", args=[draft.public_id]), expected)
    _check(
        browser,
        reverse("certification:application_withdraw", args=[draft.public_id]),
        {ADMIN_A: 200, VIEWER_A: 403, OTHER_COMPANY: 404, LEAD: 404, ANONYMOUS: 302},
    )


def test_self_assessment_is_editable_only_by_the_admin_while_editable(browser, draft):
    url = reverse("certification:self_assessment", args=[draft.public_id])
    admin_page = browser(ADMIN_A).get(url).content.decode()
    viewer_page = browser(VIEWER_A).get(url).content.decode()
    assert 'name="answer_CX-BP-01"' in admin_page and 'type="file"' in admin_page
    assert 'name="answer_CX-BP-01"' not in viewer_page and 'type="file"' not in viewer_page
    assert "We meet CX-BP-01" in viewer_page


def test_pages_of_an_application_in_review(browser, in_review):
    """In review: the applicant reads, the body's members read, nobody edits the scope or re-submits."""
    _check(
        browser,
        reverse("certification:self_assessment", args=[in_review.public_id]),
        {
            ADMIN_A: 200,
            VIEWER_A: 200,
            OTHER_COMPANY: 404,
            LEAD: 200,
            REVIEWER: 200,
            OTHER_BODY: 404,
            INSPECTOR: 404,
        },
    )
    page = browser(ADMIN_A).get(reverse("certification:self_assessment", args=[in_review.public_id]))
    assert 'type="file"' not in page.content.decode()
    for name in ("application_edit", "application_submit"):
        _check(
            browser,
            reverse(f"certification:{name}", args=[in_review.public_id]),
            {ADMIN_A: 403, VIEWER_A: 403, OTHER_COMPANY: 404, LEAD: 403, OTHER_BODY: 404},
        )
    _check(
        browser,
        reverse("certification:application_withdraw", args=[in_review.public_id]),
        {ADMIN_A: 200, VIEWER_A: 403, OTHER_COMPANY: 404, LEAD: 403, OTHER_BODY: 404},
    )


def test_queue(browser, in_review):
    url = reverse("certification:queue")
    _check(
        browser,
        url,
        {
            ADMIN_A: 404,
            VIEWER_A: 404,
            OTHER_COMPANY: 404,
            LEAD: 200,
            REVIEWER: 200,
            OTHER_BODY: 200,
            INSPECTOR: 404,
            ANONYMOUS: 302,
        },
    )
    detail = reverse("certification:application_detail", args=[in_review.public_id])
    assert detail in browser(LEAD).get(url).content.decode()
    assert detail not in browser(OTHER_BODY).get(url).content.decode()


def test_workspace(browser, in_review):
    url = reverse("certification:review", args=[in_review.public_id])
    _check(
        browser,
        url,
        {
            ADMIN_A: 302,
            VIEWER_A: 302,
            OTHER_COMPANY: 404,
            LEAD: 200,
            REVIEWER: 200,
            OTHER_BODY: 404,
            INSPECTOR: 404,
            ANONYMOUS: 302,
        },
    )
    assert browser(ADMIN_A).get(url)["Location"] == reverse(
        "certification:application_detail", args=[in_review.public_id]
    )
    reviewer_page = browser(REVIEWER).get(url).content.decode()
    lead_page = browser(LEAD).get(url).content.decode()
    assert "Save verdicts" in reviewer_page and "Approve" in reviewer_page
    assert "Save verdicts" not in lead_page  # the lead reads; the assigned reviewer decides


def test_certificate_pages(browser, users, certificate):
    recognised = certificate.recognised.get()
    list_url = reverse("certification:certificate_list")
    expected = {
        ADMIN_A: 200,
        VIEWER_A: 200,
        OTHER_COMPANY: 200,
        LEAD: 200,
        REVIEWER: 200,
        OTHER_BODY: 200,
        INSPECTOR: 200,
        OPERATOR: 200,
        ANONYMOUS: 302,
    }
    _check(browser, list_url, expected)
    for audience, sees in {
        ADMIN_A: True,
        VIEWER_A: True,
        OTHER_COMPANY: False,
        LEAD: True,
        OTHER_BODY: False,
        INSPECTOR: True,
        OPERATOR: True,
    }.items():
        html = browser(audience).get(list_url).content.decode()
        assert (certificate.number in html) is sees, audience
        assert (recognised.number in html) is sees, audience
    for cert in (certificate, recognised):
        _check(
            browser,
            reverse("certification:certificate_detail", args=[cert.number]),
            {**expected, OTHER_COMPANY: 404, OTHER_BODY: 404},
        )


def test_certificate_actions_are_offered_to_whom_they_belong(browser, certificate):
    url = reverse("certification:certificate_detail", args=[certificate.number])
    lead_page = browser(LEAD).get(url).content.decode()
    admin_page = browser(ADMIN_A).get(url).content.decode()
    viewer_page = browser(VIEWER_A).get(url).content.decode()
    inspector_page = browser(INSPECTOR).get(url).content.decode()
    assert "Suspend" in lead_page and "Revoke" in lead_page and "Start the renewal" not in lead_page
    assert "Start the renewal" in admin_page and "Suspend" not in admin_page
    for page in (viewer_page, inspector_page):
        assert "Start the renewal" not in page and 'action="/certification/certificates/' not in page
    recognised_page = (
        browser(LEAD)
        .get(reverse("certification:certificate_detail", args=[certificate.recognised.get().number]))
        .content.decode()
    )
    assert "Suspend" not in recognised_page  # a recognised certificate follows its origin


def test_evidence_download(browser, evidence, in_review):
    url = reverse("certification:evidence_download", args=[in_review.public_id, evidence.public_id])
    _check(
        browser,
        url,
        {
            ADMIN_A: 200,
            VIEWER_A: 200,
            OTHER_COMPANY: 404,
            LEAD: 200,
            REVIEWER: 200,
            OTHER_BODY: 404,
            INSPECTOR: 404,
            ANONYMOUS: 302,
        },
    )
    response = browser(REVIEWER).get(url)
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    # Another application's id with this evidence id: not found.
    assert (
        browser(ADMIN_A)
        .get(url.replace(str(in_review.public_id), "00000000-0000-0000-0000-000000000000"))
        .status_code
        == 404
    )


def test_posts_of_outsiders_answer_404_and_change_nothing(browser, in_review):
    for audience in (OTHER_COMPANY, OTHER_BODY, INSPECTOR):
        client = browser(audience)
        for name, data in (
            ("application_submit", {"declaration_name": "X", "confirm": "on"}),
            ("application_withdraw", {"reason": "x"}),
            ("approve", {}),
            ("reject", {"reject-reason": "x"}),
            ("request_changes", {"changes-message": "x"}),
            ("assign", {"assign-reviewer": "1"}),
        ):
            response = client.post(reverse(f"certification:{name}", args=[in_review.public_id]), data)
            assert response.status_code == 404, (audience, name)
    in_review.refresh_from_db()
    assert in_review.state == "in_review"


@pytest.mark.parametrize("audience", AUDIENCES)
def test_dashboard_and_navigation(browser, audience, certificate):
    response = browser(audience).get("/dashboard/")
    if audience == ANONYMOUS:
        assert response.status_code == 302
        return
    html = response.content.decode()
    assert response.status_code == 200
    if audience in (ADMIN_A, VIEWER_A):
        assert reverse("certification:application_list") in html
        assert reverse("certification:certificate_list") in html
    if audience in (LEAD, REVIEWER):
        assert reverse("certification:queue") in html
    if audience == INSPECTOR:
        assert "2 certificates in the registry" in html


def test_criteria_in_the_visitors_language(browser, draft):
    client = browser(ADMIN_A)
    url = reverse("certification:self_assessment", args=[draft.public_id])
    criterion = draft.scheme.criteria.get(code="CX-BP-01")
    english = client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"  # the language switcher's choice
    japanese = client.get(url).content.decode()
    assert criterion.text in english and criterion.text_ja not in english
    assert criterion.text_ja in japanese
