"""A supplier answers a received request with a file from its own system: io.catenax.pcf (Catena-X) or an
Ouranos CFP record (`exchange.formats`).

The same rules as `services.answer_request`: only the supplier's editors, only while the request is
sent, only with one of the supplier's made parts in the customer's unit; everything checked before
anything is written, one transaction, the request fulfilled, an audit entry, the customer told. What is
stored is what the file states about the supplier's own product, never the file itself, nor any company
or product identity in it other than the request's supplier.

Neither format carries a material declaration: a file answers a request for a footprint only, and one
that also asks for materials is refused with the reason (answer it in the portal instead).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.restrict import visible_then_permitted

from . import services
from .formats import catenax_pcf, load_json, ouranos_cfp
from .models import Answer, DataRequest, Part

FORMATS: dict[str, ModuleType] = {"catenax-pcf": catenax_pcf, "ouranos-cfp": ouranos_cfp}
FORMAT_LABELS = {"catenax-pcf": "io.catenax.pcf 9.0.0", "ouranos-cfp": "Ouranos CFP"}


def _descriptor_values(imported, details: services.AnswerDetails | None) -> dict[str, Any]:
    """The descriptors through the services' own checks; a problem with one read from the file is
    worded with where it is in the file."""
    try:
        return services.detail_values(imported.details or details or services.AnswerDetails(), footprint=True)
    except ValidationError as error:
        if not imported.paths:
            raise
        worded: dict[str, list[str]] = {}
        for key, messages in error.message_dict.items():
            path = imported.paths.get(key)
            if path is None:
                worded.setdefault(key, []).extend(messages)
            else:
                worded.setdefault("file", []).extend(f"{path}: {message}" for message in messages)
        raise ValidationError(worded) from None


@transaction.atomic
def answer_from_file(
    *,
    actor,
    request: DataRequest,
    supplier_part: Part | None,
    document: Any,
    format: str,
    details: services.AnswerDetails | None = None,
) -> Answer:
    """Release the footprint a file states about `supplier_part` to the request's customer.

    `document`: an uploaded file, bytes or text. `details`: the descriptors a format does not carry
    (an Ouranos CFP has no reference period or standards); an io.catenax.pcf file's own are used."""
    visible_then_permitted(actor, "answer", services.locked(request))
    module = FORMATS.get(format)
    if module is None:
        raise ValidationError({"format": [_("Choose catenax-pcf or ouranos-cfp.")]})
    part = services.answerable_part(actor, request, supplier_part)
    imported = module.read(load_json(document), part=part, details=details)
    if request.wants_materials and not imported.has_materials:
        raise ValidationError(
            {
                "file": [
                    _(
                        "The customer asks for a material declaration, which a %(format)s file does not "
                        "carry. Answer this request in the portal."
                    )
                    % {"format": FORMAT_LABELS[format]}
                ]
            }
        )
    values = {**_descriptor_values(imported, details), **imported.figures}
    answer = services.store_answer(actor=actor, request=request, part=part, values=values)
    services.release(actor=actor, request=request, part=part, answer=answer, source=format)
    return answer


def export(answer: Answer, format: str) -> dict[str, Any]:
    """The answer in a partner's format (the caller has checked it may read the answer, and that the
    answer has a footprint)."""
    return FORMATS[format].export(answer)
