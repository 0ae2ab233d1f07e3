"""The foundation's canary data: company A's identity, people, sites, invitations, tokens and audit log.

Who may see what (the foundation's confidentiality decisions):

* Company A's business identity (legal name, address, website, BPNL, LEI) and its sites: company A's
  members and the operator. There is no public directory or partner search yet, so no other company,
  certifier or authority sees them. The invitee sees the legal name of the company inviting them.
* Company A's people (usernames, e-mail addresses, names): company A's members and the operator.
* Open invitations (the invited e-mail address), the audit log (labels, details, IP addresses) and an
  administrator's API token names: company A's administrators and the operator (the token name: its
  owner, who is company A's administrator here). The invitee sees the address the link was sent to.
* Secrets (an API token's value and hash, a password hash, a confirmed TOTP seed): nobody.
"""

from __future__ import annotations

import base64
import secrets

from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import services as account_services
from portal.audit.context import current_ip
from portal.audit.selectors import audit_events_for
from portal.audit.services import audit_record
from portal.identifiers import ALPHABET
from portal.tenancy import services as tenancy_services
from portal.tenancy.models import Membership, Role
from tests.factories import make_bpn

from ..registry import (
    A_MANAGERS,
    A_SIDE,
    COMPANY_A,
    COMPANY_A_VIEWER,
    INVITEE,
    NOBODY,
    Marker,
    ParamValue,
    World,
    new_marker_value,
    register,
)

AUDIT_IP = "203.0.113.177"
#: The URLs that name the organization's own objects (sites, members, invitations) by id (and the
#: harness self-test's deliberately leaky site view, tests/canary/leaky_urls.py).
TENANCY_URLS = frozenset(
    {"tenancy:*", "api:site-*", "api:member-*", "api:organization-*", "canary-selftest-site"}
)
AUDIT_LOG = "/organization/audit/"
#: Entries per page of the audit log page (portal.tenancy.views.audit_log).
AUDIT_PAGE_SIZE = 50


def _random_lei() -> str:
    base = "5299" + "".join(secrets.choice(ALPHABET) for _ in range(14))
    digits = "".join(str(ALPHABET.index(char)) for char in base + "00")
    return f"{base}{98 - int(digits) % 97:02d}"


def _email(purpose: str) -> tuple[str, str]:
    local = new_marker_value(purpose).lower()
    return local, f"{local}@example.com"


def _person(world: World, audience: str, who: str) -> list[Marker]:
    user = world.users[audience]
    user.username = new_marker_value(f"{who}-username")
    email_marker, user.email = _email(f"{who}-email")
    user.first_name = new_marker_value(f"{who}-first")
    user.last_name = new_marker_value(f"{who}-last")
    user.save()
    return [
        Marker(user.username, f"company A {who}'s username", A_SIDE, expect_seen_by=A_MANAGERS),
        Marker(email_marker, f"company A {who}'s e-mail address", A_SIDE, expect_seen_by=A_SIDE),
        Marker(user.first_name, f"company A {who}'s first name", A_SIDE, expect_seen_by=A_SIDE),
        Marker(user.last_name, f"company A {who}'s last name", A_SIDE, expect_seen_by=A_SIDE),
    ]


def _organization(world: World) -> list[Marker]:
    org = world.company_a
    org.legal_name = new_marker_value("org-legal-name")
    org.street = new_marker_value("org-street")
    org.postal_code = new_marker_value("opc")
    org.city = new_marker_value("org-city")
    org.website = f"https://{new_marker_value('org-website').lower()}.example"
    org.bpnl = make_bpn("L", n=secrets.randbelow(36**9) + 36**8)
    org.lei = _random_lei()
    org.status_reason = new_marker_value("org-status-reason")
    org.full_clean()
    org.save()
    return [
        Marker(org.legal_name, "company A's legal name", A_SIDE | {INVITEE}, expect_seen_by=A_SIDE),
        Marker(org.street, "company A's street", A_SIDE, expect_seen_by=A_MANAGERS),
        Marker(org.postal_code, "company A's postal code", A_SIDE, expect_seen_by=A_MANAGERS),
        Marker(org.city, "company A's city", A_SIDE, expect_seen_by=A_MANAGERS),
        Marker(
            org.website.removeprefix("https://"), "company A's website", A_SIDE, expect_seen_by=A_MANAGERS
        ),
        Marker(org.bpnl, "company A's BPNL", A_SIDE, expect_seen_by=A_SIDE),
        Marker(org.lei, "company A's LEI", A_SIDE, expect_seen_by=A_SIDE),
        Marker(org.status_reason, "the operator's status reason for company A", A_SIDE),
    ]


