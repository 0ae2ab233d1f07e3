"""Every write of the PACT host system: clients, tokens, inbound events and the events owed to clients.

A PACT client never writes through the exchange's rules (they only let people write); the one write it
causes, a data request to a supplier, is `request_from_client` here, which checks the same conditions as
`exchange.services.send_request` for the company the client acts for.
"""

from __future__ import annotations

import datetime
import ipaddress
import secrets
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange import notices as exchange_notices
from exchange.models import Answer, DataRequest, Part, PartKind, RequestState
from portal.audit.services import audit_record
from portal.restrict import visible_then_permitted
from portal.sealed import seal
from portal.tenancy.models import COMPANY_KINDS, Organization

from . import events, selectors
from .access import managed_company
from .footprints import Criteria, apply_criteria, buyer_part_id, company_lookup, parse_criteria
from .models import (
    DeliveryKind,
    PactClient,
    PactDelivery,
    PactInboundEvent,
    PactRequest,
    PactRequestState,
)
from .tokens import hash_secret

MIN_SECRET_LENGTH = 16
#: Days a supplier gets to answer a request that came in through PACT.
REQUEST_DUE_DAYS = 30


# --- clients --------------------------------------------------------------------------------------------


def allow_plain_callbacks() -> bool:
    """Tests and local development may register http:// callbacks on private hosts
    (`PACT_ALLOW_PRIVATE_CALLBACKS`; by default only when `DEBUG` is on, as `PACT_REQUIRE_HTTPS` is off
    then: a partner system or conformance suite on the developer's machine gets its events)."""
    return bool(getattr(settings, "PACT_ALLOW_PRIVATE_CALLBACKS", settings.DEBUG))


def check_callback_url(value: str) -> str:
    """An https URL naming a host, without credentials, query or fragment: the partner's base URL (its
    `/3/events` is reached under it) whose host is also the only accepted event source."""
    url = (value or "").strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ValidationError(_("Enter a valid URL."), code="invalid") from None
    allowed = ("https", "http") if allow_plain_callbacks() else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise ValidationError(_("The callback must be an https:// URL."), code="https")
    if parts.username or parts.password or parts.query or parts.fragment or len(url) > 300:
        raise ValidationError(
            _("The callback URL must not contain credentials, a query or a fragment."), code="invalid"
        )
    if not allow_plain_callbacks():
        host = parts.hostname
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if host == "localhost" or (address is not None and not address.is_global):
            raise ValidationError(_("The callback must be a public host."), code="private")
    return url


def _check_secret(secret: str) -> str:
    if len(secret or "") < MIN_SECRET_LENGTH or len(secret) > 200 or "\x00" in secret:
        raise ValidationError(
            _("The client secret must have %(count)d to 200 characters.") % {"count": MIN_SECRET_LENGTH},
            code="secret",
        )
    return secret


def _check_client_id(client_id: str) -> str:
    client_id = (client_id or "").strip()
    if (
        not client_id
        or len(client_id) > 100
        or any(c in client_id for c in ":\x00")
        or not client_id.isprintable()
    ):
        raise ValidationError(
            _("The client id must have 1 to 100 printable characters and no colon."), code="client_id"
        )
    return client_id


def _check_partner_credentials(client_id: str, secret: str) -> tuple[str, str]:
    """(client id, sealed secret) of the partner's credentials for the portal, or ("", "")."""
    client_id, secret = (client_id or "").strip(), secret or ""
    if not client_id and not secret:
        return "", ""
    errors: dict[str, list[str]] = {}
    if not client_id or len(client_id) > 200 or not client_id.isprintable():
        errors["partner_client_id"] = [_("Enter the client id the partner gave you (up to 200 characters).")]
    if not secret or len(secret) > 500 or not secret.isprintable():
        errors["partner_client_secret"] = [
            _("Enter the client secret the partner gave you (up to 500 characters).")
        ]
    if errors:
        raise ValidationError(errors)
    return client_id, seal(secret)


def _company(organization: Organization) -> Organization:
    if organization.kind not in COMPANY_KINDS or not organization.is_active:
        raise ValidationError(_("PACT clients act for active companies only."), code="organization")
    return organization


