"""Helpers of the exchange pages: who may open them at all, look-ups that answer 404 outside the actor's
scope (and 403 when the actor may see but not change), and the badges of states."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from portal.restrict import permits
from portal.tenancy.decorators import active_member_required

from .. import selectors
from ..access import company_of, is_editor
from ..models import Answer, AnswerStatus, DataRequest, Part, RequestState

REQUEST_BADGES = {
    RequestState.SENT: "pending",
    RequestState.SENT_BACK: "suspended",
    RequestState.CANCELLED: "inactive",
    RequestState.FULFILLED: "active",
}
ANSWER_BADGES = {AnswerStatus.ACTIVE: "active", AnswerStatus.SUPERSEDED: "inactive"}


def company_member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An active member of an active company. Certification bodies, authorities and operators have no
    part in the exchange: every exchange URL answers them 404, as it answers a row of another company."""

    @active_member_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        company = company_of(request.user)
        if company is None:
            raise Http404
        request.company = company  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def forbid_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Only administrators and editors of your company can do this."))


def part_or_404(request: HttpRequest, public_id, action: str = "view") -> Part:
    """One of the actor's own parts (404 otherwise), then `action` on it (403 for viewers)."""
    part = selectors.part_get(actor=request.user, public_id=public_id)
    if part is None:
        raise Http404
    if action != "view":
        forbid_unless(permits(request.user, action, part))
    return part


def request_or_404(request: HttpRequest, public_id) -> DataRequest:
    data_request = selectors.request_get(actor=request.user, public_id=public_id)
    if data_request is None:
        raise Http404
    return data_request


def answer_or_404(request: HttpRequest, public_id) -> Answer:
    answer = selectors.answer_get(actor=request.user, public_id=public_id)
    if answer is None:
        raise Http404
    return answer


def can_write(request: HttpRequest) -> bool:
    """Whether the actor may create parts and send requests: the same test the Part rule's "change" and
    the services apply (administrators and editors of the company)."""
    return is_editor(request.user)
