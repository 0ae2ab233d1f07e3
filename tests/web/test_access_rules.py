"""One rule per model: `restrict(actor, action)` of memberships, sites, invitations, notifications and
audit entries says what the selectors list and the per-object policies answer, for every audience.

The expectations below are written from the product's rules (who sees and changes what), not copied from
the code; the selectors and policies are then checked to give exactly `restrict()`'s answer."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from portal.audit.models import AuditEvent
from portal.audit.selectors import audit_events_for
from portal.audit.services import audit_record
from portal.notifications import policies as notification_policies
from portal.notifications import selectors as notification_selectors
from portal.notifications.models import Notification
from portal.restrict import permits
from portal.tenancy import policies, selectors
from portal.tenancy.models import Invitation, Membership, OrganizationStatus, Role, Site
from tests.factories import OrganizationFactory, SiteFactory, member

pytestmark = pytest.mark.django_db

AUDIENCES = ["admin_a", "editor_a", "viewer_a", "admin_b", "lead", "pending_admin", "operator", "anonymous"]


@pytest.fixture
def world(company_a, company_b, admin_a, viewer_a, admin_b, certification_body, operator):
    editor_a = member(Role.EDITOR, company_a, username="editor-a")
    lead = member(Role.LEAD, certification_body, username="lead")
    pending = OrganizationFactory(status=OrganizationStatus.PENDING)
    pending_admin = member(Role.ADMIN, pending, username="pending-admin")
    for organization in (company_a, company_b, certification_body, pending):
        SiteFactory(organization=organization)
        Invitation.objects.create(
            organization=organization,
            email=f"new@{organization.pk}.example",
            role="admin" if organization != certification_body else "lead",
        )
        audit_record(actor=None, action="test.entry", organization=organization)
    audit_record(actor=None, action="test.platform")  # no organization: operators only
    users = {
        "admin_a": admin_a,
        "editor_a": editor_a,
        "viewer_a": viewer_a,
        "admin_b": admin_b,
        "lead": lead,
        "pending_admin": pending_admin,
        "operator": operator,
        "anonymous": AnonymousUser(),
    }
    for user in users.values():
        if user.is_authenticated:
            Notification.objects.create(recipient=user, event="test", title=f"for {user.username}")
    return {
        "users": users,
        "a": company_a,
        "b": company_b,
        "body": certification_body,
    }


def organizations_of(rows) -> set:
    return {row.organization_id for row in rows}


# Which organization's rows each audience may view and change, by the product's rules.
TENANT_ROWS = {
    # audience: (view, change members/invitations, change sites)
    "admin_a": ("a", "a", "a"),
    "editor_a": ("a", None, "a"),
    "viewer_a": ("a", None, None),
    "admin_b": ("b", "b", "b"),
    "lead": ("body", "body", "body"),
    "pending_admin": (None, None, None),  # a pending organization sees nothing yet
    "operator": (None, None, None),  # operators act in the admin, not through the portal's rules
    "anonymous": (None, None, None),
}


def expected(world, key: str | None) -> set:
    return set() if key is None else {world[key].pk}


@pytest.mark.parametrize("audience", AUDIENCES)
def test_membership_site_and_invitation_rules(world, audience):
    actor = world["users"][audience]
    view, manage, sites = TENANT_ROWS[audience]

    assert organizations_of(Membership.objects.restrict(actor, "view")) == expected(world, view)
    assert organizations_of(Membership.objects.restrict(actor, "change")) == expected(world, manage)
    assert organizations_of(Site.objects.restrict(actor, "view")) == expected(world, view)
    assert organizations_of(Site.objects.restrict(actor, "change")) == expected(world, sites)
    assert organizations_of(Invitation.objects.restrict(actor, "view")) == expected(world, view)
    assert organizations_of(Invitation.objects.restrict(actor, "change")) == expected(world, manage)

    # The selectors list exactly what the rule allows.
    assert set(selectors.members_for(actor=actor)) == set(Membership.objects.restrict(actor, "view"))
    assert set(selectors.sites_for(actor=actor)) == set(Site.objects.restrict(actor, "view"))
    assert set(selectors.open_invitations_for(actor=actor)) == set(Invitation.objects.restrict(actor, "view"))


@pytest.mark.parametrize("audience", AUDIENCES)
def test_per_object_policies_are_the_rule_asked_of_one_row(world, audience):
    actor = world["users"][audience]
    for site in Site.objects.all():
        assert policies.can_change_site(actor, site) == permits(actor, "change", site)
        assert (selectors.site_get(actor=actor, public_id=site.public_id) is not None) == permits(
            actor, "view", site
        )
    for invitation in Invitation.objects.all():
        assert policies.can_revoke_invitation(actor, invitation) == permits(actor, "change", invitation)
    for membership in Membership.objects.all():
        # Operators change memberships in the admin (through the same services), nobody else outside the rule.
        assert policies.can_change_member(actor, membership) == (
            audience == "operator" or permits(actor, "change", membership)
        )
        assert (selectors.member_get(actor=actor, public_id=membership.public_id) is not None) == permits(
            actor, "view", membership
        )


@pytest.mark.parametrize("audience", AUDIENCES)
def test_audit_log_rule(world, audience):
    actor = world["users"][audience]
    readable = set(AuditEvent.objects.restrict(actor, "view").values_list("action", "organization_id"))

    if audience == "operator":
        assert readable == set(AuditEvent.objects.values_list("action", "organization_id"))
        assert ("test.platform", None) in readable
    elif audience in ("admin_a", "admin_b", "lead"):
        # Managers read their own organization's entries, and nothing else.
        own = world["users"][audience].membership.organization_id
        assert readable == {("test.entry", own)}
    else:
        assert readable == set()
    assert set(audit_events_for(actor=actor)) == set(AuditEvent.objects.restrict(actor, "view"))
    if actor.is_authenticated:
        membership = getattr(actor, "membership", None)
        if membership is not None:
            # The page's check and the rule agree: the log is shown exactly to those who may read it.
            shows_log = policies.can_view_audit_log(actor, membership.organization)
            assert shows_log == (audience in ("admin_a", "admin_b", "lead"))


def test_the_audit_rule_uses_the_operator_policy(world, operator):
    """Staff who are no longer active are no operators: they read nothing, as `is_operator` says."""
    operator.is_active = False
    assert not policies.is_operator(operator)
    assert not AuditEvent.objects.restrict(operator, "view").exists()


@pytest.mark.parametrize("audience", AUDIENCES)
def test_notifications_are_their_recipient_s_alone(world, audience):
    actor = world["users"][audience]
    mine = set(Notification.objects.restrict(actor, "view").values_list("recipient_id", flat=True))
    assert mine == ({actor.pk} if actor.is_authenticated else set())
    assert set(notification_selectors.notifications_for(actor=actor)) == set(
        Notification.objects.restrict(actor, "view")
    )
    for notification in Notification.objects.all():
        assert notification_policies.can_read(actor, notification) == (notification.recipient_id == actor.pk)


def test_an_inactive_membership_sees_nothing(world, viewer_a):
    Membership.objects.filter(user=viewer_a).update(is_active=False)
    viewer_a.__dict__.pop("_passbridge_membership", None)
    assert not Membership.objects.restrict(viewer_a, "view").exists()
    assert not Site.objects.restrict(viewer_a, "view").exists()


def test_unknown_actions_are_refused(world, admin_a):
    with pytest.raises(ValueError, match="no action 'publish'"):
        Site.objects.restrict(admin_a, "publish")
    with pytest.raises(ValueError):
        AuditEvent.objects.restrict(admin_a, "change")


class TestVisibilityBeforeAction:
    """HTML routes that change a row: 404 when the reader may not see it, 403 when they may see it but not
    change it (a viewer of the same organization)."""

    @pytest.mark.parametrize("route", ["edit", "delete"])
    def test_sites(self, client, world, route):
        site = Site.objects.get(organization=world["a"])
        url = f"/organization/sites/{site.public_id}/{route}/"
        client.force_login(world["users"]["viewer_a"])
        assert client.post(url, {"name": "Viewer's"}).status_code == 403
        client.force_login(world["users"]["admin_b"])
        assert client.post(url, {"name": "Other's"}).status_code == 404
        site.refresh_from_db()
        assert site.name != "Viewer's" and site.name != "Other's"

    def test_members(self, client, world):
        membership = Membership.objects.get(user=world["users"]["editor_a"])
        url = f"/organization/members/{membership.public_id}/"
        client.force_login(world["users"]["viewer_a"])
        assert client.post(url, {"action": "deactivate"}).status_code == 403
        client.force_login(world["users"]["admin_b"])
        assert client.post(url, {"action": "deactivate"}).status_code == 404
        membership.refresh_from_db()
        assert membership.is_active
