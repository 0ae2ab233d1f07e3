"""Need to know: the reviewer's workspace shows the confidential supply chain of the battery models in scope
while the body's review is open (the owner's live data), and no longer once it has closed (the body then
reads the snapshot of the values it reviewed, without the supply chain); nobody else ever sees it there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ..audiences import ADMIN_A, INSPECTOR, LEAD, OTHER_BODY, OTHER_COMPANY, REVIEWER, VIEWER_A
from ..conftest import SUPPLIER_MARKER, approve

pytestmark = pytest.mark.django_db


def _workspace(browser, audience, application):
    return browser(audience).get(reverse("certification:review", args=[application.public_id]))


def test_not_before_the_review_opens(browser, submitted):
    page = _workspace(browser, LEAD, submitted).content.decode()
    assert "Certified Pack 80" in page  # the model's public facts
    assert SUPPLIER_MARKER not in page and "1234.5" not in page


def test_shown_while_open_and_gone_after_approval(browser, in_review, users):
    for audience in (REVIEWER, LEAD):
        page = _workspace(browser, audience, in_review).content.decode()
        assert SUPPLIER_MARKER in page, audience
        assert "Supply chain (confidential)" in page
        assert 'id="review-snapshot"' not in page
    approve(in_review, users[REVIEWER])
    for audience in (REVIEWER, LEAD):
        response = _workspace(browser, audience, in_review)
        assert response.status_code == 200
        page = response.content.decode()
        assert 'id="review-snapshot"' in page and "As reviewed on" in page, audience
        assert SUPPLIER_MARKER not in page and "1234.5" not in page, audience


def test_gone_after_withdrawal_and_the_snapshot_has_none(browser, in_review, users):
    from certification import services
    from certification.models import ReviewSnapshot

    services.application_withdraw(actor=users[ADMIN_A], application=in_review)
    page = _workspace(browser, REVIEWER, in_review).content.decode()
    assert 'id="review-snapshot"' in page
    assert SUPPLIER_MARKER not in page
    assert SUPPLIER_MARKER not in str(ReviewSnapshot.objects.get(application=in_review).data)


def test_never_on_other_pages_or_for_other_audiences(browser, in_review):
    for audience in (ADMIN_A, VIEWER_A, OTHER_COMPANY, OTHER_BODY, INSPECTOR):
        for name in ("application_detail", "review", "self_assessment"):
            response = browser(audience).get(reverse(f"certification:{name}", args=[in_review.public_id]))
            assert SUPPLIER_MARKER not in response.content.decode(), (audience, name)
    detail = browser(REVIEWER).get(reverse("certification:application_detail", args=[in_review.public_id]))
    assert SUPPLIER_MARKER not in detail.content.decode()  # only the workspace renders passport data


def test_certificate_pages_carry_no_passport_values(browser, in_review, users):
    certificate = approve(in_review, users[REVIEWER])
    for audience in (ADMIN_A, LEAD, INSPECTOR):
        for cert in (certificate, certificate.recognised.get()):
            page = browser(audience).get(reverse("certification:certificate_detail", args=[cert.number]))
            html = page.content.decode()
            assert SUPPLIER_MARKER not in html and "Certified Pack 80" in html
