"""What every exchange endpoint shares: pagination, tags, decimal fields, and the look-ups.

Look-ups go through the selectors scoped to the caller (`restrict()`), so another company's part,
request or answer answers 404 exactly like one that does not exist, on every route and method. Writes go
to `exchange.services`, which check the action again (403 for a viewer) and raise `ValidationError`
dicts that `portal.api.exception_handler` turns into 400 with field messages.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination

from portal.restrict import permits

from .. import selectors, services
from ..models import Answer, DataRequest, Part
from ..validation import plain

TAG_PARTS = ["exchange: parts"]
TAG_REQUESTS = ["exchange: requests"]
TAG_ANSWERS = ["exchange: answers"]


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_field({"type": "string", "format": "decimal", "example": "0.0752"})
class FigureField(serializers.Field):
    """A decimal as a string ("0.0752"); input also takes a JSON number. The services check the value,
    so the messages are the same as in the forms."""

    default_error_messages = {"invalid": "Enter a number."}

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        return str(data)

    def to_representation(self, value: Any) -> str | None:
        if value is None:
            return None
        return plain(value if isinstance(value, Decimal) else Decimal(str(value)))


def figure(value: Any) -> str | None:
    return None if value is None else plain(value if isinstance(value, Decimal) else Decimal(str(value)))


def valid(serializer_class: type[serializers.Serializer], data: Any, **kwargs) -> dict[str, Any]:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def part_or_404(request, public_id: UUID) -> Part:
    part = selectors.part_get(actor=request.user, public_id=public_id)
    if part is None:
        raise Http404
    return part


def request_or_404(request, public_id: UUID) -> DataRequest:
    found = selectors.request_get(actor=request.user, public_id=public_id)
    if found is None:
        raise Http404
    return found


def answer_or_404(request, public_id: UUID) -> Answer:
    answer = selectors.answer_get(actor=request.user, public_id=public_id)
    if answer is None:
        raise Http404
    return answer


#: Why an action on a request or answer the caller can see is refused (403), before any input is read.
REFUSED = {
    "cancel": gettext_lazy("Only the customer's administrators and editors can cancel an open request."),
    "answer": gettext_lazy("Only the supplier's administrators and editors can answer a sent request."),
    "send_back": gettext_lazy("Only the supplier's administrators and editors can send a sent request back."),
    "correct": gettext_lazy("Only the supplier's administrators and editors can correct a current answer."),
}


def permitted(request, action: str, obj) -> None:
    """403 with the reason when the caller may see `obj` but not `action` it: checked before the body is
    read, so a caller who may not act learns nothing from validation errors (the service checks again)."""
    if not permits(request.user, action, obj):
        raise PermissionDenied(str(REFUSED[action]))


def own_part(request, public_id: UUID | None, field: str) -> Part | None:
    """A part named by id in a request body: one of the caller's, else a 400 on the field (another
    company's part reads as unknown, like a missing one)."""
    if public_id is None:
        return None
    part = selectors.part_get(actor=request.user, public_id=public_id)
    if part is None:
        raise exceptions.ValidationError({field: [_("Not one of your parts.")]})
    return part


def details_from(data: dict[str, Any]) -> services.AnswerDetails:
    """The descriptors of an answer from validated input (what is left out keeps its default)."""
    keys = services.AnswerDetails.__dataclass_fields__
    values = {key: value for key, value in data.items() if key in keys and key != "files"}
    if "quality" in values:
        values["quality"] = {key: value for key, value in values["quality"].items() if value is not None}
    return services.AnswerDetails(**values)
