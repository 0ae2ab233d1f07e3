"""Bitstring Status Lists (W3C Bitstring Status List v1.0) for certificate credentials.

Every certificate owns one position, derived from its primary key, in two lists: "revocation" (set once
revoked, for good) and "suspension" (set while suspended, cleared on reinstatement). Expiry needs no bit:
the credential's validUntil says it. The lists are built from the certificates' current status on each
request, so they can never drift from it; each list holds 131,072 positions (the minimum the
specification sets, which hides any one certificate in a crowd) and list N covers the primary keys
N * 131072 ... (N + 1) * 131072 - 1."""

from __future__ import annotations

import base64
import gzip
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.urls import reverse

from ..models import Certificate, CertificateStatus
from .jose import issuer_url

LIST_SIZE = 131_072
#: How long a verifier may cache a list before fetching it again (also the credential's lifetime).
TIME_TO_LIVE = timedelta(minutes=5)
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


class StatusPurpose(StrEnum):
    REVOCATION = "revocation"
    SUSPENSION = "suspension"


#: The certificate status that sets a position's bit in each list.
FLAGGED_STATUS = {
    StatusPurpose.REVOCATION: CertificateStatus.REVOKED,
    StatusPurpose.SUSPENSION: CertificateStatus.SUSPENDED,
}


@dataclass(frozen=True)
class StatusPosition:
    list_number: int
    index: int


def position_of(certificate: Certificate) -> StatusPosition:
    list_number, index = divmod(certificate.pk, LIST_SIZE)
    return StatusPosition(list_number=list_number, index=index)


def list_url(purpose: StatusPurpose, list_number: int) -> str:
    return settings.SITE_URL + reverse(
        "api:credential-status-list", kwargs={"purpose": purpose.value, "list_number": list_number}
    )


def status_entries(certificate: Certificate) -> list[dict[str, Any]]:
    """The credentialStatus entries of a certificate's credential: one per purpose."""
    position = position_of(certificate)
    entries = []
    for purpose in StatusPurpose:
        url = list_url(purpose, position.list_number)
        entries.append(
            {
                "id": f"{url}#{position.index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose.value,
                "statusListIndex": str(position.index),
                "statusListCredential": url,
            }
        )
    return entries


def flagged_indices(purpose: StatusPurpose, list_number: int) -> list[int]:
    first = list_number * LIST_SIZE
    primary_keys = Certificate.objects.filter(
        status=FLAGGED_STATUS[purpose], pk__gte=first, pk__lt=first + LIST_SIZE
    ).values_list("pk", flat=True)
    return [pk - first for pk in primary_keys]


def encode_bitstring(indices: list[int], size: int = LIST_SIZE) -> str:
    """Multibase base64url (prefix "u") of the GZIP-compressed bitstring; index 0 is the left-most bit."""
    bits = bytearray(size // 8)
    for index in indices:
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same statuses always give the same bytes (and cache validators stay meaningful).
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def status_list_credential(
    purpose: StatusPurpose, list_number: int, now: datetime | None = None
) -> dict[str, Any]:
    """The unsecured BitstringStatusListCredential of one list, as of now."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    url = list_url(purpose, list_number)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_url(),
        "validFrom": now.isoformat().replace("+00:00", "Z"),
        "validUntil": (now + TIME_TO_LIVE).isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose.value,
            "encodedList": encode_bitstring(flagged_indices(purpose, list_number)),
            "ttl": int(TIME_TO_LIVE.total_seconds() * 1000),
        },
    }