@transaction.atomic
def client_save(
    *,
    actor: Any,
    organization: Organization,
    client_id: str,
    secret: str,
    callback_url: str,
    name: str = "",
    partner_client_id: str = "",
    partner_secret: str = "",
) -> tuple[PactClient, bool]:
    """Create a client for `organization`, or update the one with `client_id` (it must act for the same
    company). The operator path (`manage.py pact_client`) and the portal page both come here.

    `partner_client_id` and `partner_secret` are the credentials the partner issued to the portal for its
    own token endpoint (events to the partner then carry a bearer token, `partner_auth`); both or none.
    The secret is sealed, never hashed: the portal has to present it."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key, check, raw in (
        ("client_id", _check_client_id, client_id),
        ("client_secret", _check_secret, secret),
        ("callback_url", check_callback_url, callback_url),
        ("organization", _company, organization),
    ):
        try:
            values[key] = check(raw)
        except ValidationError as error:
            errors[key] = error.messages
    try:
        partner = _check_partner_credentials(partner_client_id, partner_secret)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    client = PactClient.objects.select_for_update().filter(client_id=values["client_id"]).first()
    if client is not None and client.organization_id != organization.pk:
        raise ValidationError({"client_id": [_("This client id is taken.")]})
    created = client is None
    if created:
        client = PactClient(organization=organization, client_id=values["client_id"], created_by=_user(actor))
    client.name = (name or "").strip()[:100] or values["client_id"]
    client.secret_hash = hash_secret(values["client_secret"])
    client.callback_url = values["callback_url"]
    client.partner_client_id, client.partner_secret_sealed = partner
    client.is_active = True
    client.revoked_at = None
    client.save()
    if not created:
        client.tokens.all().delete()  # a new secret ends the old sessions
    audit_record(
        actor=actor,
        action="pact.client_created" if created else "pact.client_updated",
        organization=organization,
        target=client,
        details={"client_id": client.client_id},
    )
    return client, created


def _user(actor: Any):
    return actor if getattr(actor, "is_authenticated", False) else None


def client_create(
    *, actor, name: str, callback_url: str, partner_client_id: str = "", partner_secret: str = ""
) -> tuple[PactClient, str]:
    """A company administrator registers a partner system; returns the client and its secret, which is
    shown once and never stored."""
    company = managed_company(actor)
    if company is None:
        raise PermissionDenied
    if not (name or "").strip():
        raise ValidationError({"name": [_("Give the client a name so you can recognise it later.")]})
    secret = secrets.token_urlsafe(32)
    client_id = "pb-" + secrets.token_hex(8)
    client, _created = client_save(
        actor=actor,
        organization=company,
        client_id=client_id,
        secret=secret,
        callback_url=callback_url,
        name=name,
        partner_client_id=partner_client_id,
        partner_secret=partner_secret,
    )
    return client, secret


@transaction.atomic
def client_revoke(*, actor, client: PactClient) -> PactClient:
    visible_then_permitted(actor, "change", client)
    client = PactClient.objects.select_for_update().get(pk=client.pk)
    if client.is_active:
        client.is_active = False
        client.revoked_at = timezone.now()
        client.save(update_fields=["is_active", "revoked_at"])
        client.tokens.all().delete()
        audit_record(
            actor=actor, action="pact.client_revoked", organization=client.organization, target=client
        )
    return client


# --- inbound events -------------------------------------------------------------------------------------


class SourceRefused(PermissionError):
    """The event's `source` is not the client's registered host: refused before anything is stored or
    sent (an event cannot make the portal call a host the company did not register)."""


@transaction.atomic
def receive_event(*, client: PactClient, body: Any) -> PactInboundEvent | None:
    """Accept one CloudEvent from a client. Raises `events.EventError` (400), `footprints.CriteriaError`
    (400) or `SourceRefused` (403). Returns None for a redelivered event (accepted again, not redone)."""
    event = events.parse_event(body)
    if not events.from_host(event.source, client.callback_url):
        raise SourceRefused(event.source)
    criteria = parse_criteria(event.data, lists=True) if event.type == events.REQUEST_CREATED else None
    try:
        with transaction.atomic():
            inbound = PactInboundEvent.objects.create(
                client=client, event_id=event.id, source=event.source[:500], type=event.type
            )
    except IntegrityError:
        return None
    if criteria is not None:
        _request_created(client, event, criteria)
    return inbound


def _request_created(client: PactClient, event: events.Event, criteria: Criteria) -> PactRequest:
    """A client asks for footprints. Footprints already released to its company that match are sent back
    at once (RequestFulfilled); otherwise, when the criteria name one of the company's bought parts, the
    part's direct supplier gets a data request in the portal and the client its answer when released;
    otherwise the request is rejected (RequestRejected)."""
    comment = str(event.data.get("comment") or "")[:2000]
    pact_request = PactRequest.objects.create(
        client=client,
        event_id=event.id,
        source=event.source[:500],
        criteria=criteria.as_json(),
        comment=comment,
    )
    if criteria.is_empty:
        return _close(pact_request, DeliveryKind.REJECTED, "BadRequest", "The request names no criteria.")
    matching = apply_criteria(selectors.footprints_for(client=client), _active(criteria))
    if matching.exists():
        return _close(pact_request, DeliveryKind.FULFILLED)
    part = _requested_part(client, criteria)
    if part is None:
        return _close(
            pact_request, DeliveryKind.REJECTED, "NotFound", "No footprint or supplier matches the request."
        )
    try:
        data_request = request_from_client(client=client, part=part, comment=comment)
    except ValidationError as error:
        return _close(pact_request, DeliveryKind.REJECTED, "BadRequest", "; ".join(error.messages)[:500])
    pact_request.data_request = data_request
    pact_request.save(update_fields=["data_request"])
    return pact_request


def _active(criteria: Criteria) -> Criteria:
    if criteria.status:
        return criteria
    return Criteria(**{**criteria.__dict__, "status": "Active"})


def _requested_part(client: PactClient, criteria: Criteria) -> Part | None:
    """The one bought part of the client's company the criteria name: by the company's own part number
    (`buyer-id` URN), or by the supplier (`companyId`) when the company buys one part from it."""
    parts = Part.objects.filter(
        organization=client.organization, kind=PartKind.BOUGHT, supplier__isnull=False
    )
    local_ids = [value for urn in criteria.product_ids if (value := buyer_part_id(urn)) is not None]
    if criteria.product_ids and not local_ids:
        return None
    if local_ids:
        parts = parts.filter(local_id__in=local_ids)
    if criteria.company_ids:
        lookups = [lookup for urn in criteria.company_ids if (lookup := company_lookup(urn)) is not None]
        if not lookups:
            return None
        supplier_ids = set()
        for lookup in lookups:
            supplier_ids.update(Organization.objects.filter(**lookup).values_list("pk", flat=True))
        parts = parts.filter(supplier_id__in=supplier_ids)
    found = list(parts[:2])
    return found[0] if len(found) == 1 else None


def request_from_client(*, client: PactClient, part: Part, comment: str) -> DataRequest:
    """A data request from the client's company to the direct supplier of one of its bought parts, for a
    carbon footprint. Same conditions as `exchange.services.send_request` (which only people may call);
    an open request for the part is reused rather than sent twice."""
    company = client.organization
    errors: list[str] = []
    if not client.is_active or not company.is_active or company.kind not in COMPANY_KINDS:
        raise PermissionDenied
    if part.organization_id != company.pk or part.kind != PartKind.BOUGHT:
        errors.append(_("Requests go to the supplier of a part you buy."))
    elif part.supplier_id is None:
        errors.append(_("Name the supplier of this part first."))
    elif not part.supplier.is_active or part.supplier_id == company.pk:
        errors.append(_("The supplier of this part cannot receive requests."))
    if errors:
        raise ValidationError(errors)
    existing = DataRequest.objects.filter(
        customer=company,
        customer_part=part,
        supplier=part.supplier,
        state=RequestState.SENT,
        wants_footprint=True,
    ).first()
    if existing is not None:
        return existing
    request = DataRequest.objects.create(
        customer=company,
        customer_part=part,
        supplier=part.supplier,
        wants_footprint=True,
        wants_materials=False,
        message=comment,
        due_date=timezone.localdate() + datetime.timedelta(days=REQUEST_DUE_DAYS),
        created_by=None,
    )
    audit_record(
        actor=None,
        action="exchange.request_sent",
        organization=company,
        target=request,
        details={"via": "PACT", "client_id": client.client_id},
    )
    exchange_notices.request_sent(request)
    return request


# --- outbound events ------------------------------------------------------------------------------------


def _enqueue(delivery: PactDelivery) -> PactDelivery:
    from .tasks import enqueue_delivery

    enqueue_delivery(delivery.pk)
    return delivery


def _close(
    pact_request: PactRequest,
    kind: str,
    code: str = "",
    message: str = "",
    answer: Answer | None = None,
) -> PactRequest:
    pact_request.state = (
        PactRequestState.FULFILLED if kind == DeliveryKind.FULFILLED else PactRequestState.REJECTED
    )
    pact_request.closed_at = timezone.now()
    pact_request.save(update_fields=["state", "closed_at"])
    _enqueue(
        PactDelivery.objects.create(
            client=pact_request.client,
            kind=kind,
            pact_request=pact_request,
            answer=answer,
            error_code=code,
            error_message=message[:500],
        )
    )
    return pact_request


def answer_released(answer: Answer) -> None:
    """An answer was released (or corrected) to a customer: the open PACT requests behind its data request
    are fulfilled with it, and every other active client of the customer is told it was published."""
    if not answer.has_footprint:
        return
    told: set[int] = set()
    for pact_request in PactRequest.objects.select_for_update().filter(
        data_request_id=answer.request_id, state=PactRequestState.OPEN, client__is_active=True
    ):
        _close(pact_request, DeliveryKind.FULFILLED, answer=answer)
        told.add(pact_request.client_id)
    for client in PactClient.objects.filter(organization_id=answer.customer_id, is_active=True).exclude(
        pk__in=told
    ):
        _enqueue(PactDelivery.objects.create(client=client, kind=DeliveryKind.PUBLISHED, answer=answer))


def request_closed_without_answer(data_request: DataRequest) -> None:
    """The supplier sent the request back (or the customer cancelled it): its PACT requests are rejected."""
    if data_request.state == RequestState.SENT_BACK:
        message = _("The supplier sent the request back: %(reason)s") % {"reason": data_request.reason}
    else:
        message = _("The request was cancelled.")
    for pact_request in PactRequest.objects.select_for_update().filter(
        data_request_id=data_request.pk, state=PactRequestState.OPEN
    ):
        _close(pact_request, DeliveryKind.REJECTED, "BadRequest", message)