def foundation_url_kwargs(world: World) -> dict[str, list[ParamValue]]:
    org = world.company_a
    admin, viewer = world.users[COMPANY_A], world.users[COMPANY_A_VIEWER]
    site, invitation = world.objects["site"], world.objects["invitation"]
    memberships = Membership.objects.filter(organization=org).select_related("user").order_by("pk")
    invitation_page = frozenset({"tenancy:invitation_accept"})
    reset_page = frozenset({"accounts:password_reset_confirm"})
    tenancy = TENANCY_URLS
    return {
        "public_id": [
            ParamValue(site.public_id, "company A's site", url_names=tenancy),
            ParamValue(invitation.public_id, "company A's invitation", url_names=tenancy),
            ParamValue(org.public_id, "company A", url_names=tenancy),
            *(
                ParamValue(m.public_id, f"company A's membership of {m.user.pk}", url_names=tenancy)
                for m in memberships
            ),
        ],
        "pk": [
            ParamValue(world.objects["api_token"].pk, "company A admin's API token"),
            ParamValue(world.objects["totp_device"].pk, "company A viewer's TOTP device"),
        ],
        "token": [
            ParamValue(
                tenancy_services.invitation_token(invitation),
                "valid link of company A's invitation",
                grants=frozenset({INVITEE}),
                url_names=invitation_page,
            ),
            ParamValue(
                signing.TimestampSigner(salt="canary.other-salt").sign(str(invitation.public_id)),
                "company A's invitation id signed for another purpose",
                url_names=invitation_page,
            ),
            ParamValue(
                str(invitation.public_id), "company A's invitation id, unsigned", url_names=invitation_page
            ),
            ParamValue(
                default_token_generator.make_token(admin),
                "valid reset token of A's admin",
                url_names=reset_page,
            ),
            ParamValue("set-password", "reset session token", url_names=reset_page),
        ],
        "uidb64": [
            ParamValue(urlsafe_base64_encode(force_bytes(user.pk)), f"company A user {user.pk}")
            for user in (admin, viewer)
        ],
        # Not URL parameters yet; filters of later list endpoints with these names get A's ids.
        "organization": [ParamValue(org.public_id, "company A")],
        "site": [ParamValue(site.public_id, "company A's site")],
    }


def foundation_extra_paths(world: World, markers: list[Marker]) -> list[str]:
    """Every page of company A's audit log: the later planters' entries push the planted one (with its
    IP address) off the first page, and the crawl follows no links."""
    count = audit_events_for(actor=world.users[COMPANY_A]).count()
    return [f"{AUDIT_LOG}?page={page}" for page in range(2, count // AUDIT_PAGE_SIZE + 2)]


@register("foundation", url_kwargs=foundation_url_kwargs, extra_paths=foundation_extra_paths)
def plant_foundation(world: World) -> list[Marker]:
    admin, viewer = world.users[COMPANY_A], world.users[COMPANY_A_VIEWER]
    markers = _organization(world)
    markers += _person(world, COMPANY_A, "admin")
    markers += _person(world, COMPANY_A_VIEWER, "viewer")
    org = world.company_a

    # Audit entries are written with the request's IP address; plant one of A's administrator.
    ip_token = current_ip.set(AUDIT_IP)
    try:
        site = tenancy_services.site_create(
            actor=admin,
            organization=org,
            data={
                "name": new_marker_value("site-name"),
                "street": new_marker_value("site-street"),
                "postal_code": new_marker_value("spc"),
                "city": new_marker_value("site-city"),
                "country": "DE",
                "bpn": make_bpn("S", n=secrets.randbelow(36**9) + 36**8),
            },
        )
        invitation_marker, invitation_email = _email("invitee-email")
        invitation = tenancy_services.invitation_create(
            actor=admin, organization=org, email=invitation_email, role=Role.EDITOR
        )
        token, token_value = account_services.api_token_create(
            actor=admin, name=new_marker_value("token-name")
        )
        audit_record(
            actor=admin,
            action="canary.recorded",
            organization=org,
            target=site,
            details={"note": (audit_detail := new_marker_value("audit-detail"))},
        )
    finally:
        current_ip.reset(ip_token)

    totp = TOTPDevice.objects.create(user=viewer, name="Phone", confirmed=True)
    password_hash = admin.password.rsplit("$", 1)[-1]

    markers += [
        Marker(site.name, "company A's site name", A_SIDE, expect_seen_by=A_SIDE),
        Marker(site.street, "company A's site street", A_SIDE, expect_seen_by=A_MANAGERS),
        Marker(site.postal_code, "company A's site postal code", A_SIDE, expect_seen_by=A_MANAGERS),
        Marker(site.city, "company A's site city", A_SIDE, expect_seen_by=A_SIDE),
        Marker(site.bpn, "company A's site BPNS", A_SIDE, expect_seen_by=A_SIDE),
        Marker(
            invitation_marker,
            "e-mail address of company A's open invitation",
            A_MANAGERS | {INVITEE},
            expect_seen_by=A_MANAGERS,
        ),
        Marker(token.name, "name of company A admin's API token", A_MANAGERS, expect_seen_by=A_MANAGERS),
        Marker(audit_detail, "details of company A's audit entry", A_MANAGERS),
        Marker(AUDIT_IP, "IP address in company A's audit log", A_MANAGERS, expect_seen_by=A_MANAGERS),
        # Secrets: never rendered, to anyone.
        Marker(token_value.removeprefix("pb_"), "value of company A admin's API token (secret)", NOBODY),
        Marker(token.key_hash, "hash of company A admin's API token (secret)", NOBODY),
        Marker(password_hash, "company A admin's password hash (secret)", NOBODY),
        Marker(totp.key, "company A viewer's TOTP seed, hex (secret)", NOBODY),
        Marker(
            base64.b32encode(totp.bin_key).decode().rstrip("="),
            "company A viewer's TOTP seed, base32 (secret)",
            NOBODY,
        ),
    ]
    world.objects.update(site=site, invitation=invitation, api_token=token, totp_device=totp)
    return markers
