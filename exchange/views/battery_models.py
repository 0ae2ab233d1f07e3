"""The owner's review of what suppliers' answers say about one of its battery models, and its acceptance."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from passports import selectors as passport_selectors

from .. import passport_values, selectors
from ..models import PartKind


@login_required
@require_http_methods(["GET", "POST"])
def battery_model_values(request, public_id):
    battery_model = passport_selectors.battery_model_get(actor=request.user, public_id=public_id)
    if battery_model is None:
        raise Http404
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "link":
                part = selectors.part_get(actor=request.user, public_id=request.POST.get("part") or None)
                if part is None:
                    raise ValidationError(_("Choose one of the parts you make."))
                passport_values.link_battery_model(actor=request.user, part=part, battery_model=battery_model)
                messages.success(request, _("The part is linked to this battery model."))
            else:
                passport_values.accept(actor=request.user, battery_model=battery_model)
                messages.success(
                    request,
                    _(
                        "The values are in the battery model's draft. "
                        "They are published with its next passport publication."
                    ),
                )
            return redirect("exchange:battery_model_values", public_id=battery_model.public_id)
        except ValidationError as error:
            errors = error.messages
    offer = passport_values.proposal(actor=request.user, battery_model=battery_model)
    made_parts = selectors.parts_for(actor=request.user).filter(kind=PartKind.MADE)
    return render(
        request,
        "exchange/battery_model_values.html",
        {"battery_model": battery_model, "offer": offer, "errors": errors, "made_parts": made_parts},
    )
