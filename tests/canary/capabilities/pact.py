"""The PACT clients' canary data: company A's administrator registered a partner system, with the
credentials that partner issued to the portal for its own token endpoint.

Who may see what (`pact/access.py`):

* The client's name and callback URL: company A's administrators (the clients page; viewers are refused)
  and the operator, who reads the client's label in A's audit log as for every audited object.
* The client id and secret the partner issued to the portal: nobody. The secret is sealed at rest
  (`portal.sealed`) and neither is shown on any page or API: they are only presented to the partner.

Positive control: company A's administrator sees the client's name and callback on the clients page.
"""

from __future__ import annotations

from pact import services

from ..registry import COMPANY_A, OPERATOR, Marker, World, new_marker_value, register


@register("pact")
def plant_pact_client(world: World) -> list[Marker]:
    name = new_marker_value("pact-client-name")
    callback_path = new_marker_value("pact-callback")
    partner_id = new_marker_value("pact-partner-id")
    partner_secret = new_marker_value("pact-partner-secret")
    client, _secret = services.client_create(
        actor=world.users[COMPANY_A],
        name=name,
        callback_url=f"https://partner.example/{callback_path}",
        partner_client_id=partner_id,
        partner_secret=partner_secret,
    )
    world.objects["pact_client"] = client
    admins = frozenset({COMPANY_A})
    return [
        Marker(name, "pact: company A's client name", admins | {OPERATOR}, expect_seen_by=admins),
        Marker(
            callback_path, "pact: company A's client callback", admins | {OPERATOR}, expect_seen_by=admins
        ),
        Marker(partner_id, "pact: client id the partner issued to the portal", frozenset()),
        Marker(partner_secret, "pact: secret the partner issued to the portal", frozenset()),
    ]
