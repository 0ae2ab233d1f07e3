"""The one access rule of certification (`certification/access.py`), per audience and action: what
`restrict()` lists, and that the per-object policies answer the same (they ask the rule of one row)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from certification import policies, selectors
from certification.bundles.models import CertificateBundle
from certification.models import Application, Certificate, Evidence
from portal.restrict import permits

from .audiences import ADMIN_A, INSPECTOR, LEAD, OPERATOR, OTHER_BODY, OTHER_COMPANY, REVIEWER, VIEWER_A
from .conftest import approve

pytestmark = pytest.mark.django_db

EVERYONE = (ADMIN_A, VIEWER_A, OTHER_COMPANY, LEAD, REVIEWER, OTHER_BODY, INSPECTOR, OPERATOR)

APPLICATION_IN_REVIEW = {
    "view": {ADMIN_A, VIEWER_A, LEAD, REVIEWER},
    "manage": {ADMIN_A},
    "change": set(),  # in review: nobody edits
    "lead": {LEAD},
    "assign": {LEAD},
    "review": {REVIEWER},
    "decide": {REVIEWER},
    "reject": {REVIEWER},
}
APPLICATION_DRAFT = {
    "view": {ADMIN_A, VIEWER_A},
    "manage": {ADMIN_A},
    "change": {ADMIN_A},
    "lead": {LEAD},  # the role only (the service answers the state); the draft is invisible to the body
    "assign": set(),
    "review": set(),
    "decide": set(),
    "reject": set(),
}
CERTIFICATE = {
    "view": {ADMIN_A, VIEWER_A, LEAD, REVIEWER, INSPECTOR, OPERATOR},
    "change_status": {LEAD, REVIEWER},  # the body's lead and the reviewer who issued it
    "renew": {ADMIN_A},
    "access_log": {ADMIN_A, OPERATOR},
}


def _who(users, model, obj, action: str) -> set[str]:
    listed = {a for a in EVERYONE if model.objects.restrict(users[a], action).filter(pk=obj.pk).exists()}
    asked = {a for a in EVERYONE if permits(users[a], action, obj)}
    assert listed == asked, action  # the per-object answer is the rule's
    assert not model.objects.restrict(AnonymousUser(), action).exists()
    assert not model.objects.restrict(None, action).exists()
    return listed


def test_application_in_review(users, in_review):
    for action, expected in APPLICATION_IN_REVIEW.items():
        assert _who(users, Application, in_review, action) == expected, action


def test_draft(users, draft):
    for action, expected in APPLICATION_DRAFT.items():
        assert _who(users, Application, draft, action) == expected, action


def test_evidence_follows_its_application(users, draft, admin_a):
    from certification import services

    from .web.conftest import pdf

    evidence = services.evidence_add(
        actor=admin_a, application=draft, criterion=draft.scheme.criteria.first(), upload=pdf()
    )
    assert _who(users, Evidence, evidence, "view") == {ADMIN_A, VIEWER_A}
    assert _who(users, Evidence, evidence, "change") == {ADMIN_A}
    services.application_submit(actor=admin_a, application=draft, declaration_name="Anna Admin")
    assert _who(users, Evidence, evidence, "view") == {ADMIN_A, VIEWER_A, LEAD, REVIEWER}
    assert _who(users, Evidence, evidence, "change") == set()


def test_certificate_and_its_recognised_one(users, in_review):
    certificate = approve(in_review, users[REVIEWER])
    recognised = certificate.recognised.get()
    for action, expected in CERTIFICATE.items():
        assert _who(users, Certificate, certificate, action) == expected, action
        # A recognised certificate has the same holder and issuing body: the same readers and roles; the
        # services refuse to change or renew it on its own (it follows its origin).
        assert _who(users, Certificate, recognised, action) == expected, action
    assert not policies.can_change_certificate_status(users[LEAD], recognised)
    assert policies.can_change_certificate_status(users[LEAD], certificate)
    assert not policies.can_renew(users[ADMIN_A], recognised)


def test_selectors_use_the_rule(users, in_review):
    for audience in EVERYONE:
        user = users[audience]
        assert set(selectors.applications_for(actor=user)) == set(Application.objects.restrict(user, "view"))


def test_a_bundle_is_its_requesters_alone(users, inspector):
    bundle = CertificateBundle.objects.create(
        requested_by=inspector, total=1, certificate_ids=[1], expires_at=timezone.now()
    )
    assert {a for a in EVERYONE if permits(users[a], "view", bundle)} == {INSPECTOR}
    assert list(CertificateBundle.objects.restrict(AnonymousUser(), "view")) == []


def test_an_unknown_action_is_an_error(users):
    with pytest.raises(ValueError):
        Application.objects.restrict(users[ADMIN_A], "publish")
