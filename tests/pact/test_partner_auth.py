"""Events to a partner carry a bearer token from the partner's own token endpoint (client credentials the
partner issued to the portal, sealed at rest), found by OpenID discovery on the callback host or at
<callback>/auth/token; a refused or expired token is asked for again, never a reason to send without."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command

from pact import services, tasks
from pact.models import DeliveryKind, DeliveryState, PactClient, PactDelivery
from portal.sealed import Unsealable, seal, unseal

pytestmark = pytest.mark.django_db

PARTNER_ID = "passbridge-at-partner"
PARTNER_SECRET = "partner-issued-secret-0123456789"


def _with_partner_credentials(world, partner_server, settings) -> PactClient:
    settings.PACT_ALLOW_PRIVATE_CALLBACKS = True
    partner_server.credentials = f"{PARTNER_ID}:{PARTNER_SECRET}"
    client, _created = services.client_save(
        actor=None,
        organization=world.client.organization,
        client_id=world.client.client_id,
        secret="a-new-secret-for-the-partner-0123",
        callback_url=partner_server.url,
        name="Partner",
        partner_client_id=PARTNER_ID,
        partner_secret=PARTNER_SECRET,
    )
    return client


def _delivery(client: PactClient, answer) -> PactDelivery:
    return PactDelivery.objects.create(client=client, kind=DeliveryKind.PUBLISHED, answer=answer)


def test_events_carry_the_partners_token_obtained_once(world, partner_server, settings):
    client = _with_partner_credentials(world, partner_server, settings)
    for _ in range(2):
        delivery = _delivery(client, world.answer)
        assert tasks.attempt(delivery.pk) is None
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.SENT, delivery.last_error

    assert len(partner_server.token_requests) == 1  # cached until shortly before it expires
    path, headers, body = partner_server.token_requests[0]
    assert path == "/pact/auth/token" and body == "grant_type=client_credentials"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert [h["Authorization"] for _p, h, _b in partner_server.received] == ["Bearer partner-token-1"] * 2


def test_refused_credentials_keep_the_event_pending_with_the_reason(world, partner_server, settings):
    client = _with_partner_credentials(world, partner_server, settings)
    partner_server.credentials = f"{PARTNER_ID}:another-secret"
    delivery = _delivery(client, world.answer)

    assert tasks.attempt(delivery.pk) > 0  # retried with back-off
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING
    assert delivery.last_error == "authentication at the partner: token endpoint answered HTTP 401"
    assert partner_server.received == []  # never sent without a token


def test_a_token_refused_by_the_partner_is_asked_for_again(world, partner_server, settings):
    client = _with_partner_credentials(world, partner_server, settings)
    assert tasks.attempt(_delivery(client, world.answer).pk) is None
    partner_server.statuses = [401]  # the partner revoked the token it issued
    delivery = _delivery(client, world.answer)
    assert tasks.attempt(delivery.pk) > 0
    assert tasks.attempt(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert partner_server.received[-1][1]["Authorization"] == "Bearer partner-token-2"


def test_openid_discovery_on_the_same_host_is_followed_and_elsewhere_is_not(world, partner_server, settings):
    client = _with_partner_credentials(world, partner_server, settings)
    origin = partner_server.url.removesuffix("/pact")
    partner_server.token_endpoint = origin + "/oauth2/token"
    assert tasks.attempt(_delivery(client, world.answer).pk) is None
    assert partner_server.token_requests[-1][0] == "/oauth2/token"

    cache.clear()
    partner_server.token_endpoint = "http://attacker.example/token"  # would receive the secret
    assert tasks.attempt(_delivery(client, world.answer).pk) is None
    assert partner_server.token_requests[-1][0] == "/pact/auth/token"


def test_the_secret_is_sealed_at_rest(world, partner_server, settings):
    client = _with_partner_credentials(world, partner_server, settings)
    stored = PactClient.objects.values_list("partner_secret_sealed", flat=True).get(pk=client.pk)
    assert PARTNER_SECRET not in stored
    assert unseal(stored) == PARTNER_SECRET

    settings.SECRET_KEY = "a-rotated-secret-key-" + "x" * 40
    with pytest.raises(Unsealable):
        unseal(stored)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY, "a-key-that-never-sealed-anything"]
    assert unseal(seal("readable under a fallback")) == "readable under a fallback"


def test_a_rotated_key_asks_for_the_credentials_again(world, partner_server, settings):
    client = _with_partner_credentials(world, partner_server, settings)
    settings.SECRET_KEY = "a-rotated-secret-key-" + "y" * 40
    delivery = _delivery(client, world.answer)
    assert tasks.attempt(delivery.pk) > 0
    delivery.refresh_from_db()
    assert "cannot be read: enter them again" in delivery.last_error


def test_without_credentials_no_token_is_asked_for(world, partner_server, settings):
    settings.PACT_ALLOW_PRIVATE_CALLBACKS = True
    world.client.callback_url = partner_server.url
    world.client.save(update_fields=["callback_url"])
    assert tasks.attempt(_delivery(world.client, world.answer).pk) is None
    assert partner_server.token_requests == []
    assert "Authorization" not in partner_server.received[0][1]


@pytest.mark.parametrize(
    ("partner_id", "partner_secret", "field"),
    [
        ("someone", "", "partner_client_secret"),
        ("", "a-secret", "partner_client_id"),
        ("x" * 201, "s", "partner_client_id"),
    ],
)
def test_credentials_come_as_a_pair(world, partner_id, partner_secret, field):
    with pytest.raises(ValidationError) as refused:
        services.client_save(
            actor=None,
            organization=world.client.organization,
            client_id="another-client",
            secret="another-secret-0123456789",
            callback_url="https://partner.example/pact",
            partner_client_id=partner_id,
            partner_secret=partner_secret,
        )
    assert field in refused.value.message_dict
    assert not PactClient.objects.filter(client_id="another-client").exists()


def test_the_command_line_takes_the_partner_credentials(world):
    organization = world.client.organization
    call_command(
        "pact_client",
        organization=organization.bpnl or organization.corporate_number,
        client_id="cli-client",
        client_secret="cli-secret-0123456789abc",
        callback="https://partner.example/pact",
        partner_client_id=PARTNER_ID,
        partner_client_secret=PARTNER_SECRET,
    )
    client = PactClient.objects.get(client_id="cli-client")
    assert client.partner_client_id == PARTNER_ID and unseal(client.partner_secret_sealed) == PARTNER_SECRET
