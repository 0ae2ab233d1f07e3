"""The end of a certification body's review: what it saw is recorded, then its access is removed.

While its review is open the body reads the owner's working data (the grants of `grants`). When the review
closes (approval, rejection, withdrawal) the body keeps, read-only, the snapshot of what it reviewed: the
passport values in scope exactly as the passport policy showed them to the body, taken in the same
transaction and before the grants go, so it is what the body saw and nothing the owner typed afterwards.
The confidential supply chain (suppliers, procurement amounts) is not kept: it is for the owner and the
body while assigned to the review, nobody else, so it leaves the body with the grants.
"""

from __future__ import annotations

from django.db import transaction

from .. import policies, selectors
from ..models import Application, ReviewSnapshot
from . import grants, notices


def _body_reader(application: Application):
    """Whom the body saw the data as: the assigned reviewer, else one of the body's leads (an application
    withdrawn before assignment was seen by the leads, without the confidential grant)."""
    candidates = [*notices.reviewer_of(application), *notices.body_leads(application).order_by("pk")]
    for user in candidates:
        if policies.is_body_member(user, application.body_id):
            return user
    return None


def _without_supply_chain(data: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {
        kind: [{k: v for k, v in item.items() if k != "supply_chain"} for item in items]
        for kind, items in data.items()
    }


def review_snapshot_take(application: Application) -> ReviewSnapshot | None:
    """Record what the body sees of the scope now (call it before the grants are removed). None for an
    application the body never received (a withdrawn draft) or a body without any active member."""
    if application.submitted_at is None:
        return None
    reader = _body_reader(application)
    if reader is None:
        return None
    data = _without_supply_chain(selectors.scope_passport_plain(actor=reader, application=application))
    snapshot, _created = ReviewSnapshot.objects.update_or_create(
        application=application,
        round=application.round,
        defaults={"body_id": application.body_id, "closed_as": application.state, "data": data},
    )
    return snapshot


@transaction.atomic
def review_close(application: Application) -> ReviewSnapshot | None:
    """Close the body's review of `application` (already moved to its closed state): snapshot, then
    remove the grants. Every closing goes through here; `grants.close_review_access` alone is only for a
    scope change during an open review, which reopens access at once."""
    snapshot = review_snapshot_take(application)
    grants.close_review_access(application)
    return snapshot
